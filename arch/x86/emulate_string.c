// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: string instructions whose memory operand is MMIO (MOVS, STOS,
 * LODS, with or without a REP prefix), and the index arithmetic they share
 * with INS/OUTS (pio.c).
 *
 * A REP string instruction may stop after any element: RSI, RDI and RCX
 * then describe the elements still to do, RIP still points at the
 * instruction, and executing it again carries on (SDM Vol. 2B "REP/REPE/
 * REPZ/REPNE/REPNZ"; Vol. 3A 6.6, interrupts between iterations).  hvx
 * relies on that contract: each stage-2 fault on MMIO moves exactly one
 * element, with one KVM_EXIT_MMIO, and re-enters the guest at the same
 * RIP until RCX reaches zero.  Elements in RAM in between run natively.
 * A MOVS from MMIO to MMIO takes two exits, the read and then the write,
 * as on KVM.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <asm/processor-flags.h>

#include "x86.h"
#include "insn.h"

/*
 * The linear address of @seg:@ea.  In 64-bit mode the bases of ES, CS,
 * SS and DS are ignored and addresses are not truncated; elsewhere the
 * linear address wraps at 4 GiB (SDM Vol. 3A 3.4.4, 3.3.7.1).
 */
u64 x86_string_linear(struct x86_vcpu *x, int seg, u64 ea)
{
	struct kvm_sregs *s = x86_sregs(x);
	const struct kvm_segment *segs[] = {
		[SEG_ES] = &s->es, [SEG_CS] = &s->cs, [SEG_SS] = &s->ss,
		[SEG_DS] = &s->ds, [SEG_FS] = &s->fs, [SEG_GS] = &s->gs,
	};
	bool flat = x86_code_size(x) == 8;
	u64 base = flat && seg < SEG_FS ? 0 : segs[seg]->base;

	return flat ? base + ea : (u32)(base + ea);
}

/* Move index register @reg past @bytes, downwards when EFLAGS.DF is set. */
void x86_string_step(struct x86_vcpu *x, int reg, u64 bytes, int addr_size)
{
	u64 mask = x86_addr_mask(addr_size);
	u64 *index = &x->gpr[reg];
	u64 moved;

	moved = (x->rflags & X86_EFLAGS_DF) ? *index - bytes : *index + bytes;
	*index = (*index & ~mask) | (moved & mask);
}

/* Count RCX (as wide as the address size) down by @n; true if any remain. */
bool x86_rep_count_down(struct x86_vcpu *x, u64 n, int addr_size)
{
	u64 mask = x86_addr_mask(addr_size);
	u64 rcx = (x->gpr[GPR_RCX] & mask) - n;

	x->gpr[GPR_RCX] = (x->gpr[GPR_RCX] & ~mask) | (rcx & mask);
	return rcx & mask;
}

/* One element is done: move the indexes and RCX; RIP stays while any remain. */
static int x86_string_done(struct x86_vcpu *x, struct x86_pending *p)
{
	if (p->string_op != X86_STR_STOS)
		x86_string_step(x, GPR_RSI, p->size, p->addr_size);
	if (p->string_op != X86_STR_LODS)
		x86_string_step(x, GPR_RDI, p->size, p->addr_size);
	p->kind = X86_PENDING_NONE;
	if (p->rep && x86_rep_count_down(x, 1, p->addr_size))
		return 1;
	x->rip = p->next_rip;
	return 1;
}

/*
 * Deliver one element's value: into AL/AX/EAX/RAX (LODS), into RAM, or
 * to user space as an MMIO write.  1: done; 0: exit to user space.
 */
static int x86_string_store(struct x86_vcpu *x, struct x86_pending *p,
			    u64 val)
{
	if (p->string_op == X86_STR_LODS) {
		x86_reg_write(x, GPR_RAX, p->size, val);
		return x86_string_done(x, p);
	}
	/* A destination in RAM: here only when a slot appeared meanwhile. */
	if (!x86_write_guest(x, p->gpa, &val, p->size))
		return x86_string_done(x, p);
	if (hvx_ioeventfd_write(x86_vm(x), false, p->gpa, p->size, val)) {
		hvx_stat(x->vcpu, HVX_STAT_IOEVENTFD);
		return x86_string_done(x, p);
	}
	/* Complete once described, as a MOV's write (emulate.c). */
	x86_mmio_report(x, p->gpa, p->size, true, val);
	x86_string_done(x, p);
	return 0;
}

/* Translate the element's operands: DS:RSI (or override) and ES:RDI. */
static int x86_string_operands(struct x86_vcpu *x, const struct x86_insn *in,
			       struct x86_pending *p)
{
	u64 mask = x86_addr_mask(p->addr_size);
	int seg = in->seg >= 0 ? in->seg : SEG_DS;
	u64 linear;

	if (p->string_op != X86_STR_STOS) {
		linear = x86_string_linear(x, seg, x->gpr[GPR_RSI] & mask);
		if (x86_gva_to_gpa(x, linear, &p->src_gpa))
			return -EFAULT;
	}
	if (p->string_op != X86_STR_LODS) {
		/* The destination is always ES: no override (SDM Vol. 2B STOS). */
		linear = x86_string_linear(x, SEG_ES, x->gpr[GPR_RDI] & mask);
		if (x86_gva_to_gpa(x, linear, &p->gpa))
			return -EFAULT;
	}
	return 0;
}

/*
 * A MOVS, STOS or LODS (@op, its one-byte opcode) touched MMIO: move one
 * element.  1: done in the kernel; 0: exit to user space; -errno: not
 * emulated.  An element that crosses a page boundary is read or written
 * as a whole at its first byte's guest-physical address.
 */
int x86_emulate_string_mmio(struct x86_vcpu *x, const struct x86_insn *in,
			    u8 op)
{
	struct x86_pending *p = &x->pending;
	u64 val = 0;

	*p = (struct x86_pending) {
		.kind = X86_PENDING_MMIO_STRING, .rep = in->rep != 0,
		.size = (op & 1) ? in->opsize : 1, .addr_size = in->addrsize,
		.rip = x->rip, .next_rip = x->rip + in->len,
		.string_op = op <= 0xa5 ? X86_STR_MOVS :
			     op <= 0xab ? X86_STR_STOS : X86_STR_LODS,
	};
	if (p->rep && !(x->gpr[GPR_RCX] & x86_addr_mask(p->addr_size))) {
		p->kind = X86_PENDING_NONE;	/* nothing to move */
		x->rip = p->next_rip;
		return 1;
	}
	if (x86_string_operands(x, in, p))
		return -EFAULT;
	if (p->string_op == X86_STR_STOS)
		return x86_string_store(x, p, x->gpr[GPR_RAX]);
	if (!x86_read_guest(x, p->src_gpa, &val, p->size))
		return x86_string_store(x, p, val);
	p->in = true;
	x86_mmio_report(x, p->src_gpa, p->size, false, 0);
	return 0;
}

/*
 * KVM_RUN after a string MMIO read: the data goes on to its destination.
 * 1: that is one more exit to user space (a MOVS from MMIO to MMIO, its
 * write); 0: the guest runs on.
 */
int x86_complete_string_mmio(struct x86_vcpu *x)
{
	struct x86_pending *p = &x->pending;
	u64 val = 0;

	memcpy(&val, x86_run(x)->mmio.data, p->size);
	return !x86_string_store(x, p, val);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: port I/O exits, with KVM's KVM_EXIT_IO semantics.
 *
 * The data of an exit sits in the vCPU's run area at io.data_offset (the
 * page after struct kvm_run).  An OUT is complete when it is reported; an
 * IN, like every exit, is completed by the next KVM_RUN, which moves RIP
 * past the instruction (KVM documents the same: guest state is consistent
 * only once user space re-enters).  String forms move up to a page of data
 * per exit; a REP form re-executes until RCX reaches zero.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "x86.h"
#include "insn.h"

static u8 *x86_pio_data(struct x86_vcpu *x)
{
	return page_address(x->vcpu->run_pages[HVX_PIO_PAGE_OFFSET]);
}

/*
 * The guest-physical address of a string operand and how many accesses
 * fit before its page ends.
 */
static int x86_pio_string(struct x86_vcpu *x, struct x86_pending *p,
			  int seg)
{
	u64 mask = x86_addr_mask(p->addr_size);
	u64 index = x->gpr[p->in ? GPR_RDI : GPR_RSI] & mask;
	u64 linear = x86_string_linear(x, seg, index);
	u64 count = p->rep ? x->gpr[GPR_RCX] & mask : 1;
	u64 room;

	if (x86_gva_to_gpa(x, linear, &p->gpa))
		return -EFAULT;
	room = (PAGE_SIZE - offset_in_page(p->gpa)) / p->size;
	/* Going downwards (EFLAGS.DF), move one element per exit. */
	if (x->rflags & X86_EFLAGS_DF)
		room = 1;
	p->count = max_t(u64, 1, min(count, room));
	return 0;
}

int x86_emulate_pio(struct x86_vcpu *x, const struct x86_pio *pio)
{
	struct x86_pending *p = &x->pending;
	struct kvm_run *run = x86_run(x);
	int seg = SEG_ES, addr_size = pio->addr_size;

	if (pio->string) {
		x86_string_decode(x, &seg, &addr_size);
		if (pio->addr_size)
			addr_size = pio->addr_size;
		if (pio->in)
			seg = SEG_ES;	/* INS always writes through ES */
	}
	*p = (struct x86_pending) {
		.kind = X86_PENDING_PIO, .in = pio->in, .string = pio->string,
		.rep = pio->rep, .size = pio->size, .addr_size = addr_size,
		.count = 1, .rip = x->rip, .next_rip = pio->next_rip,
	};
	if (p->rep && !(x->gpr[GPR_RCX] & x86_addr_mask(p->addr_size))) {
		p->kind = X86_PENDING_NONE;	/* REP with RCX = 0: a no-op */
		x->rip = pio->next_rip;
		return 1;
	}
	/* OUT (not OUTS) to a port an ioeventfd takes: done here. */
	if (!p->in && !p->string &&
	    hvx_ioeventfd_write(x86_vm(x), true, pio->port, p->size,
				x->gpr[GPR_RAX])) {
		p->kind = X86_PENDING_NONE;
		x->rip = pio->next_rip;
		hvx_stat(x->vcpu, HVX_STAT_IOEVENTFD);
		return 1;
	}
	/* The in-kernel 8259A's and 8254's ports (pic.c, pit.c). */
	if (!p->string && (x86_irqchip_pio(x, pio->port, p->in, p->size) ||
			   x86_pit_pio(x, pio->port, p->in, p->size))) {
		p->kind = X86_PENDING_NONE;
		x->rip = pio->next_rip;
		return 1;
	}
	/*
	 * A string's memory operand must be RAM: OUTS's is read now, INS's
	 * must be writable when its data comes (not MMIO, not a read-only
	 * slot, which hvx does not emulate for strings of ports).
	 */
	if (p->string && (x86_pio_string(x, p, seg) ||
	    (!p->in && x86_read_guest(x, p->gpa, x86_pio_data(x),
				      p->count * p->size)) ||
	    (p->in && !hvx_guest_writable(x86_vm(x), p->gpa,
					  p->count * p->size))))
		return x86_internal_error(x, KVM_INTERNAL_ERROR_EMULATION,
					  x->rip, pio->port);
	if (!p->string && !p->in)
		memcpy(x86_pio_data(x), &x->gpr[GPR_RAX], p->size);

	run->io.direction = p->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = p->size;
	run->io.port = pio->port;
	run->io.count = p->count;
	run->io.data_offset = HVX_PIO_PAGE_OFFSET * PAGE_SIZE;
	hvx_stat(x->vcpu, HVX_STAT_IO);
	x86_exit_to_user(x, KVM_EXIT_IO);
	return 0;
}

/*
 * Advance RSI/RDI and RCX past the elements user space has handled.  User
 * space may have lowered RCX meanwhile (KVM_SET_REGS): a REP then moves
 * only as many elements as RCX still counts, as the instruction run again
 * would, and RCX never wraps below zero (KVM's userspace_io_test).
 */
static int x86_complete_string(struct x86_vcpu *x, struct x86_pending *p)
{
	u64 n = p->count, bytes;

	if (p->rep)
		n = min(n, x->gpr[GPR_RCX] & x86_addr_mask(p->addr_size));
	bytes = n * p->size;
	if (p->in && x86_write_guest(x, p->gpa, x86_pio_data(x), bytes))
		return -EFAULT;
	x86_string_step(x, p->in ? GPR_RDI : GPR_RSI, bytes, p->addr_size);
	if (p->rep && x86_rep_count_down(x, n, p->addr_size))
		return 0;	/* RIP stays: the REP goes on */
	x->rip = p->next_rip;
	return 0;
}

/*
 * Called at the start of KVM_RUN: finish the exit user space has just
 * handled.  Returns 0, 1 when that made one more exit to user space, or
 * -errno when the guest's memory has gone.
 */
int x86_complete_pending(struct x86_vcpu *x)
{
	struct x86_pending *p = &x->pending;
	enum x86_pending_kind kind = p->kind;
	u64 val = 0;

	p->kind = X86_PENDING_NONE;
	/*
	 * User space moved RIP (KVM_SET_REGS) after the exit: it has taken
	 * over, and the instruction is not completed, as in KVM.
	 */
	if (kind != X86_PENDING_NONE && x->rip != p->rip)
		return 0;
	if (kind == X86_PENDING_MMIO) {
		x86_complete_mmio(x);
		return 0;
	}
	if (kind == X86_PENDING_MMIO_STRING)
		return x86_complete_string_mmio(x);
	if (kind == X86_PENDING_MSR) {
		x86_complete_msr(x, p);
		return 0;
	}
	if (kind != X86_PENDING_PIO)
		return 0;
	if (p->string)
		return x86_complete_string(x, p);
	if (p->in) {
		memcpy(&val, x86_pio_data(x), p->size);
		x86_reg_write(x, GPR_RAX, p->size, val);
	}
	x->rip = p->next_rip;
	return 0;
}

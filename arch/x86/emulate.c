// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: reading guest memory, walking guest page tables, and decoding
 * the MOV-family instructions a guest uses for MMIO.
 *
 * A stage-2 fault outside every memory slot tells us the guest-physical
 * address but not what the instruction wanted (AMD has no decode assist
 * for it under emulation, Intel gives none), so the instruction at CS:RIP
 * is fetched and decoded here.  Only moves are supported, as KVM users
 * expect of device registers; anything else ends in a clean
 * KVM_EXIT_INTERNAL_ERROR rather than a guess.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "x86.h"
#include "insn.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	0x000ffffffffff000ULL

/*
 * Translate a linear address with the guest's own tables: 32-bit paging,
 * PAE paging or 4-level paging (Intel SDM Vol. 3A 4.3-4.5, AMD APM Vol. 2
 * 5.2-5.3).  Permissions are not checked: the guest has just made this
 * access itself.
 */
int x86_gva_to_gpa(struct x86_vcpu *x, u64 gva, u64 *gpa)
{
	struct kvm_sregs *s = x86_sregs(x);
	int levels, shift, i;
	u64 table, entry = 0;
	unsigned int esize;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (s->efer & EFER_LMA) {
		levels = 4;
		esize = 8;
		table = s->cr3 & PTE_ADDR;
	} else if (s->cr4 & X86_CR4_PAE) {
		/* The four PDPTEs sit at CR3[31:5] (SDM 4.4.1). */
		if (x86_read_guest(x, (s->cr3 & 0xffffffe0) +
				   ((gva >> 30) & 3) * 8, &entry, 8))
			return -EFAULT;
		if (!(entry & PTE_P))
			return -EFAULT;
		levels = 2;
		esize = 8;
		table = entry & PTE_ADDR;
	} else {
		levels = 2;
		esize = 4;
		table = s->cr3 & 0xfffff000;
	}

	for (i = levels - 1; i >= 0; i--) {
		shift = 12 + i * (esize == 8 ? 9 : 10);
		entry = 0;
		if (x86_read_guest(x, table + ((gva >> shift) &
			((esize == 8 ? 512 : 1024) - 1)) * esize, &entry, esize))
			return -EFAULT;
		if (!(entry & PTE_P))
			return -EFAULT;
		/* Large pages: 1G/2M, or 4M with CR4.PSE in 32-bit paging. */
		if (i > 0 && (entry & PTE_PS) &&
		    (esize == 8 || (s->cr4 & X86_CR4_PSE)))
			break;
		table = entry & (esize == 8 ? PTE_ADDR : 0xfffff000);
	}
	if (i < 0)
		i = 0;
	shift = 12 + i * (esize == 8 ? 9 : 10);
	if (esize == 4 && i)
		entry &= 0xffc00000;	/* 4M page; PSE-36 bits ignored */
	*gpa = (entry & PTE_ADDR & ~((1ULL << shift) - 1)) |
	       (gva & ((1ULL << shift) - 1));
	return 0;
}

/* The code size the guest runs with: 2, 4 or 8 bytes. */
int x86_code_size(struct x86_vcpu *x)
{
	struct kvm_sregs *s = x86_sregs(x);

	if ((s->efer & EFER_LMA) && s->cs.l)
		return 8;
	return s->cs.db ? 4 : 2;
}

/* Fetch up to 15 bytes at CS:RIP; returns how many could be read. */
static int x86_fetch(struct x86_vcpu *x, u8 *buf)
{
	u64 rip = x86_code_size(x) == 2 ? (u16)x->rip : x->rip;
	u64 linear = x86_sregs(x)->cs.base + rip;
	int got = 0;

	while (got < 15) {
		unsigned int n = min_t(u64, 15 - got,
				       PAGE_SIZE - offset_in_page(linear));
		u64 gpa;

		if (x86_gva_to_gpa(x, linear, &gpa) ||
		    x86_read_guest(x, gpa, buf + got, n))
			break;
		got += n;
		linear += n;
	}
	return got;
}

static bool insn_byte(struct x86_insn *in, u8 *b)
{
	if (in->len >= in->nbytes)
		return false;
	*b = in->bytes[in->len++];
	return true;
}

/* Legacy and REX prefixes (SDM Vol. 2A 2.1.1, 2.2.1). */
static bool insn_prefixes(struct x86_insn *in, int mode, u8 *op)
{
	static const int segs[] = {
		[0x26] = SEG_ES, [0x2e] = SEG_CS, [0x36] = SEG_SS,
		[0x3e] = SEG_DS, [0x64] = SEG_FS, [0x65] = SEG_GS,
	};

	in->opsize = mode == 8 ? 4 : mode;
	in->addrsize = mode;
	in->seg = -1;
	for (;;) {
		if (!insn_byte(in, op))
			return false;
		switch (*op) {
		case 0x66:
			in->opsize = in->opsize == 2 ? 4 : 2;
			continue;
		case 0x67:
			in->addrsize = mode == 8 ? 4 : (mode == 4 ? 2 : 4);
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			in->seg = segs[*op];
			continue;
		case 0xf0:	/* LOCK: the access is still one move */
			continue;
		case 0xf2: case 0xf3:	/* REPNE, REP: string forms only */
			in->rep = *op;
			continue;
		}
		break;
	}
	if (mode == 8 && (*op & 0xf0) == 0x40) {
		in->rex = *op;
		if (in->rex & 8)
			in->opsize = 8;
		if (!insn_byte(in, op))
			return false;
	}
	return true;
}

/* Skip the ModRM memory operand's SIB and displacement. */
static bool insn_modrm(struct x86_insn *in)
{
	int mod, rm, disp = 0;
	u8 sib;

	if (!insn_byte(in, &in->modrm))
		return false;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	if (mod == 3)
		return false;		/* a register cannot be MMIO */
	if (in->addrsize == 2) {
		/* 16-bit forms (SDM Vol. 2A table 2-1). */
		disp = mod == 1 ? 1 : (mod == 2 || (!mod && rm == 6)) ? 2 : 0;
	} else {
		if (rm == 4) {
			if (!insn_byte(in, &sib))
				return false;
			if (!mod && (sib & 7) == 5)
				disp = 4;
		}
		if (!mod && rm == 5)
			disp = 4;
		if (mod)
			disp = mod == 1 ? 1 : 4;
	}
	in->len += disp;
	return in->len <= in->nbytes;
}

static u64 insn_imm(struct x86_insn *in, int size)
{
	u64 v = 0;

	memcpy(&v, in->bytes + in->len, size);
	in->len += size;
	return v;
}

/* Register operand number: 0-15, or 16-19 for AH, CH, DH, BH. */
static int insn_reg(struct x86_insn *in, int size)
{
	int r = ((in->modrm >> 3) & 7) | ((in->rex & 4) ? 8 : 0);

	if (size == 1 && !in->rex && r >= 4 && r < 8)
		return 16 + r - 4;
	return r;
}

static u64 x86_reg_read(struct x86_vcpu *x, int reg)
{
	if (reg >= 16)
		return (x->gpr[reg - 16] >> 8) & 0xff;
	return x->gpr[reg];
}

/*
 * Write @val to a register as a MOV of @size bytes does: 8- and 16-bit
 * writes merge, 32-bit writes zero the upper half (SDM Vol. 1 3.4.1.1).
 */
void x86_reg_write(struct x86_vcpu *x, int reg, int size, u64 val)
{
	u64 *r = &x->gpr[reg >= 16 ? reg - 16 : reg];

	if (reg >= 16)
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (size == 1)
		*r = (*r & ~0xffULL) | (val & 0xff);
	else if (size == 2)
		*r = (*r & ~0xffffULL) | (val & 0xffff);
	else if (size == 4)
		*r = (u32)val;
	else
		*r = val;
}

/* An MMIO read has its value: into the register it targets, RIP past it. */
static void x86_mmio_read_done(struct x86_vcpu *x, u64 val)
{
	struct x86_pending *p = &x->pending;

	if (p->sign_extend)
		val = p->size == 1 ? (u64)(s8)val : (u64)(s16)val;
	x86_reg_write(x, p->reg, p->dst_size, val);
	x->rip = p->next_rip;
}

/* Describe an MMIO access in the run area: a KVM_EXIT_MMIO to user space. */
void x86_mmio_report(struct x86_vcpu *x, u64 gpa, int size, bool write,
		     u64 val)
{
	struct kvm_run *run = x86_run(x);

	run->mmio.phys_addr = gpa;
	run->mmio.len = size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &val, size);
	hvx_stat(x->vcpu, HVX_STAT_MMIO);
	x86_exit_to_user(x, KVM_EXIT_MMIO);
}

/*
 * A write is complete once described, so RIP moves on before user space
 * sees it (KVM's emulator writes its registers back before a write exit,
 * too); a read completes on the next KVM_RUN, with user space's data.
 */
static int x86_mmio_exit(struct x86_vcpu *x, u64 gpa, int size, bool write,
			 u64 val, u64 next_rip)
{
	if (write) {
		x->rip = next_rip;
		/*
		 * The in-kernel APICs' pages (irqchip.c), then the writes an
		 * ioeventfd takes, complete without an exit.
		 */
		if (x86_irqchip_mmio(x, gpa, size, true, &val))
			return 1;
		if (hvx_ioeventfd_write(x86_vm(x), false, gpa, size, val)) {
			hvx_stat(x->vcpu, HVX_STAT_IOEVENTFD);
			return 1;
		}
		x86_mmio_report(x, gpa, size, true, val);
		return 0;
	}
	x->pending.in = true;
	x->pending.size = size;
	x->pending.rip = x->rip;
	x->pending.next_rip = next_rip;
	if (x86_irqchip_mmio(x, gpa, size, false, &val)) {
		x86_mmio_read_done(x, val);
		return 1;
	}
	x->pending.kind = X86_PENDING_MMIO;
	x86_mmio_report(x, gpa, size, false, 0);
	return 0;
}

/* Decode one MOV-family instruction (SDM Vol. 2B "MOV", "MOVZX", "MOVSX"). */
static int x86_decode_mmio(struct x86_vcpu *x, struct x86_insn *in, u64 gpa)
{
	struct x86_pending *p = &x->pending;
	int mode = x86_code_size(x);
	u8 op, op2;
	u64 val;
	int size;

	if (!insn_prefixes(in, mode, &op))
		return -EINVAL;
	p->sign_extend = false;
	switch (op) {
	case 0x88: case 0x89:		/* MOV r/m, reg */
		size = op == 0x88 ? 1 : in->opsize;
		if (!insn_modrm(in))
			return -EINVAL;
		val = x86_reg_read(x, insn_reg(in, size));
		return x86_mmio_exit(x, gpa, size, true, val, x->rip + in->len);
	case 0x8a: case 0x8b:		/* MOV reg, r/m */
		size = op == 0x8a ? 1 : in->opsize;
		if (!insn_modrm(in))
			return -EINVAL;
		p->reg = insn_reg(in, size);
		p->dst_size = size;
		return x86_mmio_exit(x, gpa, size, false, 0, x->rip + in->len);
	case 0xc6: case 0xc7:		/* MOV r/m, imm */
		size = op == 0xc6 ? 1 : in->opsize;
		if (!insn_modrm(in) || (in->modrm & 0x38))
			return -EINVAL;
		if (in->len + min(size, 4) > in->nbytes)
			return -EINVAL;
		val = insn_imm(in, min(size, 4));
		if (size == 8)		/* imm32 sign-extended */
			val = (s64)(s32)val;
		return x86_mmio_exit(x, gpa, size, true, val, x->rip + in->len);
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: /* MOV AL/eAX, moffs */
		size = (op & 1) ? in->opsize : 1;
		if (in->len + in->addrsize > in->nbytes)
			return -EINVAL;
		in->len += in->addrsize;
		if (op >= 0xa2)
			return x86_mmio_exit(x, gpa, size, true, x->gpr[GPR_RAX],
					     x->rip + in->len);
		p->reg = GPR_RAX;
		p->dst_size = size;
		return x86_mmio_exit(x, gpa, size, false, 0, x->rip + in->len);
	case 0xa4: case 0xa5:		/* MOVS */
	case 0xaa: case 0xab:		/* STOS */
	case 0xac: case 0xad:		/* LODS */
		return x86_emulate_string_mmio(x, in, op);
	case 0x0f:
		if (!insn_byte(in, &op2))
			return -EINVAL;
		if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
			return -EINVAL;
		size = (op2 & 1) ? 2 : 1;
		if (!insn_modrm(in))
			return -EINVAL;
		p->reg = insn_reg(in, in->opsize);
		p->dst_size = in->opsize;
		p->sign_extend = op2 >= 0xbe;
		return x86_mmio_exit(x, gpa, size, false, 0, x->rip + in->len);
	}
	return -EINVAL;
}

static int x86_emulation_failure(struct x86_vcpu *x, struct x86_insn *in)
{
	struct kvm_run *run = x86_run(x);

	pr_info_ratelimited("vCPU %u: cannot emulate MMIO instruction at rip %#llx\n",
			    x->vcpu->id, x->rip);
	hvx_stat(x->vcpu, HVX_STAT_INTERNAL);
	x86_exit_to_user(x, KVM_EXIT_INTERNAL_ERROR);
	run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->emulation_failure.ndata = 4;
	run->emulation_failure.flags =
		KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run->emulation_failure.insn_size = in->nbytes;
	memset(run->emulation_failure.insn_bytes, 0,
	       sizeof(run->emulation_failure.insn_bytes));
	memcpy(run->emulation_failure.insn_bytes, in->bytes, in->nbytes);
	return 0;
}

/*
 * A guest access to @gpa, in no memory slot: decode it for user space
 * (0), or complete it here (1: a write an ioeventfd took).
 */
int x86_emulate_mmio(struct x86_vcpu *x, u64 gpa)
{
	struct x86_insn in = { };

	int r;

	in.nbytes = x86_fetch(x, in.bytes);
	r = in.nbytes ? x86_decode_mmio(x, &in, gpa) : -EINVAL;
	if (r < 0)
		return x86_emulation_failure(x, &in);
	return r;
}

/* Finish an MMIO read once user space has filled run->mmio.data. */
void x86_complete_mmio(struct x86_vcpu *x)
{
	u64 val = 0;

	memcpy(&val, x86_run(x)->mmio.data, x->pending.size);
	x86_mmio_read_done(x, val);
}

/*
 * The source segment (DS unless overridden) and address size of a string
 * I/O instruction, from its prefixes.  SVM reports the address size in
 * EXITINFO1, but an emulator may leave it out.
 */
void x86_string_decode(struct x86_vcpu *x, int *seg, int *addr_size)
{
	struct x86_insn in = { };
	u8 op;

	*seg = SEG_DS;
	*addr_size = x86_code_size(x);
	in.nbytes = x86_fetch(x, in.bytes);
	if (!insn_prefixes(&in, x86_code_size(x), &op))
		return;
	if (in.seg >= 0)
		*seg = in.seg;
	*addr_size = in.addrsize;
}

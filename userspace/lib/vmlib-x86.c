// SPDX-License-Identifier: GPL-2.0
/*
 * vmlib, x86 half: the guest modes (real, protected, paged, long), their
 * segments and page tables, registers and CPUID.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmlib.h"

#define X86_CR0_PE	(1u << 0)
#define X86_CR0_PG	(1u << 31)
#define X86_CR4_PSE	(1u << 4)
#define X86_CR4_PAE	(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* Intel needs three pages for a real-mode TSS; out of RAM's way. */
int vm_arch_setup(struct vm *vm)
{
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		return neg_errno();
	return 0;
}

int vcpu_arch_setup(struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_GET_REGS, regs) < 0 ? neg_errno() : 0;
}

int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0 ? neg_errno() : 0;
}

int vcpu_get_pc(struct vcpu *vcpu, uint64_t *pc)
{
	struct kvm_regs regs;
	int r = vcpu_get_regs(vcpu, &regs);

	*pc = regs.rip;
	return r;
}

int vcpu_set_pc(struct vcpu *vcpu, uint64_t pc)
{
	struct kvm_regs regs;
	int r = vcpu_get_regs(vcpu, &regs);

	if (r)
		return r;
	regs.rip = pc;
	return vcpu_set_regs(vcpu, &regs);
}

/* A flat 4 GiB segment; @code64 makes it a long-mode code segment. */
static void flat_segment(struct kvm_segment *s, uint16_t sel, int code,
			 int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/* The same descriptors in guest memory, for guests that reload them. */
static void write_gdt(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, GUEST_GDT_GPA);

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffull;		/* code32 */
	gdt[2] = 0x00cf93000000ffffull;		/* data */
	gdt[3] = 0x00af9b000000ffffull;		/* code64 */
}

/* Identity map of the first GiB: long mode with 2 MiB pages. */
static void write_long_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, GUEST_PML4_GPA);
	uint64_t *pdpt = vm_gpa(vm, GUEST_PML4_GPA + 0x1000);
	uint64_t *pd = vm_gpa(vm, GUEST_PML4_GPA + 0x2000);
	int i;

	memset(pml4, 0, 0x3000);
	pml4[0] = (GUEST_PML4_GPA + 0x1000) | 0x7;
	pdpt[0] = (GUEST_PML4_GPA + 0x2000) | 0x7;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x87;	/* P, RW, US, PS */
}

/* Identity map of the first GiB: 32-bit paging with 4 MiB pages. */
static void write_pd32(struct vm *vm)
{
	uint32_t *pd = vm_gpa(vm, GUEST_PD32_GPA);
	int i;

	memset(pd, 0, 0x1000);
	for (i = 0; i < 256; i++)
		pd[i] = ((uint32_t)i << 22) | 0x87;
}

static void real_segment(struct kvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = 0x3;
	s->present = 1;
	s->s = 1;
}

static void setup_sregs(struct vm *vm, struct kvm_sregs *s,
			enum guest_mode mode)
{
	int code64 = mode == GUEST_LONG;

	/*
	 * Start from paging and long mode off, whatever the vCPU was set up
	 * as before: a leftover EFER.LMA without CR0.PG is a state
	 * KVM_SET_SREGS refuses.
	 */
	s->cr0 &= ~(uint64_t)(X86_CR0_PE | X86_CR0_PG);
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	if (mode == GUEST_REAL) {
		real_segment(&s->cs);
		s->cs.type = 0xb;
		real_segment(&s->ds);
		s->es = s->fs = s->gs = s->ss = s->ds;
		return;
	}
	write_gdt(vm);
	s->gdt.base = GUEST_GDT_GPA;
	s->gdt.limit = 4 * 8 - 1;
	flat_segment(&s->cs, code64 ? GDT_CODE64 : GDT_CODE32, 1, code64);
	flat_segment(&s->ds, GDT_DATA, 0, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->cr0 = X86_CR0_PE;
	if (mode == GUEST_PAGED) {
		write_pd32(vm);
		s->cr3 = GUEST_PD32_GPA;
		s->cr4 = X86_CR4_PSE;
		s->cr0 |= X86_CR0_PG;
	} else if (mode == GUEST_LONG) {
		write_long_tables(vm);
		s->cr3 = GUEST_PML4_GPA;
		s->cr4 = X86_CR4_PAE;
		s->cr0 |= X86_CR0_PG;
		s->efer = EFER_LME | EFER_LMA;
	}
}

int vcpu_setup_mode(struct vcpu *vcpu, enum guest_mode mode,
		    uint64_t entry, uint64_t stack_top)
{
	struct kvm_regs regs = { .rip = entry, .rsp = stack_top, .rflags = 2 };
	struct kvm_sregs sregs;

	if (vcpu->vm->mem_gpa || vcpu->vm->mem_size < GUEST_MIN_MEM)
		return -ERANGE;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return neg_errno();
	setup_sregs(vcpu->vm, &sregs, mode);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return neg_errno();
	return vcpu_set_regs(vcpu, &regs);
}

const char *guest_mode_name(enum guest_mode mode)
{
	static const char * const names[] = { "real", "prot", "paged", "long" };

	return (unsigned int)mode < GUEST_NR_MODES ? names[mode] : "?";
}

/*
 * KVM answers CPUID from a table user space must give it, and hands out
 * zeros until then; hvx answers from its supported table until it gets
 * one.  So give the device its own supported table, as every VMM does,
 * whenever it says it takes one (KVM_CAP_EXT_CPUID).  Returns 0, also
 * when the device has no such table, or -errno.
 */
int vcpu_set_supported_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *cpuid = NULL;
	unsigned int nent = 64;
	int r;

	if (ioctl(v->vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		return 0;
	do {
		free(cpuid);
		nent *= 2;
		cpuid = calloc(1, sizeof(*cpuid) +
			       nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		r = ioctl(v->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	} while (r < 0 && errno == E2BIG && nent < 4096);
	if (r >= 0)
		r = ioctl(v->fd, KVM_SET_CPUID2, cpuid);
	r = r < 0 ? neg_errno() : 0;
	free(cpuid);
	return r;
}

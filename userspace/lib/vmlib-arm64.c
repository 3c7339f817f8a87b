// SPDX-License-Identifier: GPL-2.0
/*
 * vmlib, arm64 half: KVM_ARM_VCPU_INIT, registers through ONE_REG, and
 * the identity map of GUEST_EL1_MMU.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmlib.h"

/*
 * Stage 1 translation, 4 KiB granule (Arm ARM, DDI 0487, "The AArch64
 * Virtual Memory System Architecture"): TCR_EL1.T0SZ = 32 gives a 4 GiB input
 * range whose walk starts at level 1, four entries of 1 GiB; the first
 * GiB is split into 512 level 2 blocks of 2 MiB.
 */
#define PTE_BLOCK	0x1ull		/* bits[1:0] = 01 at levels 1, 2 */
#define PTE_TABLE	0x3ull		/* bits[1:0] = 11 */
#define PTE_ATTR(i)	((uint64_t)(i) << 2)	/* AttrIndx: MAIR_EL1 field */
#define PTE_SH_INNER	(3ull << 8)
#define PTE_AF		(1ull << 10)	/* access flag: no fault on use */
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)

#define MAIR_NORMAL_WB	0xffull		/* attr 0: Normal, write-back RW-alloc */
#define MAIR_DEVICE	0x04ull		/* attr 1: Device-nGnRE */
#define ATTR_NORMAL	0
#define ATTR_DEVICE	1

/*
 * T0SZ 32, table walks write-back cacheable inner shareable, 4 KiB
 * granule, no walks through TTBR1 (EPD1), 32-bit physical addresses.
 */
#define TCR_T0SZ(n)	((uint64_t)(n))
#define TCR_IRGN0_WBWA	(1ull << 8)
#define TCR_ORGN0_WBWA	(1ull << 10)
#define TCR_SH0_INNER	(3ull << 12)
#define TCR_EPD1	(1ull << 23)
#define GUEST_TCR	(TCR_T0SZ(32) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | \
			 TCR_SH0_INNER | TCR_EPD1)

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int vcpu_get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) < 0 ? neg_errno() : 0;
}

int vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) < 0 ? neg_errno() : 0;
}

int vcpu_arm64_init(struct vcpu *vcpu)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(vcpu->vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return neg_errno();
	memset(init.features, 0, sizeof(init.features));
	if (ioctl(vcpu->vm->sys_fd, KVM_CHECK_EXTENSION,
		  KVM_CAP_ARM_PSCI_0_2) > 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return neg_errno();
	return 0;
}

int vm_ipa_limit(int sys_fd)
{
	int r = ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);

	return r > 0 ? r : 40;
}

int vm_arch_setup(struct vm *vm)
{
	(void)vm;
	return 0;
}

int vcpu_arch_setup(struct vcpu *vcpu)
{
	return vcpu_arm64_init(vcpu);
}

int vcpu_get_pc(struct vcpu *vcpu, uint64_t *pc)
{
	return vcpu_get_reg(vcpu, REG_PC, pc);
}

int vcpu_set_pc(struct vcpu *vcpu, uint64_t pc)
{
	return vcpu_set_reg(vcpu, REG_PC, pc);
}

static int is_device(uint64_t pa, uint64_t size)
{
	return pa < GUEST_DEVICE_GPA + GUEST_DEVICE_SIZE &&
	       pa + size > GUEST_DEVICE_GPA;
}

static uint64_t block(uint64_t pa, uint64_t size)
{
	if (is_device(pa, size))
		return pa | PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF |
		       PTE_PXN | PTE_UXN;
	return pa | PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF;
}

static void write_tables(struct vm *vm)
{
	uint64_t *l1 = vm_gpa(vm, GUEST_PT_GPA);
	uint64_t *l2 = vm_gpa(vm, GUEST_PT_GPA + 0x1000);
	int i;

	memset(l1, 0, 0x1000);
	l1[0] = (GUEST_PT_GPA + 0x1000) | PTE_TABLE;
	for (i = 1; i < 4; i++)
		l1[i] = block((uint64_t)i << 30, 1ull << 30);
	for (i = 0; i < 512; i++)
		l2[i] = block((uint64_t)i << 21, 1ull << 21);
}

/* Stage 1 on or off, as @mode wants; the MMU's registers first. */
static int setup_mmu(struct vcpu *vcpu, enum guest_mode mode)
{
	uint64_t sctlr;
	int r;

	r = vcpu_get_reg(vcpu, REG_SCTLR_EL1, &sctlr);
	if (r)
		return r;
	sctlr &= ~(uint64_t)(SCTLR_M | SCTLR_C | SCTLR_I);
	if (mode == GUEST_EL1_MMU) {
		write_tables(vcpu->vm);
		r = vcpu_set_reg(vcpu, REG_MAIR_EL1, MAIR_NORMAL_WB |
				 MAIR_DEVICE << 8);
		if (!r)
			r = vcpu_set_reg(vcpu, REG_TCR_EL1, GUEST_TCR);
		if (!r)
			r = vcpu_set_reg(vcpu, REG_TTBR0_EL1, GUEST_PT_GPA);
		if (r)
			return r;
		sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	}
	return vcpu_set_reg(vcpu, REG_SCTLR_EL1, sctlr);
}

int vcpu_setup_mode(struct vcpu *vcpu, enum guest_mode mode,
		    uint64_t entry, uint64_t stack_top)
{
	int r;

	if ((unsigned int)mode >= GUEST_NR_MODES)
		return -EINVAL;
	if (mode == GUEST_EL1_MMU &&
	    (vcpu->vm->mem_gpa || vcpu->vm->mem_size < GUEST_MIN_MEM))
		return -ERANGE;
	r = setup_mmu(vcpu, mode);
	if (!r)
		r = vcpu_set_reg(vcpu, REG_PSTATE, PSTATE_RESET);
	if (!r)
		r = vcpu_set_reg(vcpu, REG_SP_EL1, stack_top);
	if (!r)
		r = vcpu_set_reg(vcpu, REG_PC, entry);
	return r;
}

const char *guest_mode_name(enum guest_mode mode)
{
	static const char * const names[] = { "el1", "el1-mmu" };

	return (unsigned int)mode < GUEST_NR_MODES ? names[mode] : "?";
}

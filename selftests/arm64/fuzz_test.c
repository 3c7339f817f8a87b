// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test, arm64: the VM and vCPU ioctls only arm64 has (README.md,
 * "hvx on arm64"): KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT, ONE_REG
 * and KVM_GET_REG_LIST, with register ids drawn from the list the device
 * gave at start.
 */
#include <sys/ioctl.h>

#include "../lib/test.h"
#include "../common/fuzz.h"

#define FUZZ_A64_REGS_MAX	1024

static uint64_t fuzz_regs[FUZZ_A64_REGS_MAX];
static unsigned int fuzz_nr_regs;
static uint32_t fuzz_target = KVM_ARM_TARGET_GENERIC_V8;

void fuzz_arch_init(int sys_fd, int vcpu_fd)
{
	static struct {
		struct kvm_reg_list head;
		uint64_t reg[FUZZ_A64_REGS_MAX];
	} list = { .head.n = FUZZ_A64_REGS_MAX };

	(void)sys_fd;
	if (ioctl(vcpu_fd, KVM_GET_REG_LIST, &list) == 0) {
		fuzz_nr_regs = list.head.n;
		memcpy(fuzz_regs, list.reg, fuzz_nr_regs * 8);
	}
}

/* Random instructions, as robust_test's random guest. */
void fuzz_arch_guest_code(struct fuzz *f, uint8_t *code, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = fuzz_rand(f);

		memcpy(code + i, &r, 8);
	}
}

static unsigned long gen_zero(struct fuzz *f, void *arg)
{
	(void)f;
	(void)arg;
	return 0;
}

static unsigned long gen_vcpu_init(struct fuzz *f, void *arg)
{
	struct kvm_vcpu_init *init = arg;

	init->target = fuzz_one_in(f, 4) ? fuzz_below(f, 8) : fuzz_target;
	if (fuzz_one_in(f, 2))
		init->features[0] = 1u << fuzz_below(f, 8);
	return 0;
}

static uint64_t fuzz_reg_id(struct fuzz *f)
{
	uint64_t id;

	if (fuzz_nr_regs && !fuzz_one_in(f, 4))
		return fuzz_regs[fuzz_below(f, fuzz_nr_regs)];
	id = fuzz_one_in(f, 2) ? fuzz_rand(f) :
	     KVM_REG_ARM64 | ((uint64_t)fuzz_below(f, 8) << KVM_REG_SIZE_SHIFT) |
	     fuzz_below(f, 0x20000);
	return id;
}

/*
 * The value lives in the scratch buffer, which is as large as the
 * largest register size the id can name (2048 bits); addr is the
 * pointer the kernel writes through, never a random one.
 */
static unsigned long gen_one_reg(struct fuzz *f, void *arg)
{
	struct kvm_one_reg *r = arg;
	uint8_t *val = fuzz_scratch(f, 256);
	int i;

	r->id = fuzz_reg_id(f);
	for (i = 0; i < 256; i++)
		val[i] = fuzz_rand(f);
	/* PSTATE: now and then a mode that is valid for a guest. */
	if (fuzz_one_in(f, 2))
		*(uint64_t *)val = 0x3c5 | (fuzz_below(f, 16) << 28);
	r->addr = fuzz_one_in(f, 8) ? fuzz_out_ptr(f, 256) : (uintptr_t)val;
	return 0;
}

static unsigned long gen_reg_list(struct fuzz *f, void *arg)
{
	struct kvm_reg_list *l = arg;

	l->n = fuzz_one_in(f, 3) ? fuzz_below(f, 200) : FUZZ_A64_REGS_MAX;
	return 0;
}

const struct fuzz_ioctl fuzz_arch_ioctls[] = {
	{ "KVM_ARM_PREFERRED_TARGET", KVM_ARM_PREFERRED_TARGET, FUZZ_VM, 0,
	  sizeof(struct kvm_vcpu_init), FUZZ_NO_PTR, -1, gen_zero, NULL },
	{ "KVM_ARM_VCPU_INIT", KVM_ARM_VCPU_INIT, FUZZ_VCPU, 0,
	  sizeof(struct kvm_vcpu_init), FUZZ_NO_PTR, -1, gen_vcpu_init, NULL },
	{ "KVM_GET_ONE_REG", KVM_GET_ONE_REG, FUZZ_VCPU, 0,
	  sizeof(struct kvm_one_reg), offsetof(struct kvm_one_reg, addr), -1,
	  gen_one_reg, NULL },
	{ "KVM_SET_ONE_REG", KVM_SET_ONE_REG, FUZZ_VCPU, 0,
	  sizeof(struct kvm_one_reg), offsetof(struct kvm_one_reg, addr), -1,
	  gen_one_reg, NULL },
	{ "KVM_GET_REG_LIST", KVM_GET_REG_LIST, FUZZ_VCPU, 0,
	  sizeof(struct kvm_reg_list) + FUZZ_A64_REGS_MAX * 8, FUZZ_NO_PTR, 0,
	  gen_reg_list, NULL },
};

const int fuzz_nr_arch_ioctls = ARRAY_SIZE(fuzz_arch_ioctls);

// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test, arm64: the VM and vCPU ioctls only arm64 has (README.md,
 * "hvx on arm64"): KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT, ONE_REG
 * and KVM_GET_REG_LIST, with register ids drawn from the list the device
 * gave at start; the vGIC: KVM_CREATE_DEVICE, its attribute groups
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst) on its fd and the
 * timer's on vCPU fds, and KVM_IRQ_LINE.
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

/* Mostly a GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3), now and then a test. */
static unsigned long gen_create_device(struct fuzz *f, void *arg)
{
	struct kvm_create_device *cd = arg;

	cd->type = fuzz_one_in(f, 4) ? fuzz_below(f, 12) :
				       KVM_DEV_TYPE_ARM_VGIC_V3;
	cd->flags = fuzz_one_in(f, 4) ? KVM_CREATE_DEVICE_TEST : 0;
	if (fuzz_one_in(f, 16))
		cd->flags = fuzz_rand(f);
	return 0;
}

/* The GIC CPU interface registers GRP_CPU_SYSREGS names (op0 3, op1 0). */
static const uint16_t fuzz_icc[] = {
	0xc230, 0xc643, 0xc644, 0xc645, 0xc646, 0xc647, 0xc648, 0xc649,
	0xc64a, 0xc64b, 0xc663, 0xc664, 0xc665, 0xc666, 0xc667,
};

/*
 * An attribute of one of the vGIC's groups (0 ADDR ... 7 LEVEL_INFO),
 * or of a vCPU's (0 PMU, 1 TIMER, 2 PVTIME): offsets and encodings of
 * the right shape, vCPU 0 or 1 by affinity; the value, 64 bits, in the
 * scratch buffer, or a bad pointer.
 */
static unsigned long gen_device_attr(struct fuzz *f, void *arg)
{
	struct kvm_device_attr *a = arg;
	uint64_t *val = fuzz_scratch(f, 8);
	uint64_t vcpu = fuzz_below(f, 2) << 32;

	a->flags = fuzz_one_in(f, 16) ? fuzz_rand(f) : 0;
	a->group = fuzz_one_in(f, 8) ? fuzz_rand(f) : fuzz_below(f, 8);
	switch (a->group) {
	case KVM_DEV_ARM_VGIC_GRP_ADDR:
		a->attr = fuzz_below(f, 6);
		break;
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
		a->attr = vcpu | (fuzz_below(f, 0x20000) & ~3ull);
		break;
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
		a->attr = vcpu | (fuzz_one_in(f, 4) ? fuzz_below(f, 0x10000) :
				  fuzz_icc[fuzz_below(f, ARRAY_SIZE(fuzz_icc))]);
		break;
	case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		a->attr = vcpu | fuzz_below(f, 40) * 32;
		break;
	default:
		a->attr = fuzz_one_in(f, 2) ? fuzz_below(f, 4) :
					      fuzz_interesting(f);
	}
	*val = fuzz_one_in(f, 2) ? fuzz_interesting(f) :
	       fuzz_gpa(f) & ~0xffffull;
	a->addr = fuzz_one_in(f, 8) ? fuzz_out_ptr(f, 8) : (uintptr_t)val;
	return 0;
}

/* An SPI, a vCPU's PPI, or anything (api.rst, KVM_IRQ_LINE on arm64). */
static unsigned long gen_irq_line(struct fuzz *f, void *arg)
{
	struct kvm_irq_level *l = arg;

	l->irq = fuzz_one_in(f, 4) ? fuzz_rand(f) :
		 (fuzz_below(f, 3) << KVM_ARM_IRQ_TYPE_SHIFT) |
		 (fuzz_below(f, 2) << KVM_ARM_IRQ_VCPU_SHIFT) |
		 fuzz_below(f, 300);
	l->level = fuzz_below(f, 2);
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
	{ "KVM_CREATE_DEVICE", KVM_CREATE_DEVICE, FUZZ_VM, FUZZ_NEW_DEV,
	  sizeof(struct kvm_create_device), FUZZ_NO_PTR, -1,
	  gen_create_device, NULL },
	{ "KVM_SET_DEVICE_ATTR", KVM_SET_DEVICE_ATTR, FUZZ_DEV | FUZZ_VCPU, 0,
	  sizeof(struct kvm_device_attr), offsetof(struct kvm_device_attr, addr),
	  -1, gen_device_attr, NULL },
	{ "KVM_GET_DEVICE_ATTR", KVM_GET_DEVICE_ATTR, FUZZ_DEV | FUZZ_VCPU, 0,
	  sizeof(struct kvm_device_attr), offsetof(struct kvm_device_attr, addr),
	  -1, gen_device_attr, NULL },
	{ "KVM_HAS_DEVICE_ATTR", KVM_HAS_DEVICE_ATTR, FUZZ_DEV | FUZZ_VCPU, 0,
	  sizeof(struct kvm_device_attr), offsetof(struct kvm_device_attr, addr),
	  -1, gen_device_attr, NULL },
	{ "KVM_IRQ_LINE", KVM_IRQ_LINE, FUZZ_VM, 0, sizeof(struct kvm_irq_level),
	  FUZZ_NO_PTR, -1, gen_irq_line, NULL },
};

const int fuzz_nr_arch_ioctls = ARRAY_SIZE(fuzz_arch_ioctls);

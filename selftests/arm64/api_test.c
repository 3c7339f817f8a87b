// SPDX-License-Identifier: GPL-2.0
/*
 * api_test, arm64 part: KVM_ARM_PREFERRED_TARGET and KVM_ARM_VCPU_INIT,
 * registers through KVM_GET/SET_ONE_REG and KVM_GET_REG_LIST, the reset
 * state, the VM's IPA size, and the arm64 side of the shared cases
 * (common/api_test.c).  Documentation/virt/kvm/api.rst is the contract:
 * "KVM_ARM_VCPU_INIT", "KVM_SET_ONE_REG" (arm64 register ids),
 * "KVM_GET_REG_LIST", "KVM_CREATE_VM" (IPA size), "KVM_RUN" (errors).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../lib/test.h"

int arch_check_extension(int sys_fd);
int arch_bad_vcpu_pointers(struct vcpu *vcpu);

/* KVM 6.1's arm64 VM ioctls answer EINVAL to what they do not know. */
const int arch_kvm_vm_unknown_errno = EINVAL;

int arch_check_extension(int fd)
{
	int ipa = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);

	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG) == 1);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2) == 1);
	EXPECT(ipa >= 32 && ipa <= 52);
	/* x86's real-mode TSS has no meaning here. */
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) == 0);
	return TEST_PASS;
}

int arch_bad_vcpu_pointers(struct vcpu *vcpu)
{
	struct kvm_one_reg reg = { .id = REG_PC, .addr = 8 };
	void *nowhere = (void *)8;

	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_ONE_REG, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_ONE_REG, nowhere), EFAULT);
	/* The register's own buffer points nowhere. */
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_REG_LIST, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->vm->fd, KVM_ARM_PREFERRED_TARGET, nowhere),
		     EFAULT);
	return TEST_PASS;
}

/* KVM_GET/SET_ONE_REG of any size; 0 or -errno. */
static int one_reg(struct vcpu *vcpu, unsigned long cmd, uint64_t id,
		   void *buf)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)buf };

	return ioctl(vcpu->fd, cmd, &reg) < 0 ? -errno : 0;
}

static int open_vcpu(const char *dev, struct vm *vm, struct vcpu *vcpu)
{
	EXPECT(vm_open(vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(vm, vcpu, 0) == 0);
	return TEST_PASS;
}

/*
 * After KVM_ARM_VCPU_INIT: EL1h with D, A, I, F masked, PC and X0-X30
 * zero, the MMU, caches and big-endian data off (KVM's reset values,
 * arch/arm64/kvm/reset.c and sys_regs.c; hvx's README says the same).
 */
static int test_reset_state(const char *dev)
{
	uint64_t v, sctlr;
	struct vcpu vcpu;
	struct vm vm;
	int i;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	EXPECT(vcpu_get_reg(&vcpu, REG_PSTATE, &v) == 0);
	printf("# PSTATE %#llx\n", (unsigned long long)v);
	EXPECT(v == PSTATE_RESET);
	EXPECT(vcpu_get_reg(&vcpu, REG_PC, &v) == 0 && v == 0);
	for (i = 0; i < 31; i++)
		EXPECT(vcpu_get_reg(&vcpu, REG_X(i), &v) == 0 && v == 0);
	EXPECT(vcpu_get_reg(&vcpu, REG_SCTLR_EL1, &sctlr) == 0);
	printf("# SCTLR_EL1 %#llx\n", (unsigned long long)sctlr);
	EXPECT(!(sctlr & (SCTLR_M | SCTLR_C | SCTLR_I)));
	EXPECT(!(sctlr & (1u << 25)));		/* EE: little-endian */
	return TEST_PASS;
}

/* Every general register, both stack pointers, PC, PSTATE, ELR, SPSR. */
static int test_one_reg_core(const char *dev)
{
	static const struct { uint64_t id, val; } regs[] = {
		{ REG_SP_EL0, 0x1000 }, { REG_SP_EL1, 0x7ff0 },
		{ REG_PC, 0x8004 }, { REG_ELR_EL1, 0x8abc },
		{ REG_SPSR_EL1, 0x600003c4 },
		{ REG_PSTATE, PSTATE_RESET | 0x60000000 },	/* Z, C */
	};
	struct vcpu vcpu;
	struct vm vm;
	uint64_t v;
	size_t i;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	for (i = 0; i < 31; i++)
		EXPECT(vcpu_set_reg(&vcpu, REG_X(i),
				    0x0101010101010101ull * (i + 1)) == 0);
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		EXPECT(vcpu_set_reg(&vcpu, regs[i].id, regs[i].val) == 0);
	for (i = 0; i < 31; i++) {
		EXPECT(vcpu_get_reg(&vcpu, REG_X(i), &v) == 0);
		EXPECT(v == 0x0101010101010101ull * (i + 1));
	}
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		EXPECT(vcpu_get_reg(&vcpu, regs[i].id, &v) == 0);
		if (v != regs[i].val)
			printf("# reg %#llx: %#llx, wrote %#llx\n",
			       (unsigned long long)regs[i].id,
			       (unsigned long long)v,
			       (unsigned long long)regs[i].val);
		EXPECT(v == regs[i].val);
	}
	return TEST_PASS;
}

/* V0-V31 as 128-bit registers, FPSR and FPCR as 32-bit ones. */
static int test_one_reg_fp(const char *dev)
{
	uint64_t q[2], out[2];
	uint32_t w;
	struct vcpu vcpu;
	struct vm vm;
	int i;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	for (i = 0; i < 32; i++) {
		q[0] = 0x1111111111111111ull * (i % 15 + 1);
		q[1] = ~q[0] ^ i;
		EXPECT(one_reg(&vcpu, KVM_SET_ONE_REG, REG_V(i), q) == 0);
	}
	for (i = 0; i < 32; i++) {
		q[0] = 0x1111111111111111ull * (i % 15 + 1);
		q[1] = ~q[0] ^ i;
		EXPECT(one_reg(&vcpu, KVM_GET_ONE_REG, REG_V(i), out) == 0);
		EXPECT(out[0] == q[0] && out[1] == q[1]);
	}
	w = 0x08000000;				/* FPSR.QC */
	EXPECT(one_reg(&vcpu, KVM_SET_ONE_REG, REG_FPSR, &w) == 0);
	w = 0x01000000;				/* FPCR.FZ */
	EXPECT(one_reg(&vcpu, KVM_SET_ONE_REG, REG_FPCR, &w) == 0);
	EXPECT(one_reg(&vcpu, KVM_GET_ONE_REG, REG_FPSR, &w) == 0);
	EXPECT(w == 0x08000000);
	EXPECT(one_reg(&vcpu, KVM_GET_ONE_REG, REG_FPCR, &w) == 0);
	EXPECT(w == 0x01000000);
	return TEST_PASS;
}

/*
 * EL1 system registers: what is written reads back.  The values are ones
 * a guest could hold (no RES0 bit set), so that neither device has a
 * reason to change them.
 */
static const struct sysreg {
	const char *name;
	uint64_t id, val;
} sysregs[] = {
	{ "SCTLR_EL1", REG_SCTLR_EL1, 0x30d01805 },
	{ "CPACR_EL1", REG_CPACR_EL1, 0x300000 },
	{ "TTBR0_EL1", REG_TTBR0_EL1, 0x0001000012345000ull },
	{ "TTBR1_EL1", REG_TTBR1_EL1, 0x0002000023456000ull },
	{ "TCR_EL1", REG_TCR_EL1, 0x00000001b5193519ull },
	{ "AFSR0_EL1", REG_AFSR0_EL1, 0 },
	{ "AFSR1_EL1", REG_AFSR1_EL1, 0 },
	{ "ESR_EL1", REG_ESR_EL1, 0x96000045 },
	{ "FAR_EL1", REG_FAR_EL1, 0xffff800012345678ull },
	{ "PAR_EL1", REG_PAR_EL1, 0x0000000087654000ull },
	{ "MAIR_EL1", REG_MAIR_EL1, 0x000000ff440c0400ull },
	{ "AMAIR_EL1", REG_AMAIR_EL1, 0 },
	{ "VBAR_EL1", REG_VBAR_EL1, 0xffff800010000800ull },
	{ "CONTEXTIDR_EL1", REG_CONTEXTIDR_EL1, 0x1234 },
	{ "TPIDR_EL1", REG_TPIDR_EL1, 0xfedcba9876543210ull },
	{ "CNTKCTL_EL1", REG_CNTKCTL_EL1, 0x3 },
	{ "CSSELR_EL1", REG_CSSELR_EL1, 0x2 },
	{ "TPIDR_EL0", REG_TPIDR_EL0, 0x0123456789abcdefull },
	{ "TPIDRRO_EL0", REG_TPIDRRO_EL0, 0x0000ffffaaaa5555ull },
	{ "MDSCR_EL1", REG_MDSCR_EL1, 0x1000 },
};

static int test_one_reg_sysregs(const char *dev)
{
	struct vcpu vcpu;
	struct vm vm;
	uint64_t v;
	size_t i;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	for (i = 0; i < ARRAY_SIZE(sysregs); i++) {
		int r = vcpu_set_reg(&vcpu, sysregs[i].id, sysregs[i].val);

		if (r)
			printf("# set %s: %s\n", sysregs[i].name, strerror(-r));
		EXPECT(r == 0);
	}
	for (i = 0; i < ARRAY_SIZE(sysregs); i++) {
		EXPECT(vcpu_get_reg(&vcpu, sysregs[i].id, &v) == 0);
		if (v != sysregs[i].val)
			printf("# %s: %#llx, wrote %#llx\n", sysregs[i].name,
			       (unsigned long long)v,
			       (unsigned long long)sysregs[i].val);
		EXPECT(v == sysregs[i].val);
	}
	return TEST_PASS;
}

/*
 * Ids that name no register: api.rst allows ENOENT ("no such register")
 * or EINVAL ("invalid register ID") for them.
 */
static int no_such_reg(struct vcpu *vcpu, uint64_t id)
{
	uint64_t buf[4] = { 0 };
	int get = one_reg(vcpu, KVM_GET_ONE_REG, id, buf);
	int set = one_reg(vcpu, KVM_SET_ONE_REG, id, buf);

	if ((get != -ENOENT && get != -EINVAL) ||
	    (set != -ENOENT && set != -EINVAL)) {
		printf("# id %#llx: get %d set %d\n", (unsigned long long)id,
		       get, set);
		return 0;
	}
	return 1;
}

static int test_one_reg_bad_ids(const char *dev)
{
	struct vcpu vcpu;
	struct vm vm;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	/* op0 3, op1 0, CRn 15, CRm 15, op2 7: no such EL1 register */
	EXPECT(no_such_reg(&vcpu, ARM64_SYS_REG(3, 0, 15, 15, 7)));
	/* PC as a 32-bit register */
	EXPECT(no_such_reg(&vcpu, (REG_PC & ~KVM_REG_SIZE_MASK) |
			   KVM_REG_SIZE_U32));
	/* a core register offset past struct kvm_regs */
	EXPECT(no_such_reg(&vcpu, ARM64_CORE_REG(KVM_REG_SIZE_U64, fp_regs) +
			   0x1000));
	/* an x86 register id */
	EXPECT(no_such_reg(&vcpu, KVM_REG_X86 | KVM_REG_SIZE_U64 | 1));
	return TEST_PASS;
}

/*
 * PSTATE's mode must be one an AArch64 vCPU without EL2 may be in: EL0t,
 * EL1t, EL1h (KVM also takes AArch32 User, for EL0).  EL2h, EL3h, a
 * reserved encoding or an AArch32 EL1 mode (SVC) are refused with
 * EINVAL, and PSTATE keeps its value (KVM: set_core_reg()).
 */
static int test_pstate_bad_mode(const char *dev)
{
	static const uint64_t bad[] = { 0x3c9, 0x3cd, 0x3c6, 0x3d3 };
	struct vcpu vcpu;
	struct vm vm;
	uint64_t v;
	size_t i;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (vcpu_set_reg(&vcpu, REG_PSTATE, bad[i]) != -EINVAL)
			printf("# PSTATE %#llx taken\n",
			       (unsigned long long)bad[i]);
		EXPECT(vcpu_get_reg(&vcpu, REG_PSTATE, &v) == 0);
		EXPECT(v == PSTATE_RESET);
	}
	EXPECT(vcpu_get_reg(&vcpu, REG_PSTATE, &v) == 0 && v == PSTATE_RESET);
	EXPECT(vcpu_set_reg(&vcpu, REG_PSTATE, PSTATE_DAIF |
			    PSTATE_MODE_EL0T) == 0);
	EXPECT(vcpu_set_reg(&vcpu, REG_PSTATE, PSTATE_DAIF |
			    PSTATE_MODE_EL1T) == 0);
	return TEST_PASS;
}

/* KVM_GET_REG_LIST into a list of @n entries: -errno, or 0. */
static int reg_list(struct vcpu *vcpu, struct kvm_reg_list **list,
		    uint64_t n)
{
	*list = calloc(1, sizeof(**list) + n * sizeof((*list)->reg[0]));
	if (!*list)
		return -ENOMEM;
	(*list)->n = n;
	return ioctl(vcpu->fd, KVM_GET_REG_LIST, *list) < 0 ? -errno : 0;
}

static int listed(const struct kvm_reg_list *list, uint64_t id)
{
	uint64_t i;

	for (i = 0; i < list->n; i++)
		if (list->reg[i] == id)
			return 1;
	return 0;
}

/*
 * A list too short fails with E2BIG and says how long it must be; the
 * full list has the registers this file uses, each once, all arm64 ids.
 */
static int test_reg_list(const char *dev)
{
	struct kvm_reg_list *list;
	struct vcpu vcpu;
	struct vm vm;
	uint64_t n, i, j;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	EXPECT(reg_list(&vcpu, &list, 0) == -E2BIG);
	n = list->n;
	printf("# %llu registers\n", (unsigned long long)n);
	EXPECT(n > 40 && n < 100000);
	EXPECT(reg_list(&vcpu, &list, n - 1) == -E2BIG && list->n == n);
	EXPECT(reg_list(&vcpu, &list, n) == 0 && list->n == n);
	EXPECT(listed(list, REG_PC) && listed(list, REG_X(0)));
	EXPECT(listed(list, REG_X(30)) && listed(list, REG_PSTATE));
	EXPECT(listed(list, REG_SP_EL1) && listed(list, REG_V(31)));
	for (i = 0; i < ARRAY_SIZE(sysregs); i++) {
		if (!listed(list, sysregs[i].id))
			printf("# %s is not listed\n", sysregs[i].name);
		EXPECT(listed(list, sysregs[i].id));
	}
	for (i = 0; i < n; i++) {
		EXPECT((list->reg[i] & KVM_REG_ARCH_MASK) == KVM_REG_ARM64);
		for (j = i + 1; j < n; j++)
			EXPECT(list->reg[i] != list->reg[j]);
	}
	return TEST_PASS;
}

/* Every listed register can be read, with a buffer of its own size. */
static int test_reg_list_readable(const char *dev)
{
	struct kvm_reg_list *list;
	struct vcpu vcpu;
	struct vm vm;
	uint64_t buf[32], i;
	int r;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	EXPECT(reg_list(&vcpu, &list, 0) == -E2BIG);
	EXPECT(reg_list(&vcpu, &list, list->n) == 0);
	for (i = 0; i < list->n; i++) {
		EXPECT(KVM_REG_SIZE(list->reg[i]) <= sizeof(buf));
		r = one_reg(&vcpu, KVM_GET_ONE_REG, list->reg[i], buf);
		if (r)
			printf("# id %#llx: %s\n",
			       (unsigned long long)list->reg[i], strerror(-r));
		EXPECT(r == 0);
	}
	return TEST_PASS;
}

/* KVM_RUN before KVM_ARM_VCPU_INIT: ENOEXEC (api.rst, "KVM_RUN"). */
static int test_run_before_init(const char *dev)
{
	struct kvm_run *run;
	struct vm vm;
	int fd;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
	EXPECT(fd >= 0);
	run = mmap(NULL, vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	EXPECT(run != MAP_FAILED);
	EXPECT_ERRNO(ioctl(fd, KVM_RUN, 0), ENOEXEC);
	return TEST_PASS;
}

/*
 * KVM_ARM_PREFERRED_TARGET names a target KVM_ARM_VCPU_INIT takes.  An
 * unknown target is EINVAL; a feature bit no kernel knows is ENOENT
 * (api.rst, "KVM_ARM_VCPU_INIT").
 */
static int test_vcpu_init(const char *dev)
{
	struct kvm_vcpu_init init, bad;
	struct vm vm;
	int fd;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	memset(&init, 0xff, sizeof(init));
	EXPECT(ioctl(vm.fd, KVM_ARM_PREFERRED_TARGET, &init) == 0);
	printf("# preferred target %u\n", init.target);
	EXPECT(init.target < KVM_ARM_NUM_TARGETS);
	fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
	EXPECT(fd >= 0);
	bad = init;
	memset(bad.features, 0, sizeof(bad.features));
	bad.target = init.target + 100;
	EXPECT_ERRNO(ioctl(fd, KVM_ARM_VCPU_INIT, &bad), EINVAL);
	bad.target = init.target;
	bad.features[6] = 1u << 31;
	EXPECT_ERRNO(ioctl(fd, KVM_ARM_VCPU_INIT, &bad), ENOENT);
	memset(bad.features, 0, sizeof(bad.features));
	EXPECT(ioctl(fd, KVM_ARM_VCPU_INIT, &bad) == 0);
	return TEST_PASS;
}

/*
 * KVM_ARM_VCPU_INIT again resets the vCPU to its initial state (api.rst:
 * "Userspace can call this function multiple times for a given vcpu").
 */
static int test_vcpu_reinit(const char *dev)
{
	struct vcpu vcpu;
	struct vm vm;
	uint64_t v;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	EXPECT(vcpu_set_reg(&vcpu, REG_X(3), 0x33) == 0);
	EXPECT(vcpu_set_reg(&vcpu, REG_PC, 0x8000) == 0);
	EXPECT(vcpu_set_reg(&vcpu, REG_PSTATE, PSTATE_DAIF |
			    PSTATE_MODE_EL1T) == 0);
	EXPECT(vcpu_arm64_init(&vcpu) == 0);
	EXPECT(vcpu_get_reg(&vcpu, REG_X(3), &v) == 0 && v == 0);
	EXPECT(vcpu_get_reg(&vcpu, REG_PC, &v) == 0 && v == 0);
	EXPECT(vcpu_get_reg(&vcpu, REG_PSTATE, &v) == 0 && v == PSTATE_RESET);
	return TEST_PASS;
}

/*
 * KVM_CREATE_VM's type is the IPA size in bits 7:0 (api.rst,
 * "KVM_CREATE_VM"): 0 for the default 40, or 32 up to what
 * KVM_CAP_ARM_VM_IPA_SIZE says.
 */
static int test_vm_ipa_size(const char *dev)
{
	int fd = open(dev, O_RDWR), limit, vm;

	EXPECT(fd >= 0);
	limit = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	printf("# IPA size limit %d\n", limit);
	EXPECT(limit >= 40);
	vm = ioctl(fd, KVM_CREATE_VM, VM_TYPE_IPA_BITS(40));
	EXPECT(vm >= 0 && close(vm) == 0);
	vm = ioctl(fd, KVM_CREATE_VM, VM_TYPE_IPA_BITS(32));
	EXPECT(vm >= 0 && close(vm) == 0);
	vm = ioctl(fd, KVM_CREATE_VM, VM_TYPE_IPA_BITS(limit));
	EXPECT(vm >= 0 && close(vm) == 0);
	return TEST_PASS;
}

static int test_vm_ipa_size_bad(const char *dev)
{
	int fd = open(dev, O_RDWR), limit;

	EXPECT(fd >= 0);
	limit = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	EXPECT(limit >= 32 && limit < 255);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, VM_TYPE_IPA_BITS(limit + 1)),
		     EINVAL);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, VM_TYPE_IPA_BITS(31)), EINVAL);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0x100 | 40), EINVAL);
	return TEST_PASS;
}

/*
 * What the host puts in registers, the guest finds there, and what the
 * guest leaves, the host reads: general, stack pointer, FP/SIMD (with
 * CPACR_EL1.FPEN set for the guest), thread ids.
 */
GUEST_CODE(regview,
	"add x6, x5, #1\n"
	"mov x7, sp\n"
	"mrs x8, tpidr_el1\n"
	"fmov x9, d1\n"
	"mov x10, v1.d[1]\n"
	"mrs x11, fpcr\n"
	"ldr x12, =0x5566778899aabbcc\n msr tpidrro_el0, x12\n"
	"ldr x12, =0xc0ffee\n msr contextidr_el1, x12\n"
	"ldr x12, =0x1020304050607080\n fmov d2, x12\n"
	"ldr x12, =0x0102030405060708\n mov v2.d[1], x12\n"
	"mov x30, #0x30\n"
	GUEST_DONE);

static int test_one_reg_guest_view(const char *dev)
{
	uint64_t q[2] = { 0x1111222233334444ull, 0x5555666677778888ull };
	uint32_t fpcr = 0x01000000;
	struct guest g;

	GUEST(&g, dev, GUEST_EL1, regview);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_X(5), 0xaaaabbbbccccddddull) == 0);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_SP_EL1, 0x6ff0) == 0);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_TPIDR_EL1, 0x7e11) == 0);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_CPACR_EL1, 3u << 20) == 0);
	EXPECT(one_reg(&g.vcpu, KVM_SET_ONE_REG, REG_V(1), q) == 0);
	EXPECT(one_reg(&g.vcpu, KVM_SET_ONE_REG, REG_FPCR, &fpcr) == 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(6)) == 0xaaaabbbbccccddddull + 1);
	EXPECT(guest_reg(&g, REG_X(7)) == 0x6ff0);
	EXPECT(guest_reg(&g, REG_X(8)) == 0x7e11);
	EXPECT(guest_reg(&g, REG_X(9)) == q[0]);
	EXPECT(guest_reg(&g, REG_X(10)) == q[1]);
	EXPECT(guest_reg(&g, REG_X(11)) == fpcr);
	EXPECT(guest_reg(&g, REG_X(30)) == 0x30);
	EXPECT(guest_reg(&g, REG_TPIDRRO_EL0) == 0x5566778899aabbccull);
	EXPECT(guest_reg(&g, REG_CONTEXTIDR_EL1) == 0xc0ffee);
	EXPECT(one_reg(&g.vcpu, KVM_GET_ONE_REG, REG_V(2), q) == 0);
	EXPECT(q[0] == 0x1020304050607080ull && q[1] == 0x0102030405060708ull);
	return TEST_PASS;
}

/*
 * The virtual timer's registers (api.rst: KVM_REG_ARM_TIMER_CTL, _CVAL,
 * _CNT; note that the uapi header swaps the encodings of the last two,
 * and the names are what counts): the count moves, CVAL and CTL read
 * back what was written.
 */
static int test_one_reg_timer(const char *dev)
{
	struct vcpu vcpu;
	struct vm vm;
	uint64_t a, b, v;

	EXPECT(open_vcpu(dev, &vm, &vcpu) == TEST_PASS);
	EXPECT(vcpu_get_reg(&vcpu, KVM_REG_ARM_TIMER_CNT, &a) == 0);
	usleep(1000);
	EXPECT(vcpu_get_reg(&vcpu, KVM_REG_ARM_TIMER_CNT, &b) == 0);
	EXPECT(b > a);
	EXPECT(vcpu_set_reg(&vcpu, KVM_REG_ARM_TIMER_CVAL, b + 12345) == 0);
	EXPECT(vcpu_get_reg(&vcpu, KVM_REG_ARM_TIMER_CVAL, &v) == 0);
	EXPECT(v == b + 12345);
	EXPECT(vcpu_set_reg(&vcpu, KVM_REG_ARM_TIMER_CTL, 2) == 0);	/* IMASK */
	EXPECT(vcpu_get_reg(&vcpu, KVM_REG_ARM_TIMER_CTL, &v) == 0);
	EXPECT((v & 3) == 2);
	return TEST_PASS;
}

/*
 * The virtual counter's offset is the VM's, as in KVM 6.1 (arch_timer.c,
 * update_vtimer_cntvoff()): KVM_REG_ARM_TIMER_CNT written on one vCPU is
 * what every vCPU counts from, and a second KVM_ARM_VCPU_INIT (what QEMU
 * does at each reset, and PSCI CPU_ON in effect) keeps it.
 */
static int test_timer_cnt_vm_wide(const char *dev)
{
	const uint64_t base = 1ull << 50, slack = 1ull << 36;
	struct vcpu v0, v1;
	struct vm vm;
	uint64_t c;

	EXPECT(open_vcpu(dev, &vm, &v0) == TEST_PASS);
	EXPECT(vcpu_create(&vm, &v1, 1) == 0);
	EXPECT(vcpu_set_reg(&v0, KVM_REG_ARM_TIMER_CNT, base) == 0);
	EXPECT(vcpu_get_reg(&v1, KVM_REG_ARM_TIMER_CNT, &c) == 0);
	printf("# vCPU 1 counts %#llx after vCPU 0 was set to %#llx\n",
	       (unsigned long long)c, (unsigned long long)base);
	EXPECT(c >= base && c - base < slack);
	EXPECT(vcpu_arm64_init(&v1) == 0);	/* the same features again */
	EXPECT(vcpu_get_reg(&v1, KVM_REG_ARM_TIMER_CNT, &c) == 0);
	EXPECT(c >= base && c - base < slack);
	return TEST_PASS;
}

GUEST_CODE(fixedregs,
	"mrs x1, midr_el1\n"
	"mrs x3, clidr_el1\n"
	GUEST_DONE);

/*
 * Registers KVM 6.1 lists whose value a vCPU cannot change (the kernel's
 * get-reg-list test writes each listed register back): the firmware
 * pseudo-registers (SMCCC workarounds, service bitmaps), the
 * identification registers the guest reads in hardware, the debug
 * slots. Each is listed, reads what the guest reads (MIDR and CLIDR
 * checked; CTR_EL0 is the kernel's sanitised value, which need not be
 * what this CPU says, on KVM too), takes its own value
 * back and refuses another (EINVAL; but for the debug slots, which KVM
 * keeps).
 */
static int test_one_reg_fixed(const char *dev)
{
	static const uint64_t ids[] = {
		KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, KVM_REG_ARM_STD_BMAP,
		KVM_REG_ARM_VENDOR_HYP_BMAP,
		ARM64_SYS_REG(3, 0, 0, 0, 0),		/* MIDR_EL1 */
		ARM64_SYS_REG(3, 3, 0, 0, 1),		/* CTR_EL0 */
		ARM64_SYS_REG(3, 1, 0, 0, 1),		/* CLIDR_EL1 */
		ARM64_SYS_REG(2, 0, 0, 15, 7),		/* DBGWCR15_EL1 */
		ARM64_SYS_REG(2, 0, 1, 1, 4),		/* OSLSR_EL1 */
	};
	struct kvm_reg_list *list;
	uint64_t v, other, midr = 0, clidr = 0;
	struct guest g;
	unsigned int i;

	GUEST(&g, dev, GUEST_EL1, fixedregs);
	EXPECT(reg_list(&g.vcpu, &list, 0) == -E2BIG);
	EXPECT(reg_list(&g.vcpu, &list, list->n) == 0);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		EXPECT(listed(list, ids[i]));
		EXPECT(vcpu_get_reg(&g.vcpu, ids[i], &v) == 0);
		EXPECT(vcpu_set_reg(&g.vcpu, ids[i], v) == 0);
		other = v ^ (1ull << 62);
		/* KVM keeps what is written to a debug slot; hvx's read zero. */
		if (i != 6)
			EXPECT(one_reg(&g.vcpu, KVM_SET_ONE_REG, ids[i],
				       &other) == -EINVAL);
		if (i == 3)
			midr = v;
		if (i == 5)
			clidr = v;
	}
	free(list);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(1)) == midr);
	EXPECT(guest_reg(&g, REG_X(3)) == clidr);
	return TEST_PASS;
}

#define REG_ID_AA64PFR0		ARM64_SYS_REG(3, 0, 0, 4, 0)
#define REG_ID_AA64ISAR0	ARM64_SYS_REG(3, 0, 0, 6, 0)
#define REG_ID_AA64MMFR0	ARM64_SYS_REG(3, 0, 0, 7, 0)

GUEST_CODE(idregs,
	"mrs x1, id_aa64pfr0_el1\n"
	"mrs x2, id_aa64isar0_el1\n"
	"mrs x3, id_aa64mmfr0_el1\n"
	GUEST_DONE);

/*
 * The AArch64 ID registers through ONE_REG hold what the guest reads
 * (kvm_binary_stats_test and every KVM selftest on arm64 read
 * ID_AA64MMFR0_EL1 first, for the page sizes); a write of the same value
 * is taken, another refused with EINVAL (KVM 6.1's set_id_reg()).
 */
static int test_one_reg_id_regs(const char *dev)
{
	uint64_t pfr0, isar0, mmfr0, other;
	struct guest g;

	GUEST(&g, dev, GUEST_EL1, idregs);
	EXPECT(vcpu_get_reg(&g.vcpu, REG_ID_AA64PFR0, &pfr0) == 0);
	EXPECT(vcpu_get_reg(&g.vcpu, REG_ID_AA64ISAR0, &isar0) == 0);
	EXPECT(vcpu_get_reg(&g.vcpu, REG_ID_AA64MMFR0, &mmfr0) == 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(1)) == pfr0);
	EXPECT(guest_reg(&g, REG_X(2)) == isar0);
	EXPECT(guest_reg(&g, REG_X(3)) == mmfr0);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_ID_AA64MMFR0, mmfr0) == 0);
	other = mmfr0 ^ 1;	/* another PARange */
	EXPECT(one_reg(&g.vcpu, KVM_SET_ONE_REG, REG_ID_AA64MMFR0, &other) ==
	       -EINVAL);
	EXPECT(vcpu_get_reg(&g.vcpu, REG_ID_AA64MMFR0, &other) == 0);
	EXPECT(other == mmfr0);
	return TEST_PASS;
}

GUEST_CODE(idhidden,
	"mrs x1, id_aa64pfr0_el1\n"
	"mrs x2, id_aa64pfr1_el1\n"
	"mrs x3, id_aa64isar1_el1\n"
	"mrs x4, id_aa64dfr0_el1\n"
	"mrs x5, s3_0_c0_c4_4\n"		/* ID_AA64ZFR0_EL1 */
	GUEST_DONE);

#define ID_FIELD(v, shift)	(((v) >> (shift)) & 0xf)

/*
 * A vCPU initialised with no SVE, pointer authentication or PMU feature
 * sees none of them in its ID registers, nor AMU, MTE or SME (KVM 6.1's
 * read_id_reg() hides them; hvx traps them, Arm ARM D13.2 HCR_EL2.TID3),
 * whatever the host CPU has (QEMU's -cpu max has SVE, a PMU and MTE):
 * ID_AA64PFR0_EL1.SVE [35:32] and AMU [47:44], ID_AA64PFR1_EL1.MTE [11:8]
 * and SME [27:24], ID_AA64ISAR1_EL1.APA [7:4], API [11:8], GPA [27:24],
 * GPI [31:28], ID_AA64DFR0_EL1.PMUVer [11:8] and PMSVer [35:32],
 * ID_AA64ZFR0_EL1 zero; and ONE_REG says the same as the guest reads.
 */
static int test_id_regs_hidden(const char *dev)
{
	uint64_t pfr0, pfr1, isar1, dfr0, v;
	struct guest g;

	GUEST(&g, dev, GUEST_EL1, idhidden);
	EXPECT_DONE(&g);
	pfr0 = guest_reg(&g, REG_X(1));
	pfr1 = guest_reg(&g, REG_X(2));
	isar1 = guest_reg(&g, REG_X(3));
	dfr0 = guest_reg(&g, REG_X(4));
	printf("# PFR0 %#llx PFR1 %#llx ISAR1 %#llx DFR0 %#llx\n",
	       (unsigned long long)pfr0, (unsigned long long)pfr1,
	       (unsigned long long)isar1, (unsigned long long)dfr0);
	EXPECT(ID_FIELD(pfr0, 32) == 0 && ID_FIELD(pfr0, 44) == 0);
	EXPECT(ID_FIELD(pfr1, 8) == 0 && ID_FIELD(pfr1, 24) == 0);
	EXPECT(ID_FIELD(isar1, 4) == 0 && ID_FIELD(isar1, 8) == 0 &&
	       ID_FIELD(isar1, 24) == 0 && ID_FIELD(isar1, 28) == 0);
	EXPECT(ID_FIELD(dfr0, 8) == 0 && ID_FIELD(dfr0, 32) == 0);
	EXPECT(guest_reg(&g, REG_X(5)) == 0);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 4, 0), &v) == 0);
	EXPECT(v == pfr0);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 6, 1), &v) == 0);
	EXPECT(v == isar1);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 5, 0), &v) == 0);
	EXPECT(v == dfr0);
	return TEST_PASS;
}

GUEST_CODE(idspace,
	"mrs x1, s3_0_c0_c1_0\n"		/* ID_PFR0_EL1 */
	"mrs x2, s3_0_c0_c3_5\n"		/* ID_DFR1_EL1 */
	"mrs x3, s3_0_c0_c3_3\n"		/* unallocated */
	"mrs x4, s3_0_c0_c5_1\n"		/* ID_AA64DFR1_EL1 */
	GUEST_DONE);

/*
 * The whole ID space (op0 3, op1 0, CRn 0, CRm 1-7, op2 0-7) is in
 * KVM_GET_REG_LIST and readable through ONE_REG, as on KVM 6.1: QEMU
 * reads the AArch32 ID registers and ID_AA64DFR1_EL1 too before it
 * creates a `-cpu host` vCPU. ONE_REG gives what the guest reads;
 * unallocated encodings and the hidden ID_DFR1_EL1 read zero; each takes
 * a write of its own value. No core id names the padding between the
 * SPSRs and fp_regs (32-bit word 82).
 */
static int test_one_reg_id_space(const char *dev)
{
	uint64_t crm, op2, v, id;
	struct kvm_reg_list *list;
	struct guest g;
	int r;

	GUEST(&g, dev, GUEST_EL1, idspace);
	EXPECT(reg_list(&g.vcpu, &list, 0) == -E2BIG);
	EXPECT(reg_list(&g.vcpu, &list, list->n) == 0);
	for (crm = 1; crm <= 7; crm++) {
		for (op2 = 0; op2 < 8; op2++) {
			id = ARM64_SYS_REG(3, 0, 0, crm, op2);
			r = vcpu_get_reg(&g.vcpu, id, &v);
			if (r || !listed(list, id))
				printf("# ID register CRm %llu op2 %llu: %s\n",
				       (unsigned long long)crm,
				       (unsigned long long)op2,
				       r ? strerror(-r) : "not listed");
			EXPECT(r == 0 && listed(list, id));
			EXPECT(vcpu_set_reg(&g.vcpu, id, v) == 0);
		}
	}
	EXPECT(!listed(list, KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
		       KVM_REG_ARM_CORE | 82));
	free(list);
	EXPECT_DONE(&g);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 1, 0), &v) == 0);
	EXPECT(v == guest_reg(&g, REG_X(1)));
	EXPECT(guest_reg(&g, REG_X(2)) == 0 && guest_reg(&g, REG_X(3)) == 0);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 3, 5), &v) == 0);
	EXPECT(v == 0);
	EXPECT(vcpu_get_reg(&g.vcpu, ARM64_SYS_REG(3, 0, 0, 5, 1), &v) == 0);
	EXPECT(v == guest_reg(&g, REG_X(4)));
	return TEST_PASS;
}

static const struct test_case arm64_cases[] = {
	{ "reset_state", test_reset_state },
	{ "one_reg_core", test_one_reg_core },
	{ "one_reg_fp", test_one_reg_fp },
	{ "one_reg_sysregs", test_one_reg_sysregs },
	{ "one_reg_bad_ids", test_one_reg_bad_ids },
	{ "one_reg_guest_view", test_one_reg_guest_view },
	{ "one_reg_timer", test_one_reg_timer },
	{ "timer_cnt_vm_wide", test_timer_cnt_vm_wide },
	{ "one_reg_id_regs", test_one_reg_id_regs },
	{ "id_regs_hidden", test_id_regs_hidden },
	{ "one_reg_id_space", test_one_reg_id_space },
	{ "one_reg_fixed", test_one_reg_fixed },
	{ "pstate_bad_mode", test_pstate_bad_mode },
	{ "reg_list", test_reg_list },
	{ "reg_list_readable", test_reg_list_readable },
	{ "run_before_init", test_run_before_init },
	{ "vcpu_init", test_vcpu_init },
	{ "vcpu_reinit", test_vcpu_reinit },
	{ "vm_ipa_size", test_vm_ipa_size },
	{ "vm_ipa_size_bad", test_vm_ipa_size_bad },
};

TEST_ARCH_CASES(arm64_cases);

// SPDX-License-Identifier: GPL-2.0
/*
 * The small x86 capabilities the kernel's KVM selftests use, each shown
 * doing what KVM_CHECK_EXTENSION promises (arch/x86/vm_caps.c, msr.c):
 * KVM_CAP_MSR_PLATFORM_INFO, KVM_CAP_SET_BOOT_CPU_ID,
 * KVM_CAP_GET_MSR_FEATURES, KVM_CAP_VCPU_ATTRIBUTES (the TSC offset),
 * and KVM_X86_GET_MCE_CAP_SUPPORTED.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <x86intrin.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

#define COUNT_GPA		0x3000	/* the guest's #GP count */
#define RESULT_GPA		0x4000

#define MSR_IA32_TSC		0x10
#define MSR_IA32_APICBASE	0x1b
#define MSR_PLATFORM_INFO	0xce
#define MSR_STAR		0xc0000081
#define APICBASE_BSP		(1ull << 8)	/* SDM Vol. 3A 11.4.4 */

/* Within 2^36 cycles: some 20 s at 3 GHz, far below the offsets used. */
#define TSC_NEAR		(1ll << 36)

static int tsc_near(uint64_t a, uint64_t b)
{
	return llabs((long long)(a - b)) < TSC_NEAR;
}

struct msrs {
	struct kvm_msrs h;
	struct kvm_msr_entry e[8];
};

static int check_cap(int fd, long cap)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, cap);
}

static int get_msr(int fd, uint32_t index, uint64_t *val)
{
	struct msrs m = { .h.nmsrs = 1, .e[0].index = index };
	int r = ioctl(fd, KVM_GET_MSRS, &m);

	*val = m.e[0].data;
	return r;
}

static int set_msr(int fd, uint32_t index, uint64_t val)
{
	struct msrs m = { .h.nmsrs = 1, .e[0] = { .index = index, .data = val } };

	return ioctl(fd, KVM_SET_MSRS, &m);
}

/* Keeps this thread on one CPU, so that its TSC and the vCPU's agree. */
static void pin_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * MSR_PLATFORM_INFO (SDM Vol. 4 2.17; maximum non-turbo ratio in bits
 * 15:8): the guest reads what user space set, until user space turns
 * KVM_CAP_MSR_PLATFORM_INFO off (api.rst 7.16); then its RDMSR raises
 * #GP.  The guest reports its #GP count after each read.
 */
GUEST_CODE(pi_read, ".code64",
	"mov $" TEST_STR(MSR_PLATFORM_INFO) ", %ecx\n rdmsr\n"
	"mov %eax, (0x4000)\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	"mov $" TEST_STR(MSR_PLATFORM_INFO) ", %ecx\n rdmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"pi_read_gp:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(pi_read_gp);

static int test_platform_info(const char *dev)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_MSR_PLATFORM_INFO };
	struct guest g;
	uint64_t v;

	GUEST(&g, dev, GUEST_LONG, pi_read);
	EXPECT(check_cap(g.vm.fd, KVM_CAP_MSR_PLATFORM_INFO) == 1);
	EXPECT(guest_set_handler(&g, 13, pi_read_gp) == 0);
	EXPECT(set_msr(g.vcpu.fd, MSR_PLATFORM_INFO, 0x2a00) == 1);
	EXPECT(get_msr(g.vcpu.fd, MSR_PLATFORM_INFO, &v) == 1 && v == 0x2a00);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0);
	EXPECT(*(uint32_t *)vm_gpa(&g.vm, RESULT_GPA) == 0x2a00);
	EXPECT(ioctl(g.vm.fd, KVM_ENABLE_CAP, &cap) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 1);
	EXPECT_DONE(&g);
	/* User space still reads it. */
	EXPECT(get_msr(g.vcpu.fd, MSR_PLATFORM_INFO, &v) == 1 && v == 0x2a00);
	return TEST_PASS;
}

/*
 * KVM_SET_BOOT_CPU_ID (api.rst 4.68): the vCPU of that ID is the
 * bootstrap processor, its IA32_APIC_BASE.BSP set at reset; taken only
 * before the first vCPU exists (EBUSY after).  With the in-kernel local
 * APIC, whose reset sets IA32_APIC_BASE on KVM.
 */
static int test_boot_cpu_id(const char *dev)
{
	struct vcpu v0, v1;
	struct vm vm;
	uint64_t base;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(check_cap(vm.fd, KVM_CAP_SET_BOOT_CPU_ID) == 1);
	EXPECT(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0) == 0);
	EXPECT(ioctl(vm.fd, KVM_SET_BOOT_CPU_ID, 1ul) == 0);
	EXPECT(vcpu_create(&vm, &v0, 0) == 0);
	EXPECT(vcpu_create(&vm, &v1, 1) == 0);
	EXPECT(get_msr(v0.fd, MSR_IA32_APICBASE, &base) == 1);
	EXPECT(!(base & APICBASE_BSP));
	EXPECT(get_msr(v1.fd, MSR_IA32_APICBASE, &base) == 1);
	EXPECT(base & APICBASE_BSP);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_BOOT_CPU_ID, 0ul), EBUSY);
	vcpu_close(&v1);
	vcpu_close(&v0);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * KVM_GET_MSR_FEATURE_INDEX_LIST and KVM_GET_MSRS on the system fd
 * (api.rst 4.3, 4.18): E2BIG with the count when the list is too short;
 * every MSR listed is readable there; an MSR not listed (STAR) ends the
 * read at 0 entries.
 */
static int test_msr_features(const char *dev)
{
	struct {
		struct kvm_msr_list h;
		uint32_t idx[8];
	} l = { .h.nmsrs = 0 };
	struct msrs m = { 0 };
	struct vm vm;
	uint32_t i, n;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(check_cap(vm.sys_fd, KVM_CAP_GET_MSR_FEATURES) == 1);
	EXPECT_ERRNO(ioctl(vm.sys_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &l), E2BIG);
	n = l.h.nmsrs;
	EXPECT(n > 0);
	if (n > 8)
		return test_skip("more than 8 feature MSRs");
	EXPECT(ioctl(vm.sys_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &l) == 0);
	EXPECT(l.h.nmsrs == n);
	m.h.nmsrs = n;
	for (i = 0; i < n; i++)
		m.e[i].index = l.idx[i];
	EXPECT(ioctl(vm.sys_fd, KVM_GET_MSRS, &m) == (int)n);
	m.h.nmsrs = 1;
	m.e[0].index = MSR_STAR;
	EXPECT(ioctl(vm.sys_fd, KVM_GET_MSRS, &m) == 0);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * KVM_VCPU_TSC_CTRL/KVM_VCPU_TSC_OFFSET (api.rst 4.80-4.82 and
 * devices/vcpu.rst): the guest's TSC is the host's plus the offset
 * (SDM Vol. 3C 25.6.5; AMD APM Vol. 2 15.30.5), as read back, as
 * KVM_GET_MSRS shows and as the guest's RDTSC sees it; another
 * attribute is ENXIO.  "As read back": near, not equal, because KVM on a
 * host whose own TSC is unstable (this emulated machine's) re-bases the
 * offset at each vcpu_load so that the guest's TSC never goes back
 * (kvm_arch_vcpu_load(), arch/x86/kvm/x86.c).
 */
GUEST_CODE(tsc_read, ".code64",
	"rdtsc\n mov %eax, (0x4000)\n mov %edx, (0x4004)\n"
	GUEST_DONE);

static int tsc_attr(int fd, unsigned long nr, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = {
		.group = KVM_VCPU_TSC_CTRL, .attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	return ioctl(fd, nr, &a);
}

static int test_tsc_offset_attr(const char *dev)
{
	const int64_t off = 1ll << 44;
	uint64_t v, host, *res;
	struct guest g;

	pin_cpu();
	GUEST(&g, dev, GUEST_LONG, tsc_read);
	EXPECT(check_cap(g.vm.sys_fd, KVM_CAP_VCPU_ATTRIBUTES) == 1);
	EXPECT(tsc_attr(g.vcpu.fd, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_OFFSET,
			NULL) == 0);
	EXPECT_ERRNO(tsc_attr(g.vcpu.fd, KVM_HAS_DEVICE_ATTR, 1, NULL), ENXIO);
	v = off;
	EXPECT(tsc_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_OFFSET,
			&v) == 0);
	v = 0;
	EXPECT(tsc_attr(g.vcpu.fd, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_OFFSET,
			&v) == 0);
	if (v != (uint64_t)off)
		printf("# offset read back %#llx, set %#llx\n",
		       (unsigned long long)v, (unsigned long long)off);
	EXPECT(tsc_near(v, off));
	host = __rdtsc();
	EXPECT(get_msr(g.vcpu.fd, MSR_IA32_TSC, &v) == 1);
	EXPECT(tsc_near(v, host + off));
	host = __rdtsc();
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	EXPECT(tsc_near(*res, host + off));
	return TEST_PASS;
}

/*
 * KVM_X86_GET_MCE_CAP_SUPPORTED (api.rst 4.98): the IA32_MCG_CAP bits a
 * vCPU may have; with no machine-check banks offered (KVM_CAP_MCE 0, as
 * on hvx) none at all.
 */
static int test_mce_cap(const char *dev)
{
	uint64_t mcg = ~0ull;
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &mcg) == 0);
	if (check_cap(vm.sys_fd, KVM_CAP_MCE) == 0)
		EXPECT(mcg == 0);
	vm_close(&vm);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "platform_info", test_platform_info },
	{ "boot_cpu_id", test_boot_cpu_id },
	{ "msr_features", test_msr_features },
	{ "tsc_offset_attr", test_tsc_offset_attr },
	{ "mce_cap", test_mce_cap },
};

TEST_MAIN(cases)

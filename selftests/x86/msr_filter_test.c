// SPDX-License-Identifier: GPL-2.0
/*
 * MSR filtering and MSR exits to user space (api.rst 4.97
 * KVM_X86_SET_MSR_FILTER, 7.21 KVM_CAP_X86_USER_SPACE_MSR), and the MSRs
 * the kernel's tsc_msrs_test and userspace_msr_exit_test need in the
 * kernel: IA32_TSC_ADJUST (SDM Vol. 3B 18.17.3) and IA32_POWER_CTL.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

#define COUNT_GPA	0x3000	/* the guest's #GP count */
#define RESULT_GPA	0x4000

#define MSR_IA32_TSC		0x10
#define MSR_IA32_TSC_ADJUST	0x3b
#define MSR_POWER_CTL		0x1fc
#define MSR_MTRR_DEFTYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_NOBODY		0x12345678

struct msrs {
	struct kvm_msrs h;
	struct kvm_msr_entry e[1];
};

static int msr_io(struct vcpu *vcpu, unsigned long nr, uint32_t index,
		  uint64_t *data)
{
	struct msrs m = { .h.nmsrs = 1, .e[0] = { .index = index } };
	int r;

	if (nr == KVM_SET_MSRS)
		m.e[0].data = *data;
	r = ioctl(vcpu->fd, nr, &m);
	if (nr == KVM_GET_MSRS)
		*data = m.e[0].data;
	return r;
}

static int enable_user_msr(struct vm *vm, uint64_t reasons)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR, .args[0] = reasons,
	};

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/* The next exit is an MSR exit of @reason for @index; returns run. */
static struct kvm_run *msr_exit(struct guest *g, int exit, uint32_t reason,
				uint32_t index)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r != exit || run->msr.reason != reason ||
	    run->msr.index != index) {
		printf("# MSR exit: got %d reason %u index %#x\n", r,
		       run->msr.reason, run->msr.index);
		return NULL;
	}
	return run;
}

static uint8_t deny_bit;	/* one MSR, refused */

/*
 * The ioctls' checks, as KVM makes them: unknown flags, a range with no
 * or unknown access kinds, a bitmap over KVM_MSR_FILTER_MAX_BITMAP_SIZE,
 * deny by default with no range, a bitmap that is not there; an unknown
 * exit reason.  An empty filter that allows by default removes filtering.
 */
static int test_filter_errors(const char *dev)
{
	struct kvm_msr_filter f = { 0 };
	struct vm vm;

	EXPECT(vm_open(&vm, dev, 0x10000) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_X86_MSR_FILTER) > 0);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_X86_USER_SPACE_MSR) > 0);
	EXPECT_ERRNO(enable_user_msr(&vm, 8), EINVAL);
	EXPECT(enable_user_msr(&vm, KVM_MSR_EXIT_REASON_FILTER) == 0);
	f.flags = 2;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.ranges[3] = (struct kvm_msr_filter_range) {
		.flags = 0, .nmsrs = 1, .base = MSR_STAR, .bitmap = &deny_bit,
	};
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.ranges[3].flags = 4;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.ranges[3].flags = KVM_MSR_FILTER_READ;
	f.ranges[3].nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8 + 1;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EINVAL);
	f.ranges[3].nmsrs = 1;
	f.ranges[3].bitmap = NULL;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f), EFAULT);
	f.ranges[3].bitmap = &deny_bit;
	EXPECT(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f) == 0);
	memset(&f, 0, sizeof(f));
	EXPECT(ioctl(vm.fd, KVM_X86_SET_MSR_FILTER, &f) == 0);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * A filtered RDMSR goes to user space, whose data the guest reads; a
 * filtered WRMSR user space fails raises #GP and changes nothing; an
 * unfiltered read stays in the kernel; an MSR nobody models raises #GP
 * when only the filter reason is asked for.  The guest reports its #GP
 * count.
 */
GUEST_CODE(mf_exit, ".code64",
	"mov $" TEST_STR(MSR_STAR) ", %ecx\n rdmsr\n"
	"cmp $0x55667788, %eax\n" GUEST_ASSERT("je")
	"cmp $0x11223344, %edx\n" GUEST_ASSERT("je")
	"mov $" TEST_STR(MSR_POWER_CTL) ", %ecx\n mov $0x1234, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"rdmsr\n"
	"test %eax, %eax\n" GUEST_ASSERT("je")
	"mov $" TEST_STR(MSR_NOBODY) ", %ecx\n rdmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"mf_exit_gp:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(mf_exit_gp);

static int test_filter_exit(const char *dev)
{
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges = {
			{ .flags = KVM_MSR_FILTER_READ, .nmsrs = 1,
			  .base = MSR_STAR, .bitmap = &deny_bit },
			{ .flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1,
			  .base = MSR_POWER_CTL, .bitmap = &deny_bit },
		},
	};
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mf_exit);
	EXPECT(guest_set_handler(&g, 13, mf_exit_gp) == 0);
	EXPECT(enable_user_msr(&g.vm, KVM_MSR_EXIT_REASON_FILTER) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_X86_SET_MSR_FILTER, &f) == 0);
	run = msr_exit(&g, KVM_EXIT_X86_RDMSR, KVM_MSR_EXIT_REASON_FILTER,
		       MSR_STAR);
	EXPECT(run);
	run->msr.data = 0x1122334455667788ull;
	run = msr_exit(&g, KVM_EXIT_X86_WRMSR, KVM_MSR_EXIT_REASON_FILTER,
		       MSR_POWER_CTL);
	EXPECT(run && run->msr.data == 0x1234 && run->msr.error == 0);
	run->msr.error = 1;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 2);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * Without a filter: an MSR nobody models goes to user space for the
 * UNKNOWN reason (write, then read with user space's data), a value the
 * MSR refuses (MTRR type 2) for INVAL; failed by user space, #GP.
 */
GUEST_CODE(mf_unknown, ".code64",
	"mov $" TEST_STR(MSR_NOBODY) ", %ecx\n mov $0x5678, %eax\n"
	"mov $0x1234, %edx\n wrmsr\n"
	"rdmsr\n"
	"cmp $42, %eax\n" GUEST_ASSERT("je")
	"test %edx, %edx\n" GUEST_ASSERT("je")
	"mov $" TEST_STR(MSR_MTRR_DEFTYPE) ", %ecx\n mov $2, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"mf_unknown_gp:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(mf_unknown_gp);

static int test_unknown_exit(const char *dev)
{
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mf_unknown);
	EXPECT(guest_set_handler(&g, 13, mf_unknown_gp) == 0);
	EXPECT(enable_user_msr(&g.vm, KVM_MSR_EXIT_REASON_UNKNOWN |
			       KVM_MSR_EXIT_REASON_INVAL) == 0);
	run = msr_exit(&g, KVM_EXIT_X86_WRMSR, KVM_MSR_EXIT_REASON_UNKNOWN,
		       MSR_NOBODY);
	EXPECT(run && run->msr.data == 0x123400005678ull);
	run = msr_exit(&g, KVM_EXIT_X86_RDMSR, KVM_MSR_EXIT_REASON_UNKNOWN,
		       MSR_NOBODY);
	EXPECT(run);
	run->msr.data = 42;
	run = msr_exit(&g, KVM_EXIT_X86_WRMSR, KVM_MSR_EXIT_REASON_INVAL,
		       MSR_MTRR_DEFTYPE);
	EXPECT(run && run->msr.data == 2);
	run->msr.error = 1;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 1);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * Deny by default, no MSR exits: only reads of the TSC are let through;
 * a read of STAR and a write of the TSC raise #GP.  User space's own
 * KVM_GET_MSRS is not filtered.  Then the filter goes (an empty one that
 * allows) and the same read of STAR succeeds.
 */
GUEST_CODE(mf_deny, ".code64",
	"mov $" TEST_STR(MSR_IA32_TSC) ", %ecx\n rdmsr\n"
	"wrmsr\n"
	"mov $" TEST_STR(MSR_STAR) ", %ecx\n rdmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_SYNC(1)
	"mov $" TEST_STR(MSR_STAR) ", %ecx\n rdmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"mf_deny_gp:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(mf_deny_gp);

static int test_default_deny(const char *dev)
{
	static uint8_t allow = 1;
	struct kvm_msr_filter f = {
		.flags = KVM_MSR_FILTER_DEFAULT_DENY,
		.ranges[0] = { .flags = KVM_MSR_FILTER_READ, .nmsrs = 1,
			       .base = MSR_IA32_TSC, .bitmap = &allow },
	};
	uint64_t star;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mf_deny);
	EXPECT(guest_set_handler(&g, 13, mf_deny_gp) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_X86_SET_MSR_FILTER, &f) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 2);
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_STAR, &star) == 1);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	memset(&f, 0, sizeof(f));
	EXPECT(ioctl(g.vm.fd, KVM_X86_SET_MSR_FILTER, &f) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 2);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * IA32_TSC_ADJUST: the guest's WRMSR to it moves the TSC by the change,
 * its WRMSR to the TSC moves TSC_ADJUST by the change; user space's
 * writes set one without the other.  IA32_POWER_CTL keeps what the guest
 * wrote.  "Near": within 2^36 cycles.
 */
GUEST_CODE(tsc_adjust, ".code64",
	"mov $" TEST_STR(MSR_IA32_TSC_ADJUST) ", %ecx\n rdmsr\n"
	"cmp $5, %eax\n" GUEST_ASSERT("je")
	"mov $5, %eax\n mov $0x100, %edx\n wrmsr\n"
	"rdtsc\n mov %eax, (0x4000)\n mov %edx, (0x4004)\n"
	"mov $" TEST_STR(MSR_IA32_TSC) ", %ecx\n xor %eax, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"mov $" TEST_STR(MSR_POWER_CTL) ", %ecx\n mov $0x1234, %eax\n"
	"wrmsr\n"
	GUEST_DONE);

static int test_tsc_adjust(const char *dev)
{
	const int64_t near = 1ll << 36, adj = (0x100ll << 32) + 5;
	uint64_t v, five = 5, *res;
	cpu_set_t set;
	struct guest g;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);
	GUEST(&g, dev, GUEST_LONG, tsc_adjust);
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_IA32_TSC_ADJUST, &v) == 1);
	EXPECT(v == 0);
	EXPECT(msr_io(&g.vcpu, KVM_SET_MSRS, MSR_IA32_TSC_ADJUST, &five) == 1);
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_IA32_TSC, &v) == 1);
	EXPECT((int64_t)v < near);
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	EXPECT((int64_t)(*res - (adj - 5)) >= 0 &&
	       (int64_t)(*res - (adj - 5)) < near);
	/* WRMSR TSC = 0 took TSC_ADJUST back by about the TSC it had. */
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_IA32_TSC_ADJUST, &v) == 1);
	EXPECT((int64_t)v <= 5 && (int64_t)v > 5 - near);
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_POWER_CTL, &v) == 1);
	EXPECT(v == 0x1234);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "filter_errors", test_filter_errors },
	{ "filter_exit", test_filter_exit },
	{ "unknown_exit", test_unknown_exit },
	{ "default_deny", test_default_deny },
	{ "tsc_adjust", test_tsc_adjust },
};

TEST_MAIN(cases)

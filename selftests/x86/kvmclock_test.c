// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock_test: KVM's paravirtual clock (Documentation/virt/kvm/x86/
 * msr.rst, cpuid.rst) and KVM_GET_CLOCK/KVM_SET_CLOCK (api.rst).  The
 * guest enables the clock with MSR_KVM_SYSTEM_TIME_NEW, reads the
 * pvclock structure the hypervisor keeps in its memory and computes the
 * time as a Linux guest does; the host compares that with its own clocks.
 *
 * The emulated test machines are slow and their timing noisy (an exit
 * costs 0.1-1 ms, and the host may be descheduled for longer), so rates
 * are compared as ratios over intervals of a second, within RATE_TOL.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2	3
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT	24
#define KVM_FEATURE_NOP_IO_DELAY	1
#define PVCLOCK_TSC_STABLE_BIT	1

/* Guest data, in the free area of the layout (vmlib-x86.h). */
#define PV_GPA		0x4000	/* struct pvclock_vcpu_time_info */
#define WALL_GPA	0x4100	/* struct pvclock_wall_clock */
#define RESULT_GPA	0x5000	/* the guest's clock reading, ns */

/* Relative error allowed between the guest's clock rate and the host's. */
#define RATE_TOL	0.05

struct pvclock {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

struct wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __attribute__((packed));

/*
 * The guest's clock into RAX (Linux's pvclock_clocksource_read() without
 * the cross-vCPU monotonic fix-up): retry while the version is odd or
 * changes; ns = system_time + ((tsc - tsc_timestamp) << shift) * mul >>
 * 32, shifting right for a negative shift.  Uses RCX, RDX, R8.
 */
#define GUEST_READ_CLOCK						\
	"96: mov " TEST_STR(PV_GPA) ", %r8d\n"				\
	"test $1, %r8d\n jnz 96b\n lfence\n"				\
	"rdtsc\n shl $32, %rdx\n or %rdx, %rax\n"			\
	"sub " TEST_STR(PV_GPA) "+8, %rax\n"				\
	"movsbl " TEST_STR(PV_GPA) "+28, %ecx\n"			\
	"test %ecx, %ecx\n js 95f\n shl %cl, %rax\n jmp 94f\n"		\
	"95: neg %ecx\n shr %cl, %rax\n"				\
	"94: mov " TEST_STR(PV_GPA) "+24, %edx\n mul %rdx\n"		\
	"shrd $32, %rdx, %rax\n"					\
	"add " TEST_STR(PV_GPA) "+16, %rax\n lfence\n"			\
	"cmp " TEST_STR(PV_GPA) ", %r8d\n jne 96b\n"

#define GUEST_ENABLE_CLOCK						\
	"mov $" TEST_STR(MSR_KVM_SYSTEM_TIME_NEW) ", %ecx\n"		\
	"mov $(" TEST_STR(PV_GPA) " + 1), %eax\n xor %edx, %edx\n wrmsr\n"

/* Enable, then: read the clock, store it, SYNC(1); forever. */
GUEST_CODE(clock_loop, ".code64",
	GUEST_ENABLE_CLOCK
	"1: " GUEST_READ_CLOCK
	"mov %rax, " TEST_STR(RESULT_GPA) "\n"
	GUEST_SYNC(1)
	"jmp 1b\n");

static uint64_t mono_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static struct kvm_cpuid_entry2 *find_leaf(struct kvm_cpuid2 *c, uint32_t fn)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

/* The guest's next clock reading (the loop's SYNC), in ns. */
static int guest_clock(struct guest *g, uint64_t *ns)
{
	if (!guest_expect_ucall(g, UCALL_SYNC, 1, __FILE__))
		return 0;
	*ns = *(uint64_t *)vm_gpa(&g->vm, RESULT_GPA);
	return 1;
}

static int get_clock(struct vm *vm, struct kvm_clock_data *d)
{
	memset(d, 0xa5, sizeof(*d));
	return ioctl(vm->fd, KVM_GET_CLOCK, d);
}

static int set_clock(struct vm *vm, uint64_t clock, uint32_t flags,
		     uint64_t realtime)
{
	struct kvm_clock_data d = {
		.clock = clock, .flags = flags, .realtime = realtime,
	};

	return ioctl(vm->fd, KVM_SET_CLOCK, &d);
}

/*
 * The hypervisor leaves: KVM's signature in 0x40000000, with 0x40000001
 * as its highest leaf at least, and kvmclock (the new MSRs) and its
 * stable bit and NOP_IO_DELAY (KVM_CAP_NOP_IO_DELAY) in 0x40000001;
 * KVM_CAP_ADJUST_CLOCK names the KVM_CLOCK_* flags KVM 6.1 has.
 */
static int test_cpuid(const char *dev)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      300 * sizeof(c->entries[0]));
	struct kvm_cpuid_entry2 *e;
	struct vm vm;

	EXPECT(c);
	c->nent = 300;
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0);
	e = find_leaf(c, 0x40000000);
	EXPECT(e && e->eax >= 0x40000001);
	EXPECT(!memcmp(&e->ebx, "KVMK", 4) && !memcmp(&e->ecx, "VMKV", 4) &&
	       !memcmp(&e->edx, "M\0\0\0", 4));
	e = find_leaf(c, 0x40000001);
	EXPECT(e && (e->eax & (1u << KVM_FEATURE_CLOCKSOURCE2)) &&
	       (e->eax & (1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT)) &&
	       (e->eax & (1u << KVM_FEATURE_NOP_IO_DELAY)));
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_NOP_IO_DELAY) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK) ==
	       (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
		KVM_CLOCK_HOST_TSC));
	vm_close(&vm);
	free(c);
	return TEST_PASS;
}

/*
 * The guest's clock: a well-formed structure (even version, a scale),
 * the stable bit exactly when KVM_GET_CLOCK says KVM_CLOCK_TSC_STABLE,
 * readings between the KVM_GET_CLOCK before and after, and a rate that
 * follows the host's CLOCK_MONOTONIC over a second while the vCPU sleeps
 * in the host and over a second of the guest's own readings.
 */
static int test_rate(const char *dev)
{
	struct kvm_clock_data d0, d1;
	uint64_t g0, g1, g2 = 0, m0, m1, m2, n;
	const struct pvclock *pv;
	double r1, r2;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, clock_loop);
	pv = vm_gpa(&g.vm, PV_GPA);
	EXPECT(get_clock(&g.vm, &d0) == 0);
	EXPECT(guest_clock(&g, &g0));
	m0 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(get_clock(&g.vm, &d1) == 0);
	printf("# version %u tsc %llu system_time %llu mul %u shift %d flags %#x; clock flags %#x\n",
	       pv->version, (unsigned long long)pv->tsc_timestamp,
	       (unsigned long long)pv->system_time, pv->mul, pv->shift,
	       pv->flags, d1.flags);
	EXPECT(pv->version && !(pv->version & 1) && pv->mul);
	EXPECT(!(pv->flags & PVCLOCK_TSC_STABLE_BIT) ==
	       !(d1.flags & KVM_CLOCK_TSC_STABLE));
	EXPECT(d0.clock <= g0 && g0 <= d1.clock);
	EXPECT(!(d1.flags & ~(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
			      KVM_CLOCK_HOST_TSC)));
	EXPECT(!d1.pad0 && !d1.pad[0] && !d1.pad[1] && !d1.pad[2] &&
	       !d1.pad[3]);
	if (d1.flags & KVM_CLOCK_REALTIME)
		EXPECT(d1.realtime > mono_ns(CLOCK_REALTIME) - 2000000000ull);

	/* A second with the vCPU out of the guest. */
	usleep(1000000);
	EXPECT(guest_clock(&g, &g1));
	m1 = mono_ns(CLOCK_MONOTONIC);
	/* About a second of the guest running, reading its clock. */
	for (n = 0; mono_ns(CLOCK_MONOTONIC) - m1 < 1000000000ull; n++) {
		EXPECT(guest_clock(&g, &g2));
		EXPECT(g2 >= g1);
	}
	m2 = mono_ns(CLOCK_MONOTONIC);
	r1 = (double)(g1 - g0) / (m1 - m0);
	r2 = (double)(g2 - g1) / (m2 - m1);
	printf("# guest/host rate %.4f (vCPU out), %.4f (%llu readings)\n",
	       r1, r2, (unsigned long long)n);
	EXPECT(r1 > 1 - RATE_TOL && r1 < 1 + RATE_TOL);
	EXPECT(r2 > 1 - RATE_TOL && r2 < 1 + RATE_TOL);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * KVM_SET_CLOCK moves the guest's clock: forwards and backwards to the
 * value set (plus the time since), and with KVM_CLOCK_REALTIME plus the
 * host's CLOCK_REALTIME since @realtime.  KVM_GET_CLOCK then reads on
 * from the value set.
 */
/* What the guest read after a KVM_SET_CLOCK, and the structure it read. */
static void print_pvclock(const char *step, struct guest *g, uint64_t set,
			  uint64_t read, uint64_t host_ns)
{
	const struct pvclock *pv = vm_gpa(&g->vm, PV_GPA);

	printf("# %s: set %llu, guest read %llu after %llu ns; version %u tsc %llu system_time %llu flags %#x\n",
	       step, (unsigned long long)set, (unsigned long long)read,
	       (unsigned long long)host_ns, pv->version,
	       (unsigned long long)pv->tsc_timestamp,
	       (unsigned long long)pv->system_time, pv->flags);
}

static int test_set_clock(const char *dev)
{
	const uint64_t s = 1000000000ull;
	uint64_t base = 100 * s, g0, m0, m1;
	struct kvm_clock_data d;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, clock_loop);
	EXPECT(guest_clock(&g, &g0));

	m0 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(set_clock(&g.vm, base, 0, 0) == 0);
	EXPECT(guest_clock(&g, &g0));
	m1 = mono_ns(CLOCK_MONOTONIC);
	print_pvclock("forwards", &g, base, g0, m1 - m0);
	EXPECT(g0 >= base && g0 - base <= (m1 - m0) * (1 + RATE_TOL));
	EXPECT(get_clock(&g.vm, &d) == 0);
	EXPECT(d.clock >= g0 && d.clock - base <= (mono_ns(CLOCK_MONOTONIC) -
						    m0) * (1 + RATE_TOL));

	/* Backwards. */
	m0 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(set_clock(&g.vm, base / 2, 0, 0) == 0);
	EXPECT(guest_clock(&g, &g0));
	m1 = mono_ns(CLOCK_MONOTONIC);
	print_pvclock("backwards", &g, base / 2, g0, m1 - m0);
	EXPECT(g0 >= base / 2 &&
	       g0 - base / 2 <= (m1 - m0) * (1 + RATE_TOL));

	/* KVM_CLOCK_REALTIME: @clock was the reading 3 s ago. */
	m0 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(set_clock(&g.vm, base, KVM_CLOCK_REALTIME,
			 mono_ns(CLOCK_REALTIME) - 3 * s) == 0);
	EXPECT(guest_clock(&g, &g0));
	m1 = mono_ns(CLOCK_MONOTONIC);
	printf("# realtime: guest read %llu\n", (unsigned long long)g0);
	EXPECT(g0 >= base + 3 * s &&
	       g0 - base - 3 * s <= (m1 - m0) * (1 + RATE_TOL) + s / 100);
	/* A @realtime in the future does not move the clock back. */
	m0 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(set_clock(&g.vm, base, KVM_CLOCK_REALTIME,
			 mono_ns(CLOCK_REALTIME) + 3 * s) == 0);
	EXPECT(guest_clock(&g, &g0));
	m1 = mono_ns(CLOCK_MONOTONIC);
	EXPECT(g0 >= base && g0 - base <= (m1 - m0) * (1 + RATE_TOL));
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * KVM_SET_CLOCK's unknown flags are EINVAL; the flags KVM_GET_CLOCK
 * returns are taken back; the padding is not looked at, by KVM or hvx;
 * a bad pointer is EFAULT.
 */
static int test_clock_errors(const char *dev)
{
	struct kvm_clock_data d = { .clock = 5 };
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(set_clock(&vm, 1, 1, 0), EINVAL);
	EXPECT_ERRNO(set_clock(&vm, 1, 1u << 4, 0), EINVAL);
	EXPECT_ERRNO(set_clock(&vm, 1, 1u << 31, 0), EINVAL);
	EXPECT(set_clock(&vm, 1, KVM_CLOCK_TSC_STABLE | KVM_CLOCK_HOST_TSC,
			 0) == 0);
	d.pad0 = 1;
	d.pad[3] = ~0u;
	EXPECT(ioctl(vm.fd, KVM_SET_CLOCK, &d) == 0);
	EXPECT(get_clock(&vm, &d) == 0);
	EXPECT(d.clock >= 5 && d.clock < 5 + 60 * 1000000000ull);
	EXPECT(ioctl(vm.fd, KVM_SET_CLOCK, &d) == 0);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_GET_CLOCK, (void *)8), EFAULT);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_CLOCK, (void *)8), EFAULT);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * Read the clock without exits until it passes 1000 s, then SYNC(2).
 * RFLAGS.IF set: Bochs 2.7 gives the host's interrupts to the hypervisor
 * only while a VMX guest has IF set (exit_test.c says more); no
 * interrupt is ever injected.
 */
GUEST_CODE(clock_watch, ".code64",
	GUEST_ENABLE_CLOCK
	"sti\n"
	"1: " GUEST_READ_CLOCK
	"mov %rax, " TEST_STR(RESULT_GPA) "\n"
	"mov $1000000000000, %rbx\n cmp %rbx, %rax\n jb 1b\n"
	GUEST_SYNC(2)
	"hlt\n");

static void *set_later(void *arg)
{
	struct vm *vm = arg;

	usleep(200000);
	set_clock(vm, 2000 * 1000000000ull, 0, 0);
	return NULL;
}

/*
 * KVM_SET_CLOCK from another thread while the vCPU runs a guest that
 * only reads its clock: the guest sees the new clock without having to
 * exit by itself.
 */
static int test_set_while_running(const char *dev)
{
	struct guest g;
	pthread_t t;

	GUEST(&g, dev, GUEST_LONG, clock_watch);
	EXPECT(!pthread_create(&t, NULL, set_later, &g.vm));
	test_arm_timer(10000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	test_arm_timer(0);
	pthread_join(t, NULL);
	EXPECT(*(uint64_t *)vm_gpa(&g.vm, RESULT_GPA) >=
	       2000 * 1000000000ull);
	guest_destroy(&g);
	return TEST_PASS;
}

struct msrs {
	struct kvm_msrs h;
	struct kvm_msr_entry e[4];
};

static int msr_io(struct vcpu *vcpu, unsigned long nr, uint32_t index,
		  uint64_t *data)
{
	struct msrs m = { .h.nmsrs = 1, .e[0] = { .index = index } };
	int r;

	m.e[0].data = *data;
	r = ioctl(vcpu->fd, nr, &m);
	*data = m.e[0].data;
	return r;
}

/* RDMSR of the four kvmclock MSRs into RESULT_GPA + 8 * i. */
GUEST_CODE(rd_clock_msrs, ".code64",
	"mov $" TEST_STR(MSR_KVM_SYSTEM_TIME_NEW) ", %ecx\n rdmsr\n"
	"mov %eax, " TEST_STR(RESULT_GPA) "\n"
	"mov %edx, " TEST_STR(RESULT_GPA) "+4\n"
	"mov $" TEST_STR(MSR_KVM_SYSTEM_TIME) ", %ecx\n rdmsr\n"
	"mov %eax, " TEST_STR(RESULT_GPA) "+8\n"
	"mov %edx, " TEST_STR(RESULT_GPA) "+12\n"
	"mov $" TEST_STR(MSR_KVM_WALL_CLOCK_NEW) ", %ecx\n rdmsr\n"
	"mov %eax, " TEST_STR(RESULT_GPA) "+16\n"
	"mov %edx, " TEST_STR(RESULT_GPA) "+20\n"
	"mov $" TEST_STR(MSR_KVM_WALL_CLOCK) ", %ecx\n rdmsr\n"
	"mov %eax, " TEST_STR(RESULT_GPA) "+24\n"
	"mov %edx, " TEST_STR(RESULT_GPA) "+28\n"
	GUEST_SYNC(1)
	"mov $" TEST_STR(MSR_KVM_SYSTEM_TIME_NEW) ", %ecx\n"
	"xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"
	GUEST_SYNC(2)
	"hlt\n");

/*
 * The MSRs through KVM_SET_MSRS, as a VMM restoring a guest sets them:
 * MSR_KVM_SYSTEM_TIME_NEW and the old MSR_KVM_SYSTEM_TIME are one
 * register, so are the two wall-clock MSRs (per VM); setting the wall
 * clock writes struct pvclock_wall_clock at once (boot time of the VM's
 * clock, in host CLOCK_REALTIME); the guest's RDMSR reads the same; the
 * vCPU's structure is written before it runs and no longer once the
 * guest turns the clock off.
 */
static int test_msrs(const char *dev)
{
	const struct wall_clock *wc;
	const struct pvclock *pv;
	struct kvm_clock_data d;
	uint64_t v, *res;
	uint32_t version;
	struct guest g;
	int64_t boot;

	GUEST(&g, dev, GUEST_LONG, rd_clock_msrs);
	pv = vm_gpa(&g.vm, PV_GPA);
	wc = vm_gpa(&g.vm, WALL_GPA);
	res = vm_gpa(&g.vm, RESULT_GPA);
	v = PV_GPA | 1;
	EXPECT(msr_io(&g.vcpu, KVM_SET_MSRS, MSR_KVM_SYSTEM_TIME, &v) == 1);
	v = 0;
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_KVM_SYSTEM_TIME_NEW,
		      &v) == 1);
	EXPECT(v == (PV_GPA | 1));
	v = WALL_GPA;
	EXPECT(msr_io(&g.vcpu, KVM_SET_MSRS, MSR_KVM_WALL_CLOCK_NEW,
		      &v) == 1);
	v = 0;
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_KVM_WALL_CLOCK, &v) == 1);
	EXPECT(v == WALL_GPA);
	EXPECT(wc->version && !(wc->version & 1));
	EXPECT(get_clock(&g.vm, &d) == 0);
	boot = (int64_t)(mono_ns(CLOCK_REALTIME) - d.clock) / 1000000000;
	printf("# wall clock %u.%09u, expected about %lld\n", wc->sec,
	       wc->nsec, (long long)boot);
	EXPECT(wc->nsec < 1000000000u);
	EXPECT(wc->sec >= boot - 2 && wc->sec <= boot + 2);
	EXPECT(pv->version == 0);

	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(res[0] == (PV_GPA | 1) && res[1] == (PV_GPA | 1));
	EXPECT(res[2] == WALL_GPA && res[3] == WALL_GPA);
	EXPECT(pv->version && !(pv->version & 1) && pv->mul);
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	version = pv->version;
	EXPECT(set_clock(&g.vm, 1, 0, 0) == 0);
	EXPECT_HALT(&g);
	EXPECT(pv->version == version);
	v = 1;
	EXPECT(msr_io(&g.vcpu, KVM_GET_MSRS, MSR_KVM_SYSTEM_TIME, &v) == 1);
	EXPECT(v == 0);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "kvmclock_cpuid", test_cpuid },
	{ "kvmclock_rate", test_rate },
	{ "kvmclock_set_clock", test_set_clock },
	{ "kvmclock_clock_errors", test_clock_errors },
	{ "kvmclock_set_while_running", test_set_while_running },
	{ "kvmclock_msrs", test_msrs },
};

TEST_MAIN(cases)

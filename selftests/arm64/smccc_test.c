// SPDX-License-Identifier: GPL-2.0
/*
 * smccc_test: the firmware services a guest reaches with HVC under the
 * SMC Calling Convention (Arm DEN 0028), answered in the kernel on both
 * devices, and the firmware pseudo-registers that turn them off (api.rst,
 * "ARM firmware pseudo-registers"):
 *
 *   SMCCC_VERSION and SMCCC_ARCH_FEATURES     DEN 0028 7.2, 7.3
 *   the TRNG (KVM_REG_ARM_STD_BMAP)           DEN 0098
 *   stolen time (KVM_REG_ARM_STD_HYP_BMAP)    DEN 0057A, vcpu.rst
 *   KVM's vendor services: UID, features, PTP (KVM_REG_ARM_VENDOR_HYP_BMAP)
 *
 * Each guest stores the X0-X3 of its calls, 32 bytes a call, from
 * RES_GPA on, where the test reads them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../lib/test.h"

/* Function ids (DEN 0028 6.2: owner in bits 29:24, SMC64 bit 30). */
#define SMCCC_VERSION		0x80000000
#define SMCCC_ARCH_FEATURES	0x80000001
#define TRNG_VERSION		0x84000050
#define TRNG_FEATURES		0x84000051
#define TRNG_GET_UUID		0x84000052
#define TRNG_RND32		0x84000053
#define TRNG_RND64		0xc4000053
#define PV_TIME_FEATURES	0xc5000020
#define PV_TIME_ST		0xc5000021
#define KVM_FEATURES		0x86000000
#define KVM_PTP			0x86000001
#define VENDOR_HYP_UID		0x8600ff01

#define NOT_SUPPORTED		(~0ull)		/* -1 */
#define INVALID_PARAMETERS	(~0ull - 1)	/* -2, DEN 0098 2.7 */

#define RES_GPA			0x100000
#define ST_GPA			0x180000	/* the stolen-time structure */

/* x19: where the next call's results go. */
#define RES_BASE	"movz x19, #(" TEST_STR(RES_GPA) " >> 16), lsl #16\n"
#define CALL(fn, arg)							\
	"ldr x1, =" TEST_STR(arg) "\n" GUEST_HVC(fn)			\
	"stp x0, x1, [x19], #16\n stp x2, x3, [x19], #16\n"

struct res {
	uint64_t x[4];
};

static struct res *results(struct guest *g)
{
	return (struct res *)((char *)g->vm.mem + RES_GPA - g->vm.mem_gpa);
}

static int has_cap(struct guest *g, long cap)
{
	return ioctl(g->vm.sys_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

static void print_res(const struct res *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("# call %d: %#llx %#llx %#llx %#llx\n", i,
		       (unsigned long long)r[i].x[0],
		       (unsigned long long)r[i].x[1],
		       (unsigned long long)r[i].x[2],
		       (unsigned long long)r[i].x[3]);
}

/*
 * 0 SMCCC_VERSION; 1 PSCI_FEATURES(SMCCC_VERSION); ARCH_FEATURES of
 * 2 PV_TIME_FEATURES and 3 TRNG_RND64 (not an arch call); with no
 * stolen-time structure given, 4 PV_TIME_FEATURES(PV_TIME_ST) and
 * 5 PV_TIME_ST.
 */
GUEST_CODE(arch,
	RES_BASE
	CALL(SMCCC_VERSION, 0)
	CALL(PSCI_FN_FEATURES, SMCCC_VERSION)
	CALL(SMCCC_ARCH_FEATURES, PV_TIME_FEATURES)
	CALL(SMCCC_ARCH_FEATURES, TRNG_RND64)
	CALL(PV_TIME_FEATURES, PV_TIME_ST)
	CALL(PV_TIME_ST, 0)
	GUEST_DONE);

static int test_arch(const char *dev)
{
	struct guest g;
	struct res *r;

	GUEST(&g, dev, GUEST_EL1, arch);
	EXPECT_DONE(&g);
	r = results(&g);
	print_res(r, 6);
	EXPECT(r[0].x[0] == 0x10001);		/* 1.1 */
	EXPECT(r[1].x[0] == 0);
	EXPECT(r[2].x[0] == (has_cap(&g, KVM_CAP_STEAL_TIME) ? 0 :
			     NOT_SUPPORTED));
	EXPECT(r[3].x[0] == NOT_SUPPORTED);
	EXPECT(r[4].x[0] == NOT_SUPPORTED && r[5].x[0] == NOT_SUPPORTED);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * 0 TRNG_VERSION; TRNG_FEATURES of 1 RND64 and 2 PTP (not a TRNG call);
 * 3 GET_UUID; N out of range: 4 RND64(0), 5 RND64(193), 6 RND32(97);
 * 7 and 8 RND64(192); 9 RND64(8); 10 RND32(40).
 */
GUEST_CODE(trng,
	RES_BASE
	CALL(TRNG_VERSION, 0)
	CALL(TRNG_FEATURES, TRNG_RND64)
	CALL(TRNG_FEATURES, KVM_PTP)
	CALL(TRNG_GET_UUID, 0)
	CALL(TRNG_RND64, 0)
	CALL(TRNG_RND64, 193)
	CALL(TRNG_RND32, 97)
	CALL(TRNG_RND64, 192)
	CALL(TRNG_RND64, 192)
	CALL(TRNG_RND64, 8)
	CALL(TRNG_RND32, 40)
	GUEST_DONE);

static int test_trng(const char *dev)
{
	struct guest g;
	struct res *r;

	GUEST(&g, dev, GUEST_EL1, trng);
	EXPECT_DONE(&g);
	r = results(&g);
	print_res(r, 11);
	EXPECT(r[0].x[0] == 0x10000);		/* 1.0 */
	EXPECT(r[1].x[0] == 0 && r[2].x[0] == NOT_SUPPORTED);
	/* A UUID: four 32-bit words, not all zero. */
	EXPECT(r[3].x[0] != NOT_SUPPORTED);
	EXPECT(!((r[3].x[0] | r[3].x[1] | r[3].x[2] | r[3].x[3]) >> 32));
	EXPECT(r[3].x[0] | r[3].x[1] | r[3].x[2] | r[3].x[3]);
	/*
	 * DEN 0098 2.4 makes N = 0 INVALID_PARAMETERS; KVM 6.1 returns
	 * SUCCESS with no bits (arch/arm64/kvm/trng.c checks only the top).
	 */
	EXPECT(r[4].x[0] == INVALID_PARAMETERS ||
	       (!test_is_hvx(dev) && r[4].x[0] == 0));
	EXPECT(r[5].x[0] == INVALID_PARAMETERS);
	EXPECT(r[6].x[0] == INVALID_PARAMETERS);
	EXPECT(r[7].x[0] == 0 && r[8].x[0] == 0);
	EXPECT(memcmp(&r[7].x[1], &r[8].x[1], 24));
	/* Right-aligned: N bits in X3 upwards, zero above them. */
	EXPECT(r[9].x[0] == 0 && !r[9].x[1] && !r[9].x[2] && r[9].x[3] < 256);
	EXPECT(r[10].x[0] == 0 && !r[10].x[1] && r[10].x[2] < 256 &&
	       !(r[10].x[3] >> 32));
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * 0 the vendor UID; 1 KVM_FEATURES; 2 PTP of the virtual counter, read
 * between two reads of CNTVCT_EL0 (x20, x21: results 3); 4 PTP of the
 * physical counter; 5 PTP of counter 2, which does not exist.
 */
GUEST_CODE(vendor,
	RES_BASE
	CALL(VENDOR_HYP_UID, 0)
	CALL(KVM_FEATURES, 0)
	"isb\n mrs x20, cntvct_el0\n"
	CALL(KVM_PTP, 0)
	"isb\n mrs x21, cntvct_el0\n"
	"stp x20, x21, [x19], #16\n stp xzr, xzr, [x19], #16\n"
	CALL(KVM_PTP, 1)
	CALL(KVM_PTP, 2)
	GUEST_DONE);

/* PTP needs the host's clocksource to be the architected counter. */
static int host_counter_clock(void)
{
	char name[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");

	if (f) {
		if (!fgets(name, sizeof(name), f))
			name[0] = 0;
		fclose(f);
	}
	return !strncmp(name, "arch_sys_counter", 16);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int test_vendor(const char *dev)
{
	uint64_t t0, t1, when, count;
	struct guest g;
	struct res *r;

	GUEST(&g, dev, GUEST_EL1, vendor);
	t0 = realtime_ns();
	EXPECT_DONE(&g);
	t1 = realtime_ns();
	r = results(&g);
	print_res(r, 6);
	/* KVM's UID (include/linux/arm-smccc.h), as hvx speaks its ABI. */
	EXPECT(r[0].x[0] == 0xb66fb428 && r[0].x[1] == 0xe911c52e &&
	       r[0].x[2] == 0x564bcaa9 && r[0].x[3] == 0x743a004d);
	EXPECT(r[1].x[0] == 3);		/* FEATURES and PTP */
	EXPECT(r[5].x[0] == NOT_SUPPORTED);
	EXPECT(has_cap(&g, KVM_CAP_PTP_KVM));
	if (!host_counter_clock()) {
		printf("# the host's clocksource is not arch_sys_counter\n");
		EXPECT(r[2].x[0] == NOT_SUPPORTED);
		guest_destroy(&g);
		return TEST_PASS;
	}
	when = r[2].x[0] << 32 | r[2].x[1];
	count = r[2].x[2] << 32 | r[2].x[3];
	printf("# realtime %llu in [%llu, %llu], count %#llx in [%#llx, %#llx]\n",
	       (unsigned long long)when, (unsigned long long)t0,
	       (unsigned long long)t1, (unsigned long long)count,
	       (unsigned long long)r[3].x[0], (unsigned long long)r[3].x[1]);
	EXPECT(when >= t0 && when <= t1);
	EXPECT(count >= r[3].x[0] && count <= r[3].x[1]);
	/* The physical count, taken later, is the virtual one plus CNTVOFF. */
	EXPECT(r[4].x[0] != NOT_SUPPORTED);
	EXPECT((r[4].x[2] << 32 | r[4].x[3]) >= count);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * With TRNG and stolen time off and only KVM_FEATURES left of the vendor
 * services: 0 TRNG_VERSION, 1 ARCH_FEATURES(PV_TIME_FEATURES),
 * 2 PV_TIME_ST, 3 KVM_FEATURES, 4 PTP, 5 the UID.
 */
GUEST_CODE(off,
	RES_BASE
	CALL(TRNG_VERSION, 0)
	CALL(SMCCC_ARCH_FEATURES, PV_TIME_FEATURES)
	CALL(PV_TIME_ST, 0)
	CALL(KVM_FEATURES, 0)
	CALL(KVM_PTP, 0)
	CALL(VENDOR_HYP_UID, 0)
	GUEST_DONE);

static int get_fw(struct vcpu *v, uint64_t id, uint64_t *val)
{
	*val = 0x5a5a;
	return vcpu_get_reg(v, id, val);
}

/*
 * The bitmaps: every service on at first, any subset writable until a
 * vCPU runs, a bit hvx does not have EINVAL; one value for the whole VM;
 * after the run only the same value (else EBUSY).
 */
static int test_fw_bitmaps(const char *dev)
{
	uint64_t val, st_gpa = ST_GPA;
	struct vcpu v1;
	struct guest g;
	struct res *r;
	int steal;

	GUEST(&g, dev, GUEST_EL1, off);
	steal = has_cap(&g, KVM_CAP_STEAL_TIME);
	EXPECT(vcpu_create(&g.vm, &v1, 1) == 0);
	EXPECT(get_fw(&g.vcpu, KVM_REG_ARM_STD_BMAP, &val) == 0 && val == 1);
	EXPECT(get_fw(&g.vcpu, KVM_REG_ARM_STD_HYP_BMAP, &val) == 0 &&
	       val == (uint64_t)steal);
	EXPECT(get_fw(&g.vcpu, KVM_REG_ARM_VENDOR_HYP_BMAP, &val) == 0 &&
	       val == 3);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_STD_BMAP, 2) == -EINVAL);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_STD_HYP_BMAP, 2) == -EINVAL);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_VENDOR_HYP_BMAP, 4) ==
	       -EINVAL);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_STD_BMAP, 0) == 0);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_STD_HYP_BMAP, 0) == 0);
	EXPECT(vcpu_set_reg(&v1, KVM_REG_ARM_VENDOR_HYP_BMAP, 1) == 0);
	EXPECT(get_fw(&v1, KVM_REG_ARM_STD_BMAP, &val) == 0 && val == 0);
	EXPECT(get_fw(&g.vcpu, KVM_REG_ARM_VENDOR_HYP_BMAP, &val) == 0 &&
	       val == 1);
	if (steal)	/* PV_TIME_ST would answer, were the service on */
		EXPECT(test_device_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR,
					KVM_ARM_VCPU_PVTIME_CTRL,
					KVM_ARM_VCPU_PVTIME_IPA, &st_gpa) == 0);
	EXPECT_DONE(&g);
	r = results(&g);
	print_res(r, 6);
	EXPECT(r[0].x[0] == NOT_SUPPORTED);
	EXPECT(r[1].x[0] == NOT_SUPPORTED);
	EXPECT(r[2].x[0] == NOT_SUPPORTED);
	EXPECT(r[3].x[0] == 1);
	EXPECT(r[4].x[0] == NOT_SUPPORTED);
	EXPECT(r[5].x[0] == 0xb66fb428);
	EXPECT(vcpu_set_reg(&v1, KVM_REG_ARM_STD_BMAP, 1) == -EBUSY);
	EXPECT(vcpu_set_reg(&v1, KVM_REG_ARM_STD_BMAP, 0) == 0);
	EXPECT(vcpu_set_reg(&g.vcpu, KVM_REG_ARM_VENDOR_HYP_BMAP, 3) == -EBUSY);
	vcpu_close(&v1);
	guest_destroy(&g);
	return TEST_PASS;
}

/* The thread's time spent runnable, waiting for a CPU (schedstat, ns). */
static uint64_t run_delay(void)
{
	unsigned long long run = 0, wait = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/schedstat",
		 (long)syscall(SYS_gettid));
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu %llu", &run, &wait) != 2)
			wait = 0;
		fclose(f);
	}
	return wait;
}

static void *spin_20ms(void *arg)
{
	struct timespec a, b;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000ll + b.tv_nsec - a.tv_nsec <
	       20000000);
	return NULL;
}

struct stolen_time {
	uint32_t revision;
	uint32_t attributes;
	uint64_t stolen_time;
	uint8_t padding[48];
};

/* 0 PV_TIME_FEATURES(PV_TIME_ST), 1 PV_TIME_ST; sync; sync; done. */
GUEST_CODE(steal,
	RES_BASE
	CALL(PV_TIME_FEATURES, PV_TIME_ST)
	CALL(PV_TIME_ST, 0)
	GUEST_SYNC(1)
	GUEST_SYNC(2)
	GUEST_DONE);

/*
 * KVM_ARM_VCPU_PVTIME_IPA's errors, then the structure: zeroed by
 * PV_TIME_ST, and its stolen_time grown by at least the time a second
 * thread, on the vCPU thread's CPU, kept the vCPU from running.
 */
static int test_steal_time(const char *dev)
{
	uint64_t ipa = 0, before, delay, t0;
	struct stolen_time *st;
	pthread_attr_t attr;
	cpu_set_t cpu0;
	pthread_t spin;
	struct guest g;
	struct res *r;
	int fd;

	GUEST(&g, dev, GUEST_EL1, steal);
	fd = g.vcpu.fd;
	if (!has_cap(&g, KVM_CAP_STEAL_TIME)) {
		guest_destroy(&g);
		return test_skip("no KVM_CAP_STEAL_TIME");
	}
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
				KVM_ARM_VCPU_PVTIME_CTRL,
				KVM_ARM_VCPU_PVTIME_IPA, NULL) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
				      KVM_ARM_VCPU_PVTIME_CTRL, 1, NULL),
		     ENXIO);
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
				KVM_ARM_VCPU_PVTIME_CTRL,
				KVM_ARM_VCPU_PVTIME_IPA, &ipa) == 0);
	EXPECT(ipa == ~0ull);
	ipa = ST_GPA + 8;		/* not 64-byte aligned */
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
				      KVM_ARM_VCPU_PVTIME_CTRL,
				      KVM_ARM_VCPU_PVTIME_IPA, &ipa), EINVAL);
	ipa = 0x40000000;		/* in no memory slot */
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
				      KVM_ARM_VCPU_PVTIME_CTRL,
				      KVM_ARM_VCPU_PVTIME_IPA, &ipa), EINVAL);
	ipa = ST_GPA;
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
				KVM_ARM_VCPU_PVTIME_CTRL,
				KVM_ARM_VCPU_PVTIME_IPA, &ipa) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
				      KVM_ARM_VCPU_PVTIME_CTRL,
				      KVM_ARM_VCPU_PVTIME_IPA, &ipa), EEXIST);
	ipa = 0;
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
				KVM_ARM_VCPU_PVTIME_CTRL,
				KVM_ARM_VCPU_PVTIME_IPA, &ipa) == 0);
	EXPECT(ipa == ST_GPA);

	st = (struct stolen_time *)((char *)g.vm.mem + ST_GPA - g.vm.mem_gpa);
	memset(st, 0xff, sizeof(*st));
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	EXPECT(sched_setaffinity(0, sizeof(cpu0), &cpu0) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	r = results(&g);
	print_res(r, 2);
	EXPECT(r[0].x[0] == 0 && r[1].x[0] == ST_GPA);
	EXPECT(st->revision == 0 && st->attributes == 0);
	EXPECT(st->padding[0] == 0 && st->padding[47] == 0);
	before = st->stolen_time;
	EXPECT(before <= run_delay());

	/* A thread on the same CPU keeps this one waiting for 20 ms or so. */
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpu0), &cpu0);
	t0 = run_delay();
	EXPECT(pthread_create(&spin, &attr, spin_20ms, NULL) == 0);
	do
		sched_yield();
	while (run_delay() - t0 < 10000000);
	pthread_join(spin, NULL);
	delay = run_delay() - t0;
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	printf("# stolen %llu ns before, %llu after; the thread waited %llu ns\n",
	       (unsigned long long)before,
	       (unsigned long long)st->stolen_time,
	       (unsigned long long)delay);
	EXPECT(st->stolen_time - before >= delay);
	EXPECT_DONE(&g);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "smccc_arch", test_arch },
	{ "smccc_trng", test_trng },
	{ "smccc_vendor_ptp", test_vendor },
	{ "smccc_fw_bitmaps", test_fw_bitmaps },
	{ "smccc_steal_time", test_steal_time },
};

TEST_MAIN(cases);

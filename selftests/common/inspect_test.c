// SPDX-License-Identifier: GPL-2.0
/*
 * inspect_test: hvx's debugfs window on its vCPUs (module/debugfs.c, what
 * `hvx inspect` prints): one file per vCPU under
 * /sys/kernel/debug/hvx/PID-N/, holding the backend's control structure
 * by field name (the VMCB, the VMCS, or the EL2 controls and the last
 * exit's syndrome) and the rule of the last refused VM entry.  These are
 * hvx's own files: on KVM every case skips, saying so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "../lib/test.h"

#define HVX_DEBUGFS	"/sys/kernel/debug/hvx"

/*
 * A guest that stays inside KVM_RUN, each of its exits handled in the
 * kernel (CPUID; PSCI_VERSION).  A bare `jmp .` would do as well, but the
 * Bochs/VMX machine never gives its host the timer interrupt back from a
 * guest that never exits (README, "The two commands").
 */
GUEST_CODE_X86(busy, GUEST_REAL, ".code16",
	"1: xor %eax, %eax\n cpuid\n jmp 1b\n");
GUEST_CODE_ARM64(busy, GUEST_EL1,
	"1: ldr x0, =0x84000000\n hvc #0\n b 1b\n");

GUEST_CODE_X86(out80, GUEST_REAL, ".code16",
	"mov $0x11, %al\n out %al, $0x80\n hlt\n");
GUEST_CODE_ARM64(out80, GUEST_EL1,
	"mov w0, #0x11\n" GUEST_OUT(0x80, "strb", "w0") GUEST_HALT);

/* The debugfs directory of this process's newest VM; 0 if found. */
static int vm_dir(char *out, size_t size)
{
	int best = -1, pid = getpid(), n;
	struct dirent *e;
	DIR *d;

	if (access(HVX_DEBUGFS, F_OK))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	d = opendir(HVX_DEBUGFS);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		int p;

		if (sscanf(e->d_name, "%d-%d", &p, &n) == 2 && p == pid &&
		    n > best)
			best = n;
	}
	closedir(d);
	if (best < 0)
		return -1;
	snprintf(out, size, HVX_DEBUGFS "/%d-%d", pid, best);
	return 0;
}

/* Read vCPU 0's file into @buf; the errno of the read, or 0. */
static int read_vcpu0(char *buf, size_t size)
{
	char path[300], dir[256];
	ssize_t n = 0, r;
	int fd, err = 0;

	if (vm_dir(dir, sizeof(dir)))
		return ENOENT;
	snprintf(path, sizeof(path), "%s/vcpu0", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	while ((r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	if (r < 0)
		err = errno;
	buf[n] = 0;
	close(fd);
	return err;
}

/*
 * The number in column @col after @name on one of @text's lines, or -1:
 * the VMCB's lines are "name offset value", the VMCS's "name encoding
 * value", the EL2 ones "name value".
 */
static long long field(const char *text, const char *name, int col)
{
	const char *p = text;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
		char *v = (char *)p + len;
		long long n = -1;
		int i;

		p += len;
		if (!start || (*v != ' ' && *v != ':'))
			continue;
		for (i = 0; i <= col; i++)
			n = strtoll(v + strspn(v, " :"), &v, 0);
		return n;
	}
	return -1;
}

static char text[64 * 1024];

/*
 * After a port exit (MMIO on arm64), the file shows the exit as the
 * hardware reported it: SVM's EXITCODE 0x7b (IOIO, APM Vol. 2 Appendix
 * C), VMX's basic exit reason 30 (I/O instruction, SDM Appendix C), or
 * ESR_EL2.EC 0x24 (a data abort from a lower EL, Arm ARM D17.2.37).
 */
static int test_exit_state(const char *dev)
{
	struct guest g;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, out80);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	EXPECT(read_vcpu0(text, sizeof(text)) == 0);
	EXPECT(strstr(text, "vcpu: 0\n"));
	EXPECT(strstr(text, "last entry failure: none\n"));
	if (strstr(text, "backend: svm"))
		EXPECT(field(text, "control.exit_code", 1) == 0x7b);
	else if (strstr(text, "backend: vmx"))
		EXPECT((field(text, "VM_EXIT_REASON", 1) & 0xffff) == 30);
	else
		EXPECT(((field(text, "ESR_EL2", 0) >> 26) & 0x3f) == 0x24);
	guest_destroy(&g);
	return TEST_PASS;
}

struct busy_read {
	int err;
};

static void *read_while_running(void *arg)
{
	struct busy_read *b = arg;
	sigset_t alrm;

	/* The alarm is for the vCPU's thread: never this read's EINTR. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	usleep(100 * 1000);
	b->err = read_vcpu0(text, sizeof(text));
	return NULL;
}

/* A vCPU inside KVM_RUN is not read: EBUSY, and the guest runs on. */
static int test_busy(const char *dev)
{
	struct busy_read b = { -1 };
	struct guest g;
	pthread_t t;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, busy);
	EXPECT(pthread_create(&t, NULL, read_while_running, &b) == 0);
	test_arm_timer(400 * 1000);
	EXPECT_EXIT(&g, -EINTR);
	pthread_join(t, NULL);
	EXPECT(b.err == EBUSY);
	EXPECT(read_vcpu0(text, sizeof(text)) == 0);
	guest_destroy(&g);
	return TEST_PASS;
}

/* The VM's directory goes with the VM. */
static int test_gone(const char *dev)
{
	char dir[256];
	struct guest g;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, out80);
	EXPECT(vm_dir(dir, sizeof(dir)) == 0);
	EXPECT(access(dir, F_OK) == 0);
	guest_destroy(&g);
	EXPECT(access(dir, F_OK) < 0 && errno == ENOENT);
	return TEST_PASS;
}

#ifdef __x86_64__
/*
 * A state VM entry refuses (CR0.PG without CR0.PE, which both vendors'
 * entry checks reject: APM Vol. 2 15.5.1, SDM 26.3.1.1) names its rule.
 */
static int test_entry_failure(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, out80);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.cr0 = 0x80000000;
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_SREGS, &s) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_FAIL_ENTRY);
	EXPECT(read_vcpu0(text, sizeof(text)) == 0);
	EXPECT(strstr(text, "last entry failure: CR0.PG set with CR0.PE clear\n"));
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * A 64-bit state the entry checks refuse though KVM_SET_SREGS takes it
 * (KVM checks CS.L and CS.D only at entry): EFER.LME, CR0.PG, CR4.PAE,
 * CS.L and CS.D all set (APM Vol. 2 15.5.1; SDM 26.3.1.2, CS.D must be
 * 0 for a 64-bit CS).  The rule and the manual's section are named.
 */
static int test_entry_failure_long(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, out80);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.cr0 = 0x80000011;			/* PG, ET, PE */
	s.cr4 = 0x20;				/* PAE */
	s.efer = 0x500;				/* LMA, LME */
	s.cr3 = 0;
	s.cs.l = 1;
	s.cs.db = 1;
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_SREGS, &s) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_FAIL_ENTRY);
	EXPECT(read_vcpu0(text, sizeof(text)) == 0);
	EXPECT(strstr(text, "last entry failure: EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D all set\n"));
	EXPECT(strstr(text, strstr(text, "backend: svm") ?
		      "entry failure rule from: AMD APM Vol. 2 15.5.1," :
		      "entry failure rule from: Intel SDM Vol. 3C 26.3.1,"));
	guest_destroy(&g);
	return TEST_PASS;
}
#endif

#ifdef __aarch64__
/*
 * EL2: a PSTATE that no exception return to the guest may take (Arm ARM
 * D1, "Illegal return events from AArch64 state"): M = EL2h.
 * KVM_SET_ONE_REG refuses it, as KVM does, so the test sets it through
 * hvx's fault-injection file vcpu0.pstate (arch/arm64/inspect.c); the
 * entry is refused with the rule named, not attempted.
 */
static int test_entry_failure_el2(const char *dev)
{
	char dir[256], path[300];
	struct guest g;
	int fd;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own debugfs files");
	GUEST_START(&g, dev, out80);
	EXPECT(vcpu_set_reg(&g.vcpu, REG_PSTATE, 0x3c9) == -EINVAL);
	EXPECT(vm_dir(dir, sizeof(dir)) == 0);
	snprintf(path, sizeof(path), "%s/vcpu0.pstate", dir);
	fd = open(path, O_WRONLY);
	EXPECT(fd >= 0);
	EXPECT(write(fd, "0x3c9", 5) == 5);
	close(fd);
	EXPECT_EXIT(&g, KVM_EXIT_FAIL_ENTRY);
	EXPECT(g.vcpu.run->fail_entry.hardware_entry_failure_reason == 0x3c9);
	EXPECT(read_vcpu0(text, sizeof(text)) == 0);
	EXPECT(strstr(text, "last entry failure: SPSR_EL2.M is EL2: the guest would run at hvx's own level\n"));
	EXPECT(strstr(text, "entry failure rule from: Arm ARM D1, Illegal return events from AArch64 state\n"));
	guest_destroy(&g);
	return TEST_PASS;
}
#endif

static const struct test_case cases[] = {
	{ "inspect_exit_state", test_exit_state },
	{ "inspect_busy", test_busy },
	{ "inspect_gone", test_gone },
#ifdef __x86_64__
	{ "inspect_entry_failure", test_entry_failure },
	{ "inspect_entry_failure_long", test_entry_failure_long },
#endif
#ifdef __aarch64__
	{ "inspect_entry_failure_el2", test_entry_failure_el2 },
#endif
};

TEST_MAIN(cases)

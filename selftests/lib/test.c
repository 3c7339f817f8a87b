// SPDX-License-Identifier: GPL-2.0
/*
 * hvx selftest harness: TAP output, the device loop, the guest helpers
 * every architecture shares (test-x86.c, test-arm64.c hold the rest).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/hvx.h>

#include "test.h"

#define TEST_TIMEOUT_S	60	/* per case; HVX_TEST_TIMEOUT overrides */

void test_diag(const char *file, int line, const char *what)
{
	if (errno)
		printf("# %s:%d: expected %s (errno %d: %s)\n", file, line,
		       what, errno, strerror(errno));
	else
		printf("# %s:%d: expected %s\n", file, line, what);
	fflush(stdout);
}

/*
 * Why the case running in this child skips: written by test_skip() in
 * the child, printed by the parent on the SKIP line.  Shared memory,
 * mapped before the first fork.
 */
static char *skip_why;
#define SKIP_WHY_LEN	200

int test_skip(const char *why)
{
	if (skip_why)
		snprintf(skip_why, SKIP_WHY_LEN, "%s", why);
	return TEST_SKIP;
}

/* A device is hvx's if it answers HVX_GET_INFO. */
int test_is_hvx(const char *dev)
{
	struct hvx_info info;
	int fd = open(dev, O_RDWR), r;

	if (fd < 0)
		return 0;
	r = ioctl(fd, HVX_GET_INFO, &info) == 0;
	close(fd);
	return r;
}

static const char *dev_label(const char *dev)
{
	return test_is_hvx(dev) ? "hvx" : "kvm";
}

/*
 * Each case runs in a child, so that a crash or a hang is one failed case.
 * The parent enforces the time limit with SIGCHLD and sigtimedwait(),
 * which leaves SIGALRM and ITIMER_REAL to the tests themselves.
 */
static int run_child(const struct test_case *tc, const char *dev)
{
	const char *env = getenv("HVX_TEST_TIMEOUT");
	struct timespec limit = { .tv_sec = TEST_TIMEOUT_S };
	sigset_t chld, old;
	int status;
	pid_t pid;

	if (env && atoi(env) > 0)
		limit.tv_sec = atoi(env);
	if (!skip_why) {
		skip_why = mmap(NULL, SKIP_WHY_LEN, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (skip_why == MAP_FAILED)
			skip_why = NULL;
	}
	if (skip_why)
		skip_why[0] = 0;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		/*
		 * The case dies with the program: the harness's time limit
		 * ends the program, and a case left running would hold its
		 * VMs (and on SVM the CPU's EFER.SVME) into the next one.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			exit(TEST_FAIL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = 0;
		exit(tc->fn(dev));
	}
	if (pid > 0 && sigtimedwait(&chld, NULL, &limit) < 0 &&
	    errno == EAGAIN) {
		printf("# time limit of %ld s: killed\n",
		       (long)limit.tv_sec);
		kill(pid, SIGKILL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return TEST_FAIL;
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d\n", WTERMSIG(status));
		return TEST_FAIL;
	}
	return WEXITSTATUS(status);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * SIGALRM after @usec microseconds (0: never), caught by a handler that
 * does nothing, so that a KVM_RUN in progress returns -EINTR: the way to
 * bound a guest that may never exit.
 */
static void arm_timer(long usec, long interval)
{
	struct itimerval t = {
		.it_value = { usec / 1000000, usec % 1000000 },
		.it_interval = { interval / 1000000, interval % 1000000 },
	};
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
}

void test_arm_timer(long usec)
{
	arm_timer(usec, 0);
}

/*
 * The same, then again every @usec until test_arm_timer(0): for a loop of
 * KVM_RUNs, where a signal that comes between two runs is spent there and
 * the next run would go on unbounded.
 */
void test_arm_timer_every(long usec)
{
	arm_timer(usec, usec);
}

/*
 * HVX_TEST_SKIP: case names, separated by spaces, that this machine cannot
 * run, each alone (on every device) or as NAME@hvx or NAME@kvm (on that
 * one); HVX_TEST_SKIP_WHY the reason, printed with each SKIP.
 */
static bool skipped_here(const char *name, const char *dev)
{
	const char *list = getenv("HVX_TEST_SKIP"), *p, *end;
	size_t len = strlen(name);

	for (p = list; p && (p = strstr(p, name)); p += len) {
		if (p != list && p[-1] != ' ')
			continue;
		end = p + len;
		if (*end == '@' && !strncmp(end + 1, dev_label(dev), 3))
			end += 4;
		if (!*end || *end == ' ')
			return true;
	}
	return false;
}

/* One case on one device, its TAP line; returns 1 if it failed. */
static int run_case(const struct test_case *tc, const char *dev, int *n)
{
	struct stat st;
	int r;

	++*n;
	if (skipped_here(tc->name, dev)) {
		const char *why = getenv("HVX_TEST_SKIP_WHY");

		printf("ok %d - %s [%s] # SKIP %s\n", *n, tc->name,
		       dev_label(dev), why ? why : "HVX_TEST_SKIP");
		return 0;
	}
	if (stat(dev, &st)) {
		printf("ok %d - %s [%s] # SKIP %s absent\n", *n, tc->name,
		       strstr(dev, "hvx") ? "hvx" : "kvm", dev);
		return 0;
	}
	if ((tc->flags & TEST_HVX_ONLY) && !test_is_hvx(dev)) {
		printf("ok %d - %s [%s] # SKIP hvx extension\n", *n,
		       tc->name, dev_label(dev));
		return 0;
	}
	r = run_child(tc, dev);
	if (r == TEST_SKIP)
		printf("ok %d - %s [%s] # SKIP%s%s\n", *n, tc->name,
		       dev_label(dev), skip_why && *skip_why ? " " : "",
		       skip_why ? skip_why : "");
	else
		printf("%sok %d - %s [%s]\n", r == TEST_PASS ? "" : "not ",
		       *n, tc->name, dev_label(dev));
	fflush(stdout);
	return r != TEST_PASS && r != TEST_SKIP;
}

/* The cases named by --case (all when none was). */
static char **only_cases;
static int nr_only_cases;

static bool case_chosen(const char *name)
{
	int i;

	for (i = 0; i < nr_only_cases; i++)
		if (!strcmp(only_cases[i], name))
			return true;
	return !nr_only_cases;
}

/*
 * The chosen cases on each device, one TAP stream; the exit status is 1
 * if any failed (kselftest's KSFT_FAIL), else 0.
 */
static int run_cases(const struct test_case *cases, int nr)
{
	const char *env = getenv("HVX_TEST_DEVICES");
	char devs[512], *save, *dev;
	int ndev = 0, nchosen = 0, n = 0, failed = 0, i;

	snprintf(devs, sizeof(devs), "%s", env ? env : "/dev/hvx /dev/kvm");
	for (dev = strtok_r(devs, " ", &save); dev;
	     dev = strtok_r(NULL, " ", &save))
		ndev++;
	for (i = 0; i < nr; i++)
		nchosen += case_chosen(cases[i].name);
	printf("TAP version 13\n1..%d\n", nchosen * ndev);
	for (i = 0; i < nr; i++) {
		if (!case_chosen(cases[i].name))
			continue;
		snprintf(devs, sizeof(devs), "%s",
			 env ? env : "/dev/hvx /dev/kvm");
		for (dev = strtok_r(devs, " ", &save); dev;
		     dev = strtok_r(NULL, " ", &save))
			failed |= run_case(&cases[i], dev, &n);
	}
	return failed;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--case NAME]... [--list] [--help]\n"
		"Runs this program's cases (or only those named) once per device in\n"
		"HVX_TEST_DEVICES (default \"/dev/hvx /dev/kvm\"), one TAP stream;\n"
		"exit status 1 if a case failed. selftests/README.md has the rest of\n"
		"the environment (HVX_TEST_TIMEOUT, HVX_TEST_SKIP, ...).\n", prog);
}

/* --case NAME (repeatable), --list, --help; a case name must exist. */
static void parse_args(const struct test_case *cases, int nr, int argc,
		       char **argv)
{
	int a, i;

	only_cases = calloc(argc, sizeof(*only_cases));
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout, argv[0]);
			exit(0);
		} else if (!strcmp(argv[a], "--list")) {
			for (i = 0; i < nr; i++)
				printf("%s\n", cases[i].name);
			exit(0);
		} else if (!strcmp(argv[a], "--case") && a + 1 < argc &&
			   only_cases) {
			only_cases[nr_only_cases++] = argv[++a];
		} else {
			usage(stderr, argv[0]);
			exit(2);
		}
	}
	for (a = 0; a < nr_only_cases; a++) {
		for (i = 0; i < nr && strcmp(cases[i].name, only_cases[a]); i++)
			;
		if (i == nr) {
			fprintf(stderr, "%s: no case %s (--list names them)\n",
				argv[0], only_cases[a]);
			exit(2);
		}
	}
}

int test_main(const struct test_case *cases, int nr)
{
	return run_cases(cases, nr);
}

int test_main_args(const struct test_case *cases, int nr, int argc,
		   char **argv)
{
	parse_args(cases, nr, argc, argv);
	return run_cases(cases, nr);
}

/*
 * No cases of the architecture's own, unless its file of the program
 * defines them with TEST_ARCH_CASES(): those definitions are strong and
 * take the place of these weak ones at link time.
 */
__attribute__((weak)) const struct test_case *const test_arch_cases;
__attribute__((weak)) const int test_nr_arch_cases;

/* The shared cases, then those of the architecture's file, if any. */
int test_main_shared(const struct test_case *cases, int nr, int argc,
		     char **argv)
{
	int narch = test_nr_arch_cases;
	struct test_case *all = calloc(nr + narch, sizeof(*all));

	if (!all)
		return 1;
	memcpy(all, cases, nr * sizeof(*all));
	if (narch)
		memcpy(all + nr, test_arch_cases, narch * sizeof(*all));
	return test_main_args(all, nr + narch, argc, argv);
}

int test_hvx_no_leaks(const char *dev)
{
	struct hvx_info info;
	int fd = open(dev, O_RDWR);

	EXPECT(fd >= 0);
	EXPECT(ioctl(fd, HVX_GET_INFO, &info) == 0);
	printf("# vms %llu vcpus %llu pinned %llu table pages %llu\n",
	       (unsigned long long)info.vms, (unsigned long long)info.vcpus,
	       (unsigned long long)info.pinned_pages,
	       (unsigned long long)info.table_pages);
	EXPECT(info.vms == 0 && info.vcpus == 0 && info.pinned_pages == 0);
	EXPECT(info.table_pages == 0);
	close(fd);
	return TEST_PASS;
}

int guest_open(struct guest *g, const char *dev, enum guest_mode mode,
	       const unsigned char *start)
{
	g->mode = mode;
	g->code = start;
	g->ucall_arg = 0;
	return vm_open(&g->vm, dev, GUEST_MIN_MEM);
}

int guest_start(struct guest *g, const unsigned char *end)
{
	int r = vcpu_create(&g->vm, &g->vcpu, 0);

	if (!r)
		r = guest_arch_setup(g);
	if (!r)
		r = vm_load(&g->vm, GUEST_CODE_GPA, g->code, end - g->code);
	if (!r)
		r = vcpu_setup_mode(&g->vcpu, g->mode, GUEST_CODE_GPA,
				    GUEST_STACK_TOP);
	return r;
}

int guest_create(struct guest *g, const char *dev, enum guest_mode mode,
		 const unsigned char *start, const unsigned char *end)
{
	int r = guest_open(g, dev, mode, start);

	return r ? r : guest_start(g, end);
}

void guest_destroy(struct guest *g)
{
	vcpu_close(&g->vcpu);
	vm_close(&g->vm);
}

int guest_run(struct guest *g)
{
	return vcpu_run(&g->vcpu);
}

static const char *system_event_name(uint32_t type)
{
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return "shutdown";
	case KVM_SYSTEM_EVENT_RESET:
		return "reset";
	case KVM_SYSTEM_EVENT_CRASH:
		return "crash";
	}
	return "other";
}

/* Say what a KVM_RUN that returned @r did, for a failed expectation. */
void guest_describe_exit(struct guest *g, int r, const char *wanted)
{
	struct kvm_run *run = g->vcpu.run;

	if (r < 0) {
		printf("# KVM_RUN: %s, wanted %s\n", strerror(-r), wanted);
		return;
	}
	printf("# exit %d (%s), wanted %s", r, exit_reason_name(r), wanted);
	switch (r) {
	case KVM_EXIT_IO:
		printf(": %s port %#x size %d count %u",
		       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		       run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		printf(": %s %#llx len %u",
		       run->mmio.is_write ? "write" : "read",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		printf(": reason %#llx", (unsigned long long)
		       run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		printf(": suberror %u", run->internal.suberror);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		printf(": type %u (%s)", run->system_event.type,
		       system_event_name(run->system_event.type));
		break;
	}
	printf("\n");
}

int guest_expect_exit(struct guest *g, int reason)
{
	int r = guest_run(g);

	if (r == reason)
		return 1;
	guest_describe_exit(g, r, reason < 0 ? strerror(-reason) :
			    exit_reason_name(reason));
	return 0;
}

int guest_expect_mmio(struct guest *g, uint64_t gpa, int write, int len,
		      uint64_t data)
{
	struct kvm_run *run = g->vcpu.run;
	uint64_t got = 0;
	int r = guest_run(g);

	if (r != KVM_EXIT_MMIO) {
		guest_describe_exit(g, r, "mmio");
		return 0;
	}
	memcpy(&got, run->mmio.data, run->mmio.len);
	if (run->mmio.phys_addr != gpa || run->mmio.is_write != write ||
	    (int)run->mmio.len != len || (write && got != data)) {
		printf("# mmio %#llx w%d len %u data %#llx, wanted %#llx w%d len %d data %#llx\n",
		       (unsigned long long)run->mmio.phys_addr,
		       run->mmio.is_write, run->mmio.len,
		       (unsigned long long)got, (unsigned long long)gpa,
		       write, len, (unsigned long long)data);
		return 0;
	}
	if (!write)
		memcpy(run->mmio.data, &data, sizeof(data));
	return 1;
}

int guest_expect_ucall(struct guest *g, int code, uint32_t arg,
		       const char *file)
{
	int r = guest_ucall(g, file);

	if (r == code && g->ucall_arg == arg)
		return 1;
	if (r >= 0 && r != UCALL_ASSERT)
		printf("# ucall %#x arg %u, wanted %#x arg %u\n", r,
		       g->ucall_arg, code, arg);
	return 0;
}

/* An eventfd's count since the last read (0 if none: EFD_NONBLOCK). */
uint64_t eventfd_count(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * robust_test: what a careless or hostile caller or guest can do.  Each
 * case passes if the host survives it with clean errors; the harness
 * fails the run on any kernel warning, and the module must still unload.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/hvx.h>

#include "../lib/test.h"

/* A guest that keeps writing its memory while the process unmaps it. */
/* IF set for Bochs: see the spin guest in common/exit_test.c. */
GUEST_CODE_X86(writer, GUEST_REAL, ".code16",
	"sti\n 1: incw (0x3000)\n jmp 1b\n");
GUEST_CODE_ARM64(writer, GUEST_EL1,
	"mov x0, #0x3000\n"
	"1: ldr w1, [x0]\n add w1, w1, #1\n str w1, [x0]\n b 1b\n");

/*
 * What KVM_RUN may answer once the guest's memory is gone: KVM on SVM
 * says -EFAULT; an exit that stops the guest is accepted too (KVM with a
 * software MMU reports an internal error or a shutdown).  Spinning on
 * until the timer fires (-EINTR) is not.
 */
static int lost_memory_ok(int r)
{
	printf("# KVM_RUN: %d (%s)\n", r, r < 0 ? strerror(-r) :
	       exit_reason_name(r));
	return r == -EFAULT || r == KVM_EXIT_INTERNAL_ERROR ||
	       r == KVM_EXIT_MMIO || r == KVM_EXIT_SHUTDOWN;
}

static void *unmap_later(void *arg)
{
	struct vm *vm = arg;

	usleep(200000);
	munmap(vm->mem, vm->mem_size);
	return NULL;
}

static int test_munmap_while_running(const char *dev)
{
	struct guest g;
	pthread_t t;
	int r;

	GUEST_START(&g, dev, writer);
	EXPECT(!pthread_create(&t, NULL, unmap_later, &g.vm));
	test_arm_timer(5000000);
	r = guest_run(&g);
	pthread_join(t, NULL);
	g.vm.mem = NULL;
	/* The guest lost its memory: KVM_RUN stops, it does not spin on. */
	EXPECT(lost_memory_ok(r));
	return TEST_PASS;
}

static int test_unmapped_before_run(const char *dev)
{
	struct guest g;

	GUEST_START(&g, dev, writer);
	EXPECT(munmap(g.vm.mem, g.vm.mem_size) == 0);
	g.vm.mem = NULL;
	test_arm_timer(5000000);
	EXPECT(lost_memory_ok(guest_run(&g)));
	return TEST_PASS;
}

/* Close the fds in the "wrong" order; the run page outlives its fd. */
GUEST_CODE_X86(outhlt, GUEST_REAL, ".code16", "out %al, $0x10\n hlt\n");
GUEST_CODE_ARM64(outhlt, GUEST_EL1, GUEST_OUT(0x10, "strb", "w0") GUEST_HALT);

static int test_close_order(const char *dev)
{
	struct guest g;
	struct kvm_run *run;

	GUEST_START(&g, dev, outhlt);
	run = g.vcpu.run;
	EXPECT(close(g.vm.sys_fd) == 0);
	EXPECT(close(g.vm.fd) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 1));
	EXPECT(close(g.vcpu.fd) == 0);
	EXPECT(vcpu_exit_is_port(&g.vcpu, run->exit_reason, PORT_OUT, 0x10));
	EXPECT(munmap(g.vm.mem, g.vm.mem_size) == 0);
	EXPECT(munmap(run, g.vm.run_size) == 0);
	return TEST_PASS;
}

GUEST_CODE_X86(spin, GUEST_REAL, ".code16", "sti\n 1: jmp 1b\n");
GUEST_CODE_ARM64(spin, GUEST_EL1, "b .\n");

/* SIGKILL in the middle of KVM_RUN. */
static int test_kill_in_run(const char *dev)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		struct guest g;

		if (guest_create(&g, dev, spin_mode, spin_start, spin_end))
			_exit(3);
		guest_run(&g);
		_exit(4);
	}
	EXPECT(pid > 0);
	usleep(300000);
	EXPECT(kill(pid, SIGKILL) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return TEST_PASS;
}

/* A thread exits the process while another is in KVM_RUN. */
static void *exit_soon(void *arg)
{
	(void)arg;
	usleep(200000);
	_exit(0);
}

static int test_exit_in_run(const char *dev)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		struct guest g;
		pthread_t t;

		if (guest_create(&g, dev, spin_mode, spin_start, spin_end))
			_exit(3);
		pthread_create(&t, NULL, exit_soon, NULL);
		guest_run(&g);
		_exit(4);
	}
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return TEST_PASS;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random ioctl numbers and arguments on every kind of fd.  Arguments are
 * small numbers or pointers to random bytes: never a pointer that could
 * make a correct kernel misbehave.  KVM_RUN is issued with immediate_exit
 * set so that it returns at once.
 */
static int test_random_ioctls(const char *dev)
{
	static uint8_t buf[8192];
	const char *env = getenv("HVX_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) :
				0x5eed0000ull + (uint64_t)getpid();
	struct guest g;
	int fds[3], i, j;

	GUEST_START(&g, dev, spin);
	printf("# seed %#llx\n", (unsigned long long)seed);
	fds[0] = g.vm.sys_fd;
	fds[1] = g.vm.fd;
	fds[2] = g.vcpu.fd;
	for (i = 0; i < 3000; i++) {
		uint64_t r = xorshift(&seed);
		unsigned int nr = r & 0xff, dir = (r >> 8) & 3;
		unsigned int size = (r >> 10) & 0x3ff;
		unsigned long cmd = _IOC(dir, KVMIO, nr, size);
		int fd = fds[(r >> 24) % 3];
		long ret;

		if (nr == 0x01 || nr == 0x41 || nr == 0x80 || nr >= 0xe0)
			continue;	/* CREATE_VM/VCPU, RUN: see below */
		for (j = 0; j < (int)sizeof(buf); j += 8)
			*(uint64_t *)(buf + j) = xorshift(&seed);
		ret = ioctl(fd, cmd, (r >> 40) & 1 ? (unsigned long)buf :
			    (r >> 41) & 0xff);
		(void)ret;
		g.vcpu.run->immediate_exit = 1;
		ioctl(g.vcpu.fd, KVM_RUN, 0);
	}
	return TEST_PASS;
}

/*
 * A guest that executes random bytes (real mode on x86, EL1 with the MMU
 * off on arm64), for several seeds, with a time limit per run; port I/O
 * and MMIO exits are answered and the guest resumed.
 */
static int run_random_guest(const char *dev, uint64_t seed)
{
	struct guest g;
	uint8_t *code;
	int i, r = 0;

	GUEST_START(&g, dev, spin);
	code = vm_gpa(&g.vm, 0);
	for (i = 0; i < 0x10000; i++)
		code[i] = xorshift(&seed);
#if defined(__x86_64__)
	code[GUEST_CODE_GPA] = 0xfb;	/* STI, for Bochs: see exit_test.c */
#endif
	test_arm_timer_every(300000);
	for (i = 0; i < 300; i++) {
		r = guest_run(&g);
		if (r != KVM_EXIT_IO && r != KVM_EXIT_MMIO)
			break;
	}
	test_arm_timer(0);
	printf("# seed %#llx: %s after %d exits\n", (unsigned long long)seed,
	       r < 0 ? strerror(-r) : exit_reason_name(r), i);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_random_guest(const char *dev)
{
	uint64_t seed;

	for (seed = 1; seed <= 8; seed++)
		EXPECT(run_random_guest(dev, seed * 0x9e3779b97f4a7c15ull) ==
		       TEST_PASS);
	return TEST_PASS;
}

/*
 * Runs last: every VM, vCPU, pinned page and stage-2 table of the cases
 * above is gone.
 */
static int test_no_leaks(const char *dev)
{
	return test_hvx_no_leaks(dev);
}

static const struct test_case cases[] = {
	{ "munmap_while_running", test_munmap_while_running },
	{ "unmapped_before_run", test_unmapped_before_run },
	{ "close_order", test_close_order },
	{ "kill_in_run", test_kill_in_run },
	{ "exit_in_run", test_exit_in_run },
	{ "random_ioctls", test_random_ioctls },
	{ "random_guest", test_random_guest },
	{ "no_leaks", test_no_leaks, TEST_HVX_ONLY },
};

TEST_MAIN_SHARED(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * state_test, shared cases: KVM_SET_SIGNAL_MASK (api.rst), the signal
 * mask in force while the vCPU is in KVM_RUN.  The architecture's file
 * adds its own vCPU state ioctls (x86: selftests/x86/state_test.c).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "../lib/test.h"

/*
 * struct kvm_signal_mask: @len, then right after it (offset 4) the mask
 * as the kernel's sigset_t, a bit per signal.
 */
static int set_sigmask(struct guest *g, uint32_t len, uint64_t set)
{
	uint8_t buf[sizeof(struct kvm_signal_mask) + 16] = { 0 };
	struct kvm_signal_mask *m = (struct kvm_signal_mask *)buf;

	m->len = len;
	memcpy(m->sigset, &set, sizeof(set));
	return ioctl(g->vcpu.fd, KVM_SET_SIGNAL_MASK, buf);
}

static uint64_t sigbit(int sig)
{
	return 1ull << (sig - 1);
}

GUEST_CODE_X86(spin, GUEST_REAL, ".code16", "sti\n 1: jmp 1b\n");
GUEST_CODE_ARM64(spin, GUEST_EL1, "1: b 1b\n");

/* Set by the handlers; read after the ioctl or usleep() call that let them run. */
static sig_atomic_t usr1_seen, alrm_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

static void on_alrm(int sig)
{
	(void)sig;
	alrm_seen = 1;
}

struct kick {
	pthread_t vcpu_thread;
	long usec;
	int sig;
};

static void *kick_later(void *arg)
{
	struct kick *k = arg;

	usleep(k->usec);
	pthread_kill(k->vcpu_thread, k->sig);
	return NULL;
}

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * KVM_RUN of a spinning guest with SIGUSR1 blocked by the vCPU's mask
 * (the thread's own mask lets it through): SIGUSR1 at 50 ms does not end
 * KVM_RUN, SIGALRM at 300 ms does (-EINTR); both handlers have run once
 * the ioctl is back, under the thread's own mask.  Then a NULL mask
 * drops it: SIGUSR1 ends KVM_RUN again.
 */
static int run_with_kicks(struct guest *g, int first, long first_usec,
			  int second, long second_usec, double *took)
{
	struct kick k1 = { pthread_self(), first_usec, first };
	struct kick k2 = { pthread_self(), second_usec, second };
	struct timespec t0;
	pthread_t t1, t2;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&t1, NULL, kick_later, &k1) ||
	    pthread_create(&t2, NULL, kick_later, &k2))
		return -EAGAIN;
	r = guest_run(g);
	*took = since(&t0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	return r;
}

static int test_signal_mask(const char *dev)
{
	struct sigaction su = { .sa_handler = on_usr1 };
	struct sigaction sa = { .sa_handler = on_alrm };
	sigset_t none;
	struct guest g;
	double took;

	GUEST_START(&g, dev, spin);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGUSR1, &su, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* len is the kernel's sigset_t size, 8 bytes; anything else EINVAL. */
	EXPECT_ERRNO(set_sigmask(&g, 4, sigbit(SIGUSR1)), EINVAL);
	EXPECT_ERRNO(set_sigmask(&g, 16, sigbit(SIGUSR1)), EINVAL);
	EXPECT_ERRNO(set_sigmask(&g, 128, sigbit(SIGUSR1)), EINVAL);
	EXPECT(set_sigmask(&g, 8, sigbit(SIGUSR1)) == 0);

	EXPECT(run_with_kicks(&g, SIGUSR1, 50000, SIGALRM, 300000,
			      &took) == -EINTR);
	printf("# KVM_RUN with SIGUSR1 masked: %.3f s\n", took);
	EXPECT(took >= 0.25);
	EXPECT(usr1_seen && alrm_seen);

	/* A NULL mask drops it: SIGUSR1 ends KVM_RUN again. */
	usr1_seen = alrm_seen = 0;
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_SIGNAL_MASK, NULL) == 0);
	EXPECT(run_with_kicks(&g, SIGUSR1, 50000, SIGALRM, 300000,
			      &took) == -EINTR);
	printf("# KVM_RUN without the mask: %.3f s\n", took);
	EXPECT(took < 0.25 && usr1_seen);
	/* The SIGALRM that follows must find the thread outside KVM_RUN. */
	usleep(300000);
	EXPECT(alrm_seen);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The mask blocks only inside KVM_RUN: a signal it names, sent while the
 * thread is outside, is delivered at once; and SIGKILL cannot be masked
 * (sigprocmask semantics), which a forked VMM killed in KVM_RUN shows.
 */
static int test_signal_mask_kill(const char *dev)
{
	struct guest g;
	int status;
	pid_t pid;

	pid = fork();
	EXPECT(pid >= 0);
	if (!pid) {
		if (guest_create(&g, dev, spin_mode, spin_start, spin_end))
			_exit(2);
		if (set_sigmask(&g, 8, ~0ull))
			_exit(3);
		guest_run(&g);
		_exit(4);
	}
	usleep(300000);
	kill(pid, SIGKILL);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "signal_mask", test_signal_mask },
	{ "signal_mask_sigkill", test_signal_mask_kill },
};

TEST_MAIN_SHARED(cases);

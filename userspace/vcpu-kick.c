// SPDX-License-Identifier: GPL-2.0
/* The kick signal of the `hvx run --kernel` machines: vcpu-kick.h. */
#include <stdio.h>
#include <time.h>

#include "vcpu-kick.h"

volatile sig_atomic_t vcpu_stop_signal;
static __thread struct kvm_run *volatile kick_run;

static void kick_handler(int sig)
{
	struct kvm_run *run = kick_run;

	if (sig != SIGUSR1)
		vcpu_stop_signal = sig;
	if (run)
		run->immediate_exit = 1;
}

int vcpu_kick_install(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: the kick must end KVM_RUN with EINTR. */
	sigemptyset(&sa.sa_mask);
	vcpu_stop_signal = 0;
	return sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	       sigaction(SIGTERM, &sa, NULL);
}

void vcpu_kick_set_run(struct kvm_run *run)
{
	kick_run = run;
}

uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

void stdout_byte(void *ctx, uint8_t b)
{
	(void)ctx;
	putchar(b);
}

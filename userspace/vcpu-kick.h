/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signal that takes a vCPU thread out of KVM_RUN, shared by the
 * machines of `hvx run --kernel` (run-linux.c, virt/machine.c).
 *
 * api.rst, "immediate_exit": a signal that arrives while the thread is in
 * KVM_RUN ends it with EINTR; one that arrives just before the call would
 * be missed, so the handler also sets the run area's immediate_exit, and
 * KVM_RUN then returns EINTR at once.
 */
#ifndef HVX_VCPU_KICK_H
#define HVX_VCPU_KICK_H

#include <signal.h>
#include <stdint.h>
#include <linux/kvm.h>

/* SIGINT or SIGTERM seen by vcpu_kick_install()'s handler, else 0. */
extern volatile sig_atomic_t vcpu_stop_signal;

/* SIGUSR1 kicks a vCPU thread; SIGINT and SIGTERM stop the run too. */
int vcpu_kick_install(void);
/* The run area of the vCPU this thread runs (NULL: none). */
void vcpu_kick_set_run(struct kvm_run *run);

uint64_t now_ns(void);
/* A console's output callback that writes to stdout. */
void stdout_byte(void *ctx, uint8_t b);

#endif

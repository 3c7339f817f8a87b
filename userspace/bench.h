/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx bench: between the architecture-neutral part (bench.c: rounds,
 * medians, the report) and each architecture's guests and exits
 * (bench-x86.c, bench-arm64.c), which fill bench_arch.
 */
#ifndef HVX_BENCH_H
#define HVX_BENCH_H

#include "lib/vmlib.h"

#define IO_EXITS	300	/* user-space round trips per sample */
#define KERNEL_EXITS	1000	/* in-kernel exits per sample, then one more */
#define CREATES		3	/* VM creations per sample */

/*
 * The dirty-log round: a logged slot of DIRTY_SIZE bytes at DIRTY_GPA
 * (plain numbers, for the guests' assembly; DIRTY_END is their sum).
 */
#define DIRTY_GPA	0x40000000
#define DIRTY_END	0x50000000
#define DIRTY_SIZE	(256u << 20)

struct bench_vm {
	struct vm vm;
	struct vcpu vcpu;
};

struct bench_extra {
	const char *name, *what;
	int (*fn)(const char *dev, double *us);
};

#define BENCH_MAX_EXTRA	2

struct bench_arch {
	const char *help;		/* hvx bench --help */
	/*
	 * A round trip to user space, the guest's "tick" exit, and an exit
	 * the kernel handles itself, KERNEL_EXITS per sample: the metric's
	 * name, what it is, what one sample counts ("I/O exits").
	 */
	const char *user_exit_name, *user_exit_what, *user_exits;
	const char *kernel_exit_name, *kernel_exit_what, *kernel_exits;
	int (*kernel_exit)(const char *dev, double *us);
	/* The tick guest: one tick exit per KVM_RUN, forever. */
	int mode;
	const unsigned char *tick, *tick_end;
	/* Whether exit @r (KVM_RUN's return) is the tick. */
	int (*is_tick)(struct bench_vm *b, int r);
	/*
	 * The dirty guest, in @dirty_mode: stores to each page of
	 * [DIRTY_GPA, DIRTY_END) in turn, then ticks; forever.
	 */
	int dirty_mode;
	const unsigned char *dirty, *dirty_end;
	/* The architecture's own metrics (x86: APIC timer, IPI), at most 2. */
	const struct bench_extra *extra;
	int nr_extra;
};

extern const struct bench_arch bench_arch;

double bench_now_us(void);
int bench_open(struct bench_vm *b, const char *dev, int mode,
	       const unsigned char *code, const unsigned char *end);
/* bench_open() with @setup(vm) between the VM's creation and its vCPU's. */
int bench_open_with(struct bench_vm *b, const char *dev, int mode,
		    const unsigned char *code, const unsigned char *end,
		    int (*setup)(struct vm *vm));
void bench_close(struct bench_vm *b);
/* One KVM_RUN that must end in an exit @ok() accepts: 0 or -errno. */
int bench_run_to(struct bench_vm *b,
		 int (*ok)(struct bench_vm *b, int r));
/*
 * Two passes of the guest up to an exit @ok() accepts, the first untimed
 * (it faults the pages in); *us is the second's time divided by @per.
 */
int bench_warm_timed(struct bench_vm *b, int (*ok)(struct bench_vm *b, int r),
		     double per, double *us);

#endif /* HVX_BENCH_H */

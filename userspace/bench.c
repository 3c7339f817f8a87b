// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench: hvx against KVM, alternately, in one process and one boot.
 *
 * Each round takes one sample on each device, in an order that swaps every
 * round, so that slow drift of the machine (an emulator's translation
 * caches, host load) touches both alike; the medians over the rounds are
 * compared.  Under software emulation one exit costs about 100 us, so the
 * counts in bench.h keep a default run to a few seconds there.
 *
 * Only one hypervisor can own AMD-V or VT-x at a time and both hvx and KVM
 * take it with their first VM and give it back with their last, so every
 * sample closes its VM before the other device is asked for one.
 *
 * Four metrics on every architecture: a round trip to user space (the
 * guest's "tick", an OUT on x86, an MMIO store on arm64), an exit the
 * kernel handles itself (CPUID, a PSCI call), the time from opening the
 * device to the guest's first tick, and one round of dirty-page logging
 * on a 256 MiB slot.  bench-$(ARCH).c has the guests.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "hvx.h"
#include "linux.h"

#define DEFAULT_ROUNDS	9
#define MAX_ROUNDS	64

/*
 * One sample takes well under a second even under software emulation; a
 * sample still running after this long has a guest that never reaches its
 * exit (a hypervisor bug, a hung vCPU), and must not hang the whole bench.
 */
#define SAMPLE_TIMEOUT_S	30

/* The exit reason of the last sample that stopped the wrong way. */
static int bench_bad_exit;

double bench_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int bench_open_with(struct bench_vm *b, const char *dev, int mode,
		    const unsigned char *code, const unsigned char *end,
		    int (*setup)(struct vm *vm))
{
	int r = vm_open(&b->vm, dev, GUEST_MIN_MEM);

	if (r)
		return r;
	r = setup ? setup(&b->vm) : 0;
	if (!r)
		r = vcpu_create(&b->vm, &b->vcpu, 0);
	if (r) {
		vm_close(&b->vm);
		return r;
	}
	r = vm_load(&b->vm, GUEST_CODE_GPA, code, end - code);
	if (!r)
		r = vcpu_setup_mode(&b->vcpu, mode, GUEST_CODE_GPA,
				    GUEST_STACK_TOP);
	if (r) {
		vcpu_close(&b->vcpu);
		vm_close(&b->vm);
	}
	return r;
}

int bench_open(struct bench_vm *b, const char *dev, int mode,
	       const unsigned char *code, const unsigned char *end)
{
	return bench_open_with(b, dev, mode, code, end, NULL);
}

void bench_close(struct bench_vm *b)
{
	vcpu_close(&b->vcpu);
	vm_close(&b->vm);
}

int bench_run_to(struct bench_vm *b,
		 int (*ok)(struct bench_vm *b, int r))
{
	int r = vcpu_run(&b->vcpu);

	if (r < 0)
		return r;
	if (!ok(b, r)) {
		bench_bad_exit = r;
		return -EPROTO;
	}
	return 0;
}

int bench_warm_timed(struct bench_vm *b, int (*ok)(struct bench_vm *b, int r),
		     double per, double *us)
{
	double t0;
	int r = bench_run_to(b, ok);

	t0 = bench_now_us();
	if (!r)
		r = bench_run_to(b, ok);
	*us = (bench_now_us() - t0) / per;
	return r;
}

static int bench_open_tick(struct bench_vm *b, const char *dev)
{
	return bench_open(b, dev, bench_arch.mode, bench_arch.tick,
			  bench_arch.tick_end);
}

/* Microseconds per round trip to user space. */
static int bench_user_exit(const char *dev, double *us)
{
	struct bench_vm b;
	double t0;
	int i, r;

	r = bench_open_tick(&b, dev);
	if (r)
		return r;
	/* Untimed: the first run faults the code page in. */
	r = bench_run_to(&b, bench_arch.is_tick);
	t0 = bench_now_us();
	for (i = 0; i < IO_EXITS && !r; i++)
		r = bench_run_to(&b, bench_arch.is_tick);
	*us = (bench_now_us() - t0) / IO_EXITS;
	bench_close(&b);
	return r;
}

/* Microseconds from opening the device to the guest's first exit. */
static int bench_create(const char *dev, double *us)
{
	double t0, total = 0;
	struct bench_vm b;
	int i, r;

	for (i = 0; i < CREATES; i++) {
		t0 = bench_now_us();
		r = bench_open_tick(&b, dev);
		if (r)
			return r;
		r = bench_run_to(&b, bench_arch.is_tick);
		total += bench_now_us() - t0;
		/* Not timed: closing is not part of getting a guest going. */
		bench_close(&b);
		if (r)
			return r;
	}
	*us = total / CREATES;
	return 0;
}

#define DIRTY_PAGES	(DIRTY_SIZE / 4096)
#define DIRTY_ROUNDS	3	/* each sample takes seconds under emulation */
#define DIRTY_TIMEOUT_S	120

/* A KVM_GET_DIRTY_LOG that must name every page of the slot. */
static int bench_get_full_log(struct bench_vm *b, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = bitmap };
	size_t i;

	if (ioctl(b->vm.fd, KVM_GET_DIRTY_LOG, &log))
		return -errno;
	for (i = 0; i < DIRTY_PAGES / 64; i++)
		if (bitmap[i] != ~0ull) {
			printf("# dirty log word %zu: %#llx, not every page\n",
			       i, (unsigned long long)bitmap[i]);
			return -EIO;
		}
	return 0;
}

/* The guest writes every page once, then its log is taken. */
static int bench_dirty_pass(struct bench_vm *b, uint64_t *bitmap)
{
	int r = bench_run_to(b, bench_arch.is_tick);

	return r ? r : bench_get_full_log(b, bitmap);
}

/*
 * Microseconds for one round of dirty-page logging on a DIRTY_SIZE slot:
 * the guest stores to every page, each store faulting once since the page
 * is write-protected, then KVM_GET_DIRTY_LOG returns the log (checked:
 * every page) and write-protects the pages again.  The first round, which
 * also faults the pages in, is not timed.
 */
static int bench_dirty_round(const char *dev, double *us)
{
	static uint64_t bitmap[DIRTY_PAGES / 64];
	struct kvm_userspace_memory_region region = {
		.slot = 1, .flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = DIRTY_GPA, .memory_size = DIRTY_SIZE,
	};
	struct bench_vm b;
	void *mem;
	double t0;
	int r;

	mem = mmap(NULL, DIRTY_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	r = bench_open(&b, dev, bench_arch.dirty_mode, bench_arch.dirty,
		       bench_arch.dirty_end);
	if (r)
		goto unmap;
	region.userspace_addr = (uintptr_t)mem;
	r = ioctl(b.vm.fd, KVM_SET_USER_MEMORY_REGION, &region) ? -errno : 0;
	if (!r)
		r = bench_dirty_pass(&b, bitmap);
	t0 = bench_now_us();
	if (!r)
		r = bench_dirty_pass(&b, bitmap);
	*us = bench_now_us() - t0;
	bench_close(&b);
unmap:
	munmap(mem, DIRTY_SIZE);
	return r;
}

struct metric {
	const char *name;
	const char *what;
	int (*fn)(const char *dev, double *us);
	int max_rounds;		/* 0: as many as asked for */
	unsigned int timeout_s;	/* 0: SAMPLE_TIMEOUT_S */
};

#define NR_METRICS	(4 + BENCH_MAX_EXTRA)	/* with bench_arch's own */

static size_t init_metrics(struct metric *m)
{
	int i;

	m[0] = (struct metric) { .name = bench_arch.user_exit_name,
				 .what = bench_arch.user_exit_what,
				 .fn = bench_user_exit };
	m[1] = (struct metric) { .name = bench_arch.kernel_exit_name,
				 .what = bench_arch.kernel_exit_what,
				 .fn = bench_arch.kernel_exit };
	m[2] = (struct metric) { .name = "create_to_first_exit_us",
				 .what = "VM + vCPU creation to first exit",
				 .fn = bench_create };
	m[3] = (struct metric) { .name = "dirty_log_round_us",
				 .what = "dirty 256 MiB + KVM_GET_DIRTY_LOG",
				 .fn = bench_dirty_round,
				 .max_rounds = DIRTY_ROUNDS,
				 .timeout_s = DIRTY_TIMEOUT_S };
	for (i = 0; i < bench_arch.nr_extra && i < BENCH_MAX_EXTRA; i++)
		m[4 + i] = (struct metric) { .name = bench_arch.extra[i].name,
					     .what = bench_arch.extra[i].what,
					     .fn = bench_arch.extra[i].fn };
	return 4 + i;
}

/* Medians of one metric; a negative value: no sample. */
struct result {
	double med[2];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * SIGALRM ends a stuck KVM_RUN: the handler does nothing, and without
 * SA_RESTART the ioctl returns -EINTR instead of being restarted (both
 * KVM and hvx check for a pending signal before every guest entry).
 */
static void bench_alarm(int sig)
{
	(void)sig;
}

static void bench_init_watchdog(void)
{
	struct sigaction sa = { .sa_handler = bench_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* One sample of @m on @dev, abandoned after SAMPLE_TIMEOUT_S. */
static int run_sample(const struct metric *m, const char *dev, double *us)
{
	int r;

	alarm(m->timeout_s ? m->timeout_s : SAMPLE_TIMEOUT_S);
	r = m->fn(dev, us);
	alarm(0);
	return r;
}

static void report_failure(const struct metric *m, const char *dev, int r)
{
	if (r == -EINTR)
		printf("# %s on %s: no result after %u s, sample abandoned (guest or vCPU stuck?)\n",
		       m->name, dev,
		       m->timeout_s ? m->timeout_s : SAMPLE_TIMEOUT_S);
	else if (r == -EPROTO)
		printf("# %s on %s: the guest stopped with exit %d (%s), not its OUT\n",
		       m->name, dev, bench_bad_exit,
		       exit_reason_name(bench_bad_exit));
	else
		printf("# %s on %s: %s\n", m->name, dev, strerror(-r));
}

/*
 * Round 0 is a warm-up whose samples are dropped; rounds 1..@rounds are
 * kept.  A device that fails a sample is reported once and left out of
 * the later rounds of this metric.
 */
static void run_metric(const struct metric *m, const char *devs[2],
		       int rounds, struct result *res)
{
	const char *dev[2] = { devs[0], devs[1] };
	double v[2][MAX_ROUNDS], t;
	int i, k, d, r, n[2] = { 0, 0 };

	if (m->max_rounds && rounds > m->max_rounds)
		rounds = m->max_rounds;
	for (i = 0; i <= rounds; i++) {
		for (k = 0; k < 2; k++) {
			d = (i & 1) ? 1 - k : k;
			if (!dev[d])
				continue;
			r = run_sample(m, dev[d], &t);
			if (r) {
				report_failure(m, dev[d], r);
				dev[d] = NULL;
			} else if (i > 0) {
				v[d][n[d]++] = t;
			}
		}
	}
	for (d = 0; d < 2; d++)
		res->med[d] = n[d] ? median(v[d], n[d]) : -1;
}

static void print_us(double us)
{
	if (us < 0)
		printf(" %10s", "n/a");
	else
		printf(" %10.2f", us);
}

static void print_row(const struct metric *m, const struct result *res)
{
	printf("%-36s", m->what);
	print_us(res->med[0]);
	print_us(res->med[1]);
	if (res->med[0] > 0 && res->med[1] > 0)
		printf(" %8.2f\n", res->med[0] / res->med[1]);
	else
		printf(" %8s\n", "n/a");
	fflush(stdout);
}

static void print_machine_line(const struct metric *m,
			       const struct result *res)
{
	int d;

	printf("bench %s", m->name);
	for (d = 0; d < 2; d++) {
		printf(" %s=", d ? "kvm" : "hvx");
		if (res->med[d] < 0)
			printf("n/a");
		else
			printf("%.2f", res->med[d]);
	}
	if (res->med[0] > 0 && res->med[1] > 0)
		printf(" ratio=%.3f\n", res->med[0] / res->med[1]);
	else
		printf(" ratio=unavailable\n");
}

static int device_present(const char *dev)
{
	struct stat st;

	return !stat(dev, &st);
}

static int parse_bench_opts(int argc, char **argv, int *rounds,
			    const char *devs[2])
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "hvx", required_argument, NULL, 'x' },
		{ "kvm", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, ":r:x:k:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			*rounds = strtol(optarg, &end, 10);
			if (*end || end == optarg || *rounds < 1 ||
			    *rounds > MAX_ROUNDS)
				return hvx_usage_error("bench", "bad --rounds '%s' (1 to %d)",
						       optarg, MAX_ROUNDS);
			break;
		case 'x':
			devs[0] = optarg;
			break;
		case 'k':
			devs[1] = optarg;
			break;
		case 'h':
			hvx_usage("bench");
			exit(0);
		default:
			return hvx_bad_option("bench", argv, c);
		}
	}
	if (optind != argc)
		return hvx_usage_error("bench", "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

int hvx_bench_main(int argc, char **argv)
{
	const char *devs[2] = { "/dev/hvx", "/dev/kvm" };
	struct metric metrics[NR_METRICS];
	struct result res[NR_METRICS];
	int rounds = DEFAULT_ROUNDS, missing = 0, failed = 0, r, d;
	size_t i, nr;

	for (i = 1; i < (size_t)argc; i++)
		if (!strcmp(argv[i], "--linux"))
			return bench_linux_main(argc, argv);
	r = parse_bench_opts(argc, argv, &rounds, devs);
	if (r)
		return r;
	nr = init_metrics(metrics);
	bench_init_watchdog();
	for (d = 0; d < 2; d++)
		if (!device_present(devs[d])) {
			printf("# %s is absent: measuring the other device only, no ratio\n",
			       devs[d]);
			devs[d] = NULL;
			missing++;
		}
	if (missing == 2) {
		fprintf(stderr, "hvx bench: neither device exists\n");
		return HVX_EXIT_DEVICE;
	}
	printf("# hvx bench: %d rounds (plus one warm-up), hvx=%s kvm=%s, alternating\n",
	       rounds, devs[0] ? devs[0] : "absent",
	       devs[1] ? devs[1] : "absent");
	printf("# per sample: %d %s, %d %s, %d VM creations, one dirty-log round of %u pages (at most %d rounds); medians in microseconds\n",
	       IO_EXITS, bench_arch.user_exits, KERNEL_EXITS,
	       bench_arch.kernel_exits, CREATES, DIRTY_PAGES, DIRTY_ROUNDS);
	printf("%-36s %10s %10s %8s\n", "metric", "hvx", "kvm", "hvx/kvm");
	for (i = 0; i < nr; i++) {
		run_metric(&metrics[i], devs, rounds, &res[i]);
		print_row(&metrics[i], &res[i]);
		for (d = 0; d < 2; d++)
			failed |= devs[d] && res[i].med[d] < 0;
	}
	for (i = 0; i < nr; i++)
		print_machine_line(&metrics[i], &res[i]);
	return failed;
}

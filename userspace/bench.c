// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench: hvx against KVM, alternately, in one process and one boot.
 *
 * Each round measures both devices, in an order that swaps every round,
 * so that slow drift of the machine (an emulator's caches, host load)
 * affects both alike.  Medians over the rounds are compared.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hvx.h"
#include "lib/vmlib.h"

#define IO_EXITS	200	/* user-space round trips per sample */
#define CPUID_LOOPS	500	/* CPUIDs per sample (one exit to user) */
#define CREATES		3	/* VM creations per sample */
#define MAX_ROUNDS	64

/* An OUT forever: every KVM_RUN is one I/O exit round trip. */
extern const unsigned char bench_io[], bench_io_end[];
__asm__(".pushsection .rodata\nbench_io:\n.code16\n"
	"1: out %al, $0x10\n jmp 1b\n"
	"bench_io_end:\n.code64\n.popsection\n");

/* CPUID_LOOPS CPUIDs, then one OUT, forever. */
extern const unsigned char bench_cpuid[], bench_cpuid_end[];
__asm__(".pushsection .rodata\nbench_cpuid:\n.code16\n"
	"1: mov $500, %edi\n"
	"2: xor %eax, %eax\n cpuid\n dec %edi\n jnz 2b\n"
	"out %al, $0x11\n jmp 1b\n"
	"bench_cpuid_end:\n.code64\n.popsection\n");

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

struct bench_vm {
	struct vm vm;
	struct vcpu vcpu;
};

static int bench_open(struct bench_vm *b, const char *dev,
		      const unsigned char *code, const unsigned char *end)
{
	int r = vm_open(&b->vm, dev, GUEST_MIN_MEM);

	if (r)
		return r;
	r = vcpu_create(&b->vm, &b->vcpu, 0);
	if (!r)
		r = vm_load(&b->vm, GUEST_CODE_GPA, code, end - code);
	if (!r)
		r = vcpu_setup_mode(&b->vcpu, GUEST_REAL, GUEST_CODE_GPA,
				    GUEST_STACK_TOP);
	return r;
}

static void bench_close(struct bench_vm *b)
{
	vcpu_close(&b->vcpu);
	vm_close(&b->vm);
}

/* Microseconds per user-space I/O exit round trip. */
static double bench_io_exit(const char *dev)
{
	struct bench_vm b;
	double t0, t;
	int i;

	if (bench_open(&b, dev, bench_io, bench_io_end))
		return -1;
	vcpu_run(&b.vcpu);		/* warm up: fault the code page in */
	t0 = now_us();
	for (i = 0; i < IO_EXITS; i++)
		if (vcpu_run(&b.vcpu) != KVM_EXIT_IO)
			return -1;
	t = (now_us() - t0) / IO_EXITS;
	bench_close(&b);
	return t;
}

/* Microseconds per CPUID, an exit the kernel answers itself. */
static double bench_cpuid_exit(const char *dev)
{
	struct bench_vm b;
	double t0, t;

	if (bench_open(&b, dev, bench_cpuid, bench_cpuid_end))
		return -1;
	if (vcpu_run(&b.vcpu) != KVM_EXIT_IO)
		return -1;
	t0 = now_us();
	if (vcpu_run(&b.vcpu) != KVM_EXIT_IO)
		return -1;
	t = (now_us() - t0) / CPUID_LOOPS;
	bench_close(&b);
	return t;
}

/* Microseconds from opening the device to the guest's first exit. */
static double bench_create(const char *dev)
{
	double t0 = now_us();
	int i;

	for (i = 0; i < CREATES; i++) {
		struct bench_vm b;

		if (bench_open(&b, dev, bench_io, bench_io_end) ||
		    vcpu_run(&b.vcpu) != KVM_EXIT_IO)
			return -1;
		bench_close(&b);
	}
	return (now_us() - t0) / CREATES;
}

static const struct metric {
	const char *name;
	const char *what;
	double (*fn)(const char *dev);
} metrics[] = {
	{ "io_exit_us", "I/O exit round trip to user space", bench_io_exit },
	{ "cpuid_exit_us", "CPUID exit handled in the kernel", bench_cpuid_exit },
	{ "create_to_first_exit_us", "VM + vCPU creation to first exit", bench_create },
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

static int present(const char *dev)
{
	struct stat st;

	return !stat(dev, &st);
}

static void run_metric(const struct metric *m, const char *devs[2],
		       int rounds)
{
	double v[2][MAX_ROUNDS], med[2] = { -1, -1 };
	int i, d, n[2] = { 0, 0 };

	for (i = 0; i < rounds; i++)
		for (d = 0; d < 2; d++) {
			int which = (i & 1) ? 1 - d : d;
			double t;

			if (!devs[which])
				continue;
			t = m->fn(devs[which]);
			if (t >= 0)
				v[which][n[which]++] = t;
		}
	for (d = 0; d < 2; d++)
		if (n[d])
			med[d] = median(v[d], n[d]);
	printf("%-36s %10.2f %10.2f ", m->what, med[0], med[1]);
	if (med[0] > 0 && med[1] > 0)
		printf("%8.2f\n", med[0] / med[1]);
	else
		printf("%8s\n", "n/a");
	fflush(stdout);
	printf("bench %s hvx=%.2f kvm=%.2f ratio=", m->name, med[0], med[1]);
	if (med[0] > 0 && med[1] > 0)
		printf("%.3f\n", med[0] / med[1]);
	else
		printf("unavailable\n");
}

int hvx_bench_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "hvx", required_argument, NULL, 'x' },
		{ "kvm", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *devs[2] = { "/dev/hvx", "/dev/kvm" };
	int rounds = 7, c, d;
	size_t i;

	while ((c = getopt_long(argc, argv, "r:x:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				return hvx_usage_error("bad --rounds '%s' (1-64)", optarg);
			break;
		case 'x':
			devs[0] = optarg;
			break;
		case 'k':
			devs[1] = optarg;
			break;
		case 'h':
			hvx_print_usage();
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return hvx_usage_error("unexpected argument '%s'", argv[optind]);
	for (d = 0; d < 2; d++)
		if (!present(devs[d])) {
			printf("# %s is absent: no ratio can be given\n", devs[d]);
			devs[d] = NULL;
		}
	if (!devs[0] && !devs[1])
		return hvx_usage_error("%s", "neither device exists");
	printf("# %d rounds, hvx and KVM alternating; medians in microseconds\n",
	       rounds);
	printf("%-36s %10s %10s %8s\n", "metric", "hvx", "kvm", "hvx/kvm");
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		run_metric(&metrics[i], devs, rounds);
	return 0;
}

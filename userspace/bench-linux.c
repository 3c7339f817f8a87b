// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench --linux: the same Linux guest booted on /dev/hvx and on
 * /dev/kvm, alternately, in one process, timed from VM creation to the
 * guest's first console line that starts with the user-space marker (its
 * /init prints it first thing) and to the end of the run (power-off).
 *
 * A boot takes seconds, not microseconds, so there is no warm-up round and
 * the default is a single round; the rounds alternate which device goes
 * first, as in the other metrics (bench.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "hvx.h"
#include "linux.h"
#include "run.h"

#define LINUX_ROUNDS		1
#define LINUX_MAX_ROUNDS	16
#define LINUX_TIMEOUT_S		600
#define DEFAULT_MARKER		"HVX-LINUX-USER"
#define DEFAULT_APPEND		"console=ttyS0 quiet nokaslr acpi=off pci=off tsc=reliable mitigations=off"
#define TAIL			2048

static const char bench_linux_help[] =
"usage: hvx bench --linux --kernel BZIMAGE [--initrd FILE] [--append CMDLINE]\n"
"                 [--mem SIZE] [--marker TEXT] [--rounds N] [--hvx PATH]\n"
"                 [--kvm PATH]\n"
"\n"
"Boot the same Linux guest (as hvx run --kernel does) on both devices,\n"
"alternately, and time each boot from VM creation to the first console\n"
"line starting with TEXT (default " DEFAULT_MARKER ", which the test\n"
"guest's /init prints first) and to the end of the run, which must end\n"
"with status 0 (the guest powers off).  Prints the medians and hvx/KVM,\n"
"then one line per metric for scripts:\n"
"  bench linux_boot_to_user_ms hvx=<ms> kvm=<ms> ratio=<hvx/kvm>\n"
"  bench linux_boot_to_off_ms hvx=<ms> kvm=<ms> ratio=<hvx/kvm>\n"
"\n"
"  --append CMDLINE  default \"" DEFAULT_APPEND "\"\n"
"  --rounds N        1 to 16 (default 1)\n"
"  --mem SIZE        guest RAM in MiB, or with a K, M or G suffix\n"
"                    (default 256M)\n";

/* One boot: the output watched for the marker, its tail kept. */
struct boot_watch {
	const char *marker;
	size_t col;		/* bytes of the current line so far */
	int matching;		/* the current line still matches */
	double t_user;		/* when the marker line started, or 0 */
	char tail[TAIL];
	size_t tail_len;
};

static void watch_byte(void *ctx, uint8_t b)
{
	struct boot_watch *w = ctx;
	size_t mlen = strlen(w->marker);

	if (w->tail_len == TAIL) {
		memmove(w->tail, w->tail + TAIL / 2, TAIL / 2);
		w->tail_len = TAIL / 2;
	}
	w->tail[w->tail_len++] = b;
	if (b == '\n' || b == '\r') {
		w->col = 0;
		w->matching = 1;
		return;
	}
	if (w->matching && w->col < mlen && b != (uint8_t)w->marker[w->col])
		w->matching = 0;
	w->col++;
	if (w->matching && w->col == mlen && !w->t_user)
		w->t_user = bench_now_us();
}

static void print_tail(const struct boot_watch *w)
{
	size_t i, start = 0;

	for (i = 0; i < w->tail_len; i++) {
		if (w->tail[i] != '\n')
			continue;
		printf("#   %.*s\n", (int)(i - start), w->tail + start);
		start = i + 1;
	}
}

/* One boot on @dev: milliseconds to user space and to the end. */
static int linux_sample(const struct linux_opts *base, const char *marker,
			const char *dev, double ms[2])
{
	struct boot_watch w = { .marker = marker, .matching = 1 };
	struct linux_opts o = *base;
	double t0;
	int r;

	o.device = dev;
	o.out = watch_byte;
	o.out_ctx = &w;
	t0 = bench_now_us();
	r = run_arch.linux_run(&o);
	ms[1] = (bench_now_us() - t0) / 1000;
	ms[0] = w.t_user ? (w.t_user - t0) / 1000 : -1;
	if (r || !w.t_user) {
		printf("# linux boot on %s: %s (exit status %d); console tail:\n",
		       dev, w.t_user ? "did not end with status 0" :
		       "no marker line", r);
		print_tail(&w);
		return r > 128 ? -2 : -1;	/* a signal: stop there */
	}
	return 0;
}

static int cmp_ms(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(double *v, int n)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_ms);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_metric(const char *what, const char *name,
			 const double med[2])
{
	char line[2][32];
	int d;

	for (d = 0; d < 2; d++)
		if (med[d] < 0)
			snprintf(line[d], sizeof(line[d]), "n/a");
		else
			snprintf(line[d], sizeof(line[d]), "%.0f", med[d]);
	printf("%-36s %10s %10s", what, line[0], line[1]);
	if (med[0] > 0 && med[1] > 0)
		printf(" %8.2f\n", med[0] / med[1]);
	else
		printf(" %8s\n", "n/a");
	printf("bench %s hvx=%s kvm=%s ", name, line[0], line[1]);
	if (med[0] > 0 && med[1] > 0)
		printf("ratio=%.3f\n", med[0] / med[1]);
	else
		printf("ratio=unavailable\n");
}

struct bench_linux_opts {
	struct linux_opts o;
	const char *marker;
	const char *devs[2];
	int rounds;
};

static int parse_linux_opts(int argc, char **argv, struct bench_linux_opts *b)
{
	static const struct option longopts[] = {
		{ "linux", no_argument, NULL, 'L' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "initrd", required_argument, NULL, 'I' },
		{ "append", required_argument, NULL, 'A' },
		{ "mem", required_argument, NULL, 'm' },
		{ "marker", required_argument, NULL, 'M' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "hvx", required_argument, NULL, 'x' },
		{ "kvm", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'L':
			break;
		case 'K':
			b->o.kernel = optarg;
			break;
		case 'I':
			b->o.initrd = optarg;
			break;
		case 'A':
			b->o.cmdline = optarg;
			break;
		case 'm':
			b->o.mem = strtoull(optarg, &end, 0);
			if (*end == 'G' || *end == 'g')
				b->o.mem <<= 30;
			else if (*end == 'K' || *end == 'k')
				b->o.mem <<= 10;
			else
				b->o.mem <<= 20;
			if (end == optarg || (*end && end[1]) ||
			    b->o.mem < LINUX_MIN_MEM ||
			    b->o.mem > LINUX_MAX_MEM || b->o.mem & 0xfff)
				return hvx_usage_error("bench", "bad --mem '%s' (32M to 3G)",
						       optarg);
			break;
		case 'M':
			b->marker = optarg;
			break;
		case 'r':
			b->rounds = strtol(optarg, &end, 10);
			if (*end || end == optarg || b->rounds < 1 ||
			    b->rounds > LINUX_MAX_ROUNDS)
				return hvx_usage_error("bench", "bad --rounds '%s' (1 to %d with --linux)",
						       optarg, LINUX_MAX_ROUNDS);
			break;
		case 'x':
			b->devs[0] = optarg;
			break;
		case 'k':
			b->devs[1] = optarg;
			break;
		case 'h':
			fputs(bench_linux_help, stdout);
			exit(0);
		default:
			return hvx_bad_option("bench", argv, c);
		}
	}
	if (optind != argc)
		return hvx_usage_error("bench", "unexpected argument '%s'",
				       argv[optind]);
	if (!b->o.kernel)
		return hvx_usage_error("bench", "--linux needs --kernel");
	if (!*b->marker)
		return hvx_usage_error("bench", "empty --marker");
	return 0;
}

int bench_linux_main(int argc, char **argv)
{
	struct bench_linux_opts b = {
		.o = { .cmdline = DEFAULT_APPEND, .mem = LINUX_DEFAULT_MEM,
		       .timeout_s = LINUX_TIMEOUT_S },
		.marker = DEFAULT_MARKER,
		.devs = { "/dev/hvx", "/dev/kvm" },
		.rounds = LINUX_ROUNDS,
	};
	double v[2][2][LINUX_MAX_ROUNDS], ms[2], med[2][2];
	int n[2] = { 0, 0 }, failed = 0, i, k, d, r;
	struct stat st;

	r = parse_linux_opts(argc, argv, &b);
	if (r)
		return r;
	if (!run_arch.linux_run) {
		fprintf(stderr, "hvx bench: --linux: no Linux machine on this architecture\n");
		return HVX_EXIT_USAGE;
	}
	printf("# hvx bench --linux: %d round%s, hvx=%s kvm=%s, alternating\n",
	       b.rounds, b.rounds > 1 ? "s" : "", b.devs[0], b.devs[1]);
	printf("# kernel %s, initrd %s, %llu MiB, append \"%s\"\n", b.o.kernel,
	       b.o.initrd ? b.o.initrd : "none",
	       (unsigned long long)b.o.mem >> 20, b.o.cmdline);
	for (d = 0; d < 2; d++)
		if (stat(b.devs[d], &st)) {
			printf("# %s is absent: booting on the other device only, no ratio\n",
			       b.devs[d]);
			b.devs[d] = NULL;
		}
	fflush(stdout);
	for (i = 0; i < b.rounds; i++) {
		for (k = 0; k < 2; k++) {
			d = (i & 1) ? 1 - k : k;
			if (!b.devs[d])
				continue;
			r = linux_sample(&b.o, b.marker, b.devs[d], ms);
			if (r == -2)
				return 1;
			if (r) {
				b.devs[d] = NULL;
				failed = 1;
				continue;
			}
			v[d][0][n[d]] = ms[0];
			v[d][1][n[d]++] = ms[1];
			printf("# round %d %s: user space at %.0f ms, end at %.0f ms\n",
			       i + 1, d ? "kvm" : "hvx", ms[0], ms[1]);
			fflush(stdout);
		}
	}
	for (d = 0; d < 2; d++) {
		med[0][d] = median_ms(v[d][0], n[d]);
		med[1][d] = median_ms(v[d][1], n[d]);
	}
	printf("%-36s %10s %10s %8s\n", "metric (ms)", "hvx", "kvm", "hvx/kvm");
	print_metric("Linux boot to user space", "linux_boot_to_user_ms",
		     med[0]);
	print_metric("Linux boot to power-off", "linux_boot_to_off_ms",
		     med[1]);
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx stat: a live view of a running VM's statistics, from KVM's binary
 * stats files (api.rst "KVM_GET_STATS_FD"), like the kernel's kvm_stat.
 *
 * It finds the VM of another process through /proc/PID/fd and takes its
 * fds with pidfd_getfd() (which needs the right to ptrace it): the stats
 * files the process has opened itself, on hvx or KVM, and else its VM and
 * vCPU fds, on which it asks KVM_GET_STATS_FD.  hvx answers that from any
 * process; KVM only in the VM's own (EIO elsewhere), so on KVM hvx stat
 * sees the VMs whose VMM opened stats files (QEMU does, for query-stats).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "hvx.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

#define STAT_MAX_FILES	64
#define STAT_TOP	12	/* counters shown per vCPU */

const char hvx_stat_help[] =
"usage: hvx stat [--interval SECONDS] [--count N] PID\n"
"\n"
"Show the statistics of the VM that process PID runs (on /dev/hvx or\n"
"/dev/kvm), every SECONDS (default 1): per vCPU, the exits per second by\n"
"reason, busiest first, with their totals, and the exit-handling latency\n"
"from each log2 histogram (hvx: kernel_exit_latency_hist, the time from\n"
"an exit handled in the kernel to the next entry, and\n"
"user_exit_latency_hist, the round trip through user space): samples per\n"
"second and the 50th, 90th and 99th percentiles of the interval, each the\n"
"upper bound of its bucket.\n"
"\n"
"  --interval S   seconds between frames (default 1; fractions allowed)\n"
"  --count N      stop after N frames (default: until PID ends or ^C)\n"
"\n"
"It takes the process's fds with pidfd_getfd() (root, or the right to\n"
"ptrace PID): its stats files if it opened any, else its VM and vCPU\n"
"fds, on which it asks KVM_GET_STATS_FD. hvx answers from any process;\n"
"KVM 6.1 only the VM's own, so a VM on KVM shows only if its VMM opened\n"
"stats files itself. Exit status 0, 2 for bad arguments, 7 when no\n"
"statistics can be had.\n";

struct sfile {
	int fd;
	struct kvm_stats_header h;
	char id[256];
	int vcpu;		/* -1: the VM's */
	uint8_t *descs;
	size_t desc_size;
	size_t data_size;
	uint64_t *prev, *cur;
};

static struct kvm_stats_desc *sf_desc(struct sfile *f, unsigned int i)
{
	return (void *)(f->descs + i * f->desc_size);
}

static int sf_read_data(struct sfile *f, uint64_t *buf)
{
	return pread(f->fd, buf, f->data_size, f->h.data_offset) ==
	       (ssize_t)f->data_size ? 0 : -1;
}

/* Read a stats file's fixed blocks; 0, or -1 if it is not one. */
static int sf_open(struct sfile *f, int fd)
{
	const char *v;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	if (pread(fd, &f->h, sizeof(f->h), 0) != sizeof(f->h) ||
	    !f->h.name_size || f->h.name_size > sizeof(f->id) ||
	    f->h.num_desc > 4096)
		return -1;
	if (pread(fd, f->id, f->h.name_size, f->h.id_offset) !=
	    f->h.name_size)
		return -1;
	f->id[sizeof(f->id) - 1] = 0;
	f->desc_size = sizeof(struct kvm_stats_desc) + f->h.name_size;
	f->descs = calloc(f->h.num_desc, f->desc_size);
	if (!f->descs ||
	    pread(fd, f->descs, f->h.num_desc * f->desc_size,
		  f->h.desc_offset) != (ssize_t)(f->h.num_desc * f->desc_size))
		return -1;
	for (i = 0; i < f->h.num_desc; i++) {
		struct kvm_stats_desc *d = sf_desc(f, i);
		size_t end = d->offset + d->size * sizeof(uint64_t);

		d->name[f->h.name_size - 1] = 0;
		if (end > f->data_size)
			f->data_size = end;
	}
	f->prev = calloc(1, f->data_size);
	f->cur = calloc(1, f->data_size);
	if (!f->prev || !f->cur || sf_read_data(f, f->prev))
		return -1;
	v = strstr(f->id, "/vcpu-");
	f->vcpu = v ? atoi(v + 6) : -1;
	return 0;
}

static void sf_close(struct sfile *f)
{
	close(f->fd);
	free(f->descs);
	free(f->prev);
	free(f->cur);
}

struct stat_state {
	pid_t pid;
	int pidfd;
	struct sfile files[STAT_MAX_FILES];
	int n;
	int kvm_refused;	/* KVM_GET_STATS_FD said EIO */
};

static int have_id(struct stat_state *st, const char *id)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->files[i].id, id))
			return 1;
	return 0;
}

static void add_stats_fd(struct stat_state *st, int fd)
{
	struct sfile *f = &st->files[st->n];

	if (st->n == STAT_MAX_FILES || sf_open(f, fd) || have_id(st, f->id)) {
		sf_close(f);
		return;
	}
	st->n++;
}

/*
 * One fd of the target: a stats file (hvx-*-stats, kvm-*-stats) is used
 * as it is; a VM or vCPU fd (hvx-vm, hvx-vcpu, kvm-vm, kvm-vcpu:N) is
 * asked for one.
 */
static void take_fd(struct stat_state *st, int target_fd, const char *link)
{
	static const char *const objects[] = {
		"anon_inode:hvx-vm", "anon_inode:hvx-vcpu",
		"anon_inode:kvm-vm", "anon_inode:kvm-vcpu:",
	};
	int stats = strstr(link, "-stats") != NULL;
	unsigned int i;
	int fd, sfd;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strncmp(link, objects[i], strlen(objects[i])))
			break;
	if (stats ? strncmp(link, "anon_inode:hvx-", 15) &&
		    strncmp(link, "anon_inode:kvm-", 15) :
	    i == ARRAY_SIZE(objects))
		return;
	fd = syscall(SYS_pidfd_getfd, st->pidfd, target_fd, 0);
	if (fd < 0)
		return;
	if (stats) {
		add_stats_fd(st, fd);
		return;
	}
	sfd = ioctl(fd, KVM_GET_STATS_FD, 0);
	if (sfd < 0 && errno == EIO)
		st->kvm_refused = 1;
	close(fd);
	if (sfd >= 0)
		add_stats_fd(st, sfd);
}

/* Stats files first: on KVM they are the only way in. */
static int scan_fds(struct stat_state *st)
{
	char path[64], link[128];
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/fd", st->pid);
		d = opendir(path);
		if (!d)
			return -1;
		while ((e = readdir(d))) {
			char fdpath[320];
			ssize_t n;

			snprintf(fdpath, sizeof(fdpath), "%s/%s", path,
				 e->d_name);
			n = readlink(fdpath, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (!!strstr(link, "-stats") == !pass)
				take_fd(st, atoi(e->d_name), link);
		}
		closedir(d);
	}
	return 0;
}

static int by_vcpu(const void *a, const void *b)
{
	const struct sfile *x = a, *y = b;

	return x->vcpu - y->vcpu;
}

/* The upper bound, in the unit, of log2 bucket @i of @size (api.rst). */
static void print_bucket(unsigned int i, unsigned int size)
{
	double ns = i ? (double)(1ULL << (i < 63 ? i : 63)) : 0;

	if (i == size - 1)
		printf(" >=");
	if (ns < 1e3)
		printf("%.0fns", ns);
	else if (ns < 1e6)
		printf("%.1fus", ns / 1e3);
	else
		printf("%.1fms", ns / 1e6);
}

/* Samples per second and p50/p90/p99 of a log2 histogram's interval. */
static void print_hist(const char *name, const uint64_t *now,
		       const uint64_t *was, unsigned int size, double secs)
{
	static const unsigned int pct[] = { 50, 90, 99 };
	uint64_t total = 0, cum = 0;
	unsigned int i, p = 0;

	for (i = 0; i < size; i++)
		total += now[i] - was[i];
	printf("  %-28s %10.0f/s", name, total / secs);
	for (i = 0; i < size && total && p < ARRAY_SIZE(pct); i++) {
		cum += now[i] - was[i];
		while (p < ARRAY_SIZE(pct) && cum * 100 >= total * pct[p]) {
			printf("  p%u ", pct[p++]);
			print_bucket(i, size);
		}
	}
	printf("\n");
}

struct rate {
	const char *name;
	uint64_t delta, total;
};

static int by_delta(const void *a, const void *b)
{
	const struct rate *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta < y->delta ? 1 : -1;
	return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

/* One file's frame: counters busiest first, then the histograms. */
static void print_file(struct sfile *f, double secs)
{
	struct rate *r = calloc(f->h.num_desc, sizeof(*r));
	unsigned int i, n = 0;

	if (!r)
		return;
	if (f->vcpu >= 0)
		printf("vCPU %d (%s)\n", f->vcpu, f->id);
	else
		printf("VM (%s)\n", f->id);
	for (i = 0; i < f->h.num_desc; i++) {
		struct kvm_stats_desc *d = sf_desc(f, i);
		uint64_t *now = f->cur + d->offset / 8;
		uint64_t *was = f->prev + d->offset / 8;
		uint32_t type = d->flags & KVM_STATS_TYPE_MASK;

		if (type == KVM_STATS_TYPE_LOG_HIST &&
		    (d->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_SECONDS)
			print_hist(d->name, now, was, d->size, secs);
		else if (type == KVM_STATS_TYPE_CUMULATIVE && d->size == 1 &&
			 *now)
			r[n++] = (struct rate){ d->name, *now - *was, *now };
	}
	qsort(r, n, sizeof(*r), by_delta);
	for (i = 0; i < n && i < STAT_TOP; i++)
		printf("  %-28s %10.0f/s %12llu\n", r[i].name,
		       r[i].delta / secs, (unsigned long long)r[i].total);
	free(r);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rates are over the time measured between two reads, not @interval. */
static int stat_loop(struct stat_state *st, double interval, long count)
{
	double last = now_s(), secs;
	long frame;
	int i;

	for (frame = 0; !count || frame < count; frame++) {
		int alive;

		usleep((useconds_t)(interval * 1e6));
		secs = now_s() - last;
		last += secs;
		alive = !kill(st->pid, 0) || errno != ESRCH;
		if (isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		printf("hvx stat: pid %d, %d stats file%s, every %.2f s%s\n",
		       st->pid, st->n, st->n == 1 ? "" : "s", interval,
		       alive ? "" : " (the process has ended)");
		for (i = 0; i < st->n; i++) {
			struct sfile *f = &st->files[i];

			if (sf_read_data(f, f->cur))
				continue;
			print_file(f, secs);
			memcpy(f->prev, f->cur, f->data_size);
		}
		fflush(stdout);
		if (!alive)
			break;
	}
	return 0;
}

int hvx_stat_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct stat_state st = { 0 };
	double interval = 1;
	long count = 0;
	char *end;
	int c, i, r;

	while ((c = getopt_long(argc, argv, ":i:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.01 && interval <= 3600))
				return hvx_usage_error("stat", "bad interval '%s'",
						       optarg);
			break;
		case 'c':
			count = strtol(optarg, &end, 0);
			if (*end || count < 1)
				return hvx_usage_error("stat", "bad count '%s'",
						       optarg);
			break;
		case 'h':
			hvx_usage("stat");
			return 0;
		default:
			return hvx_bad_option("stat", argv, c);
		}
	}
	if (optind != argc - 1)
		return hvx_usage_error("stat", "one PID needed");
	st.pid = strtol(argv[optind], &end, 0);
	if (*end || st.pid <= 0)
		return hvx_usage_error("stat", "bad PID '%s'", argv[optind]);
	st.pidfd = syscall(SYS_pidfd_open, st.pid, 0);
	if (st.pidfd < 0 || scan_fds(&st)) {
		fprintf(stderr, "hvx stat: process %d: %s\n", st.pid,
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	if (!st.n) {
		fprintf(stderr, "hvx stat: process %d: no VM statistics%s\n",
			st.pid, st.kvm_refused ?
			" (KVM answers KVM_GET_STATS_FD only in the VM's own process, and it has opened no stats file)" :
			" (no VM or vCPU fd, or pidfd_getfd() not allowed)");
		return HVX_EXIT_DEVICE;
	}
	qsort(st.files, st.n, sizeof(st.files[0]), by_vcpu);
	r = stat_loop(&st, interval, count);
	for (i = 0; i < st.n; i++)
		sf_close(&st.files[i]);
	close(st.pidfd);
	return r;
}

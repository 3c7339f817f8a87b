// SPDX-License-Identifier: GPL-2.0
/*
 * stats_test: KVM's binary statistics (Documentation/virt/kvm/api.rst,
 * 4.133 KVM_GET_STATS_FD, and KVM_CAP_BINARY_STATS_FD).  A stats file is
 * a header, an id string, descriptors (each followed by its name) and a
 * data block of 64-bit values, every block at a multiple of 8 bytes, read
 * with read() and pread() at any offset.
 *
 * Every case runs on both devices.  The counter both name alike is
 * "exits" (KVM's on x86 and arm64); the others differ: KVM's set depends
 * on the architecture ("io_exits" on x86, "mmio_exit_user" on arm64...),
 * hvx has one set for SVM, VMX and EL2 (module/stats.c).  So the cases
 * check hvx's own names, and their exact counts, on hvx only.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/hvx.h>

#include "../lib/test.h"

#define STATS_MAX_BYTES	(1 << 20)	/* more than any stats file here */

struct stats {
	int fd;
	struct kvm_stats_header h;
	char *id;
	uint8_t *descs;		/* num_desc entries of desc_size bytes */
	size_t desc_size;
	size_t data_size;	/* the values the descriptors name, in bytes */
	size_t end;		/* the end of the last block */
	const char *why;	/* what was wrong, for a failed check */
};

static struct kvm_stats_desc *stats_desc(struct stats *s, unsigned int i)
{
	return (void *)(s->descs + i * s->desc_size);
}

static int stats_bad(struct stats *s, const char *why)
{
	s->why = why;
	return 0;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Blocks [a, a + alen) and [b, b + blen) do not overlap. */
static int apart(size_t a, size_t alen, size_t b, size_t blen)
{
	return a + alen <= b || b + blen <= a;
}

/* One descriptor's flags, exponent and sizes, as api.rst defines them. */
static int desc_ok(struct stats *s, const struct kvm_stats_desc *d)
{
	uint32_t type = d->flags & KVM_STATS_TYPE_MASK;
	uint32_t unit = d->flags & KVM_STATS_UNIT_MASK;
	uint32_t base = d->flags & KVM_STATS_BASE_MASK;

	if (d->flags & ~(KVM_STATS_TYPE_MASK | KVM_STATS_UNIT_MASK |
			 KVM_STATS_BASE_MASK))
		return stats_bad(s, "unknown descriptor flag bits");
	if (type > KVM_STATS_TYPE_MAX || unit > KVM_STATS_UNIT_MAX ||
	    base > KVM_STATS_BASE_MAX)
		return stats_bad(s, "type, unit or base out of range");
	if (!d->name[0] || strnlen(d->name, s->h.name_size) >= s->h.name_size)
		return stats_bad(s, "name empty or without its NUL");
	if (!d->size)
		return stats_bad(s, "size 0");
	if ((type == KVM_STATS_TYPE_LINEAR_HIST) != !!d->bucket_size)
		return stats_bad(s, "bucket_size set outside a linear histogram");
	if ((type == KVM_STATS_TYPE_CUMULATIVE ||
	     type == KVM_STATS_TYPE_INSTANT || type == KVM_STATS_TYPE_PEAK) &&
	    d->size != 1)
		return stats_bad(s, "a single value with size != 1");
	if (unit == KVM_STATS_UNIT_SECONDS ? d->exponent > 0 :
	    unit == KVM_STATS_UNIT_BOOLEAN ? d->exponent != 0 :
	    d->exponent < 0)
		return stats_bad(s, "exponent does not fit the unit");
	if (unit == KVM_STATS_UNIT_BOOLEAN && type == KVM_STATS_TYPE_LOG_HIST)
		return stats_bad(s, "a boolean log histogram");
	if (d->offset % 8)
		return stats_bad(s, "value offset not a multiple of 8");
	return 1;
}

/* Names unique, values within the data block and apart from each other. */
static int descs_ok(struct stats *s)
{
	unsigned int i, j;

	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *d = stats_desc(s, i);

		if (!desc_ok(s, d))
			return 0;
		s->data_size = max_sz(s->data_size, d->offset + d->size * 8);
	}
	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *a = stats_desc(s, i);

		for (j = i + 1; j < s->h.num_desc; j++) {
			struct kvm_stats_desc *b = stats_desc(s, j);

			if (!strcmp(a->name, b->name))
				return stats_bad(s, "a name twice");
			if (!apart(a->offset, a->size * 8, b->offset,
				   b->size * 8))
				return stats_bad(s, "two values overlap");
		}
	}
	return 1;
}

/* The header's offsets: aligned, and no two blocks overlapping. */
static int header_ok(struct stats *s)
{
	const struct kvm_stats_header *h = &s->h;
	size_t descs = h->num_desc * s->desc_size;

	if (h->flags)
		return stats_bad(s, "header flags not 0");
	if (!h->name_size || !h->num_desc)
		return stats_bad(s, "no name size or no descriptor");
	if (h->id_offset % 8 || h->desc_offset % 8 || h->data_offset % 8)
		return stats_bad(s, "a block offset not a multiple of 8");
	if (!apart(0, sizeof(*h), h->id_offset, h->name_size) ||
	    !apart(0, sizeof(*h), h->desc_offset, descs) ||
	    !apart(h->id_offset, h->name_size, h->desc_offset, descs))
		return stats_bad(s, "header, id and descriptors overlap");
	return 1;
}

/*
 * KVM_GET_STATS_FD on @fd (a VM or a vCPU), then what a reader does once:
 * the header with read(), the id string with the next read(), the
 * descriptors with pread(); each block checked as it comes.
 */
static int stats_open(struct stats *s, int fd)
{
	const struct kvm_stats_header *h = &s->h;

	memset(s, 0, sizeof(*s));
	s->fd = ioctl(fd, KVM_GET_STATS_FD, 0);
	if (s->fd < 0)
		return stats_bad(s, "KVM_GET_STATS_FD failed");
	if (read(s->fd, &s->h, sizeof(s->h)) != sizeof(s->h))
		return stats_bad(s, "short read of the header");
	if (h->id_offset != sizeof(*h))
		return stats_bad(s, "the id does not follow the header");
	s->desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	if (!header_ok(s) || h->num_desc * s->desc_size > STATS_MAX_BYTES)
		return stats_bad(s, s->why ? s->why : "too many descriptors");
	s->id = calloc(1, h->name_size);
	s->descs = calloc(h->num_desc, s->desc_size);
	if (!s->id || !s->descs)
		return stats_bad(s, "out of memory");
	if (read(s->fd, s->id, h->name_size) != h->name_size)
		return stats_bad(s, "short read of the id");
	if (strnlen(s->id, h->name_size) >= h->name_size)
		return stats_bad(s, "id without its NUL");
	if (pread(s->fd, s->descs, h->num_desc * s->desc_size,
		  h->desc_offset) != (ssize_t)(h->num_desc * s->desc_size))
		return stats_bad(s, "short read of the descriptors");
	if (!descs_ok(s))
		return 0;
	if (!apart(h->data_offset, s->data_size, 0, sizeof(*h)) ||
	    !apart(h->data_offset, s->data_size, h->id_offset, h->name_size) ||
	    !apart(h->data_offset, s->data_size, h->desc_offset,
		   h->num_desc * s->desc_size))
		return stats_bad(s, "the data block overlaps another block");
	s->end = max_sz(max_sz(h->id_offset + h->name_size,
			       h->desc_offset + h->num_desc * s->desc_size),
			h->data_offset + s->data_size);
	return 1;
}

static void stats_close(struct stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->id);
	free(s->descs);
}

#define EXPECT_STATS_OPEN(s, fd) do {					\
	if (!stats_open(s, fd)) {					\
		test_diag(__FILE__, __LINE__, (s)->why);		\
		return TEST_FAIL;					\
	}								\
} while (0)

static const struct kvm_stats_desc *stats_find(struct stats *s,
					       const char *name)
{
	unsigned int i;

	for (i = 0; i < s->h.num_desc; i++)
		if (!strcmp(stats_desc(s, i)->name, name))
			return stats_desc(s, i);
	return NULL;
}

/* The @n values of @name into @v, read now; 0 if there is no such stat. */
static int stats_read(struct stats *s, const char *name, uint64_t *v,
		      unsigned int n)
{
	const struct kvm_stats_desc *d = stats_find(s, name);

	if (!d || d->size != n)
		return 0;
	return pread(s->fd, v, n * 8, s->h.data_offset + d->offset) ==
	       (ssize_t)(n * 8);
}

static uint64_t stats_value(struct stats *s, const char *name)
{
	uint64_t v;

	return stats_read(s, name, &v, 1) ? v : ~0ULL;
}

static uint64_t stats_hist_total(struct stats *s, const char *name)
{
	uint64_t v[64], sum = 0;
	const struct kvm_stats_desc *d = stats_find(s, name);
	unsigned int i;

	if (!d || d->size > 64 || !stats_read(s, name, v, d->size))
		return ~0ULL;
	for (i = 0; i < d->size; i++)
		sum += v[i];
	return sum;
}

static int test_caps(const char *dev)
{
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_BINARY_STATS_FD) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD) == 1);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * The VM's file: well formed, its id "kvm-" and our pid (KVM's format,
 * which kvm_binary_stats_test requires to start with "kvm"), its data
 * block readable whole.  On hvx: "remote_tlb_flush".
 */
static int test_vm_layout(const char *dev)
{
	uint64_t *data;
	struct stats s;
	char id[64];
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_STATS_OPEN(&s, vm.fd);
	snprintf(id, sizeof(id), "kvm-%d", getpid());
	EXPECT(!strcmp(s.id, id));
	data = malloc(s.data_size);
	EXPECT(data);
	EXPECT(pread(s.fd, data, s.data_size, s.h.data_offset) ==
	       (ssize_t)s.data_size);
	if (test_is_hvx(dev))
		EXPECT(stats_value(&s, "remote_tlb_flush") != ~0ULL);
	free(data);
	stats_close(&s);
	vm_close(&vm);
	return TEST_PASS;
}

/* hvx's vCPU names: one set on every backend (module/stats.c). */
static const char *const hvx_vcpu_names[] = {
	"exits", "kernel_exits", "user_exits", "io_exits", "mmio_exits",
	"halt_exits", "shutdown_exits", "fail_entry_exits",
	"internal_error_exits", "signal_exits", "cpuid_exits",
	"stage2_fault_exits", "irq_exits", "msr_exits", "msr_refused_exits",
	"exception_exits", "other_exits", "ioeventfd_exits",
};

/*
 * A vCPU's file: well formed, id "kvm-PID/vcpu-ID" on both devices,
 * "exits" a counter on both.  On hvx every name of the set is there, and
 * the two latency histograms are log2 histograms of nanoseconds.
 */
static int test_vcpu_layout(const char *dev)
{
	const struct kvm_stats_desc *d;
	struct vcpu vcpu;
	struct stats s;
	unsigned int i;
	struct vm vm;
	char id[64];

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 3) == 0);
	EXPECT_STATS_OPEN(&s, vcpu.fd);
	snprintf(id, sizeof(id), "kvm-%d/vcpu-3", getpid());
	EXPECT(!strcmp(s.id, id));
	d = stats_find(&s, "exits");
	EXPECT(d && d->flags == (KVM_STATS_TYPE_CUMULATIVE |
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10));
	EXPECT(stats_value(&s, "exits") == 0);
	if (test_is_hvx(dev)) {
		for (i = 0; i < ARRAY_SIZE(hvx_vcpu_names); i++)
			EXPECT(stats_value(&s, hvx_vcpu_names[i]) == 0);
		d = stats_find(&s, "kernel_exit_latency_hist");
		EXPECT(d && d->size == 32 && d->exponent == -9);
		EXPECT(d->flags == (KVM_STATS_TYPE_LOG_HIST |
				    KVM_STATS_UNIT_SECONDS |
				    KVM_STATS_BASE_POW10));
		d = stats_find(&s, "user_exit_latency_hist");
		EXPECT(d && d->size == 32 && d->exponent == -9);
	}
	stats_close(&s);
	vcpu_close(&vcpu);
	vm_close(&vm);
	return TEST_PASS;
}

#include "outs_guest.h"

/*
 * hvx's exact counts for the guest "outs": NR_OUTS + 2 exits to user
 * space (the writes, the ucall, the halt), by reason a port access each
 * (x86 I/O; on arm64 the ports are MMIO, halt included) and one HLT on
 * x86; every exit handled in the kernel or returned to user space; each
 * latency histogram holds one sample per exit that was followed by an
 * entry, so the last exit to user space is not in it yet.
 */
static int expect_hvx_counts(struct stats *s)
{
	uint64_t exits = stats_value(s, "exits");
	uint64_t kernel = stats_value(s, "kernel_exits");
	uint64_t user = stats_value(s, "user_exits");

	printf("# hvx: exits %llu, in the kernel %llu, to user space %llu\n",
	       (unsigned long long)exits, (unsigned long long)kernel,
	       (unsigned long long)user);
	EXPECT(user == NR_OUTS + 2);
	EXPECT(exits == kernel + user);
#if defined(__x86_64__)
	EXPECT(stats_value(s, "io_exits") == NR_OUTS + 1);
	EXPECT(stats_value(s, "halt_exits") == 1);
	EXPECT(stats_value(s, "mmio_exits") == 0);
#else
	EXPECT(stats_value(s, "mmio_exits") == NR_OUTS + 2);
	EXPECT(stats_value(s, "io_exits") == 0);
#endif
	EXPECT(stats_value(s, "signal_exits") == 0);
	EXPECT(stats_hist_total(s, "kernel_exit_latency_hist") == kernel);
	EXPECT(stats_hist_total(s, "user_exit_latency_hist") == user - 1);
	return 1;
}

/* Counters move as the guest exits: "exits" on both, all of hvx's. */
static int test_exits(const char *dev)
{
	struct guest g;
	struct stats s;
	int i;

	GUEST_START(&g, dev, outs);
	EXPECT_STATS_OPEN(&s, g.vcpu.fd);
	EXPECT(stats_value(&s, "exits") == 0);
	for (i = 0; i < NR_OUTS; i++) {
		EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
		EXPECT(*guest_port_data(&g) == NR_OUTS - i);
		EXPECT(stats_value(&s, "exits") >= (uint64_t)i + 1);
	}
	EXPECT_DONE(&g);
	EXPECT_HALT(&g);
	EXPECT(stats_value(&s, "exits") >= NR_OUTS + 2);
	if (test_is_hvx(dev) && !expect_hvx_counts(&s))
		return TEST_FAIL;
	stats_close(&s);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * read() and pread() at any offset and of any length give the same
 * bytes; at and past the end of the file, 0 (end of file); a negative
 * offset EINVAL (the VFS); the file is read-only (EBADF for write()) and
 * cannot be mapped (ENODEV).  The guest ran first, so the data block is
 * not all zeros, and nothing changes it meanwhile.
 */
static int test_read_offsets(const char *dev)
{
	uint8_t *whole, *bytes, *chunks;
	struct guest g;
	struct stats s;
	size_t i, n;
	ssize_t r;

	GUEST_START(&g, dev, outs);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	EXPECT_STATS_OPEN(&s, g.vcpu.fd);
	whole = calloc(1, s.end + 16);
	bytes = calloc(1, s.end);
	chunks = calloc(1, s.end);
	EXPECT(whole && bytes && chunks);
	EXPECT(pread(s.fd, whole, s.end + 16, 0) == (ssize_t)s.end);
	for (i = 0; i < s.end; i++)
		EXPECT(pread(s.fd, bytes + i, 1, i) == 1);
	EXPECT(!memcmp(whole, bytes, s.end));
	EXPECT(pread(s.fd, chunks, 0, 0) == 0);
	/* read() moves the file position: 7 bytes at a time from 0. */
	close(s.fd);
	s.fd = ioctl(g.vcpu.fd, KVM_GET_STATS_FD, 0);
	EXPECT(s.fd >= 0);
	for (n = 0; (r = read(s.fd, chunks + n, 7)) > 0; n += r)
		EXPECT(n + r <= s.end);
	EXPECT(r == 0 && n == s.end);
	EXPECT(!memcmp(whole, chunks, s.end));
	EXPECT(stats_value(&s, "exits") >= 1);

	EXPECT(pread(s.fd, whole, 8, s.end) == 0);
	EXPECT(pread(s.fd, whole, 8, s.end + 4096) == 0);
	EXPECT(pread(s.fd, whole, 8, 1LL << 40) == 0);
	EXPECT_ERRNO(pread(s.fd, whole, 8, -8), EINVAL);
	EXPECT_ERRNO(write(s.fd, whole, 8), EBADF);
	EXPECT(mmap(NULL, 4096, PROT_READ, MAP_SHARED, s.fd, 0) == MAP_FAILED);
	EXPECT(errno == ENODEV);
	free(whole);
	free(bytes);
	free(chunks);
	stats_close(&s);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * A stats file holds the VM: after the vCPU and VM fds are closed it
 * still reads the counts they had.  On hvx, HVX_GET_INFO counts the VM
 * alive until the last stats file closes, then gone.
 */
static int test_outlives(const char *dev)
{
	struct stats vs, cs;
	struct hvx_info before, held, after;
	int hvx = test_is_hvx(dev), sys;
	uint64_t exits;
	struct guest g;

	sys = open(dev, O_RDWR);
	EXPECT(sys >= 0);
	if (hvx)
		EXPECT(ioctl(sys, HVX_GET_INFO, &before) == 0);
	GUEST_START(&g, dev, outs);
	EXPECT_STATS_OPEN(&vs, g.vm.fd);
	EXPECT_STATS_OPEN(&cs, g.vcpu.fd);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	exits = stats_value(&cs, "exits");
	EXPECT(exits >= 2);
	guest_destroy(&g);

	EXPECT(stats_value(&cs, "exits") == exits);
	EXPECT(!strncmp(cs.id, vs.id, strlen(vs.id)));
	if (hvx) {
		EXPECT(stats_value(&cs, "user_exits") == 2);
		EXPECT(ioctl(sys, HVX_GET_INFO, &held) == 0);
		EXPECT(held.vms == before.vms + 1);
	}
	stats_close(&cs);
	EXPECT(stats_value(&vs, "remote_tlb_flush") != 0 || !hvx);
	stats_close(&vs);
	if (hvx) {
		EXPECT(ioctl(sys, HVX_GET_INFO, &after) == 0);
		EXPECT(after.vms == before.vms && after.vcpus == before.vcpus);
	}
	close(sys);
	return TEST_PASS;
}

/*
 * KVM_GET_STATS_FD has no argument (api.rst: "Parameters: none"); KVM
 * ignores what the ioctl's argument holds, and so does hvx.  On the
 * system fd it is not an ioctl at all: hvx says ENOTTY for an unknown
 * ioctl, KVM 6.1 EINVAL on that fd (README, "Known differences").
 */
static int test_bad(const char *dev)
{
	struct vm vm;
	int fd;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(ioctl(vm.sys_fd, KVM_GET_STATS_FD, 0),
		     test_is_hvx(dev) ? ENOTTY : EINVAL);
	fd = ioctl(vm.fd, KVM_GET_STATS_FD, 0x1234);
	EXPECT(fd >= 0);
	close(fd);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * A guest that exits without end, each exit handled in the kernel on
 * both devices (CPUID on x86, PSCI_VERSION on arm64), so that KVM_RUN
 * never returns by itself and a signal ends it at the next exit.
 */
GUEST_CODE_X86(kexits, GUEST_LONG, ".code64",
	"1: xor %eax, %eax\n cpuid\n jmp 1b\n");
GUEST_CODE_ARM64(kexits, GUEST_EL1,
	"1: ldr x0, =0x84000000\n hvc #0\n b 1b\n");

struct watcher {
	struct stats *s;	/* opened before KVM_RUN */
	int vcpu_fd;
	volatile int run_over;	/* KVM_RUN has returned */
	int opened_while_running;
	uint64_t first, second, kernel;
	const char *why;
};

/*
 * From another thread, while the vCPU runs: read "exits" twice through
 * the file opened before, and open another meanwhile.
 */
static void *watch(void *arg)
{
	struct watcher *w = arg;
	struct stats s2;

	usleep(100000);
	w->first = stats_value(w->s, "exits");
	if (!stats_open(&s2, w->vcpu_fd)) {
		w->why = s2.why;
		return NULL;
	}
	w->opened_while_running = !w->run_over;
	usleep(200000);
	w->second = stats_value(w->s, "exits");
	w->kernel = stats_value(&s2, "kernel_exits");
	stats_close(&s2);
	return NULL;
}

/*
 * The counts move while the vCPU runs, as another thread sees them.
 * KVM_GET_STATS_FD itself, from that thread: hvx answers at once; KVM
 * 6.1 takes the vCPU's mutex for every vCPU ioctl, so there it returns
 * only once KVM_RUN has (by the signal, after a second).  On KVM the
 * "opened while running" line is for information only: on one CPU the
 * watcher may run between KVM_RUN's return and the store of run_over.
 */
static int test_while_running(const char *dev)
{
	struct watcher w = { 0 };
	struct guest g;
	struct stats s;
	pthread_t t;

	GUEST_START(&g, dev, kexits);
	EXPECT_STATS_OPEN(&s, g.vcpu.fd);
	w.s = &s;
	w.vcpu_fd = g.vcpu.fd;
	EXPECT(!pthread_create(&t, NULL, watch, &w));
	test_arm_timer(1000000);
	EXPECT_EXIT(&g, -EINTR);
	w.run_over = 1;
	pthread_join(t, NULL);
	if (w.why) {
		test_diag(__FILE__, __LINE__, w.why);
		return TEST_FAIL;
	}
	printf("# exits seen while running: %llu, then %llu; opened while running: %s\n",
	       (unsigned long long)w.first, (unsigned long long)w.second,
	       w.opened_while_running ? "yes" : "no");
	EXPECT(w.first > 0 && w.second > w.first && w.second != ~0ULL);
	if (test_is_hvx(dev)) {
		EXPECT(w.opened_while_running);
		EXPECT(w.kernel >= w.second - 1 && w.kernel != ~0ULL);
	}
	stats_close(&s);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * KVM_GET_STATS_FD from another process holding the fds (a child after
 * fork(), another mm): hvx gives the files (`hvx stat` reads another
 * process's VM that way; they read counters, never guest memory), KVM
 * 6.1 refuses every VM and vCPU ioctl from another mm with EIO.  A
 * stats file opened before the fork reads the same in the child on both.
 */
static int test_other_process(const char *dev)
{
	int hvx = test_is_hvx(dev), status;
	struct guest g;
	struct stats s;
	pid_t pid;

	GUEST_START(&g, dev, outs);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	EXPECT_STATS_OPEN(&s, g.vcpu.fd);
	pid = fork();
	EXPECT(pid >= 0);
	if (!pid) {
		int vm_fd = ioctl(g.vm.fd, KVM_GET_STATS_FD, 0);
		int vcpu_fd = ioctl(g.vcpu.fd, KVM_GET_STATS_FD, 0);
		int err = errno;

		if (stats_value(&s, "exits") < 1)
			_exit(1);
		if (hvx)
			_exit(vm_fd >= 0 && vcpu_fd >= 0 ? 0 : 2);
		_exit(vm_fd < 0 && vcpu_fd < 0 && err == EIO ? 0 : 3);
	}
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	stats_close(&s);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The VMM `hvx stat` watches: a guest exiting without end for up to 3 s.
 * On KVM it opens a stats file of its vCPU first, as QEMU does, since
 * KVM gives none to another process; on hvx it opens none.  A byte on
 * @ready says it is set up.
 */
static int stat_vmm(const char *dev, int ready)
{
	struct guest g;
	struct stats s;

	GUEST_START(&g, dev, kexits);
	if (!test_is_hvx(dev))
		EXPECT_STATS_OPEN(&s, g.vcpu.fd);
	EXPECT(write(ready, "", 1) == 1);
	test_arm_timer(3000000);
	EXPECT_EXIT(&g, -EINTR);
	return TEST_PASS;
}

/*
 * `hvx stat` (userspace/stat.c) on another process's VM, two frames:
 * vCPU 0 with "exits" moving on both devices; on hvx also its latency
 * histograms with percentiles.  Needs the tool on PATH (/hvx/bin in the
 * test machines).
 */
static int test_hvx_stat_tool(const char *dev)
{
	char cmd[128], *out, c;
	int status, rc, ok, ready[2];
	size_t len = 0;
	const char *p;
	FILE *f;
	pid_t pid;

	if (system("command -v hvx >/dev/null 2>&1"))
		return test_skip("no hvx tool on PATH");
	EXPECT(pipe(ready) == 0);
	pid = fork();
	EXPECT(pid >= 0);
	if (!pid)
		_exit(stat_vmm(dev, ready[1]));
	/* Set up (or gone: then hvx stat says so), and some exits made. */
	close(ready[1]);
	EXPECT(read(ready[0], &c, 1) >= 0);
	close(ready[0]);
	usleep(300000);
	snprintf(cmd, sizeof(cmd), "hvx stat --count 2 --interval 0.3 %d 2>&1",
		 pid);
	out = calloc(1, 65536);
	f = popen(cmd, "r");
	EXPECT(out && f);
	while (len < 65535 && (rc = fread(out + len, 1, 65535 - len, f)) > 0)
		len += rc;
	rc = pclose(f);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	p = strstr(out, "\n  exits ");
	ok = rc == 0 && strstr(out, "vCPU 0 (kvm-") && p &&
	     strtod(p + 9, NULL) > 0;
	if (ok && test_is_hvx(dev))
		ok = strstr(out, "kernel_exit_latency_hist") &&
		     strstr(out, " p99 ");
	if (!ok)
		printf("# hvx stat said (status %d):\n%s", rc, out);
	free(out);
	EXPECT(ok);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "stats_caps", test_caps },
	{ "stats_vm_layout", test_vm_layout },
	{ "stats_vcpu_layout", test_vcpu_layout },
	{ "stats_exits", test_exits },
	{ "stats_read_offsets", test_read_offsets },
	{ "stats_fd_outlives", test_outlives },
	{ "stats_bad_calls", test_bad },
	{ "stats_while_running", test_while_running },
	{ "stats_other_process", test_other_process },
	{ "hvx_stat_tool", test_hvx_stat_tool },
};

TEST_MAIN_SHARED(cases)

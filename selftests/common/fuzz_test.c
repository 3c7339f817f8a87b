// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: random ioctl sequences on the system, VM and vCPU fds, from
 * descriptions of every ioctl hvx accepts (fuzz.h), seeded and
 * reproducible.  The cases:
 *
 *   fuzz_sequence  one thread, random calls, guests of random code run
 *                  between them (the choices replay exactly from the seed)
 *   fuzz_race      threads on one VM: two vCPUs running, slots created,
 *                  moved, deleted and munmapped under them, random calls
 *                  and closes, the run pages scribbled on, immediate_exit
 *                  and signals mid-run (the interleaving is the host's)
 *   fuzz_kill      children that fuzz, killed with SIGKILL at a random
 *                  moment, mostly inside KVM_RUN; the parent's fds used
 *                  from the child (another mm)
 *   fuzz_no_leaks  (hvx) every VM, vCPU, pinned page and table page gone
 *
 * A case passes when the fuzzing process ends by itself within its time,
 * no call returned a kernel-internal errno (512 and up) or a positive
 * value where the ABI has none, and afterwards a fresh guest still runs;
 * the harness adds that the kernel log stays clean and that hvx.ko
 * unloads.  On a failure the seed and the last calls of each thread are
 * printed: `fuzz_test --seed S --case NAME` replays it.
 *
 *   fuzz_test [--seed S] [--calls N] [--case NAME] [--trace FROM]
 *   (or HVX_FUZZ_SEED, HVX_FUZZ_CALLS; calls are per case and device;
 *   HVX_FUZZ_KILL_CALLS sets fuzz_kill's apart: one child per 200 of them,
 *   each making as many calls as its random lifetime allows;
 *   --trace prints each call from number FROM on, before it is made, for
 *   a hang that takes the whole machine)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/hvx.h>

#include "../lib/test.h"
#include "fuzz.h"

#define FUZZ_DEFAULT_CALLS	4000
#define FUZZ_PAGE		4096ul
#define FUZZ_SCRATCH		(64u << 10)
#define FUZZ_ARENA_PAGES	2048ul		/* 8 MiB of guest memory */
#define FUZZ_MAX_FDS		48
#define FUZZ_MAX_VMS		4
#define FUZZ_MAX_VCPUS		8
#define FUZZ_THREADS		6
#define FUZZ_RING		24
#define FUZZ_KILL_CALLS		200	/* calls per killed child, about */
#define FUZZ_KICK_SIG		SIGUSR1		/* ends a KVM_RUN */

/* Pseudo-operations, logged like ioctls (index FUZZ_OP_BASE + n). */
enum {
	FUZZ_OP_CLOSE,
	FUZZ_OP_ARENA,		/* four of them: fuzz_arena_op() */
	FUZZ_OP_SCRIBBLE = FUZZ_OP_ARENA + 4,
	FUZZ_OP_KICK,
	FUZZ_OP_GUEST,
	FUZZ_OP_FORK_CALL,
	FUZZ_NR_OPS,
};

#define FUZZ_OP_BASE	1000

static const char *const fuzz_op_names[FUZZ_NR_OPS] = {
	"close", "arena: no access", "arena: mapped again",
	"arena: read-only", "arena: MADV_DONTNEED", "scribble run page",
	"signal vCPU thread", "new guest", "call from another mm",
};

/* Mutations, logged with each call. */
enum {
	MUT_NONE,
	MUT_FLIP,	/* random bits anywhere but the protected pointer */
	MUT_BYTES,	/* random bytes */
	MUT_HUGE,	/* the count field huge */
	MUT_NULL,
	MUT_UNMAPPED,
	MUT_RDONLY,
	MUT_STRADDLE,	/* the struct runs into an unmapped page */
	MUT_KERNEL,	/* a kernel address */
	MUT_VALUE,	/* ARG_VAL: a random value */
	MUT_WRONG_FD,	/* an fd of another kind */
	FUZZ_NR_MUTS,
};

static const char *const fuzz_mut_names[FUZZ_NR_MUTS] = {
	"valid", "bits flipped", "bytes", "huge count", "NULL", "unmapped",
	"read-only", "straddles unmapped page", "kernel address",
	"random value", "wrong fd",
};

struct fuzz_entry {
	uint64_t seq;
	uint64_t arg;
	int32_t ret;		/* the result, -errno, or FUZZ_PENDING */
	uint16_t what;		/* descriptor index or FUZZ_OP_BASE + op */
	uint8_t mut;
	int8_t fd;
};

#define FUZZ_PENDING	INT32_MIN

/* Shared with the supervising process: survives the fuzzer's death. */
struct fuzz_log {
	uint64_t seed;
	uint64_t target;
	uint64_t calls;
	int stop;
	int failed;
	char why[160];
	struct {
		uint64_t n;
		struct fuzz_entry e[FUZZ_RING];
	} ring[FUZZ_THREADS];
	uint64_t nr_calls[256], nr_ok[256];
};

struct fuzz_fd {
	int fd;			/* -1: free */
	unsigned int kind;	/* FUZZ_SYS, FUZZ_VM, FUZZ_VCPU, FUZZ_DEV */
	struct kvm_run *run;	/* vCPU: mapped until the case ends */
};

/* What the threads of one fuzzing process share. */
struct fuzz_ctx {
	const char *dev;
	pthread_mutex_t lock;
	struct fuzz_fd fds[FUZZ_MAX_FDS];
	struct kvm_run *runs[FUZZ_MAX_FDS * 2];	/* every run page mapped */
	int nr_runs;
	int nr_vms, nr_vcpus;
	int run_size;
	uint8_t *arena;
	int efds[4];
	struct fuzz_log *log;
	pthread_t runners[2];
	int nr_runners;
};

struct fuzz {
	uint64_t rng;
	int tid;
	struct fuzz_ctx *c;
	uint8_t *scratch;	/* FUZZ_SCRATCH bytes, an unmapped page after */
	uint8_t *argbuf;	/* the same, for the argument itself */
	timer_t timer;
	int has_timer;
};

static struct fuzz_log *fuzz_log;
static uint64_t fuzz_seed_arg;
static int fuzz_seed_set;
static uint64_t fuzz_calls_arg = FUZZ_DEFAULT_CALLS;
static uint64_t fuzz_kill_calls_arg;	/* fuzz_kill's, if not 0 */
static uint64_t fuzz_trace_from = ~0ull;	/* --trace N: print calls from N */

/* Pages the kernel must refuse: set up once per process. */
static uint8_t *fuzz_bad_unmapped;
static uint8_t *fuzz_bad_rdonly;

/* --- random numbers ---------------------------------------------------- */

uint64_t fuzz_rand(struct fuzz *f)
{
	/* xorshift64*: small, fast, and one 64-bit word of state to print */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

uint64_t fuzz_below(struct fuzz *f, uint64_t n)
{
	return n ? fuzz_rand(f) % n : 0;
}

int fuzz_one_in(struct fuzz *f, unsigned int n)
{
	return fuzz_below(f, n) == 0;
}

uint64_t fuzz_interesting(struct fuzz *f)
{
	static const uint64_t v[] = {
		0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000,
		0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		~0ull, ~0ull - 1,
	};
	uint64_t r = fuzz_rand(f);

	switch (r & 3) {
	case 0:
		return v[(r >> 2) % ARRAY_SIZE(v)];
	case 1:
		return 1ull << ((r >> 2) & 63);
	case 2:
		return (r >> 2) & 0xff;
	}
	return fuzz_rand(f);
}

uint64_t fuzz_gpa(struct fuzz *f)
{
	if (fuzz_one_in(f, 16))
		return fuzz_interesting(f) & ~(FUZZ_PAGE - 1);
	return fuzz_below(f, 4096) * FUZZ_PAGE;
}

static void fuzz_fill(struct fuzz *f, void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = fuzz_rand(f);

		memcpy(b + i, &r, 8);
	}
	for (; i < len; i++)
		b[i] = fuzz_rand(f);
}

/* --- pointers ---------------------------------------------------------- */

/* @size bytes and an unmapped page right after them. */
static uint8_t *fuzz_map_guarded(size_t size)
{
	uint8_t *p = mmap(NULL, size + FUZZ_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p + size, FUZZ_PAGE);
	return p;
}

void *fuzz_scratch(struct fuzz *f, size_t size)
{
	if (size > FUZZ_SCRATCH)
		size = FUZZ_SCRATCH;
	/* At the end, so that any write past @size faults. */
	return f->scratch + FUZZ_SCRATCH - ((size + 7) & ~7ul);
}

/* A pointer the kernel must refuse, of a random kind. */
static uint64_t fuzz_bad_ptr(struct fuzz *f, size_t size, uint8_t *mut)
{
	switch (fuzz_below(f, 5)) {
	case 0:
		*mut = MUT_NULL;
		return 0;
	case 1:
		*mut = MUT_UNMAPPED;
		return (uintptr_t)fuzz_bad_unmapped + fuzz_below(f, FUZZ_PAGE);
	case 2:
		*mut = MUT_RDONLY;
		return (uintptr_t)fuzz_bad_rdonly;
	case 3:
		*mut = MUT_STRADDLE;
		return (uintptr_t)f->scratch + FUZZ_SCRATCH - size / 2;
	}
	*mut = MUT_KERNEL;
	return 0xffff800000000000ull + fuzz_below(f, 1u << 30) * 8;
}

uint64_t fuzz_out_ptr(struct fuzz *f, size_t size)
{
	uint8_t mut;

	if (!fuzz_one_in(f, 6))
		return (uintptr_t)fuzz_scratch(f, size);
	return fuzz_bad_ptr(f, size, &mut);
}

int fuzz_eventfd(struct fuzz *f)
{
	if (fuzz_one_in(f, 20))
		return fuzz_one_in(f, 2) ? -1 : 0;	/* bad; stdin */
	return f->c->efds[fuzz_below(f, ARRAY_SIZE(f->c->efds))];
}

/* --- the log ----------------------------------------------------------- */

static const struct fuzz_ioctl *fuzz_desc(unsigned int i);
static unsigned int fuzz_nr_desc(void);

static const char *fuzz_what_name(unsigned int what)
{
	if (what >= FUZZ_OP_BASE)
		return fuzz_op_names[what - FUZZ_OP_BASE];
	return fuzz_desc(what)->name;
}

static void fuzz_print_entry(int tid, const struct fuzz_entry *e);

static struct fuzz_entry *fuzz_record(struct fuzz *f, unsigned int what,
				      int fd, uint8_t mut, uint64_t arg)
{
	struct fuzz_log *log = f->c->log;
	uint64_t n = log->ring[f->tid].n++;
	struct fuzz_entry *e = &log->ring[f->tid].e[n % FUZZ_RING];

	e->seq = __atomic_fetch_add(&log->calls, 1, __ATOMIC_RELAXED);
	e->what = what;
	e->fd = fd;
	e->mut = mut;
	e->arg = arg;
	e->ret = FUZZ_PENDING;
	if (what < ARRAY_SIZE(log->nr_calls))
		log->nr_calls[what]++;
	if (e->seq >= fuzz_trace_from) {
		fuzz_print_entry(f->tid, e);
		fflush(stdout);
	}
	return e;
}

static void fuzz_fail(struct fuzz *f, const char *why, const char *name,
		      long r, int err)
{
	struct fuzz_log *log = f->c->log;

	if (__atomic_exchange_n(&log->failed, 1, __ATOMIC_SEQ_CST))
		return;
	snprintf(log->why, sizeof(log->why), "%s: %s returned %ld errno %d",
		 why, name, r, err);
	log->stop = 1;
}

static void fuzz_print_entry(int tid, const struct fuzz_entry *e)
{
	printf("#   t%d #%llu %s fd %d arg %#llx (%s): ", tid,
	       (unsigned long long)e->seq, fuzz_what_name(e->what), e->fd,
	       (unsigned long long)e->arg, e->mut < FUZZ_NR_MUTS ?
	       fuzz_mut_names[e->mut] : "?");
	if (e->ret == FUZZ_PENDING)
		printf("did not return\n");
	else if (e->ret < 0)
		printf("%s\n", strerror(-e->ret));
	else
		printf("%d\n", e->ret);
}

/* The seed and each thread's last calls, oldest first. */
static void fuzz_print_log(struct fuzz_log *log, const char *name)
{
	int t;

	printf("# replay: fuzz_test --seed %#llx --calls %llu --case %s\n",
	       (unsigned long long)log->seed,
	       (unsigned long long)log->target, name);
	if (log->why[0])
		printf("# %s\n", log->why);
	for (t = 0; t < FUZZ_THREADS; t++) {
		uint64_t n = log->ring[t].n, i;

		if (!n)
			continue;
		printf("# thread %d, last %d of %llu calls:\n", t,
		       (int)(n < FUZZ_RING ? n : FUZZ_RING),
		       (unsigned long long)n);
		for (i = n < FUZZ_RING ? 0 : n - FUZZ_RING; i < n; i++)
			fuzz_print_entry(t, &log->ring[t].e[i % FUZZ_RING]);
	}
	fflush(stdout);
}

/* Per ioctl: calls and successes, so a run shows what it reached. */
static void fuzz_print_stats(struct fuzz_log *log)
{
	unsigned int i, n = fuzz_nr_desc();

	printf("# calls by ioctl (ok/all):");
	for (i = 0; i < n && i < ARRAY_SIZE(log->nr_calls); i++)
		if (log->nr_calls[i])
			printf(" %s %llu/%llu", fuzz_desc(i)->name,
			       (unsigned long long)log->nr_ok[i],
			       (unsigned long long)log->nr_calls[i]);
	printf("\n");
}

/* --- fds --------------------------------------------------------------- */

static int fuzz_fd_add(struct fuzz_ctx *c, int fd, unsigned int kind,
		       struct kvm_run *run)
{
	int i;

	for (i = 0; i < FUZZ_MAX_FDS; i++)
		if (c->fds[i].fd < 0) {
			c->fds[i].fd = fd;
			c->fds[i].kind = kind;
			c->fds[i].run = run;
			return 0;
		}
	return -1;
}

/* A random fd of one of @kinds (under c->lock), or -1 for none. */
static int fuzz_fd_pick(struct fuzz *f, unsigned int kinds,
			struct kvm_run **run)
{
	int i, n = 0, pick[FUZZ_MAX_FDS];

	for (i = 0; i < FUZZ_MAX_FDS; i++)
		if (f->c->fds[i].fd >= 0 && (f->c->fds[i].kind & kinds))
			pick[n++] = i;
	if (!n)
		return -1;
	i = pick[fuzz_below(f, n)];
	if (run)
		*run = f->c->fds[i].run;
	return f->c->fds[i].fd;
}

static void fuzz_note_run(struct fuzz_ctx *c, struct kvm_run *run)
{
	if (run && c->nr_runs < (int)ARRAY_SIZE(c->runs))
		c->runs[c->nr_runs++] = run;
}

/* A new vCPU fd: its run page is mapped, and stays until the case ends. */
static void fuzz_adopt(struct fuzz *f, int fd, unsigned int kind)
{
	struct fuzz_ctx *c = f->c;
	struct kvm_run *run = NULL;

	if (kind == FUZZ_VCPU && c->nr_runs < (int)ARRAY_SIZE(c->runs)) {
		run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0);
		if (run == MAP_FAILED)
			run = NULL;
	}
	pthread_mutex_lock(&c->lock);
	if ((kind == FUZZ_VM && c->nr_vms >= FUZZ_MAX_VMS) ||
	    (kind == FUZZ_VCPU && c->nr_vcpus >= FUZZ_MAX_VCPUS) ||
	    fuzz_fd_add(c, fd, kind, run)) {
		close(fd);
	} else {
		c->nr_vms += kind == FUZZ_VM;
		c->nr_vcpus += kind == FUZZ_VCPU;
	}
	fuzz_note_run(c, run);
	pthread_mutex_unlock(&c->lock);
}

/*
 * KVM_CREATE_DEVICE succeeded: the device's fd, unless it was only a
 * KVM_CREATE_DEVICE_TEST, which writes none.
 */
static void fuzz_adopt_device(struct fuzz *f, struct kvm_create_device *cd)
{
	if (!(cd->flags & KVM_CREATE_DEVICE_TEST) && (int)cd->fd >= 0)
		fuzz_adopt(f, cd->fd, FUZZ_DEV);
}

/*
 * Close a random fd: a VM before its vCPUs or after, the system fd
 * first, as a careless VMM would.
 */
static void fuzz_close_one(struct fuzz *f)
{
	struct fuzz_ctx *c = f->c;
	int i = fuzz_below(f, FUZZ_MAX_FDS);
	struct fuzz_entry *e;

	pthread_mutex_lock(&c->lock);
	if (c->fds[i].fd >= 0) {
		e = fuzz_record(f, FUZZ_OP_BASE + FUZZ_OP_CLOSE, c->fds[i].fd,
				MUT_NONE, c->fds[i].kind);
		e->ret = close(c->fds[i].fd);
		c->nr_vms -= c->fds[i].kind == FUZZ_VM;
		c->nr_vcpus -= c->fds[i].kind == FUZZ_VCPU;
		c->fds[i].fd = -1;
	}
	pthread_mutex_unlock(&c->lock);
}

/* --- guests ------------------------------------------------------------ */

/*
 * A VM with RAM of random code in slot 0 and vCPUs in a guest mode, all
 * of whose fds join the table.  The struct guest's RAM is left mapped
 * until the process ends; the fuzzer may munmap it like any other.
 */
static void fuzz_new_guest(struct fuzz *f, int nr_vcpus)
{
	struct fuzz_ctx *c = f->c;
	struct vm *vm = calloc(1, sizeof(*vm));
	struct vcpu *vcpu;
	int i, mode;

	if (!vm)
		return;
	fuzz_record(f, FUZZ_OP_BASE + FUZZ_OP_GUEST, -1, MUT_NONE, nr_vcpus);
	mode = fuzz_below(f, GUEST_NR_MODES);
	if (vm_open(vm, c->dev, GUEST_MIN_MEM)) {
		free(vm);
		return;
	}
	fuzz_arch_guest_code(f, vm->mem, vm->mem_size);
	pthread_mutex_lock(&c->lock);
	if (c->nr_vms >= FUZZ_MAX_VMS || fuzz_fd_add(c, vm->sys_fd, FUZZ_SYS,
						      NULL) ||
	    fuzz_fd_add(c, vm->fd, FUZZ_VM, NULL)) {
		pthread_mutex_unlock(&c->lock);
		vm_close(vm);
		free(vm);
		return;
	}
	c->nr_vms++;
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < nr_vcpus; i++) {
		vcpu = calloc(1, sizeof(*vcpu));
		if (!vcpu || vcpu_create(vm, vcpu, i)) {
			free(vcpu);
			break;
		}
		vcpu_setup_mode(vcpu, mode, GUEST_CODE_GPA, GUEST_STACK_TOP);
		pthread_mutex_lock(&c->lock);
		if (fuzz_fd_add(c, vcpu->fd, FUZZ_VCPU, vcpu->run))
			close(vcpu->fd);
		else
			c->nr_vcpus++;
		fuzz_note_run(c, vcpu->run);
		pthread_mutex_unlock(&c->lock);
	}
}

/* --- memory ------------------------------------------------------------ */

/*
 * The arena holds the memory slots the fuzzer creates; ranges of it are
 * taken away (replaced by an inaccessible mapping: a real munmap would
 * leave a hole that the next mmap, a run page say, could land in),
 * mapped again, made read-only or dropped (MADV_DONTNEED) under running
 * guests.  Each goes through the MMU notifier of the VMs whose slots map
 * the range.
 */
static void fuzz_arena_op(struct fuzz *f)
{
	uint64_t first = fuzz_below(f, FUZZ_ARENA_PAGES);
	uint64_t n = 1 + fuzz_below(f, FUZZ_ARENA_PAGES - first);
	uint8_t *p = f->c->arena + first * FUZZ_PAGE;
	unsigned int op = fuzz_below(f, 4);
	struct fuzz_entry *e;
	int prot = PROT_READ | PROT_WRITE;

	if (fuzz_one_in(f, 2))
		n = 1 + fuzz_below(f, n < 16 ? n : 16);
	e = fuzz_record(f, FUZZ_OP_BASE + FUZZ_OP_ARENA + op, -1, MUT_NONE,
			(uintptr_t)p);
	switch (op) {
	case 0:
		prot = PROT_NONE;
		/* fall through */
	case 1:
		e->ret = mmap(p, n * FUZZ_PAGE, prot, MAP_PRIVATE |
			      MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
			      0) == MAP_FAILED ? -errno : 0;
		break;
	case 2:
		e->ret = mprotect(p, n * FUZZ_PAGE, PROT_READ);
		break;
	default:
		e->ret = madvise(p, n * FUZZ_PAGE, MADV_DONTNEED);
		break;
	}
}

/* A userspace_addr for a slot: in the arena, or one to be refused. */
static uint64_t fuzz_slot_hva(struct fuzz *f, uint64_t *size)
{
	uint64_t first = fuzz_below(f, FUZZ_ARENA_PAGES);
	uint64_t max = FUZZ_ARENA_PAGES - first;
	uint8_t mut;

	*size = (1 + fuzz_below(f, fuzz_one_in(f, 2) ? 16 : max)) * FUZZ_PAGE;
	if (fuzz_one_in(f, 10))
		return fuzz_bad_ptr(f, *size, &mut);
	if (fuzz_one_in(f, 20))
		return (uintptr_t)f->c->arena + first * FUZZ_PAGE + 1;
	return (uintptr_t)f->c->arena + first * FUZZ_PAGE;
}

/* --- the shared descriptions ------------------------------------------- */

static unsigned long gen_zero(struct fuzz *f, void *arg)
{
	(void)f;
	(void)arg;
	return 0;
}

static unsigned long gen_cap(struct fuzz *f, void *arg)
{
	(void)arg;
	return fuzz_one_in(f, 4) ? fuzz_interesting(f) : fuzz_below(f, 240);
}

static unsigned long gen_vm_type(struct fuzz *f, void *arg)
{
	(void)arg;
	return fuzz_one_in(f, 2) ? 0 : fuzz_interesting(f);
}

static unsigned long gen_vcpu_id(struct fuzz *f, void *arg)
{
	(void)arg;
	return fuzz_one_in(f, 4) ? fuzz_interesting(f) : fuzz_below(f, 20);
}

/* Mostly the few slots the fuzzer keeps using, so that logs exist. */
static uint32_t fuzz_slot(struct fuzz *f)
{
	if (fuzz_one_in(f, 8))
		return fuzz_interesting(f);
	return fuzz_one_in(f, 4) ? fuzz_below(f, 34) : fuzz_below(f, 4);
}

static unsigned long gen_memslot(struct fuzz *f, void *arg)
{
	struct kvm_userspace_memory_region *m = arg;
	uint64_t size;
	static const uint32_t flags[] = {
		0, 0, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY,
		KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY,
	};

	m->slot = fuzz_slot(f);
	m->flags = flags[fuzz_below(f, ARRAY_SIZE(flags))];
	m->guest_phys_addr = fuzz_gpa(f);
	m->userspace_addr = fuzz_slot_hva(f, &size);
	m->memory_size = size;
	if (fuzz_one_in(f, 6))
		m->memory_size = 0;	/* delete */
	return 0;
}

/*
 * No slot larger than 1 GiB that logs dirty pages: its bitmaps (KVM
 * keeps two) would be the machine's memory, and an OOM kill says nothing.
 */
static void fix_memslot(struct fuzz *f, void *arg)
{
	struct kvm_userspace_memory_region *m = arg;

	(void)f;
	if ((m->flags & KVM_MEM_LOG_DIRTY_PAGES) || m->memory_size >> 40)
		m->memory_size &= (1ull << 30) - 1;
}

static unsigned long gen_dirty_log(struct fuzz *f, void *arg)
{
	struct kvm_dirty_log *d = arg;

	d->slot = fuzz_slot(f);
	d->dirty_bitmap = (void *)(uintptr_t)fuzz_out_ptr(f, FUZZ_SCRATCH);
	return 0;
}

static unsigned long gen_clear_dirty_log(struct fuzz *f, void *arg)
{
	struct kvm_clear_dirty_log *d = arg;

	d->slot = fuzz_slot(f);
	d->first_page = fuzz_one_in(f, 4) ? fuzz_interesting(f) :
					    64 * fuzz_below(f, 40);
	d->num_pages = fuzz_one_in(f, 4) ? fuzz_interesting(f) :
					   64 * fuzz_below(f, 40);
	d->dirty_bitmap = fuzz_scratch(f, FUZZ_SCRATCH);
	fuzz_fill(f, d->dirty_bitmap, 512);
	return 0;
}

static unsigned long gen_enable_cap(struct fuzz *f, void *arg)
{
	struct kvm_enable_cap *e = arg;

	e->cap = fuzz_one_in(f, 2) ? KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 :
				     fuzz_below(f, 240);
	e->args[0] = fuzz_one_in(f, 2) ? fuzz_below(f, 4) :
					 fuzz_interesting(f);
	return 0;
}

static unsigned long gen_ioeventfd(struct fuzz *f, void *arg)
{
	struct kvm_ioeventfd *io = arg;
	static const uint32_t lens[] = { 0, 1, 2, 4, 8, 3 };
	static const uint32_t flags[] = {
		0, KVM_IOEVENTFD_FLAG_DATAMATCH, KVM_IOEVENTFD_FLAG_PIO,
		KVM_IOEVENTFD_FLAG_DEASSIGN,
		KVM_IOEVENTFD_FLAG_DATAMATCH | KVM_IOEVENTFD_FLAG_DEASSIGN,
		KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY,
	};

	io->flags = flags[fuzz_below(f, ARRAY_SIZE(flags))];
	io->len = lens[fuzz_below(f, ARRAY_SIZE(lens))];
	/* Ports and pages the random guests are likely to write. */
	io->addr = fuzz_one_in(f, 2) ? fuzz_below(f, 0x100) :
				       fuzz_gpa(f) + fuzz_below(f, 16) * 8;
	io->datamatch = fuzz_below(f, 4);
	io->fd = fuzz_eventfd(f);
	return 0;
}

static unsigned long gen_sigmask(struct fuzz *f, void *arg)
{
	struct kvm_signal_mask *m = arg;

	m->len = fuzz_one_in(f, 8) ? fuzz_interesting(f) : 8;
	fuzz_fill(f, m->sigset, 8);
	return 0;
}

/* The signal that ends the fuzzer's KVM_RUNs stays deliverable. */
static void fix_sigmask(struct fuzz *f, void *arg)
{
	struct kvm_signal_mask *m = arg;
	uint64_t set;

	(void)f;
	memcpy(&set, m->sigset, 8);
	set &= ~(1ull << (FUZZ_KICK_SIG - 1));
	memcpy(m->sigset, &set, 8);
}

#define OUT_STRUCT(n, c, on, type) \
	{ n, c, on, 0, sizeof(type), FUZZ_NO_PTR, -1, gen_zero, NULL }

static const struct fuzz_ioctl fuzz_common_ioctls[] = {
	{ "KVM_GET_API_VERSION", KVM_GET_API_VERSION, FUZZ_SYS,
	  FUZZ_ARG_VAL | FUZZ_RET_VAL, 0, FUZZ_NO_PTR, -1, gen_zero, NULL },
	{ "KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, FUZZ_SYS | FUZZ_VM,
	  FUZZ_ARG_VAL | FUZZ_RET_VAL, 0, FUZZ_NO_PTR, -1, gen_cap, NULL },
	{ "KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, FUZZ_SYS,
	  FUZZ_ARG_VAL | FUZZ_RET_VAL, 0, FUZZ_NO_PTR, -1, gen_zero, NULL },
	{ "KVM_CREATE_VM", KVM_CREATE_VM, FUZZ_SYS,
	  FUZZ_ARG_VAL | FUZZ_NEW_FD, 0, FUZZ_NO_PTR, -1, gen_vm_type, NULL },
	OUT_STRUCT("HVX_GET_INFO", HVX_GET_INFO, FUZZ_SYS, struct hvx_info),
	{ "KVM_CREATE_VCPU", KVM_CREATE_VCPU, FUZZ_VM,
	  FUZZ_ARG_VAL | FUZZ_NEW_FD, 0, FUZZ_NO_PTR, -1, gen_vcpu_id, NULL },
	{ "KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION, FUZZ_VM,
	  0, sizeof(struct kvm_userspace_memory_region),
	  offsetof(struct kvm_userspace_memory_region, userspace_addr), -1,
	  gen_memslot, fix_memslot },
	{ "KVM_GET_DIRTY_LOG", KVM_GET_DIRTY_LOG, FUZZ_VM, 0,
	  sizeof(struct kvm_dirty_log),
	  offsetof(struct kvm_dirty_log, dirty_bitmap), -1, gen_dirty_log,
	  NULL },
	{ "KVM_CLEAR_DIRTY_LOG", KVM_CLEAR_DIRTY_LOG, FUZZ_VM, 0,
	  sizeof(struct kvm_clear_dirty_log),
	  offsetof(struct kvm_clear_dirty_log, dirty_bitmap),
	  offsetof(struct kvm_clear_dirty_log, num_pages),
	  gen_clear_dirty_log, NULL },
	{ "KVM_ENABLE_CAP", KVM_ENABLE_CAP, FUZZ_VM, 0,
	  sizeof(struct kvm_enable_cap), FUZZ_NO_PTR, -1, gen_enable_cap,
	  NULL },
	{ "KVM_IOEVENTFD", KVM_IOEVENTFD, FUZZ_VM, 0,
	  sizeof(struct kvm_ioeventfd), FUZZ_NO_PTR, -1, gen_ioeventfd, NULL },
	{ "KVM_RUN", KVM_RUN, FUZZ_VCPU, FUZZ_ARG_VAL, 0, FUZZ_NO_PTR, -1,
	  gen_zero, NULL },
	{ "KVM_SET_SIGNAL_MASK", KVM_SET_SIGNAL_MASK, FUZZ_VCPU, 0,
	  sizeof(struct kvm_signal_mask) + 8, FUZZ_NO_PTR, -1, gen_sigmask,
	  fix_sigmask },
	OUT_STRUCT("HVX_GET_VCPU_STATS", HVX_GET_VCPU_STATS, FUZZ_VCPU,
		   struct hvx_vcpu_stats),
	/* The in-kernel interrupt controllers: each arch's own table. */
};

/* fuzz_common_ioctls[] indices */
#define FUZZ_SLOT_DESC	6	/* KVM_SET_USER_MEMORY_REGION */
#define FUZZ_RUN_DESC	11	/* KVM_RUN */

static unsigned int fuzz_nr_desc(void)
{
	return ARRAY_SIZE(fuzz_common_ioctls) + fuzz_nr_arch_ioctls;
}

static const struct fuzz_ioctl *fuzz_desc(unsigned int i)
{
	if (i < ARRAY_SIZE(fuzz_common_ioctls))
		return &fuzz_common_ioctls[i];
	return &fuzz_arch_ioctls[i - ARRAY_SIZE(fuzz_common_ioctls)];
}

/* --- one call ---------------------------------------------------------- */

static void fuzz_mutate(struct fuzz *f, const struct fuzz_ioctl *d,
			uint8_t *arg, uint8_t *mut)
{
	size_t i, n;

	switch (fuzz_below(f, 3)) {
	case 0:
		*mut = MUT_FLIP;
		n = 1 + fuzz_below(f, 3);
		while (n--) {
			i = fuzz_below(f, d->size);
			if (d->ptr_off >= 0 && i >= (size_t)d->ptr_off &&
			    i < (size_t)d->ptr_off + 8)
				continue;
			arg[i] ^= 1u << fuzz_below(f, 8);
		}
		break;
	case 1:
		*mut = MUT_BYTES;
		i = fuzz_below(f, d->size);
		n = 1 + fuzz_below(f, 8);
		for (; n-- && i < d->size; i++)
			if (d->ptr_off < 0 || i < (size_t)d->ptr_off ||
			    i >= (size_t)d->ptr_off + 8)
				arg[i] = fuzz_rand(f);
		break;
	default:
		if (d->count_off < 0)
			break;
		*mut = MUT_HUGE;
		*(uint32_t *)(arg + d->count_off) = fuzz_one_in(f, 2) ?
			~0u : 1u << fuzz_below(f, 32);
		break;
	}
}

/*
 * The argument of @d: generated in argbuf (ending at its unmapped page,
 * so that reading past the struct faults), then perhaps mutated.
 */
static unsigned long fuzz_make_arg(struct fuzz *f,
				   const struct fuzz_ioctl *d, uint8_t *mut)
{
	size_t size = (d->size + 7) & ~7ul;
	uint8_t *arg = f->argbuf + FUZZ_SCRATCH - size;
	unsigned long val;

	*mut = MUT_NONE;
	if (d->flags & FUZZ_ARG_VAL) {
		val = d->gen(f, NULL);
		if (fuzz_one_in(f, 8)) {
			*mut = MUT_VALUE;
			val = fuzz_interesting(f);
		}
		return val;
	}
	memset(arg, 0, size);
	d->gen(f, arg);
	if (fuzz_one_in(f, 3))
		fuzz_mutate(f, d, arg, mut);
	if (d->fixup)
		d->fixup(f, arg);
	if (fuzz_one_in(f, 12))
		return fuzz_bad_ptr(f, size, mut);
	return (uintptr_t)arg;
}

static int fuzz_errno_ok(int err)
{
	/* 512 and up are the kernel's own (ERESTARTSYS...): never ours. */
	return err > 0 && err < 512;
}

/*
 * Arms the thread's timer: a KVM_RUN returns within @usec of its entry.
 * The kick repeats every @usec until disarmed: a single one could land
 * between timer_settime() and the ioctl (the handler runs, nothing stays
 * pending) and leave a guest that never exits in KVM_RUN for good.
 */
static void fuzz_timer(struct fuzz *f, long usec)
{
	struct timespec ts = { .tv_sec = usec / 1000000,
			       .tv_nsec = (usec % 1000000) * 1000 };
	struct itimerspec t = { .it_value = ts, .it_interval = ts };

	if (f->has_timer)
		timer_settime(f->timer, 0, &t, NULL);
}

/* KVM_RUN: bounded by the timer; immediate_exit now and then. */
static long fuzz_run(struct fuzz *f, int fd, struct kvm_run *run,
		     unsigned long arg)
{
	long r;

	if (run)
		run->immediate_exit = fuzz_one_in(f, 10);
	fuzz_timer(f, 500 + fuzz_below(f, 3000));
	r = ioctl(fd, KVM_RUN, arg);
	fuzz_timer(f, 0);
	/* What a VMM does on EINVAL: its run page back in order, sometimes. */
	if (r < 0 && errno == EINVAL && run && fuzz_one_in(f, 2)) {
		run->kvm_valid_regs = 0;
		run->kvm_dirty_regs = 0;
		errno = EINVAL;
	}
	return r;
}

/* One call of descriptor @i on a random fd of its kind. */
static void fuzz_call(struct fuzz *f, unsigned int i)
{
	const struct fuzz_ioctl *d = fuzz_desc(i);
	struct kvm_run *run = NULL;
	struct fuzz_entry *e;
	unsigned long arg;
	uint8_t mut;
	long r;
	int fd, err;
	int failed;

	pthread_mutex_lock(&f->c->lock);
	fd = fuzz_fd_pick(f, fuzz_one_in(f, 20) ? ~0u : d->on, &run);
	pthread_mutex_unlock(&f->c->lock);
	if (fd < 0)
		return;
	if ((d->flags & FUZZ_NEW_FD) && (f->c->nr_vms >= FUZZ_MAX_VMS ||
					 f->c->nr_vcpus >= FUZZ_MAX_VCPUS))
		return;
	arg = fuzz_make_arg(f, d, &mut);
	e = fuzz_record(f, i, fd, mut, arg);
	errno = 0;
	if (d->cmd == KVM_RUN)
		r = fuzz_run(f, fd, run, arg);
	else
		r = ioctl(fd, d->cmd, arg);
	err = errno;
	/*
	 * The C library reports an error as -1 with errno; any other
	 * negative int is a value (KVM_GET_NR_MMU_PAGES returns what
	 * KVM_SET_NR_MMU_PAGES took, cut to an int).
	 */
	failed = r == -1 && err;
	e->ret = failed ? -err : r;
	if (!failed)
		f->c->log->nr_ok[i]++;
	if (failed && !fuzz_errno_ok(err))
		fuzz_fail(f, "kernel-internal errno", d->name, r, err);
	else if (!failed && r && !(d->flags & (FUZZ_RET_VAL | FUZZ_NEW_FD)))
		fuzz_fail(f, "non-zero return", d->name, r, err);
	if (r >= 0 && (d->flags & FUZZ_NEW_FD))
		fuzz_adopt(f, r, d->cmd == KVM_CREATE_VM ? FUZZ_VM :
							   FUZZ_VCPU);
	if (r >= 0 && (d->flags & FUZZ_NEW_DEV))
		fuzz_adopt_device(f, (struct kvm_create_device *)arg);
}

/*
 * Random bytes over a run page between runs: exit data the kernel must
 * not trust (io.data_offset, mmio.len...), kvm_valid_regs and
 * kvm_dirty_regs, request_interrupt_window, immediate_exit.
 */
static void fuzz_scribble(struct fuzz *f)
{
	struct fuzz_ctx *c = f->c;
	struct kvm_run *run;
	uint8_t *p;
	size_t off, n;

	pthread_mutex_lock(&c->lock);
	if (!c->nr_runs) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	run = c->runs[fuzz_below(f, c->nr_runs)];
	p = (uint8_t *)run;
	fuzz_record(f, FUZZ_OP_BASE + FUZZ_OP_SCRIBBLE, -1, MUT_BYTES,
		    (uintptr_t)run);
	if (fuzz_one_in(f, 8)) {
		fuzz_fill(f, p, FUZZ_PAGE);
	} else {
		off = fuzz_below(f, 512);
		n = 1 + fuzz_below(f, 16);
		fuzz_fill(f, p + off, n);
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * Random bytes into the arena, which slots map: new code and data for the
 * guests.  Through process_vm_writev(), so that a range the fuzzer has
 * unmapped or write-protected is an error, not a crash of the fuzzer.
 */
static void fuzz_poke_arena(struct fuzz *f)
{
	uint64_t off = fuzz_below(f, FUZZ_ARENA_PAGES * FUZZ_PAGE - 64);
	uint8_t buf[64];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { f->c->arena + off, sizeof(buf) };

	fuzz_fill(f, buf, sizeof(buf));
	(void)!process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
}

/* One step of a fuzzing thread: mostly an ioctl, sometimes other harm. */
static void fuzz_step(struct fuzz *f)
{
	unsigned int r = fuzz_below(f, 100);

	if (r < 4)
		fuzz_close_one(f);
	else if (r < 8)
		fuzz_arena_op(f);
	else if (r < 12)
		fuzz_scribble(f);
	else if (r < 25)
		fuzz_call(f, FUZZ_RUN_DESC);
	else
		fuzz_call(f, fuzz_below(f, fuzz_nr_desc()));
	if (fuzz_one_in(f, 200))
		fuzz_poke_arena(f);
}

static int fuzz_have_vcpu(struct fuzz_ctx *c)
{
	int i, n = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < FUZZ_MAX_FDS; i++)
		n += c->fds[i].fd >= 0 && c->fds[i].kind == FUZZ_VCPU;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static int fuzz_done(struct fuzz_ctx *c)
{
	return c->log->stop ||
	       __atomic_load_n(&c->log->calls, __ATOMIC_RELAXED) >=
	       c->log->target;
}

/* --- set-up ------------------------------------------------------------ */

static void fuzz_on_kick(int sig)
{
	(void)sig;
}

/*
 * A crash of the fuzzer itself (not of the kernel, whose oops kills the
 * calling task with SIGSEGV too, but leaves no user-space fault): where.
 */
static void fuzz_on_crash(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	char line[128];
	int n;

#if defined(__x86_64__)
	unsigned long pc = u->uc_mcontext.gregs[REG_RIP];
#else
	unsigned long pc = u->uc_mcontext.pc;
#endif
	n = snprintf(line, sizeof(line),
		     "# fuzzer: signal %d at pc %#lx, address %p\n", sig, pc,
		     si->si_addr);
	(void)!write(1, line, n);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int fuzz_thread_init(struct fuzz *f, struct fuzz_ctx *c, int tid,
			    uint64_t seed)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = FUZZ_KICK_SIG,
	};

	memset(f, 0, sizeof(*f));
	f->c = c;
	f->tid = tid;
	f->rng = seed ? seed : 1;
	f->scratch = fuzz_map_guarded(FUZZ_SCRATCH);
	f->argbuf = fuzz_map_guarded(FUZZ_SCRATCH);
	if (!f->scratch || !f->argbuf)
		return -1;
	/* sigev_notify_thread_id, which this libc's header lacks */
	sev._sigev_un._tid = gettid();
	f->has_timer = !timer_create(CLOCK_MONOTONIC, &sev, &f->timer);
	return f->has_timer ? 0 : -1;
}

static void fuzz_thread_fini(struct fuzz *f)
{
	if (f->has_timer)
		timer_delete(f->timer);
	munmap(f->scratch, FUZZ_SCRATCH);
	munmap(f->argbuf, FUZZ_SCRATCH);
}

static int fuzz_ctx_init(struct fuzz_ctx *c, const char *dev,
			 struct fuzz_log *log)
{
	struct sigaction sa = { .sa_handler = fuzz_on_kick };
	int i;

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->log = log;
	pthread_mutex_init(&c->lock, NULL);
	for (i = 0; i < FUZZ_MAX_FDS; i++)
		c->fds[i].fd = -1;
	for (i = 0; i < (int)ARRAY_SIZE(c->efds); i++)
		c->efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* No SA_RESTART: the signal ends KVM_RUN with EINTR. */
	sigaction(FUZZ_KICK_SIG, &sa, NULL);
	sa.sa_handler = NULL;
	sa.sa_sigaction = fuzz_on_crash;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	c->arena = mmap(NULL, FUZZ_ARENA_PAGES * FUZZ_PAGE,
			PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->arena == MAP_FAILED)
		return -1;
	fuzz_bad_unmapped = mmap(NULL, FUZZ_PAGE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fuzz_bad_rdonly = mmap(NULL, FUZZ_PAGE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fuzz_bad_unmapped == MAP_FAILED || fuzz_bad_rdonly == MAP_FAILED)
		return -1;
	c->run_size = FUZZ_PAGE * 3;
	return 0;
}

/* The device's lists, through a throw-away VM and vCPU. */
static int fuzz_lists_init(const char *dev)
{
	struct vm vm;
	struct vcpu vcpu;

	if (vm_open(&vm, dev, GUEST_MIN_MEM))
		return -1;
	if (vcpu_create(&vm, &vcpu, 0)) {
		vm_close(&vm);
		return -1;
	}
	fuzz_arch_init(vm.sys_fd, vcpu.fd);
	vcpu_close(&vcpu);
	vm_close(&vm);
	return 0;
}

/* A fresh guest still runs to its OUT and its halt: the host is sane. */
GUEST_CODE_X86(sane, GUEST_REAL, ".code16", "out %al, $0x10\n hlt\n");
GUEST_CODE_ARM64(sane, GUEST_EL1, GUEST_OUT(0x10, "strb", "w0") GUEST_HALT);

static int fuzz_sanity(const char *dev)
{
	struct guest g;

	GUEST_START(&g, dev, sane);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 1));
	EXPECT_HALT(&g);
	guest_destroy(&g);
	return TEST_PASS;
}

/* --- the supervisor ---------------------------------------------------- */

static uint64_t fuzz_case_seed(const char *name)
{
	uint64_t s = fuzz_seed_arg;
	const char *p;

	for (p = name; *p; p++)
		s = (s ^ (uint8_t)*p) * 0x100000001b3ull;
	return s;
}

/*
 * Runs @body(dev) in a child process with its own time limit, the log in
 * shared memory: whatever kills the child, or a hang, the seed and the
 * last calls are printed.  Then checks that a fresh guest still runs.
 */
static int fuzz_supervise(const char *dev, const char *name,
			  int (*body)(const char *dev), uint64_t target)
{
	const char *env = getenv("HVX_TEST_TIMEOUT");
	/* 5 s below the harness's limit of a case (lib/test.c) */
	int limit = (env && atoi(env) > 10 ? atoi(env) : 60) - 5;
	struct timespec t0, t1;
	int status, waited = 0;
	uint64_t shown = 0;
	pid_t pid;

	fuzz_log = mmap(NULL, sizeof(*fuzz_log), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	EXPECT(fuzz_log != MAP_FAILED);
	fuzz_log->seed = fuzz_case_seed(name);
	fuzz_log->target = target;
	printf("# seed %#llx, %llu calls\n",
	       (unsigned long long)fuzz_log->seed,
	       (unsigned long long)fuzz_log->target);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	EXPECT(pid >= 0);
	if (!pid)
		_exit(body(dev));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (++waited > limit * 10) {
			snprintf(fuzz_log->why, sizeof(fuzz_log->why),
				 "no end after %d s: SIGKILL", limit);
			fuzz_log->stop = 1;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fuzz_print_log(fuzz_log, name);
			return TEST_FAIL;
		}
		/*
		 * A sign of life each minute or 50,000 calls, for the
		 * harness's silence limit: under Bochs the guest's clock runs
		 * some 40 times slower than the wall's.
		 */
		if (waited % 600 == 0 || fuzz_log->calls >= shown + 50000) {
			shown = fuzz_log->calls;
			printf("# %llu calls after %d s\n",
			       (unsigned long long)shown, waited / 10);
			fflush(stdout);
		}
		usleep(100000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %llu calls in %.1f s\n",
	       (unsigned long long)fuzz_log->calls,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fuzz_print_stats(fuzz_log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != TEST_PASS ||
	    fuzz_log->failed) {
		if (WIFSIGNALED(status))
			printf("# fuzzer killed by signal %d\n",
			       WTERMSIG(status));
		fuzz_print_log(fuzz_log, name);
		return TEST_FAIL;
	}
	return fuzz_sanity(dev);
}

/* --- the cases --------------------------------------------------------- */

static int fuzz_sequence_body(const char *dev)
{
	static struct fuzz_ctx c;
	struct fuzz f;

	if (fuzz_lists_init(dev) || fuzz_ctx_init(&c, dev, fuzz_log) ||
	    fuzz_thread_init(&f, &c, 0, fuzz_log->seed))
		return TEST_FAIL;
	while (!fuzz_done(&c)) {
		if (!fuzz_have_vcpu(&c))
			fuzz_new_guest(&f, 1 + fuzz_below(&f, 2));
		fuzz_step(&f);
	}
	fuzz_thread_fini(&f);
	return TEST_PASS;
}

static int test_fuzz_sequence(const char *dev)
{
	return fuzz_supervise(dev, "fuzz_sequence", fuzz_sequence_body,
			      fuzz_calls_arg);
}

/* fuzz_race's threads. */
struct fuzz_thread {
	struct fuzz f;
	struct fuzz_ctx *c;
	uint64_t seed;
	int tid;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
};

/* Runs one vCPU again and again, whatever happens to its fds. */
static void *fuzz_runner(void *arg)
{
	struct fuzz_thread *t = arg;
	struct fuzz *f = &t->f;
	struct fuzz_entry *e;
	long r;

	if (fuzz_thread_init(f, t->c, t->tid, t->seed))
		return NULL;
	while (!fuzz_done(t->c)) {
		if (fuzz_one_in(f, 4)) {
			fuzz_step(f);
			continue;
		}
		e = fuzz_record(f, FUZZ_RUN_DESC, t->vcpu_fd, MUT_NONE, 0);
		r = fuzz_run(f, t->vcpu_fd, t->run, 0);
		e->ret = r < 0 ? -errno : r;
		if (r < 0 && !fuzz_errno_ok(errno))
			fuzz_fail(f, "kernel-internal errno", "KVM_RUN", r,
				  errno);
		if (r < 0 && errno == EBADF)
			usleep(1000);
	}
	fuzz_thread_fini(f);
	return NULL;
}

/*
 * The next change to slot @m (1-8 of the shared VM) as a VMM would make
 * it, from what the slot holds now: create it, move it (same size and
 * memory, api.rst), turn dirty logging on or off, delete it; now and
 * then whatever the generator says.
 */
static void fuzz_slot_change(struct fuzz *f, struct kvm_userspace_memory_region *m)
{
	const struct fuzz_ioctl *d = fuzz_desc(FUZZ_SLOT_DESC);
	struct kvm_userspace_memory_region g = { 0 };
	unsigned int r = fuzz_below(f, 10);

	d->gen(f, &g);
	d->fixup(f, &g);
	if (!m->memory_size || r == 0) {
		g.slot = m->slot;
		*m = g;
		return;
	}
	if (r < 5)
		m->guest_phys_addr = g.guest_phys_addr;
	else if (r < 7)
		m->flags ^= KVM_MEM_LOG_DIRTY_PAGES;
	else
		m->memory_size = 0;
}

/*
 * Creates, moves and deletes slots 1-8 of the shared VM, and takes away,
 * maps again and write-protects the arena under the running vCPUs.
 */
static void *fuzz_slotter(void *arg)
{
	struct fuzz_thread *t = arg;
	struct fuzz *f = &t->f;
	struct kvm_userspace_memory_region slots[8] = { 0 }, m;
	struct fuzz_entry *e;
	unsigned int i;
	long r;

	if (fuzz_thread_init(f, t->c, t->tid, t->seed))
		return NULL;
	for (i = 0; i < 8; i++)
		slots[i].slot = i + 1;	/* slot 0 is the code */
	while (!fuzz_done(t->c)) {
		if (fuzz_one_in(f, 3)) {
			fuzz_arena_op(f);
			continue;
		}
		i = fuzz_below(f, 8);
		m = slots[i];
		fuzz_slot_change(f, &m);
		e = fuzz_record(f, FUZZ_SLOT_DESC, t->vm_fd, MUT_NONE,
				m.guest_phys_addr);
		r = ioctl(t->vm_fd, KVM_SET_USER_MEMORY_REGION, &m);
		e->ret = r < 0 ? -errno : r;
		if (!r) {
			t->c->log->nr_ok[FUZZ_SLOT_DESC]++;
			slots[i] = m;
		}
	}
	fuzz_thread_fini(f);
	return NULL;
}

/* Random calls and closes; scribbles on run pages; signals the runners. */
static void *fuzz_chaos(void *arg)
{
	struct fuzz_thread *t = arg;
	struct fuzz *f = &t->f;
	struct fuzz_entry *e;
	int i;

	if (fuzz_thread_init(f, t->c, t->tid, t->seed))
		return NULL;
	while (!fuzz_done(t->c)) {
		if (t->tid == 3) {
			fuzz_step(f);
			if (!fuzz_have_vcpu(t->c))
				fuzz_new_guest(f, 1);
			continue;
		}
		if (fuzz_one_in(f, 2)) {
			fuzz_scribble(f);
		} else {
			i = fuzz_below(f, t->c->nr_runners);
			e = fuzz_record(f, FUZZ_OP_BASE + FUZZ_OP_KICK, -1,
					MUT_NONE, i);
			e->ret = pthread_kill(t->c->runners[i], FUZZ_KICK_SIG);
		}
		usleep(fuzz_below(f, 2000));
	}
	fuzz_thread_fini(f);
	return NULL;
}

static int fuzz_race_body(const char *dev)
{
	static struct fuzz_ctx c;
	static struct fuzz_thread th[5];
	static struct vm vm;
	static struct vcpu vcpus[2];
	pthread_t tids[5];
	struct fuzz f;
	int i;

	if (fuzz_lists_init(dev) || fuzz_ctx_init(&c, dev, fuzz_log) ||
	    fuzz_thread_init(&f, &c, 5, fuzz_log->seed))
		return TEST_FAIL;
	if (vm_open(&vm, dev, GUEST_MIN_MEM))
		return TEST_FAIL;
	fuzz_arch_guest_code(&f, vm.mem, vm.mem_size);
	fuzz_fd_add(&c, vm.sys_fd, FUZZ_SYS, NULL);
	fuzz_fd_add(&c, vm.fd, FUZZ_VM, NULL);
	c.nr_vms = 1;
	for (i = 0; i < 2; i++) {
		if (vcpu_create(&vm, &vcpus[i], i))
			return TEST_FAIL;
		vcpu_setup_mode(&vcpus[i], fuzz_below(&f, GUEST_NR_MODES),
				GUEST_CODE_GPA, GUEST_STACK_TOP);
		fuzz_fd_add(&c, vcpus[i].fd, FUZZ_VCPU, vcpus[i].run);
		fuzz_note_run(&c, vcpus[i].run);
		c.nr_vcpus++;
	}
	for (i = 0; i < 5; i++) {
		th[i].c = &c;
		th[i].tid = i;
		th[i].seed = fuzz_log->seed + 0x9e3779b97f4a7c15ull * (i + 1);
		/* Their own fds: the table's may be closed under them. */
		th[i].vm_fd = dup(vm.fd);
		th[i].vcpu_fd = dup(vcpus[i & 1].fd);
		th[i].run = vcpus[i & 1].run;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&tids[i], NULL, fuzz_runner, &th[i]))
			return TEST_FAIL;
	c.runners[0] = tids[0];
	c.runners[1] = tids[1];
	c.nr_runners = 2;
	if (pthread_create(&tids[2], NULL, fuzz_slotter, &th[2]) ||
	    pthread_create(&tids[3], NULL, fuzz_chaos, &th[3]) ||
	    pthread_create(&tids[4], NULL, fuzz_chaos, &th[4]))
		return TEST_FAIL;
	for (i = 0; i < 5; i++)
		pthread_join(tids[i], NULL);
	fuzz_thread_fini(&f);
	return TEST_PASS;
}

static int test_fuzz_race(const char *dev)
{
	return fuzz_supervise(dev, "fuzz_race", fuzz_race_body, fuzz_calls_arg);
}

/*
 * A child that fuzzes, mostly in KVM_RUN, until its parent kills it;
 * first a few calls on the parent's fds, which belong to another mm.
 */
static void fuzz_kill_child(struct fuzz_ctx *c, uint64_t seed,
			    int parent_vm_fd)
{
	struct fuzz f;
	struct fuzz_entry *e;
	unsigned int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fuzz_thread_init(&f, c, 0, seed))
		_exit(3);
	for (i = 0; i < 3; i++) {
		e = fuzz_record(&f, FUZZ_OP_BASE + FUZZ_OP_FORK_CALL,
				parent_vm_fd, MUT_NONE, i);
		e->ret = ioctl(parent_vm_fd, KVM_CREATE_VCPU, i + 4) < 0 ?
			 -errno : 0;
	}
	fuzz_new_guest(&f, 1 + fuzz_below(&f, 2));
	while (!c->log->stop) {
		if (fuzz_one_in(&f, 2))
			fuzz_call(&f, FUZZ_RUN_DESC);
		else
			fuzz_step(&f);
		if (!fuzz_have_vcpu(c))
			fuzz_new_guest(&f, 1);
	}
	_exit(0);
}

/*
 * Children killed at a random moment, one per FUZZ_KILL_CALLS calls of
 * the target; each lives 5-80 ms, some of it in guest creation, most of
 * it in KVM_RUN.
 */
static int fuzz_kill_body(const char *dev)
{
	static struct fuzz_ctx c;
	uint64_t n, nr = fuzz_log->target / FUZZ_KILL_CALLS + 1;
	struct fuzz f;
	struct vm parent;
	int status;
	pid_t pid;

	if (fuzz_lists_init(dev) || fuzz_ctx_init(&c, dev, fuzz_log) ||
	    fuzz_thread_init(&f, &c, 5, fuzz_log->seed))
		return TEST_FAIL;
	if (vm_open(&parent, dev, GUEST_MIN_MEM))
		return TEST_FAIL;
	for (n = 0; n < nr && !c.log->stop; n++) {
		uint64_t seed = fuzz_rand(&f);

		pid = fork();
		if (pid < 0)
			return TEST_FAIL;
		if (!pid)
			fuzz_kill_child(&c, seed, parent.fd);
		usleep(5000 + fuzz_below(&f, 75000));
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			return TEST_FAIL;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			continue;
		printf("# child %llu (seed %#llx) ended with status %#x\n",
		       (unsigned long long)n, (unsigned long long)seed,
		       status);
		return TEST_FAIL;
	}
	printf("# %llu children killed\n", (unsigned long long)n);
	vm_close(&parent);
	fuzz_thread_fini(&f);
	return TEST_PASS;
}

static int test_fuzz_kill(const char *dev)
{
	return fuzz_supervise(dev, "fuzz_kill", fuzz_kill_body,
			      fuzz_kill_calls_arg ?: fuzz_calls_arg);
}

/* Runs last: every VM, vCPU, pinned page and table page above is gone. */
static int test_fuzz_no_leaks(const char *dev)
{
	return test_hvx_no_leaks(dev);
}

static const struct test_case cases[] = {
	{ "fuzz_sequence", test_fuzz_sequence },
	{ "fuzz_race", test_fuzz_race },
	{ "fuzz_kill", test_fuzz_kill },
	{ "fuzz_no_leaks", test_fuzz_no_leaks, TEST_HVX_ONLY },
};

static void fuzz_usage(FILE *f, int status)
{
	fprintf(f, "usage: fuzz_test [--seed S] [--calls N] [--trace FROM] [--case NAME]... [--list]\n");
	exit(status);
}

/*
 * fuzz_test's own options; the rest (--case, --list) go to the test
 * library's test_main_args() in @rest, after argv[0].
 */
static int fuzz_args(int argc, char **argv, char **rest)
{
	int a, nrest = 1;

	rest[0] = argv[0];
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			fuzz_usage(stdout, 0);
		if (!strcmp(argv[a], "--list")) {
			rest[nrest++] = argv[a];
			continue;
		}
		if (a + 1 >= argc)
			fuzz_usage(stderr, 2);
		if (!strcmp(argv[a], "--seed")) {
			fuzz_seed_arg = strtoull(argv[++a], NULL, 0);
			fuzz_seed_set = 1;
		} else if (!strcmp(argv[a], "--calls")) {
			fuzz_calls_arg = strtoull(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--trace")) {
			fuzz_trace_from = strtoull(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--case")) {
			rest[nrest++] = argv[a++];
			rest[nrest++] = argv[a];
		} else {
			fuzz_usage(stderr, 2);
		}
	}
	return nrest;
}

int main(int argc, char **argv)
{
	char **rest = calloc(argc, sizeof(*rest));
	const char *env;

	if (!rest)
		return 1;
	env = getenv("HVX_FUZZ_SEED");
	if (env) {
		fuzz_seed_arg = strtoull(env, NULL, 0);
		fuzz_seed_set = 1;
	}
	env = getenv("HVX_FUZZ_CALLS");
	if (env)
		fuzz_calls_arg = strtoull(env, NULL, 0);
	env = getenv("HVX_FUZZ_KILL_CALLS");
	if (env)
		fuzz_kill_calls_arg = strtoull(env, NULL, 0);
	argc = fuzz_args(argc, argv, rest);
	if (!fuzz_seed_set)
		fuzz_seed_arg = 0x5eed;
	return test_main_args(cases, ARRAY_SIZE(cases), argc, rest);
}

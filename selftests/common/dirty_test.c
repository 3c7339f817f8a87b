// SPDX-License-Identifier: GPL-2.0
/*
 * dirty_test: dirty-page logging (KVM_MEM_LOG_DIRTY_PAGES,
 * KVM_GET_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG with
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) and read-only slots
 * (KVM_MEM_READONLY), with KVM's semantics and errno (api.rst 4.8, 4.35,
 * 4.118, 7.18).
 *
 * The guest takes orders from a mailbox in slot 0 (MAILBOX_GPA): a count,
 * then that many guest-physical addresses; it writes each address's own
 * low 32 bits to it, or only reads it when bit 0 is set, then reports
 * with GUEST_SYNC(1) and reads the mailbox again.  The logged slot has
 * LOG_PAGES pages, not a multiple of 64, so that the rules for the last
 * word of the bitmap are exercised.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../lib/test.h"

#define PAGE		0x1000ull
/* Plain numbers: the guests' assembly uses them too. */
#define LOG_GPA		0x10000000
#define LOG_MOVED	0x20000000
#define LOG_PAGES	136
#define LOG_END		0x10088000	/* LOG_GPA + LOG_PAGES pages */
#define RO_GPA		0x10000010	/* LOG_GPA + 0x10 */
#define LOG_WORDS	((LOG_PAGES + 63) / 64)
#define MAILBOX_GPA	0x4000
#define MAX_ORDERS	64
#define READ_ONLY_BIT	1u

GUEST_CODE_X86(worker, GUEST_PROT, ".code32",
	"1: mov $" TEST_STR(MAILBOX_GPA) ", %esi\n"
	"mov (%esi), %ecx\n"
	"2: test %ecx, %ecx\n jz 3f\n"
	"add $4, %esi\n mov (%esi), %edx\n"
	"test $1, %edx\n jnz 4f\n"
	"mov %edx, (%edx)\n jmp 5f\n"
	"4: and $0xfffffffe, %edx\n mov (%edx), %edi\n"
	"5: dec %ecx\n jmp 2b\n"
	"3:\n" GUEST_SYNC(1)
	"jmp 1b\n");
GUEST_CODE_ARM64(worker, GUEST_EL1_MMU,
	"1: mov x0, #" TEST_STR(MAILBOX_GPA) "\n"
	"ldr w2, [x0]\n"
	"2: cbz w2, 3f\n"
	"add x0, x0, #4\n ldr w1, [x0]\n"
	"tbnz w1, #0, 4f\n"
	"str w1, [x1]\n b 5f\n"
	"4: and w1, w1, #0xfffffffe\n ldr w3, [x1]\n"
	"5: sub w2, w2, #1\n b 2b\n"
	"3:\n" GUEST_SYNC(1)
	"b 1b\n");

struct logged {
	struct guest g;
	uint32_t *mem;		/* the logged slot's memory */
	uint64_t gpa;		/* where it is now */
};

static int set_region(struct vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static void *anon(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int get_log(struct vm *vm, uint32_t slot, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log);
}

static int clear_log(struct vm *vm, uint32_t slot, uint64_t first,
		     uint32_t num, uint64_t *bitmap)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot, .first_page = first, .num_pages = num,
		.dirty_bitmap = bitmap,
	};

	return ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, &log);
}

static int enable_manual(struct vm *vm, uint64_t args0, uint32_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .flags = flags,
		.args = { args0 },
	};

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/* A guest with LOG_PAGES pages at LOG_GPA in slot 1, logged or not. */
static int logged_create(struct logged *l, const char *dev, uint32_t flags)
{
	int r = guest_create(&l->g, dev, worker_mode, worker_start, worker_end);

	if (r)
		return r;
	l->mem = anon(LOG_PAGES * PAGE);
	l->gpa = LOG_GPA;
	if (l->mem == MAP_FAILED)
		return -ENOMEM;
	if (set_region(&l->g.vm, 1, flags, LOG_GPA, LOG_PAGES * PAGE, l->mem))
		return -errno;
	return 0;
}

#define LOGGED(l, dev, flags) do {					\
	int __r = logged_create(l, dev, flags);				\
	if (__r) {							\
		errno = -__r;						\
		test_diag(__FILE__, __LINE__, "logged_create");		\
		return TEST_FAIL;					\
	}								\
} while (0)

/*
 * Have the guest write the pages @writes[] and read the pages @reads[]
 * (page numbers in the logged slot, -1 ends each list), and wait for its
 * report.  True when it reported and each written page holds its address.
 */
static int guest_touch(struct logged *l, const int *writes, const int *reads)
{
	uint32_t *box = vm_gpa(&l->g.vm, MAILBOX_GPA);
	uint32_t n = 0;
	int i;

	for (i = 0; writes && writes[i] >= 0; i++)
		box[1 + n++] = (uint32_t)(l->gpa + writes[i] * PAGE);
	for (i = 0; reads && reads[i] >= 0; i++)
		box[1 + n++] = (uint32_t)(l->gpa + reads[i] * PAGE) |
			       READ_ONLY_BIT;
	box[0] = n;
	if (!guest_expect_ucall(&l->g, UCALL_SYNC, 1, __FILE__))
		return 0;
	for (i = 0; writes && writes[i] >= 0; i++)
		if (l->mem[writes[i] * PAGE / 4] !=
		    (uint32_t)(l->gpa + writes[i] * PAGE))
			return 0;
	return 1;
}

/* Whether @bitmap names exactly the pages @pages[] (-1 ends them). */
static int bitmap_is(const uint64_t *bitmap, const int *pages)
{
	uint64_t want[LOG_WORDS] = { 0 };
	int i;

	for (i = 0; pages && pages[i] >= 0; i++)
		want[pages[i] / 64] |= 1ull << (pages[i] % 64);
	for (i = 0; i < LOG_WORDS; i++)
		if (bitmap[i] != want[i]) {
			printf("# bitmap word %d: %#llx, expected %#llx\n", i,
			       (unsigned long long)bitmap[i],
			       (unsigned long long)want[i]);
			return 0;
		}
	return 1;
}

/* The slot's log, taken with KVM_GET_DIRTY_LOG, names exactly @pages. */
#define EXPECT_LOG(l, slot, ...) do {					\
	static const int __p[] = { __VA_ARGS__, -1 };			\
	uint64_t __b[LOG_WORDS];					\
	memset(__b, 0xa5, sizeof(__b));					\
	EXPECT(get_log(&(l)->g.vm, slot, __b) == 0);			\
	EXPECT(bitmap_is(__b, __p[0] == -2 ? NULL : __p));		\
} while (0)
#define NONE	-2

#define TOUCH(l, w, r) do {						\
	static const int __w[] = { w, -1 }, __r[] = { r, -1 };		\
	EXPECT(guest_touch(l, __w[0] == NONE ? NULL : __w,		\
			   __r[0] == NONE ? NULL : __r));		\
} while (0)
#define PAGES(...)	__VA_ARGS__

/* What KVM claims for both on x86 and arm64 (api.rst 7.18, 8.x). */
static int test_caps(const char *dev)
{
	struct vm vm;

	_Static_assert(LOG_END == LOG_GPA + LOG_PAGES * PAGE, "LOG_END");
	_Static_assert(RO_GPA == LOG_GPA + 0x10, "RO_GPA");
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) ==
	       (KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		KVM_DIRTY_LOG_INITIALLY_SET));
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) == 1);
	return TEST_PASS;
}

/*
 * The log names the pages written since the last KVM_GET_DIRTY_LOG, and
 * no page only read: the first round, a second with other pages (among
 * them pages written before, which must have been write-protected again),
 * and one with no write at all.
 */
static int test_basic(const char *dev)
{
	struct logged l;

	LOGGED(&l, dev, KVM_MEM_LOG_DIRTY_PAGES);
	EXPECT_LOG(&l, 1, NONE);
	TOUCH(&l, PAGES(0, 1, 5, 63, 64, 100, 135), PAGES(2, 3, 70));
	EXPECT_LOG(&l, 1, 0, 1, 5, 63, 64, 100, 135);
	EXPECT_LOG(&l, 1, NONE);
	TOUCH(&l, PAGES(1, 70, 135), PAGES(0, 5));
	EXPECT_LOG(&l, 1, 1, 70, 135);
	TOUCH(&l, NONE, PAGES(1, 64));
	EXPECT_LOG(&l, 1, NONE);
	return TEST_PASS;
}

/*
 * Logging turned off on the existing slot: no log any more (ENOENT), the
 * guest writes on; turned on again: a fresh, empty log, and a page that
 * was writable meanwhile is write-protected again.
 */
static int test_disable(const char *dev)
{
	struct logged l;
	uint64_t b[LOG_WORDS];

	LOGGED(&l, dev, KVM_MEM_LOG_DIRTY_PAGES);
	TOUCH(&l, PAGES(3), NONE);
	EXPECT(set_region(&l.g.vm, 1, 0, LOG_GPA, LOG_PAGES * PAGE, l.mem) == 0);
	EXPECT_ERRNO(get_log(&l.g.vm, 1, b), ENOENT);
	TOUCH(&l, PAGES(3, 4), NONE);
	EXPECT(set_region(&l.g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, l.mem) == 0);
	EXPECT_LOG(&l, 1, NONE);
	TOUCH(&l, PAGES(4), PAGES(3));
	EXPECT_LOG(&l, 1, 4);
	return TEST_PASS;
}

/* KVM's errno for each bad request (kvm_main.c, Linux 6.1). */
static int test_errors(const char *dev)
{
	uint64_t b[LOG_WORDS] = { 0 };
	struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = b };
	struct logged l;

	LOGGED(&l, dev, KVM_MEM_LOG_DIRTY_PAGES);
	/* Slot 0 does not log; slot 100 does not exist: ENOENT. */
	EXPECT_ERRNO(get_log(&l.g.vm, 0, b), ENOENT);
	EXPECT_ERRNO(get_log(&l.g.vm, 100, b), ENOENT);
	EXPECT_ERRNO(clear_log(&l.g.vm, 0, 0, 64, b), ENOENT);
	/* Ids no KVM accepts, and a third address space: EINVAL. */
	EXPECT_ERRNO(get_log(&l.g.vm, 0x7fff, b), EINVAL);
	EXPECT_ERRNO(get_log(&l.g.vm, 2u << 16 | 1, b), EINVAL);
	EXPECT_ERRNO(clear_log(&l.g.vm, 0xffff, 0, 64, b), EINVAL);
	/* The bitmap must be writable memory. */
	EXPECT_ERRNO(get_log(&l.g.vm, 1, NULL), EFAULT);
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 0, 64, NULL), EFAULT);
	/* KVM does not look at padding1. */
	log.padding1 = 0xdead;
	EXPECT(ioctl(l.g.vm.fd, KVM_GET_DIRTY_LOG, &log) == 0);
	/*
	 * KVM_CLEAR_DIRTY_LOG: first_page a multiple of 64; num_pages too
	 * unless the range ends at the slot's end; nothing beyond it.
	 */
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 1, 63, b), EINVAL);
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 0, 65, b), EINVAL);
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 0, LOG_PAGES + 1, b), EINVAL);
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 192, 0, b), EINVAL);
	EXPECT_ERRNO(clear_log(&l.g.vm, 1, 128, 9, b), EINVAL);
	EXPECT(clear_log(&l.g.vm, 1, 0, 64, b) == 0);
	EXPECT(clear_log(&l.g.vm, 1, 64, LOG_PAGES - 64, b) == 0);
	EXPECT(clear_log(&l.g.vm, 1, 128, LOG_PAGES - 128, b) == 0);
	EXPECT(clear_log(&l.g.vm, 1, 0, 0, b) == 0);
	/* Memory flags: unknown bits; KVM_MEM_READONLY cannot change. */
	EXPECT_ERRNO(set_region(&l.g.vm, 1, 1u << 2, LOG_GPA,
				LOG_PAGES * PAGE, l.mem), EINVAL);
	EXPECT_ERRNO(set_region(&l.g.vm, 1, KVM_MEM_READONLY, LOG_GPA,
				LOG_PAGES * PAGE, l.mem), EINVAL);
	/* KVM_ENABLE_CAP: no flags, INITIALLY_SET only with ENABLE. */
	EXPECT_ERRNO(enable_manual(&l.g.vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE,
				   1), EINVAL);
	EXPECT_ERRNO(enable_manual(&l.g.vm, KVM_DIRTY_LOG_INITIALLY_SET, 0),
		     EINVAL);
	EXPECT_ERRNO(enable_manual(&l.g.vm, 4, 0), EINVAL);
	EXPECT(enable_manual(&l.g.vm, 0, 0) == 0);
	return TEST_PASS;
}

/*
 * KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE: KVM_GET_DIRTY_LOG leaves the log
 * as it is; KVM_CLEAR_DIRTY_LOG clears the bits it is given and
 * write-protects those pages, so that only their next write shows; a page
 * never cleared stays logged.
 */
static int test_manual(const char *dev)
{
	uint64_t b[LOG_WORDS] = { 0 };
	struct logged l;

	LOGGED(&l, dev, 0);
	EXPECT(enable_manual(&l.g.vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE,
			     0) == 0);
	EXPECT(set_region(&l.g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, l.mem) == 0);
	TOUCH(&l, PAGES(0, 10, 64), PAGES(11));
	EXPECT_LOG(&l, 1, 0, 10, 64);
	EXPECT_LOG(&l, 1, 0, 10, 64);
	b[0] = 1ull << 10 | 1ull << 11;		/* 11 was never dirty */
	EXPECT(clear_log(&l.g.vm, 1, 0, LOG_PAGES, b) == 0);
	EXPECT_LOG(&l, 1, 0, 64);
	TOUCH(&l, PAGES(0, 10), NONE);
	EXPECT_LOG(&l, 1, 0, 10, 64);
	b[0] = 1;				/* page 64 */
	EXPECT(clear_log(&l.g.vm, 1, 64, LOG_PAGES - 64, b) == 0);
	EXPECT_LOG(&l, 1, 0, 10);
	TOUCH(&l, PAGES(64), NONE);
	EXPECT_LOG(&l, 1, 0, 10, 64);
	return TEST_PASS;
}

/*
 * KVM_DIRTY_LOG_INITIALLY_SET: a slot that starts logging has every
 * page's bit set (and none beyond its end) until it is cleared.
 */
static int test_initially_set(const char *dev)
{
	uint64_t b[LOG_WORDS];
	struct logged l;
	int i;

	LOGGED(&l, dev, 0);
	EXPECT(enable_manual(&l.g.vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
			     KVM_DIRTY_LOG_INITIALLY_SET, 0) == 0);
	TOUCH(&l, PAGES(7, 8), NONE);
	EXPECT(set_region(&l.g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, l.mem) == 0);
	EXPECT(get_log(&l.g.vm, 1, b) == 0);
	for (i = 0; i < LOG_PAGES / 64; i++)
		EXPECT(b[i] == ~0ull);
	EXPECT(b[i] == (1ull << (LOG_PAGES % 64)) - 1);
	EXPECT(clear_log(&l.g.vm, 1, 0, LOG_PAGES, b) == 0);
	EXPECT_LOG(&l, 1, NONE);
	TOUCH(&l, PAGES(7), PAGES(8));
	EXPECT_LOG(&l, 1, 7);
	return TEST_PASS;
}

/*
 * KVM_GET_DIRTY_LOG after the guest read page @read, which was not mapped
 * (its slot was moved or created since) but which the process had
 * written.  KVM on x86 maps such a page writable on the read fault, the
 * process's own mapping of it being writable, and logs it as dirty then:
 * a page too many, which a log may report (user space only copies it once
 * more).  hvx, and KVM on arm64, map it read-only and do not log it.  So
 * on KVM on x86 that one bit is dropped before the log is compared.
 */
static int get_log_read_faulted(struct logged *l, uint32_t slot,
				uint64_t *b, int read)
{
	memset(b, 0, LOG_WORDS * sizeof(*b));
	if (get_log(&l->g.vm, slot, b))
		return 0;
#if defined(__x86_64__)
	if (!test_is_hvx(l->g.vm.dev))
		b[read / 64] &= ~(1ull << (read % 64));
#else
	(void)read;
#endif
	return 1;
}

/*
 * A logged slot that moves keeps its log (KVM reuses the bitmap), and
 * logs the writes at its new address; deleted, it has no log; created
 * again, an empty one.
 */
static int test_move_delete(const char *dev)
{
	uint64_t b[LOG_WORDS];
	struct logged l;

	LOGGED(&l, dev, KVM_MEM_LOG_DIRTY_PAGES);
	TOUCH(&l, PAGES(2), NONE);
	EXPECT(set_region(&l.g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_MOVED,
			  LOG_PAGES * PAGE, l.mem) == 0);
	l.gpa = LOG_MOVED;
	EXPECT_LOG(&l, 1, 2);
	TOUCH(&l, PAGES(3), PAGES(2));
	EXPECT(get_log_read_faulted(&l, 1, b, 2));
	EXPECT(bitmap_is(b, (const int []){ 3, -1 }));
	EXPECT(set_region(&l.g.vm, 1, 0, LOG_MOVED, 0, l.mem) == 0);
	EXPECT_ERRNO(get_log(&l.g.vm, 1, b), ENOENT);
	EXPECT(set_region(&l.g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, l.mem) == 0);
	l.gpa = LOG_GPA;
	EXPECT_LOG(&l, 1, NONE);
	TOUCH(&l, PAGES(5), PAGES(3));
	EXPECT(get_log_read_faulted(&l, 1, b, 3));
	EXPECT(bitmap_is(b, (const int []){ 5, -1 }));
	return TEST_PASS;
}

/* A guest that writes every page of the logged slot, for ever. */
GUEST_CODE_X86(sweeper, GUEST_PROT, ".code32",
	"sti\n"
	"1: mov $" TEST_STR(LOG_GPA) ", %edx\n"
	"2: mov %edx, (%edx)\n add $0x1000, %edx\n"
	"cmp $" TEST_STR(LOG_END) ", %edx\n"
	"jne 2b\n jmp 1b\n");
GUEST_CODE_ARM64(sweeper, GUEST_EL1_MMU,
	"ldr x2, =" TEST_STR(LOG_END) "\n"
	"1: ldr x1, =" TEST_STR(LOG_GPA) "\n"
	"2: str w1, [x1]\n add x1, x1, #0x1000\n"
	"cmp x1, x2\n b.ne 2b\n b 1b\n");

struct taker {
	struct vm *vm;
	uint32_t *mem;
	int manual;		/* KVM_CLEAR_DIRTY_LOG, and logging toggled */
	int errors;
	uint64_t seen[LOG_WORDS];
	volatile int stop;
};

/* Logging off and on again on the running guest's slot: 0 or -1. */
static int toggle_logging(struct taker *t)
{
	if (set_region(t->vm, 1, 0, LOG_GPA, LOG_PAGES * PAGE, t->mem))
		return -1;
	return set_region(t->vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, t->mem);
}

static void *take_logs(void *arg)
{
	struct taker *t = arg;
	uint64_t b[LOG_WORDS];
	sigset_t alarm;
	int i, n;

	/* SIGALRM is for the vCPU's thread: it ends its KVM_RUN. */
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, NULL);
	for (n = 0; !t->stop; n++) {
		if (get_log(t->vm, 1, b))
			t->errors++;
		for (i = 0; i < LOG_WORDS; i++)
			t->seen[i] |= b[i];
		if (t->manual && clear_log(t->vm, 1, 0, LOG_PAGES, b))
			t->errors++;
		if (t->manual && n % 8 == 7 && toggle_logging(t))
			t->errors++;
		usleep(10000);
	}
	return NULL;
}

/*
 * KVM_GET_DIRTY_LOG from another thread while the vCPU writes (with
 * @manual, KVM_CLEAR_DIRTY_LOG too, and logging turned off and on now
 * and then): every call succeeds, the guest's stores all land, and every
 * page shows up in the log as the guest writes it again after each
 * re-protection.
 */
static int while_running(const char *dev, int manual)
{
	struct taker t = { .manual = manual };
	struct guest g;
	pthread_t thread;
	int i, r;

	t.mem = anon(LOG_PAGES * PAGE);
	GUEST_START(&g, dev, sweeper);
	if (manual)
		EXPECT(enable_manual(&g.vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE,
				     0) == 0);
	EXPECT(set_region(&g.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOG_GPA,
			  LOG_PAGES * PAGE, t.mem) == 0);
	t.vm = &g.vm;
	EXPECT(!pthread_create(&thread, NULL, take_logs, &t));
	test_arm_timer(1500000);
	r = guest_run(&g);
	t.stop = 1;
	pthread_join(thread, NULL);
	EXPECT(r == -EINTR);
	EXPECT(!t.errors);
	for (i = 0; i < LOG_PAGES; i++)
		EXPECT(t.mem[i * PAGE / 4] == (uint32_t)(LOG_GPA + i * PAGE));
	for (i = 0; i < LOG_PAGES / 64; i++)
		EXPECT(t.seen[i] == ~0ull);
	EXPECT(t.seen[i] == (1ull << (LOG_PAGES % 64)) - 1);
	return TEST_PASS;
}

static int test_while_running(const char *dev)
{
	return while_running(dev, 0);
}

static int test_clear_while_running(const char *dev)
{
	return while_running(dev, 1);
}

/*
 * A read-only slot (KVM_MEM_READONLY), its memory mapped without
 * PROT_WRITE: the guest reads it; its store is a KVM_EXIT_MMIO write with
 * the address and data and changes nothing; the guest then goes on.
 */
GUEST_CODE_X86(rowriter, GUEST_PROT, ".code32",
	"mov (" TEST_STR(RO_GPA) "), %eax\n out %eax, $0x10\n"
	"movl $0x5a5aa5a5, (" TEST_STR(RO_GPA) ")\n"
	"mov (" TEST_STR(RO_GPA) "), %eax\n out %eax, $0x11\n hlt\n");
GUEST_CODE_ARM64(rowriter, GUEST_EL1_MMU,
	"ldr x0, =" TEST_STR(RO_GPA) "\n"
	"ldr w1, [x0]\n" GUEST_OUT(0x10, "str", "w1")
	"ldr w1, =0x5a5aa5a5\n str w1, [x0]\n"
	"ldr w1, [x0]\n" GUEST_OUT(0x11, "str", "w1")
	GUEST_HALT);

static int test_readonly(const char *dev)
{
	uint32_t *mem = anon(PAGE);
	struct kvm_run *run;
	struct guest g;

	mem[4] = 0x600df00d;
	EXPECT(mprotect(mem, PAGE, PROT_READ) == 0);
	GUEST_START(&g, dev, rowriter);
	run = g.vcpu.run;
	EXPECT(set_region(&g.vm, 1, KVM_MEM_READONLY, LOG_GPA, PAGE, mem) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x600df00d);
	EXPECT_EXIT(&g, KVM_EXIT_MMIO);
	EXPECT(run->mmio.phys_addr == RO_GPA && run->mmio.len == 4);
	EXPECT(run->mmio.is_write);
	EXPECT(*(uint32_t *)run->mmio.data == 0x5a5aa5a5);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x11, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x600df00d);
	EXPECT(mem[4] == 0x600df00d);
	EXPECT_HALT(&g);
	return TEST_PASS;
}

/*
 * A read-only slot that also logs: its pages are never dirty, since the
 * guest cannot write them.
 */
static int test_readonly_logged(const char *dev)
{
	uint32_t *mem = anon(PAGE);
	struct guest g;
	uint64_t b = ~0ull;

	mem[4] = 0x1234;
	GUEST_START(&g, dev, rowriter);
	EXPECT(set_region(&g.vm, 1, KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES,
			  LOG_GPA, PAGE, mem) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT_EXIT(&g, KVM_EXIT_MMIO);
	EXPECT(g.vcpu.run->mmio.is_write);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x11, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x1234);
	EXPECT(get_log(&g.vm, 1, &b) == 0);
	EXPECT(b == 0);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "dirty_log_caps", test_caps },
	{ "dirty_log_basic", test_basic },
	{ "dirty_log_disable", test_disable },
	{ "dirty_log_errors", test_errors },
	{ "dirty_log_manual", test_manual },
	{ "dirty_log_initially_set", test_initially_set },
	{ "dirty_log_move_delete", test_move_delete },
	{ "dirty_log_while_running", test_while_running },
	{ "dirty_log_clear_while_running", test_clear_while_running },
	{ "readonly_slot", test_readonly },
	{ "readonly_slot_logged", test_readonly_logged },
};

TEST_MAIN_SHARED(cases)

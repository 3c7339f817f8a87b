// SPDX-License-Identifier: GPL-2.0
/*
 * random_test: random guests at scale.  Each guest comes from one seed:
 * a random mode (x86: real, protected, paged, long; arm64: EL1 with the
 * MMU off or on), random bytes where it starts, random general registers,
 * random segment state through KVM_SET_SREGS (x86) or a random PSTATE
 * (arm64), and a second memory slot at a random place and size,
 * sometimes read-only.  It runs until an exit that ends it (HLT,
 * shutdown, a failed entry, an internal error, a system event), 64
 * exits, or 50 ms (HVX_RANDOM_USEC).  Every KVM_RUN must return an exit
 * reason or EINTR (arm64: also ENOSYS, KVM's answer to an access outside memory without
 * an instruction syndrome); the harness then checks the kernel log, the
 * leak counters and the unload.  A state KVM_SET_SREGS or SET_ONE_REG
 * refuses is counted, and the guest runs with the state it had.
 *
 * HVX_RANDOM_GUESTS: how many (default 100, the slice of make check;
 * make stress runs 10,000), HVX_RANDOM_SEED the first seed.  On hvx, each
 * guest that ends by itself is run again on KVM (/dev/kvm) with the same
 * seed, and the two endings (exit reason, RIP or PC) are compared: the
 * count of those that agree is printed, with the first that do not.
 * Guests read clocks and take timer ticks, so not all can agree; the
 * count is a measurement, not a verdict.  HVX_RANDOM_KVM=0 leaves KVM
 * out (Bochs: a KVM guest spinning with IF clear keeps its only CPU).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/test.h"

#define RANDOM_GUESTS		100
#define RANDOM_EXITS		64
#define RANDOM_USEC		50000
#define RANDOM_CODE_SIZE	0x8000
#define SLOT2			1
#define SLOT2_MIN		0x10000ull
#define KVM_DEV			"/dev/kvm"

static long random_usec = RANDOM_USEC;	/* HVX_RANDOM_USEC */

/* What guest_create() loads; the random bytes then replace it. */
#if defined(__x86_64__)
GUEST_CODE(random_entry, ".code16", "hlt\n");
#else
GUEST_CODE(random_entry, "wfi\n");
#endif

/* How one guest ended. */
struct ending {
	int r;			/* exit reason, or -errno */
	int exits;
	int own;		/* ended by itself, not by the limits */
	uint64_t pc;		/* RIP or PC there */
	uint32_t suberror;	/* of an internal error */
};

struct tally {
	unsigned long guests, refused, ends[64], errors, timed_out;
	unsigned long compared, agreed;
	int shown;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A register's value: all 64 bits random, or an address below 4 GiB (RAM,
 * the second slot, or nothing: an MMIO exit), or one in RAM, or a small
 * number, one time in four each, so that random loads and stores reach
 * memory and MMIO rather than faulting on their address alone.
 */
static uint64_t rnd_reg(uint64_t *s)
{
	static const uint64_t masks[] = {
		~0ull, 0xffffffffull, GUEST_MIN_MEM - 1, 0xff,
	};
	uint64_t r = rnd(s);

	return rnd(s) & masks[r & 3];
}

static void fill(void *p, size_t len, uint64_t *s)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rnd(s);
}

/*
 * The second slot: 64 KiB to 1 MiB at a 64 KiB boundary between 16 MiB
 * and 4 GiB, random bytes, read-only one time in four (where offered).
 */
static void *random_slot(struct vm *vm, uint64_t *s, size_t *len)
{
	struct kvm_userspace_memory_region m = { .slot = SLOT2 };
	uint64_t r = rnd(s);
	void *p;

	*len = SLOT2_MIN << (r % 5);
	m.guest_phys_addr = (0x100ull + ((r >> 8) & 0xfeff)) << 16;
	m.memory_size = *len;
	if (!((r >> 24) & 3) &&
	    ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0)
		m.flags = KVM_MEM_READONLY;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	fill(p, *len, s);
	m.userspace_addr = (uintptr_t)p;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m) < 0) {
		munmap(p, *len);
		return NULL;
	}
	return p;
}

#if defined(__x86_64__)
static const enum guest_mode random_modes[] = {
	GUEST_REAL, GUEST_PROT, GUEST_PAGED, GUEST_LONG,
};

/*
 * Random general registers and flags (bit 1 always set, SDM Vol. 1
 * 3.4.3; IF, DF, TF and AC at random); one time in four, random
 * selectors and bases in DS, ES, FS and GS, and a random CR8.
 */
static int random_state(struct vcpu *v, uint64_t *s, struct tally *t)
{
	struct kvm_sregs sr;
	struct kvm_regs r;
	struct kvm_segment *seg[4];
	int i;

	if (vcpu_get_regs(v, &r) || ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	r.rax = rnd_reg(s);
	r.rbx = rnd_reg(s);
	r.rcx = rnd_reg(s);
	r.rdx = rnd_reg(s);
	r.rsi = rnd_reg(s);
	r.rdi = rnd_reg(s);
	r.rbp = rnd_reg(s);
	r.r8 = rnd_reg(s);
	r.r9 = rnd_reg(s);
	r.r10 = rnd_reg(s);
	r.r11 = rnd_reg(s);
	r.r12 = rnd_reg(s);
	r.r13 = rnd_reg(s);
	r.r14 = rnd_reg(s);
	r.r15 = rnd_reg(s);
	r.rflags = 2 | (rnd(s) & 0x40700);	/* TF, IF, DF, AC */
	if (vcpu_set_regs(v, &r))
		return -1;
	if (rnd(s) & 3)
		return 0;
	seg[0] = &sr.ds;
	seg[1] = &sr.es;
	seg[2] = &sr.fs;
	seg[3] = &sr.gs;
	for (i = 0; i < 4; i++) {
		seg[i]->selector = rnd(s);
		seg[i]->base = rnd(s) & 0xffffffff;
		seg[i]->type = (seg[i]->type & ~1) | (rnd(s) & 1);
	}
	sr.cr8 = rnd(s) & 0xf;
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		t->refused++;
	return 0;
}

static uint64_t guest_pc(struct vcpu *v)
{
	struct kvm_regs r;

	return vcpu_get_regs(v, &r) ? 0 : r.rip;
}

static int ending_is_final(int r)
{
	return r == KVM_EXIT_HLT || r == KVM_EXIT_SHUTDOWN ||
	       r == KVM_EXIT_FAIL_ENTRY || r == KVM_EXIT_INTERNAL_ERROR ||
	       r == KVM_EXIT_SYSTEM_EVENT;
}

static int errno_is_clean(int e)
{
	return e == EINTR;
}
#else
static const enum guest_mode random_modes[] = { GUEST_EL1, GUEST_EL1_MMU };

/*
 * Random X0-X30, VBAR_EL1 at the random code (so that an exception runs
 * more of it rather than whatever lies at 0), and PSTATE (Arm ARM C5.2.18,
 * SPSR_EL1's layout) one of EL0t, EL1t, EL1h with random DAIF; a value
 * SET_ONE_REG refuses is counted.
 */
static int random_state(struct vcpu *v, uint64_t *s, struct tally *t)
{
	static const uint64_t modes[] = {
		PSTATE_MODE_EL0T, PSTATE_MODE_EL1T, PSTATE_MODE_EL1H,
	};
	uint64_t r;
	int i;

	for (i = 0; i < 31; i++)
		if (vcpu_set_reg(v, REG_X(i), rnd_reg(s)))
			return -1;
	/* Exceptions taken into the random code too (VBAR_EL1, 2 KiB aligned). */
	if (vcpu_set_reg(v, REG_VBAR_EL1, GUEST_CODE_GPA))
		return -1;
	r = rnd(s);
	if (vcpu_set_reg(v, REG_PSTATE, modes[r % 3] | ((r >> 8) & 0xf) << 6))
		t->refused++;
	return 0;
}

static uint64_t guest_pc(struct vcpu *v)
{
	uint64_t pc;

	return vcpu_get_reg(v, REG_PC, &pc) ? 0 : pc;
}

static int ending_is_final(int r)
{
	return r == KVM_EXIT_SHUTDOWN || r == KVM_EXIT_FAIL_ENTRY ||
	       r == KVM_EXIT_INTERNAL_ERROR || r == KVM_EXIT_SYSTEM_EVENT;
}

static int errno_is_clean(int e)
{
	return e == EINTR || e == ENOSYS;
}
#endif

/* Runs the guest of @seed on @dev; its ending in @e.  -1: not made. */
static int random_guest(const char *dev, uint64_t seed, struct tally *t,
			struct ending *e)
{
	uint64_t s = seed;
	struct guest g;
	size_t len = 0;
	void *slot;
	int r;

	r = guest_create(&g, dev, random_modes[rnd(&s) % ARRAY_SIZE(random_modes)],
			 random_entry_start, random_entry_end);
	if (r)
		return -1;
	fill(vm_gpa(&g.vm, GUEST_CODE_GPA), RANDOM_CODE_SIZE, &s);
	slot = random_slot(&g.vm, &s, &len);
	if (random_state(&g.vcpu, &s, t)) {
		guest_destroy(&g);
		return -1;
	}
	*e = (struct ending) { 0 };
	test_arm_timer_every(random_usec);
	for (e->exits = 0; e->exits < RANDOM_EXITS; e->exits++) {
		r = guest_run(&g);
		if (r < 0 || ending_is_final(r))
			break;
	}
	test_arm_timer(0);
	e->r = r;
	if (r == KVM_EXIT_INTERNAL_ERROR)
		e->suberror = g.vcpu.run->internal.suberror;
	e->own = e->exits < RANDOM_EXITS && r != -EINTR;
	e->pc = guest_pc(&g.vcpu);
	guest_destroy(&g);
	if (slot)
		munmap(slot, len);
	return 0;
}

static const char *ending_name(int r)
{
	return r < 0 ? strerror(-r) : exit_reason_name(r);
}

/* The same seed on KVM: does it end the same way? */
static void compare_kvm(uint64_t seed, const struct ending *h,
			struct tally *t)
{
	struct tally kt = { 0 };
	struct ending k;

	if (!h->own || random_guest(KVM_DEV, seed, &kt, &k) || !k.own)
		return;
	t->compared++;
	if (k.r == h->r && k.pc == h->pc) {
		t->agreed++;
		return;
	}
	if (t->shown++ < 12)
		printf("# seed %#llx: hvx %s %u at %#llx after %d exits, KVM %s %u at %#llx after %d\n",
		       (unsigned long long)seed, ending_name(h->r),
		       h->suberror, (unsigned long long)h->pc, h->exits,
		       ending_name(k.r), k.suberror,
		       (unsigned long long)k.pc, k.exits);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void tally_print(const struct tally *t)
{
	unsigned int i;

	printf("# %lu guests, %lu random states refused, %lu stopped by the time limit\n",
	       t->guests, t->refused, t->timed_out);
	printf("# endings:");
	for (i = 0; i < ARRAY_SIZE(t->ends); i++)
		if (t->ends[i])
			printf(" %s %lu", exit_reason_name(i), t->ends[i]);
	printf("\n");
	if (t->compared)
		printf("# the same seeds on KVM: %lu of %lu guests that ended by themselves on both ended alike\n",
		       t->agreed, t->compared);
}

static int test_random_guests(const char *dev)
{
	uint64_t n = env_u64("HVX_RANDOM_GUESTS", RANDOM_GUESTS);
	uint64_t seed0 = env_u64("HVX_RANDOM_SEED", 0x6a09e667f3bcc908ull);
	int kvm = test_is_hvx(dev) && access(KVM_DEV, R_OK | W_OK) == 0 &&
		  env_u64("HVX_RANDOM_KVM", 1);
	struct tally t = { 0 };
	struct ending e;
	uint64_t i, seed;

	random_usec = env_u64("HVX_RANDOM_USEC", RANDOM_USEC);
	printf("# first seed %#llx, %ld us per guest\n",
	       (unsigned long long)seed0, random_usec);
	for (i = 0; i < n; i++) {
		seed = seed0 + i * 0x9e3779b97f4a7c15ull;
		if (!seed)
			continue;
		if (random_guest(dev, seed, &t, &e)) {
			printf("# seed %#llx: the guest could not be made\n",
			       (unsigned long long)seed);
			return TEST_FAIL;
		}
		t.guests++;
		if (e.r >= 0 && e.r < (int)ARRAY_SIZE(t.ends))
			t.ends[e.r]++;
		else if (e.r == -EINTR)
			t.timed_out++;
		if (e.r < 0 && !errno_is_clean(-e.r)) {
			printf("# seed %#llx: KVM_RUN failed: %s after %d exits\n",
			       (unsigned long long)seed, strerror(-e.r),
			       e.exits);
			t.errors++;
		}
		if (kvm)
			compare_kvm(seed, &e, &t);
		if ((i + 1) % 500 == 0) {	/* for the silence limit */
			printf("# %llu guests\n", (unsigned long long)i + 1);
			fflush(stdout);
		}
	}
	tally_print(&t);
	EXPECT(t.errors == 0);
	return test_is_hvx(dev) ? test_hvx_no_leaks(dev) : TEST_PASS;
}

static const struct test_case cases[] = {
	{ "random_guests", test_random_guests },
};

TEST_MAIN(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd_test: KVM_IOEVENTFD (Documentation/virt/kvm/api.rst, 4.59).
 * A guest write to a registered MMIO address signals the eventfd and the
 * guest goes on without an exit to user space; reads, and writes that
 * match nothing, still exit.  These cases use MMIO, which every
 * architecture has; x86/ioeventfd_test.c adds port I/O.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/hvx.h>

#include "../lib/test.h"

/*
 * Two MMIO addresses outside guest RAM on both architectures (on arm64
 * they are ports 0x40 and 0x41 of the test port window, Device memory
 * with the MMU off).  No suffix: the guests' assembly uses them too.
 */
#define IOEV_GPA	0x0ff00200
#define IOEV_GPA2	0x0ff00208

static int ioev(struct vm *vm, uint64_t addr, uint32_t len, int fd,
		uint32_t flags, uint64_t datamatch)
{
	struct kvm_ioeventfd args = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm->fd, KVM_IOEVENTFD, &args);
}

/* The next exit is a guest MMIO write of @len bytes to @gpa. */
static int expect_mmio_write(struct guest *g, uint64_t gpa, uint32_t len)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r == KVM_EXIT_MMIO && run->mmio.phys_addr == gpa &&
	    run->mmio.len == len && run->mmio.is_write)
		return 1;
	guest_describe_exit(g, r, "an MMIO write");
	return 0;
}

static int expect_mmio_read(struct guest *g, uint64_t gpa, uint32_t len)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r == KVM_EXIT_MMIO && run->mmio.phys_addr == gpa &&
	    run->mmio.len == len && !run->mmio.is_write)
		return 1;
	guest_describe_exit(g, r, "an MMIO read");
	return 0;
}

static uint64_t mmio_data(struct guest *g)
{
	uint64_t v = 0;

	memcpy(&v, g->vcpu.run->mmio.data, g->vcpu.run->mmio.len);
	return v;
}

/*
 * KVM_CAP_IOEVENTFD and _ANY_LENGTH on every architecture; KVM sets
 * _NO_LENGTH (length 0 on MMIO) on x86 only, and so does hvx.
 */
static int test_caps(const char *dev)
{
	struct vm vm;
	int no_len = 0;

#if defined(__x86_64__)
	no_len = 1;
#endif
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_IOEVENTFD_ANY_LENGTH) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_IOEVENTFD_NO_LENGTH) == no_len);
	vm_close(&vm);
	return TEST_PASS;
}

GUEST_CODE_X86(mmio3, GUEST_LONG, ".code64",
	"mov $0x11223344, %eax\n"
	"mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA2) "\n"
	"mov " TEST_STR(IOEV_GPA) ", %ebx\n"
	"cmp $0x5a5a5a5a, %ebx\n" GUEST_ASSERT("je")
	GUEST_DONE);
GUEST_CODE_ARM64(mmio3, GUEST_EL1,
	"ldr x1, =0x11223344\n ldr x2, =" TEST_STR(IOEV_GPA) "\n"
	"str w1, [x2]\n str w1, [x2]\n str w1, [x2]\n str w1, [x2, #8]\n"
	"ldr w3, [x2]\n"
	"ldr x4, =0x5a5a5a5a\n cmp x3, x4\n" GUEST_ASSERT("eq")
	GUEST_DONE);

/*
 * Three 4-byte writes to the registered address count three and never
 * reach user space; the write to the address next to it does, and so
 * does a read of the registered address.  hvx's exit statistics count
 * the three as handled in the kernel.
 */
static int test_mmio_signal(const char *dev)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	uint32_t v = 0x5a5a5a5a;
	struct hvx_vcpu_stats st;
	struct guest g;

	EXPECT(efd >= 0);
	GUEST_START(&g, dev, mmio3);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, 0, 0) == 0);
	EXPECT(expect_mmio_write(&g, IOEV_GPA2, 4));
	EXPECT(mmio_data(&g) == 0x11223344);
	EXPECT(expect_mmio_read(&g, IOEV_GPA, 4));
	memcpy(g.vcpu.run->mmio.data, &v, sizeof(v));
	EXPECT_DONE(&g);
	EXPECT(eventfd_count(efd) == 3);
	if (test_is_hvx(dev)) {
		EXPECT(ioctl(g.vcpu.fd, HVX_GET_VCPU_STATS, &st) == 0);
		EXPECT(st.exits[HVX_STAT_IOEVENTFD] == 3);
	}
	guest_destroy(&g);
	close(efd);
	return TEST_PASS;
}

GUEST_CODE_X86(datamatch, GUEST_LONG, ".code64",
	"mov $0x1234, %eax\n mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov $0x5678, %eax\n mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov $0x1234, %eax\n mov %ax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA) "\n"
	GUEST_DONE);
GUEST_CODE_ARM64(datamatch, GUEST_EL1,
	"ldr x2, =" TEST_STR(IOEV_GPA) "\n"
	"mov w1, #0x1234\n str w1, [x2]\n"
	"mov w1, #0x5678\n str w1, [x2]\n"
	"mov w1, #0x1234\n strh w1, [x2]\n str w1, [x2]\n"
	GUEST_DONE);

/*
 * KVM_IOEVENTFD_FLAG_DATAMATCH: only the registered value signals; another
 * value, or the same value written with another length, exits.  Two
 * registrations at one address with different values live side by side.
 */
static int test_datamatch(const char *dev)
{
	int efd = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
	struct guest g;

	EXPECT(efd >= 0 && efd2 >= 0);
	GUEST_START(&g, dev, datamatch);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, KVM_IOEVENTFD_FLAG_DATAMATCH,
		    0x1234) == 0);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd2, KVM_IOEVENTFD_FLAG_DATAMATCH,
		    0x9999) == 0);
	EXPECT(expect_mmio_write(&g, IOEV_GPA, 4));
	EXPECT(mmio_data(&g) == 0x5678);
	EXPECT(expect_mmio_write(&g, IOEV_GPA, 2));
	EXPECT(mmio_data(&g) == 0x1234);
	EXPECT_DONE(&g);
	EXPECT(eventfd_count(efd) == 2);
	EXPECT(eventfd_count(efd2) == 0);
	guest_destroy(&g);
	close(efd);
	close(efd2);
	return TEST_PASS;
}

GUEST_CODE_X86(anylen, GUEST_LONG, ".code64",
	"mov $0x8877665544332211, %rax\n"
	"mov %al, " TEST_STR(IOEV_GPA) "\n"
	"mov %ax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA) "\n"
	"mov %rax, " TEST_STR(IOEV_GPA) "\n"
	"mov %eax, " TEST_STR(IOEV_GPA2) "\n"
	GUEST_DONE);
GUEST_CODE_ARM64(anylen, GUEST_EL1,
	"ldr x1, =0x8877665544332211\n ldr x2, =" TEST_STR(IOEV_GPA) "\n"
	"strb w1, [x2]\n strh w1, [x2]\n str w1, [x2]\n str x1, [x2]\n"
	"str w1, [x2, #8]\n"
	GUEST_DONE);

/*
 * Length 0 (KVM_CAP_IOEVENTFD_ANY_LENGTH): a write of any size to the
 * address signals, whatever its value.  (A read there exits on hvx; KVM
 * on VMX puts such registrations on its "fast MMIO" path, which does not
 * decode the instruction and takes a read for a write: not tested.)
 */
static int test_any_length(const char *dev)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	struct guest g;

	EXPECT(efd >= 0);
	GUEST_START(&g, dev, anylen);
	EXPECT(ioev(&g.vm, IOEV_GPA, 0, efd, 0, 0) == 0);
	EXPECT(expect_mmio_write(&g, IOEV_GPA2, 4));
	EXPECT_DONE(&g);
	EXPECT(eventfd_count(efd) == 4);
	guest_destroy(&g);
	close(efd);
	return TEST_PASS;
}

GUEST_CODE_X86(deassign, GUEST_LONG, ".code64",
	"mov $7, %eax\n mov %eax, " TEST_STR(IOEV_GPA) "\n"
	GUEST_SYNC(1)
	"mov $7, %eax\n mov %eax, " TEST_STR(IOEV_GPA) "\n"
	GUEST_DONE);
GUEST_CODE_ARM64(deassign, GUEST_EL1,
	"ldr x2, =" TEST_STR(IOEV_GPA) "\n mov w1, #7\n str w1, [x2]\n"
	GUEST_SYNC(1)
	"str w1, [x2]\n"
	GUEST_DONE);

/*
 * KVM_IOEVENTFD_FLAG_DEASSIGN removes exactly the registration it names
 * (eventfd, address, length, datamatch or not): anything else is ENOENT,
 * and once it is gone the write exits again.  The same registration can
 * then be made again.
 */
static int test_deassign(const char *dev)
{
	int efd = eventfd(0, EFD_NONBLOCK), other = eventfd(0, EFD_NONBLOCK);
	const uint32_t del = KVM_IOEVENTFD_FLAG_DEASSIGN;
	struct guest g;

	EXPECT(efd >= 0 && other >= 0);
	GUEST_START(&g, dev, deassign);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, 0, 0) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(eventfd_count(efd) == 1);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA, 4, efd,
			  del | KVM_IOEVENTFD_FLAG_DATAMATCH, 0), ENOENT);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA, 2, efd, del, 0), ENOENT);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA2, 4, efd, del, 0), ENOENT);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA, 4, other, del, 0), ENOENT);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA, 4, -1, del, 0), EBADF);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, del, 0) == 0);
	EXPECT_ERRNO(ioev(&g.vm, IOEV_GPA, 4, efd, del, 0), ENOENT);
	EXPECT(expect_mmio_write(&g, IOEV_GPA, 4));
	EXPECT_DONE(&g);
	EXPECT(eventfd_count(efd) == 0);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, 0, 0) == 0);
	EXPECT(ioev(&g.vm, IOEV_GPA, 4, efd, del, 0) == 0);
	guest_destroy(&g);
	close(efd);
	close(other);
	return TEST_PASS;
}

/*
 * What KVM_IOEVENTFD refuses: a length other than 0, 1, 2, 4, 8, a range
 * that wraps, DATAMATCH with length 0, an unknown flag (EINVAL); a bad
 * fd (EBADF) or one that is not an eventfd (EINVAL); a registration that
 * could match a write another one matches (EEXIST: same address, and
 * either length 0 or the same length with a wildcard or the same value).
 * Different lengths, or different values, at one address do not collide,
 * nor do neighbouring addresses.  @pad is not looked at (KVM does not).
 */
static int test_errors(const char *dev)
{
	int efd = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
	const uint32_t dm = KVM_IOEVENTFD_FLAG_DATAMATCH;
	struct kvm_ioeventfd args;
	int hvx = test_is_hvx(dev);
	struct vm vm;
	int r;

	EXPECT(efd >= 0 && efd2 >= 0);
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 3, efd, 0, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 16, efd, 0, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, ~0ULL - 1, 4, efd, 0, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 0, efd, dm, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, efd, 1u << 5, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, efd, 1u << 31, 0), EINVAL);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, -1, 0, 0), EBADF);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, vm.fd, 0, 0), EINVAL);

	EXPECT(ioev(&vm, IOEV_GPA, 4, efd, 0, 0) == 0);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, efd2, 0, 0), EEXIST);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 4, efd2, dm, 5), EEXIST);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA, 0, efd2, 0, 0), EEXIST);
	EXPECT(ioev(&vm, IOEV_GPA, 2, efd2, 0, 0) == 0);
	EXPECT(ioev(&vm, IOEV_GPA + 2, 4, efd2, 0, 0) == 0);
	EXPECT(ioev(&vm, IOEV_GPA2, 8, efd, dm, 1) == 0);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA2, 8, efd2, dm, 1), EEXIST);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA2, 8, efd2, 0, 0), EEXIST);
	EXPECT(ioev(&vm, IOEV_GPA2, 8, efd2, dm, 2) == 0);
	EXPECT(ioev(&vm, IOEV_GPA2 + 8, 0, efd, 0, 0) == 0);
	EXPECT_ERRNO(ioev(&vm, IOEV_GPA2 + 8, 1, efd2, dm, 1), EEXIST);

	memset(&args, 0, sizeof(args));
	args.addr = IOEV_GPA2 + 16;
	args.len = 4;
	args.fd = efd;
	memset(args.pad, 0xff, sizeof(args.pad));
	EXPECT(ioctl(vm.fd, KVM_IOEVENTFD, &args) == 0);

	/*
	 * The virtio-ccw notification belongs to s390: hvx refuses it;
	 * KVM accepts it everywhere and never signals it.
	 */
	errno = 0;
	r = ioev(&vm, IOEV_GPA2 + 24, 4, efd,
		 KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY, 0);
	EXPECT(hvx ? r == -1 && errno == EINVAL : r == 0);
#if defined(__aarch64__)
	/* No port I/O on arm64: hvx refuses it, KVM accepts it (unused). */
	errno = 0;
	r = ioev(&vm, 0x300, 1, efd, KVM_IOEVENTFD_FLAG_PIO, 0);
	EXPECT(hvx ? r == -1 && errno == EINVAL : r == 0);
#endif
	vm_close(&vm);
	close(efd);
	close(efd2);
	return TEST_PASS;
}

#define LOOP_WRITES	0x40000000	/* more than the case ever lets run */

/* IF set for Bochs, as in exit_test.c's spinning guests. */
GUEST_CODE_X86(loop, GUEST_LONG, ".code64",
	"sti\n mov $" TEST_STR(LOOP_WRITES) ", %ecx\n"
	"1: mov %ecx, " TEST_STR(IOEV_GPA) "\n dec %ecx\n jnz 1b\n"
	GUEST_DONE);
GUEST_CODE_ARM64(loop, GUEST_EL1,
	"ldr x3, =" TEST_STR(LOOP_WRITES) "\n ldr x2, =" TEST_STR(IOEV_GPA) "\n"
	"1: str w3, [x2]\n subs x3, x3, #1\n b.ne 1b\n"
	GUEST_DONE);

struct churn {
	struct vm *vm;
	int efd;
	int r;
	uint64_t count;
};

static void *assign_thread(void *arg)
{
	struct churn *c = arg;

	c->r = ioev(c->vm, IOEV_GPA, 4, c->efd, 0, 0);
	return NULL;
}

/* Once the guest's writes have been signalled a few times: deassign. */
static void *deassign_thread(void *arg)
{
	struct churn *c = arg;
	int i;

	for (i = 0; i < 200000 && c->count < 10; i++) {
		c->count += eventfd_count(c->efd);
		usleep(100);
	}
	c->r = ioev(c->vm, IOEV_GPA, 4, c->efd, KVM_IOEVENTFD_FLAG_DEASSIGN,
		    0);
	return NULL;
}

/* The value the guest's loop wrote, which counts down from LOOP_WRITES. */
static uint32_t loop_data(struct guest *g)
{
	return mmio_data(g);
}

/*
 * KVM_IOEVENTFD from threads other than the vCPU's: one assigns while
 * the vCPU waits between two KVM_RUNs; another deassigns while the vCPU
 * is in KVM_RUN, its guest writing without end, every write completed
 * in the kernel: the guest's next write then exits.  Every write in
 * between was signalled exactly once.
 */
static int test_other_thread(const char *dev)
{
	struct churn c = { .efd = eventfd(0, EFD_NONBLOCK) };
	uint32_t first, last;
	struct guest g;
	pthread_t t;

	EXPECT(c.efd >= 0);
	GUEST_START(&g, dev, loop);
	c.vm = &g.vm;
	EXPECT(expect_mmio_write(&g, IOEV_GPA, 4));
	first = loop_data(&g);
	EXPECT(first == LOOP_WRITES);
	EXPECT(!pthread_create(&t, NULL, assign_thread, &c));
	pthread_join(t, NULL);
	EXPECT(c.r == 0);

	EXPECT(!pthread_create(&t, NULL, deassign_thread, &c));
	test_arm_timer(30000000);
	EXPECT(expect_mmio_write(&g, IOEV_GPA, 4));
	test_arm_timer(0);
	pthread_join(t, NULL);
	EXPECT(c.r == 0);
	last = loop_data(&g);
	c.count += eventfd_count(c.efd);
	printf("# %llu writes signalled, then the write of %#x exited\n",
	       (unsigned long long)c.count, last);
	EXPECT(c.count >= 10);
	EXPECT(c.count == first - 1 - last);
	guest_destroy(&g);
	close(c.efd);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "ioeventfd_caps", test_caps },
	{ "mmio_signal", test_mmio_signal },
	{ "mmio_datamatch", test_datamatch },
	{ "mmio_any_length", test_any_length },
	{ "deassign", test_deassign },
	{ "ioeventfd_errors", test_errors },
	{ "deassign_while_running", test_other_thread },
};

TEST_MAIN_SHARED(cases)

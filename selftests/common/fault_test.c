// SPDX-License-Identifier: GPL-2.0
/*
 * fault_test: every allocation on the VM, vCPU, memory-slot, irqchip (or
 * vGIC) and stats paths fails cleanly.  For n = 1, 2, ... a sequence of
 * ioctls runs with its nth fault point armed, until it runs through
 * without reaching it.  Each failing run must stop at one call with
 * ENOMEM, and once its files are closed nothing may be left (HVX_GET_INFO
 * back to zero; the harness then checks the kernel log and the unload).
 *
 * hvx's fault points: /sys/kernel/debug/hvx/fail_nth (module/fault.c).
 * KVM has none of its own: its runs use the kernel's failslab through
 * /proc/thread-self/fail-nth (Documentation/fault-injection/
 * fault-injection.rst), which only a kernel with CONFIG_FAULT_INJECTION
 * and CONFIG_FAILSLAB has; elsewhere they skip, saying so.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/hvx.h>

#include "../lib/test.h"

#define HVX_FAIL_NTH	"/sys/kernel/debug/hvx/fail_nth"
#define HVX_FAULT_LAST	"/sys/kernel/debug/hvx/fault_last"
#define HVX_FAULT_HITS	"/sys/kernel/debug/hvx/fault_hits"
#define KVM_FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAILSLAB_WAIT	"/sys/kernel/debug/failslab/ignore-gfp-wait"
#define FAULT_MAX_N	400	/* more fault points than any sequence has */
/*
 * KVM, the reference, fails every slab allocation of the sequence in
 * turn, hundreds (a debugfs file per statistic among them, which it does
 * without): under a KASAN kernel that takes minutes.  Its runs stop after
 * this many seconds, saying how far they got; hvx's always run through.
 */
#define FAULT_KVM_BUDGET_S	20

#define SLOT1_GPA	0x400000ull	/* within the 1 GiB long mode maps */
#define SLOT1_MOVED	0x800000ull
#define SLOT1_SIZE	0x10000ull
#define IOEVENT_GPA	0x0fe00000ull

/* Writes to slot 0 and to slot 1 (dirty logged), then DONE. */
GUEST_CODE_X86(fault_guest, GUEST_LONG, ".code64",
	"movabs $" TEST_STR(SLOT1_GPA) ", %rax\n movl $1, (%rax)\n"
	"movl $2, 0x3000\n movl $3, 0x5000\n"
	GUEST_DONE);
GUEST_CODE_ARM64(fault_guest, GUEST_EL1,
	"ldr x1, =" TEST_STR(SLOT1_GPA) "\n mov w2, #1\n str w2, [x1]\n"
	"ldr x1, =0x3000\n str w2, [x1]\n ldr x1, =0x5000\n str w2, [x1]\n"
	GUEST_DONE);

/* What a sequence holds, closed by seq_close() whatever it reached. */
struct seq {
	struct guest g;
	struct vcpu v1;
	void *slot1;
	int efd, vm_stats, vcpu_stats, gic;
	const char *step;	/* the call that failed */
};

static const char *fail_nth_path(const char *dev)
{
	return test_is_hvx(dev) ? HVX_FAIL_NTH : KVM_FAIL_NTH;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 0) : -1;
}

static int arm_fault(const char *dev, unsigned int n)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", n);
	return write_str(fail_nth_path(dev), s);
}

/* The injector this device's runs use; 0 if present. */
static int fault_setup(const char *dev)
{
	if (access("/sys/kernel/debug/hvx", F_OK))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (test_is_hvx(dev))
		return access(HVX_FAIL_NTH, W_OK) ? -1 : 0;
	if (access(KVM_FAIL_NTH, W_OK))
		return test_skip("no " KVM_FAIL_NTH ": this kernel has no CONFIG_FAULT_INJECTION, and KVM has no fault points of its own");
	/* failslab leaves out allocations that may sleep unless told. */
	if (write_str(FAILSLAB_WAIT, "N"))
		return test_skip("no " FAILSLAB_WAIT ": no CONFIG_FAILSLAB");
	return 0;
}

#define STEP(s, name, call) do {					\
	(s)->step = name;						\
	if ((call) < 0)							\
		return -errno;						\
} while (0)

static void seq_close(struct seq *s)
{
	if (s->gic >= 0)
		close(s->gic);
	if (s->vm_stats >= 0)
		close(s->vm_stats);
	if (s->vcpu_stats >= 0)
		close(s->vcpu_stats);
	if (s->efd >= 0)
		close(s->efd);
	if (s->v1.fd >= 0)
		vcpu_close(&s->v1);
	guest_destroy(&s->g);
	if (s->slot1 != MAP_FAILED)
		munmap(s->slot1, SLOT1_SIZE);
}

static int set_slot1(struct seq *s, uint32_t flags, uint64_t gpa,
		     uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)s->slot1,
	};

	return ioctl(s->g.vm.fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* The VM, its memory and vCPU 0 ready to run the guest. */
static int seq_vm(struct seq *s, const char *dev)
{
	int r;

	s->step = "KVM_CREATE_VM";
	r = guest_open(&s->g, dev, fault_guest_mode, fault_guest_start);
	if (r)
		return r;
#if defined(__x86_64__)
	/* Before the vCPUs: they get their local APICs from it. */
	STEP(s, "KVM_CREATE_IRQCHIP", ioctl(s->g.vm.fd, KVM_CREATE_IRQCHIP, 0));
#endif
	s->step = "vCPU 0";
	r = guest_start(&s->g, fault_guest_end);
	if (r)
		return r;
	s->step = "vCPU 1";
	return vcpu_create(&s->g.vm, &s->v1, 1);
}

#if defined(__x86_64__)
static int seq_irqchip(struct seq *s)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[2];
	} rt = { .r.nr = 2 };
	struct kvm_lapic_state lapic;
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_irq_level line = { .irq = 4, .level = 1 };

	rt.e[0] = (struct kvm_irq_routing_entry) {
		.gsi = 4, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 4 } };
	rt.e[1] = (struct kvm_irq_routing_entry) {
		.gsi = 30, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = 0x40 } };
	STEP(s, "KVM_SET_GSI_ROUTING",
	     ioctl(s->g.vm.fd, KVM_SET_GSI_ROUTING, &rt));
	STEP(s, "KVM_GET_IRQCHIP", ioctl(s->g.vm.fd, KVM_GET_IRQCHIP, &chip));
	STEP(s, "KVM_SET_IRQCHIP", ioctl(s->g.vm.fd, KVM_SET_IRQCHIP, &chip));
	STEP(s, "KVM_GET_LAPIC", ioctl(s->v1.fd, KVM_GET_LAPIC, &lapic));
	STEP(s, "KVM_SET_LAPIC", ioctl(s->v1.fd, KVM_SET_LAPIC, &lapic));
	STEP(s, "KVM_IRQ_LINE", ioctl(s->g.vm.fd, KVM_IRQ_LINE, &line));
	return 0;
}
#else
static int gic_addr(int fd, uint64_t type, uint64_t addr)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_ARM_VGIC_GRP_ADDR, .attr = type,
		.addr = (uint64_t)(unsigned long)&addr,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static int seq_irqchip(struct seq *s)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_device_attr init = {
		.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
		.attr = KVM_DEV_ARM_VGIC_CTRL_INIT,
	};
	struct kvm_irq_level line = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40,
		.level = 1,
	};

	STEP(s, "KVM_CREATE_DEVICE", ioctl(s->g.vm.fd, KVM_CREATE_DEVICE, &cd));
	s->gic = cd.fd;
	STEP(s, "vGIC distributor",
	     gic_addr(s->gic, KVM_VGIC_V3_ADDR_TYPE_DIST, 0x08000000));
	STEP(s, "vGIC redistributors",
	     gic_addr(s->gic, KVM_VGIC_V3_ADDR_TYPE_REDIST, 0x080a0000));
	STEP(s, "vGIC CTRL_INIT", ioctl(s->gic, KVM_SET_DEVICE_ATTR, &init));
	STEP(s, "KVM_IRQ_LINE", ioctl(s->g.vm.fd, KVM_IRQ_LINE, &line));
	return 0;
}
#endif

static int seq_memslot(struct seq *s)
{
	struct kvm_ioeventfd io = { .addr = IOEVENT_GPA, .len = 4 };
	static unsigned long bitmap[SLOT1_SIZE / 4096 / 64 + 1];
	struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = bitmap };

	s->step = "mmap";
	s->slot1 = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->slot1 == MAP_FAILED)
		return -errno;
	STEP(s, "slot 1 with KVM_MEM_LOG_DIRTY_PAGES",
	     set_slot1(s, KVM_MEM_LOG_DIRTY_PAGES, SLOT1_GPA, SLOT1_SIZE));
	STEP(s, "KVM_GET_DIRTY_LOG",
	     ioctl(s->g.vm.fd, KVM_GET_DIRTY_LOG, &log));
	STEP(s, "slot 1 moved", set_slot1(s, 0, SLOT1_MOVED, SLOT1_SIZE));
	STEP(s, "slot 1 back, logging",
	     set_slot1(s, KVM_MEM_LOG_DIRTY_PAGES, SLOT1_GPA, SLOT1_SIZE));
	STEP(s, "eventfd", s->efd = eventfd(0, EFD_NONBLOCK));
	io.fd = s->efd;
	STEP(s, "KVM_IOEVENTFD", ioctl(s->g.vm.fd, KVM_IOEVENTFD, &io));
	return 0;
}

static int seq_stats(struct seq *s)
{
	struct kvm_stats_header h;

	STEP(s, "KVM_GET_STATS_FD (VM)",
	     s->vm_stats = ioctl(s->g.vm.fd, KVM_GET_STATS_FD, 0));
	STEP(s, "KVM_GET_STATS_FD (vCPU)",
	     s->vcpu_stats = ioctl(s->g.vcpu.fd, KVM_GET_STATS_FD, 0));
	STEP(s, "stats header", pread(s->vm_stats, &h, sizeof(h), 0));
	STEP(s, "stats data",
	     pread(s->vcpu_stats, &h, sizeof(h), h.data_offset));
	return 0;
}

/* The guest to its DONE: stage-2 tables and pins on the way. */
static int seq_run(struct seq *s)
{
	int r;

	s->step = "KVM_RUN";
	r = guest_run(&s->g);
	if (r < 0)
		return r;
	if (!vcpu_exit_is_port(&s->g.vcpu, r, PORT_OUT, UCALL_PORT)) {
		guest_describe_exit(&s->g, r, "the DONE ucall");
		return -EPROTO;
	}
	return 0;
}

enum { SEQ_VCPU, SEQ_IRQCHIP, SEQ_MEMSLOT, SEQ_STATS, SEQ_RUN };

/* The sequence up to @last; 0 or the first failure's -errno. */
static int seq_do(struct seq *s, const char *dev, int last)
{
	int r = seq_vm(s, dev);

	if (!r && last >= SEQ_IRQCHIP)
		r = seq_irqchip(s);
	if (!r && last >= SEQ_MEMSLOT)
		r = seq_memslot(s);
	if (!r && last >= SEQ_STATS)
		r = seq_stats(s);
	if (!r && last >= SEQ_RUN)
		r = seq_run(s);
	return r;
}

static void fault_last(const char *dev)
{
	char buf[128] = "";
	int fd;

	if (!test_is_hvx(dev))
		return;
	fd = open(HVX_FAULT_LAST, O_RDONLY);

	if (fd < 0)
		return;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		printf("#   hvx's last fault point: %s", buf);
	close(fd);
}

static int no_leaks(const char *dev)
{
	return test_is_hvx(dev) ? test_hvx_no_leaks(dev) : TEST_PASS;
}

/* HVX_GET_INFO's counters all zero, said only when not. */
static int quiet_no_leaks(const char *dev)
{
	struct hvx_info info;
	int fd, r;

	if (!test_is_hvx(dev))
		return TEST_PASS;
	fd = open(dev, O_RDWR);
	if (fd < 0)
		return TEST_FAIL;
	r = ioctl(fd, HVX_GET_INFO, &info);
	close(fd);
	if (!r && !info.vms && !info.vcpus && !info.pinned_pages &&
	    !info.table_pages)
		return TEST_PASS;
	return test_hvx_no_leaks(dev);
}

/*
 * One run with fault point @n armed: 1 if it ran through without
 * reaching it, 0 if it failed cleanly there, -1 (said why) otherwise.
 */
static int fault_once(const char *dev, int last, unsigned int n)
{
	struct seq s = { .efd = -1, .vm_stats = -1, .vcpu_stats = -1,
			 .gic = -1, .slot1 = MAP_FAILED };
	const char *path = fail_nth_path(dev);
	long left;
	int r;

	s.g.vcpu.fd = s.v1.fd = s.g.vm.fd = s.g.vm.sys_fd = -1;
	if (arm_fault(dev, n)) {
		printf("# cannot arm %s\n", path);
		return -1;
	}
	r = seq_do(&s, dev, last);
	left = read_long(path);
	arm_fault(dev, 0);
	seq_close(&s);
	if (r == 0 && left > 0)
		return 1;
	if (r == 0) {
		/* Absorbed: hvx retried or did without; not an error. */
		printf("# n=%u: the sequence ran through its failed point\n",
		       n);
		fault_last(dev);
	} else if (r != -ENOMEM || left != 0) {
		printf("# n=%u: %s: %s, fault point %s\n", n, s.step,
		       strerror(-r), left ? "not reached" : "reached");
		fault_last(dev);
		return -1;
	}
	return quiet_no_leaks(dev) == TEST_PASS ? 0 : -1;
}

static int fault_loop(const char *dev, int last)
{
	time_t end = time(NULL) + FAULT_KVM_BUDGET_S;
	unsigned int n;
	int r = fault_setup(dev);

	if (r)
		return r == TEST_SKIP ? TEST_SKIP : TEST_FAIL;
	for (n = 1; n <= FAULT_MAX_N; n++) {
		r = fault_once(dev, last, n);
		if (r < 0)
			return TEST_FAIL;
		if (r > 0)
			break;
		if (!test_is_hvx(dev) && time(NULL) >= end) {
			printf("# KVM: the first %u fault points, each failed cleanly; stopped after %d s\n",
			       n, FAULT_KVM_BUDGET_S);
			return TEST_PASS;
		}
	}
	printf("# %u fault points, each failed cleanly\n", n - 1);
	EXPECT(n > 1 && n <= FAULT_MAX_N);
	return no_leaks(dev);
}

static int test_fault_vcpu(const char *dev)
{
	return fault_loop(dev, SEQ_VCPU);
}

static int test_fault_irqchip(const char *dev)
{
	return fault_loop(dev, SEQ_IRQCHIP);
}

static int test_fault_memslot(const char *dev)
{
	return fault_loop(dev, SEQ_MEMSLOT);
}

static int test_fault_stats(const char *dev)
{
	return fault_loop(dev, SEQ_STATS);
}

static int test_fault_run(const char *dev)
{
	return fault_loop(dev, SEQ_RUN);
}

/*
 * The knob itself (hvx only): the nth point fails, once, counted in
 * fault_hits; reading gives what is left; another process is not armed.
 */
static int test_fault_knob(const char *dev)
{
	long hits;
	int fd, sys;
	pid_t pid;

	EXPECT(fault_setup(dev) == 0);
	hits = read_long(HVX_FAULT_HITS);
	sys = open(dev, O_RDWR);
	EXPECT(sys >= 0);
	EXPECT(arm_fault(dev, 1) == 0);
	EXPECT(read_long(HVX_FAIL_NTH) == 1);
	pid = fork();
	if (!pid)	/* not the armed process: its VM is made */
		_exit(read_long(HVX_FAIL_NTH) != 0 ||
		      ioctl(sys, KVM_CREATE_VM, 0) < 0);
	EXPECT(pid > 0);
	EXPECT(waitpid(pid, &fd, 0) == pid && WIFEXITED(fd) &&
	       WEXITSTATUS(fd) == 0);
	EXPECT_ERRNO(ioctl(sys, KVM_CREATE_VM, 0), ENOMEM);
	EXPECT(read_long(HVX_FAIL_NTH) == 0);
	EXPECT(read_long(HVX_FAULT_HITS) == hits + 1);
	fd = ioctl(sys, KVM_CREATE_VM, 0);	/* once only */
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(arm_fault(dev, 1000) == 0);
	fd = ioctl(sys, KVM_CREATE_VM, 0);
	EXPECT(fd >= 0);
	close(fd);
	EXPECT(read_long(HVX_FAIL_NTH) < 1000);
	EXPECT(arm_fault(dev, 0) == 0);
	EXPECT(read_long(HVX_FAIL_NTH) == 0);
	EXPECT(write_str(HVX_FAIL_NTH, "x") < 0);
	close(sys);
	return no_leaks(dev);
}

/*
 * A file that cannot be made (RLIMIT_NOFILE: EMFILE, as KVM) leaves
 * nothing behind: the same vCPU id, and on arm64 the vGIC, are created
 * once the limit is back.  KVM 6.1 keeps its vGIC when the device's fd
 * fails (kvm_ioctl_create_device() only frees the device): there the
 * second KVM_CREATE_DEVICE is EEXIST, said and accepted.
 */
static int test_fault_fd_limit(const char *dev)
{
#if defined(__aarch64__)
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	int gic;
#endif
	struct rlimit old, low;
	struct vcpu v;
	struct vm vm;
	int free_fd;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(getrlimit(RLIMIT_NOFILE, &old) == 0);
	free_fd = open("/dev/null", O_RDONLY);	/* the lowest free fd */
	EXPECT(free_fd >= 0);
	close(free_fd);
	low = old;
	low.rlim_cur = free_fd;
	EXPECT(setrlimit(RLIMIT_NOFILE, &low) == 0);
#if defined(__aarch64__)
	errno = 0;
	gic = ioctl(vm.fd, KVM_CREATE_DEVICE, &cd);
#endif
	errno = 0;
	free_fd = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
	setrlimit(RLIMIT_NOFILE, &old);
	EXPECT(free_fd == -1 && errno == EMFILE);
	EXPECT(vcpu_create(&vm, &v, 0) == 0);
#if defined(__aarch64__)
	EXPECT(gic == -1);
	gic = ioctl(vm.fd, KVM_CREATE_DEVICE, &cd);
	if (gic && errno == EEXIST && !test_is_hvx(dev))
		printf("# KVM kept the vGIC of the failed KVM_CREATE_DEVICE\n");
	else
		EXPECT(gic == 0);
	if (!gic)
		close(cd.fd);
#endif
	vcpu_close(&v);
	vm_close(&vm);
	return no_leaks(dev);
}

static const struct test_case cases[] = {
	{ "fault_knob", test_fault_knob, TEST_HVX_ONLY },
	{ "fault_vcpu", test_fault_vcpu },
	{ "fault_irqchip", test_fault_irqchip },
	{ "fault_memslot", test_fault_memslot },
	{ "fault_stats", test_fault_stats },
	{ "fault_run", test_fault_run },
	{ "fault_fd_limit", test_fault_fd_limit },
};

TEST_MAIN_SHARED(cases)

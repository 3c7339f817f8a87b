// SPDX-License-Identifier: GPL-2.0
/*
 * mmu_test: guest memory within the host's limits.  What pinning guest
 * pages costs the VMM (RLIMIT_MEMLOCK), stage-2 tables that go with their
 * slots, reclaim of the VMM's memory while its guest faults pages in, and
 * the OOM reaper's way through the MMU notifier (process_mrelease()).
 * Every case runs on both devices; where KVM, which does not pin guest
 * memory, behaves otherwise, the case says so.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/hvx.h>

#include "../lib/test.h"

#define TOUCH_GPA	0x40000000ull
#define TOUCH_PAGES	64
#define STRIDE_TABLE	0x200000ull	/* a last-level table per page */
#define PAGE		0x1000ull

/*
 * Writes to TOUCH_PAGES pages from TOUCH_GPA on, arg0 bytes apart (RDI,
 * X0), then reports on port 0x10 and halts.
 */
GUEST_CODE_X86(touch, GUEST_PROT, ".code32",
	"mov $0x40000000, %ebx\n"
	"mov $" TEST_STR(TOUCH_PAGES) ", %ecx\n"
	"1: movl $1, (%ebx)\n"
	"add %edi, %ebx\n"
	"loop 1b\n"
	"out %al, $0x10\n"
	"hlt\n");
GUEST_CODE_ARM64(touch, GUEST_EL1_MMU,
	"mov x3, x0\n"
	"movz x0, #0x4000, lsl #16\n"
	"mov x2, #" TEST_STR(TOUCH_PAGES) "\n"
	"1: str w2, [x0]\n"
	"add x0, x0, x3\n"
	"subs x2, x2, #1\n"
	"b.ne 1b\n"
	GUEST_OUT(0x10, "strb", "w2")
	GUEST_HALT);

static int set_region(struct vm *vm, uint32_t slot, uint64_t gpa,
		      uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static void *touch_area(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

static int get_info(const char *dev, struct hvx_info *info)
{
	int fd = open(dev, O_RDWR), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, HVX_GET_INFO, info);
	close(fd);
	return r;
}

/* A number from a "Name: value" line of a /proc or cgroup file; -1 if none. */
static long file_value(const char *path, const char *name)
{
	size_t len = strlen(name);
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) &&
		    (line[len] == ':' || line[len] == ' ')) {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long vm_pin_kb(void)
{
	return file_value("/proc/self/status", "VmPin");
}

/*
 * Stage-2 table pages go with the slots that needed them: after every
 * slot is deleted, HVX_GET_INFO counts the root tables alone, as right
 * after KVM_CREATE_VM.  (hvx's own counter: hvx only.)
 */
static int test_table_pages_freed(const char *dev)
{
	struct hvx_info before, created, touched, deleted, after;
	size_t size = TOUCH_PAGES * STRIDE_TABLE;
	void *area = touch_area(size);
	struct guest g;

	EXPECT(area != MAP_FAILED);
	EXPECT(get_info(dev, &before) == 0);
	GUEST_START(&g, dev, touch);
	EXPECT(get_info(dev, &created) == 0);
	EXPECT(set_region(&g.vm, 1, TOUCH_GPA, size, area) == 0);
	EXPECT(vcpu_set_arg0(&g.vcpu, STRIDE_TABLE) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 1));
	EXPECT(get_info(dev, &touched) == 0);
	EXPECT(set_region(&g.vm, 1, TOUCH_GPA, 0, area) == 0);
	EXPECT(set_region(&g.vm, 0, g.vm.mem_gpa, 0, g.vm.mem) == 0);
	EXPECT(get_info(dev, &deleted) == 0);
	printf("# table pages: %llu before, %llu with the VM, %llu touched, %llu slots deleted\n",
	       (unsigned long long)before.table_pages,
	       (unsigned long long)created.table_pages,
	       (unsigned long long)touched.table_pages,
	       (unsigned long long)deleted.table_pages);
	EXPECT(created.table_pages > before.table_pages);
	EXPECT(touched.table_pages >= created.table_pages + TOUCH_PAGES);
	EXPECT(deleted.table_pages == created.table_pages);
	EXPECT(deleted.pinned_pages == before.pinned_pages);
	guest_destroy(&g);
	EXPECT(get_info(dev, &after) == 0);
	EXPECT(after.table_pages == before.table_pages);
	EXPECT(after.pinned_pages == before.pinned_pages);
	return TEST_PASS;
}

#define MEMLOCK_PAGES	32

/* Take CAP_IPC_LOCK out of this process's effective and permitted sets. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	uint32_t bit = 1u << (CAP_IPC_LOCK % 32);

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~bit;
	d[CAP_IPC_LOCK / 32].permitted &= ~bit;
	return syscall(SYS_capset, &h, d);
}

/*
 * A VMM without CAP_IPC_LOCK and with an RLIMIT_MEMLOCK of MEMLOCK_PAGES
 * pages runs a guest that touches TOUCH_PAGES pages.  hvx pins each page
 * it maps and charges it to the process's pinned memory (VmPin), as VFIO
 * and RDMA do: KVM_RUN fails with ENOMEM at the limit, and closing the VM
 * gives every pin and charge back.  KVM does not pin guest memory: no
 * limit applies, and the guest runs to its end.
 */
static int test_memlock_limit(const char *dev)
{
	struct rlimit rl = { MEMLOCK_PAGES * PAGE, MEMLOCK_PAGES * PAGE };
	size_t size = TOUCH_PAGES * PAGE;
	void *area = touch_area(size);
	bool hvx = test_is_hvx(dev);
	struct hvx_info before, after;
	struct guest g;
	long pin_kb;
	int r;

	EXPECT(area != MAP_FAILED);
	EXPECT(!hvx || get_info(dev, &before) == 0);
	EXPECT(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	EXPECT(drop_ipc_lock() == 0);
	GUEST_START(&g, dev, touch);
	EXPECT(set_region(&g.vm, 1, TOUCH_GPA, size, area) == 0);
	EXPECT(vcpu_set_arg0(&g.vcpu, PAGE) == 0);
	r = guest_run(&g);
	pin_kb = vm_pin_kb();
	printf("# KVM_RUN: %d (%s), VmPin %ld kB, limit %llu kB\n", r,
	       r < 0 ? strerror(-r) : exit_reason_name(r), pin_kb,
	       MEMLOCK_PAGES * PAGE / 1024);
	if (hvx) {
		EXPECT(r == -ENOMEM);
		EXPECT(pin_kb > 0 && pin_kb <= (long)(MEMLOCK_PAGES * PAGE / 1024));
	} else {
		EXPECT(vcpu_exit_is_port(&g.vcpu, r, PORT_OUT, 0x10));
	}
	guest_destroy(&g);
	EXPECT(vm_pin_kb() == 0);
	if (hvx) {
		EXPECT(get_info(dev, &after) == 0);
		EXPECT(after.pinned_pages == before.pinned_pages);
		EXPECT(after.vms == before.vms);
	}
	return TEST_PASS;
}

/* The case's own cgroup, named after the case's process. */
static char cg_dir[64];
#define CG_MAX		"12M"
#define OTHER_SIZE	(24ull << 20)
#define RECLAIM_PASSES	4

/*
 * How long a case waits for a VMM process of its own: two thirds of the
 * runner's limit per case (HVX_TEST_TIMEOUT, 60 s unless set; raised
 * under Bochs), so that a hung VMM is reported, with its stacks, before
 * the runner kills the case.
 */
static int vmm_limit_s(void)
{
	const char *env = getenv("HVX_TEST_TIMEOUT");
	int t = env && atoi(env) > 0 ? atoi(env) : 60;

	return t * 2 / 3;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -1;
	r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return r;
}

static int cg_write(const char *file, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", cg_dir, file);
	return write_file(path, text);
}

/* Whether a swap device is on: /proc/swaps has more than its header. */
static bool swap_on(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

static bool memcg_on(void)
{
	char line[256] = "";
	FILE *f = fopen("/sys/fs/cgroup/cgroup.subtree_control", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "memory");
}

static void fill(uint64_t *p, size_t size, uint64_t seed)
{
	size_t i;

	for (i = 0; i < size / 8; i += 512)
		p[i] = seed + i;
}

static int check_fill(const uint64_t *p, size_t size, uint64_t seed)
{
	size_t i;

	for (i = 0; i < size / 8; i += 512)
		if (p[i] != seed + i)
			return 0;
	return 1;
}

/*
 * One pass of the touch guest over a fresh area: the process drops the
 * area's pages (MADV_DONTNEED, through the MMU notifier), so that each
 * pass pins pages and fills stage-2 tables anew.
 */
static int touch_pass(struct guest *g, void *area, size_t size)
{
	EXPECT(vcpu_set_arg0(&g->vcpu, STRIDE_TABLE) == 0);
	EXPECT(vcpu_set_pc(&g->vcpu, GUEST_CODE_GPA) == 0);
	EXPECT(guest_expect_port(g, PORT_OUT, 0x10, 1));
	EXPECT(vcpu_complete_exit(&g->vcpu) == 0);
	EXPECT(madvise(area, size, MADV_DONTNEED) == 0);
	return TEST_PASS;
}

/*
 * The VMM of reclaim_while_faulting, in the small cgroup.  Without
 * transparent huge pages: KVM 6.1 on arm64 warns in kvm_age_gfn()
 * (arch/arm64/kvm/mmu.c) when reclaim ages a huge page of which a memory
 * slot holds only a part, a range neither a page nor a PMD long.
 */
static int reclaim_vmm(const char *dev)
{
	size_t size = TOUCH_PAGES * STRIDE_TABLE;
	void *area, *other;
	struct guest g;
	int pass;

	EXPECT(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0);
	area = touch_area(size);
	other = touch_area(OTHER_SIZE);
	EXPECT(area != MAP_FAILED && other != MAP_FAILED);
	EXPECT(cg_write("cgroup.procs", "0") == 0);
	GUEST_START(&g, dev, touch);
	EXPECT(set_region(&g.vm, 1, TOUCH_GPA, size, area) == 0);
	for (pass = 0; pass < RECLAIM_PASSES; pass++) {
		/* Twice the cgroup's limit: reclaim swaps it in and out. */
		fill(other, OTHER_SIZE, pass);
		if (touch_pass(&g, area, size))
			return TEST_FAIL;
		EXPECT(check_fill(other, OTHER_SIZE, pass));
	}
	guest_destroy(&g);
	return TEST_PASS;
}

/* A VMM that does not end: where each of its threads sleeps, and why. */
static void print_stacks(pid_t pid)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd),
		 "for t in /proc/%d/task/*; do echo \"# task ${t##*/}:\"; sed 's/^/#   /' $t/stack; done",
		 (int)pid);
	fflush(stdout);
	if (system(cmd))
		printf("# (no stacks)\n");
}

/*
 * Waits up to @limit_s seconds for @pid; 1 with its status, 0 if it is
 * still running then (its stacks printed).
 */
static int wait_bounded(pid_t pid, int limit_s, int *status)
{
	int i;

	for (i = 0; i < limit_s * 10; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		usleep(100000);
	}
	printf("# pid %d still running after %d s\n", (int)pid, limit_s);
	print_stacks(pid);
	return 0;
}

/*
 * The VMM's memory is reclaimed while its guest faults pages in: the VMM
 * runs in a cgroup whose memory.max is half of what it touches, with swap
 * on (harness/guest/lib.sh swap_on), so that every allocation the fault
 * path makes may have to reclaim, and reclaim unmaps the VMM's own pages
 * through the MMU notifier.  A fault path that allocated with the lock
 * the notifier takes would deadlock there (the VMM then never ends: this
 * case gives up after vmm_limit_s() seconds and prints its stacks).
 * The case checks that reclaim did swap (pswpout moved).
 */
static int test_reclaim_while_faulting(const char *dev)
{
	long swapped = file_value("/proc/vmstat", "pswpout"), now;
	char events[128];
	int status;
	pid_t pid;

	if (!swap_on() || !memcg_on()) {
		printf("# SKIP needs swap and cgroup v2's memory controller\n");
		return TEST_SKIP;
	}
	snprintf(cg_dir, sizeof(cg_dir), "/sys/fs/cgroup/hvx-mmu-test-%d",
		 (int)getpid());
	EXPECT(mkdir(cg_dir, 0755) == 0);
	EXPECT(cg_write("memory.max", CG_MAX) == 0);
	pid = fork();
	if (!pid)
		_exit(reclaim_vmm(dev));
	EXPECT(pid > 0);
	EXPECT(wait_bounded(pid, vmm_limit_s(), &status));
	now = file_value("/proc/vmstat", "pswpout");
	snprintf(events, sizeof(events), "%s/memory.events", cg_dir);
	printf("# pswpout +%ld, oom_kill %ld\n", now - swapped,
	       file_value(events, "oom_kill"));
	rmdir(cg_dir);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == TEST_PASS);
	EXPECT(now > swapped);
	return TEST_PASS;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease	448
#endif
#define REAP_ROUNDS		10

static void *slot_churn(void *arg)
{
	struct vm *vm = arg;
	void *page = touch_area(PAGE);

	for (;;) {
		set_region(vm, 2, 2 * TOUCH_GPA, PAGE, page);
		set_region(vm, 2, 2 * TOUCH_GPA, 0, page);
	}
	return NULL;
}

/* A VMM that faults pages in and changes slots until it is killed. */
static void reap_vmm(const char *dev)
{
	size_t size = TOUCH_PAGES * STRIDE_TABLE;
	void *area = touch_area(size);
	struct guest g;
	pthread_t t;

	if (area == MAP_FAILED ||
	    guest_create(&g, dev, touch_mode, touch_start, touch_end) ||
	    set_region(&g.vm, 1, TOUCH_GPA, size, area) ||
	    pthread_create(&t, NULL, slot_churn, &g.vm))
		_exit(3);
	for (;;)
		if (touch_pass(&g, area, size))
			_exit(4);
}

/* How often the kernel log says a notifier's start failed; -1: no log. */
static int notifier_failures(void)
{
	static char log[1 << 17];
	int n = klogctl(3, log, sizeof(log) - 1);	/* SYSLOG_ACTION_READ_ALL */
	const char *p = log;

	if (n < 0)
		return -1;
	log[n] = 0;
	for (n = 0; (p = strstr(p, "callback failed")); p++)
		n++;
	return n;
}

/*
 * process_mrelease() on a VMM killed while its vCPU faults pages in and
 * another thread changes slots: the kernel reaps its memory as the OOM
 * reaper does, through the MMU notifier of a range that may not block.
 * The notifier must neither fail (the kernel warns, and calls the end hook
 * anyway) nor sleep; the reap then either succeeds or finds the VMM
 * already gone (ESRCH), or not yet dying (EINVAL).  At least one reap
 * must have run, and the kernel log must show no new failed notifier.
 */
static int test_reap_dying_vmm(const char *dev)
{
	int i, reaped = 0, status, failures = notifier_failures();

	EXPECT(failures >= 0);
	for (i = 0; i < REAP_ROUNDS; i++) {
		pid_t pid = fork();
		int pidfd, r;

		if (!pid)
			reap_vmm(dev);
		EXPECT(pid > 0);
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		EXPECT(pidfd >= 0);
		usleep(100000 + 20000 * i);
		EXPECT(kill(pid, SIGKILL) == 0);
		r = syscall(SYS_process_mrelease, pidfd, 0);
		EXPECT(r == 0 || errno == ESRCH || errno == EINVAL);
		reaped += r == 0;
		EXPECT(wait_bounded(pid, vmm_limit_s() / 2, &status));
		EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		close(pidfd);
	}
	printf("# %d of %d VMMs reaped\n", reaped, REAP_ROUNDS);
	EXPECT(reaped > 0);
	EXPECT(notifier_failures() == failures);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "table_pages_freed", test_table_pages_freed, TEST_HVX_ONLY },
	{ "memlock_limit", test_memlock_limit },
	{ "reclaim_while_faulting", test_reclaim_while_faulting },
	{ "reap_dying_vmm", test_reap_dying_vmm },
};

TEST_MAIN_SHARED(cases)

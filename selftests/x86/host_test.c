// SPDX-License-Identifier: GPL-2.0
/*
 * host_test: the VMM's own CPU state across KVM_RUN.  Whatever a guest does
 * to registers that the world switch must swap (PKRU, CR2, the segment
 * registers and the TSS limit a VM exit leaves behind, debug registers), the
 * process that ran it finds its own state again, and the guest finds its own
 * at the next entry.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <cpuid.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/test.h"

static uint32_t host_rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee"	/* RDPKRU */
		     : "=a" (eax), "=d" (edx) : "c" (0));
	return eax;
}

/* CPUID.(7,0):ECX.OSPKE: the kernel set CR4.PKE, RDPKRU works here. */
static int host_has_ospke(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return !!(c & (1u << 4));
}

/*
 * The guest turns on protection keys (CR4.PKE, bit 22) and writes ESI to
 * PKRU, exits, then reads PKRU back into ESI and exits again.
 */
GUEST_CODE(pkru_guest, ".code64",
	"mov %cr4, %rax\n bts $22, %rax\n mov %rax, %cr4\n"
	"mov %esi, %eax\n xor %ecx, %ecx\n xor %edx, %edx\n"
	".byte 0x0f, 0x01, 0xef\n"		/* WRPKRU */
	GUEST_SYNC(1)
	"xor %ecx, %ecx\n .byte 0x0f, 0x01, 0xee\n"	/* RDPKRU */
	"mov %eax, %esi\n"
	GUEST_SYNC(2)
	GUEST_DONE);

/*
 * PKRU is not switched by VM entry or exit on either vendor: a guest's
 * value left in place would rule the VMM's own user accesses (and the
 * kernel's copy_*_user for it).  The guest's key 1 rights are flipped
 * (key 0, the VMM's memory, keeps its rights so that the unfixed case
 * fails by its check, not by a crash).
 */
static int test_pkru_vmm_unchanged(const char *dev)
{
	uint32_t host, mine;
	struct kvm_regs r;
	struct guest g;

	if (!host_has_ospke()) {
		printf("# this machine's CPU or kernel has no OSPKE\n");
		return TEST_SKIP;
	}
	host = host_rdpkru();
	mine = host ^ 0xc;
	GUEST(&g, dev, GUEST_LONG, pkru_guest);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	r.rsi = mine;
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	if (host_rdpkru() != host)
		printf("# VMM PKRU %#x after the guest wrote %#x, was %#x\n",
		       host_rdpkru(), mine, host);
	EXPECT(host_rdpkru() == host);
	sched_yield();
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT((uint32_t)r.rsi == mine);
	EXPECT(host_rdpkru() == host);
	EXPECT_DONE(&g);
	EXPECT(host_rdpkru() == host);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The guest reports CR2 in RCX, loads RDX into it, then reports it again
 * after an exit.
 */
GUEST_CODE(cr2_guest, ".code64",
	"mov %cr2, %rcx\n"
	GUEST_SYNC(1)
	"mov %rdx, %cr2\n"
	GUEST_SYNC(2)
	"mov %cr2, %rcx\n"
	GUEST_SYNC(3)
	GUEST_DONE);

/* A page fault of the VMM's own at a fresh page, so CR2 holds its address. */
static uint64_t host_fault(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	p[0x123] = 1;
	return (uint64_t)(uintptr_t)p + 0x123;
}

/*
 * CR2 is guest state (KVM_SET/GET_SREGS) that VMX does not switch (SDM
 * Vol. 3C 27.3: the VMCS has no CR2 field); SVM keeps it in the VMCB.
 * The host's last page-fault address, here one the VMM makes just before
 * KVM_RUN, must never reach the guest.
 */
static int test_cr2_roundtrip(const char *dev)
{
	const uint64_t set = 0xffff8000dead0000ull, mine = 0x7f00beef1000ull;
	struct kvm_sregs s;
	struct kvm_regs r;
	struct guest g;
	uint64_t fault;

	GUEST(&g, dev, GUEST_LONG, cr2_guest);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.cr2 = set;
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_SREGS, &s) == 0);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	r.rdx = mine;
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);

	fault = host_fault();
	EXPECT(fault);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	if (r.rcx != set)
		printf("# guest CR2 %#llx, set %#llx, VMM fault at %#llx\n",
		       (unsigned long long)r.rcx, (unsigned long long)set,
		       (unsigned long long)fault);
	EXPECT(r.rcx != fault);
	EXPECT(r.rcx == set);

	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	EXPECT(s.cr2 == mine);

	fault = host_fault();
	EXPECT(fault);
	EXPECT_UCALL(&g, UCALL_SYNC, 3);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT(r.rcx == mine);
	EXPECT_DONE(&g);
	guest_destroy(&g);
	return TEST_PASS;
}

GUEST_CODE(exit_once, ".code64", GUEST_SYNC(1) GUEST_DONE);

/* Run a guest to its end on this CPU: at least two exits. */
static int run_exit_once(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, exit_once);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT_DONE(&g);
	guest_destroy(&g);
	return TEST_PASS;
}

static int pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static sigjmp_buf fault_jmp;

static void fault_handler(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Trap SIGSEGV and SIGBUS around a risky instruction: 0 if none came. */
#define GUARDED(stmt) ({						\
	int __sig = sigsetjmp(fault_jmp, 1);				\
	if (!__sig) {							\
		stmt;							\
	}								\
	__sig;								\
})

static void catch_faults(void)
{
	signal(SIGSEGV, fault_handler);
	signal(SIGBUS, fault_handler);
}

/*
 * A VM exit leaves the TR limit at 0x67 (Intel SDM Vol. 3C 27.5.2), which
 * cuts the I/O permission bitmap off the TSS: a process that ioperm()ed a
 * port takes #GP on it unless the kernel is told to reload TR.
 */
static int test_ioperm_after_guest(const char *dev)
{
	unsigned char v = 0;

	EXPECT(pin_to_cpu0() == 0);
	catch_faults();
	if (ioperm(0x80, 1, 1) && errno == ENOSYS) {
		printf("# this kernel has no ioperm()\n");
		return TEST_SKIP;
	}
	EXPECT(ioperm(0x80, 1, 1) == 0);
	EXPECT(GUARDED(outb(0x5a, 0x80)) == 0);
	if (run_exit_once(dev) != TEST_PASS)
		return TEST_FAIL;
	EXPECT(GUARDED(outb(0xa5, 0x80)) == 0);
	EXPECT(GUARDED(v = inb(0x80)) == 0);
	(void)v;
	EXPECT(run_exit_once(dev) == TEST_PASS);
	EXPECT(GUARDED(v = inb(0x80)) == 0);
	return TEST_PASS;
}

static volatile uint64_t ldt_data = 0x1d7da7a5eed5ull;

static uint16_t read_gs(void)
{
	uint16_t sel;

	asm volatile("mov %%gs, %0" : "=r" (sel));
	return sel;
}

static uint64_t read_gs0(void)
{
	uint64_t v;

	asm volatile("mov %%gs:0, %0" : "=r" (v));
	return v;
}

/*
 * A VM exit loads null into LDTR and the host-state selectors into FS and
 * GS (SDM 27.5.2), 0 for a user selector: an LDT segment the process has
 * in GS must still be there after KVM_RUN, and the LDT still loaded.
 */
static int test_ldt_gs_kept(const char *dev)
{
	struct user_desc d = {
		.entry_number = 0,
		.base_addr = (unsigned int)(uintptr_t)&ldt_data,
		.limit = 0xfff, .seg_32bit = 1, .useable = 1,
	};
	const uint16_t sel = 0 << 3 | 4 | 3;	/* LDT entry 0, RPL 3 */
	uint64_t v = 0;

	EXPECT((uintptr_t)&ldt_data < 0xfffff000u);
	EXPECT(pin_to_cpu0() == 0);
	catch_faults();
	EXPECT(syscall(SYS_modify_ldt, 1, &d, sizeof(d)) == 0);
	asm volatile("mov %0, %%gs" : : "r" (sel));
	EXPECT(read_gs() == sel && read_gs0() == ldt_data);

	if (run_exit_once(dev) != TEST_PASS)
		return TEST_FAIL;
	if (read_gs() != sel)
		printf("# GS %#x after KVM_RUN, was %#x\n", read_gs(), sel);
	EXPECT(read_gs() == sel);
	EXPECT(GUARDED(v = read_gs0()) == 0 && v == ldt_data);
	/* Loading it again needs LDTR to hold the process's LDT. */
	EXPECT(GUARDED(asm volatile("mov %0, %%gs" : : "r" (sel))) == 0);
	EXPECT(GUARDED(v = read_gs0()) == 0 && v == ldt_data);
	asm volatile("mov %0, %%gs" : : "r" (0));
	return TEST_PASS;
}

static volatile uint32_t watched;

/*
 * The guest loads DR0-DR3 with its own addresses and, if ESI is 1, arms
 * them (writes, 4 bytes, local enables: DR7 0xdddd0455), exits, and
 * checks them after the next entry.
 */
GUEST_CODE(dr_guest, ".code64",
	"mov $0x3000, %rax\n mov %rax, %dr0\n"
	"mov $0x3008, %rax\n mov %rax, %dr1\n"
	"mov $0x3010, %rax\n mov %rax, %dr2\n"
	"mov $0x3018, %rax\n mov %rax, %dr3\n"
	"cmp $1, %esi\n jne 1f\n"
	"mov $0xdddd0455, %eax\n mov %rax, %dr7\n"
	"1:\n"
	GUEST_SYNC(1)
	"mov %dr0, %rax\n" GUEST_ASSERT_EQ("%rax", 0x3000)
	"mov %dr3, %rax\n" GUEST_ASSERT_EQ("%rax", 0x3018)
	"xor %eax, %eax\n mov %rax, %dr7\n"
	GUEST_DONE);

/*
 * QEMU 7.2's emulation (the svm test machine) crashes when a nested guest
 * arms DR7 while a watchpoint of the host's is set, under kvm_amd as under
 * hvx: there the guest only loads DR0-DR3.
 */
static int machine_is_qemu(void)
{
	char vendor[16] = "";
	FILE *f = fopen("/sys/class/dmi/id/sys_vendor", "r");

	if (!f)
		return 0;
	if (!fgets(vendor, sizeof(vendor), f))
		vendor[0] = 0;
	fclose(f);
	return !strncmp(vendor, "QEMU", 4);
}

static long perf_event_open(struct perf_event_attr *a, pid_t pid, int cpu,
			    int group, unsigned long flags)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

static int watch_count(int fd, uint64_t *n)
{
	return read(fd, n, sizeof(*n)) == sizeof(*n) ? 0 : -1;
}

/*
 * A host hardware watchpoint (perf, on a variable of the VMM) stays armed
 * and counts right across KVM_RUN of a guest that loads DR0-DR3 and DR7
 * with its own breakpoints: no hit from the guest's, none lost after.
 */
static int test_watchpoint_kept(const char *dev)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W, .bp_len = HW_BREAKPOINT_LEN_4,
		.exclude_kernel = 1, .exclude_hv = 1,
	};
	struct kvm_regs r;
	struct guest g;
	uint64_t n = 0;
	int fd, i;

	a.bp_addr = (uintptr_t)&watched;
	fd = perf_event_open(&a, 0, -1, -1, 0);
	if (fd < 0) {
		printf("# no hardware breakpoint events: %s\n",
		       strerror(errno));
		return TEST_SKIP;
	}
	for (i = 0; i < 3; i++)
		watched++;
	EXPECT(watch_count(fd, &n) == 0);
	if (n != 3) {
		printf("# the CPU counted %llu of 3 writes: no data breakpoints here\n",
		       (unsigned long long)n);
		close(fd);
		return TEST_SKIP;
	}
	GUEST(&g, dev, GUEST_LONG, dr_guest);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	r.rsi = !machine_is_qemu();
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(watch_count(fd, &n) == 0 && n == 3);
	for (i = 0; i < 5; i++)
		watched++;
	EXPECT(watch_count(fd, &n) == 0 && n == 8);
	EXPECT_DONE(&g);
	guest_destroy(&g);
	for (i = 0; i < 2; i++)
		watched++;
	EXPECT(watch_count(fd, &n) == 0);
	if (n != 10)
		printf("# %llu writes counted, wanted 10\n",
		       (unsigned long long)n);
	EXPECT(n == 10);
	close(fd);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "pkru_vmm_unchanged", test_pkru_vmm_unchanged },
	{ "cr2_roundtrip", test_cr2_roundtrip },
	{ "ioperm_after_guest", test_ioperm_after_guest },
	{ "ldt_gs_kept", test_ldt_gs_kept },
	{ "watchpoint_kept", test_watchpoint_kept },
};

TEST_MAIN(cases);

// SPDX-License-Identifier: GPL-2.0
/*
 * guard_test: what a guest must not be able to do to its host, and the
 * guest-visible behaviour that keeping it out must preserve: #DB always
 * leaves the guest (a #DB delivery loop cannot hold the CPU) and still
 * reaches the guest's handler with the architectural DR6; RDPMC and WBINVD
 * exit; RDTSCP and RDPID read the guest's own IA32_TSC_AUX; MSR values the
 * hardware would refuse are refused; an impossible MAXPHYADDR in CPUID is
 * harmless.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ioctl.h>

#include <linux/hvx.h>

#include "../lib/test.h"

#define MSR_MTRR_BASE0		0x200
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

/* Where the guests below leave their results. */
#define RES_COUNT	0x3000	/* handler runs, or the vector taken */
#define RES_DR6		0x3008
#define RES_RIP		0x3010	/* RIP the handler's frame holds */
#define RES_VAL		0x3018

static uint64_t res(struct guest *g, uint64_t gpa)
{
	return *(uint64_t *)vm_gpa(&g->vm, gpa);
}

/*
 * A #DB case's verdict: the handler ran once, saw @dr6 in the DR6 bits
 * @mask covers, and found @rip in its frame.
 */
static int db_handled_once(struct guest *g, uint64_t mask, uint64_t dr6,
			   uint64_t rip)
{
	printf("# handler runs %llu, DR6 %#llx, RIP %#llx\n",
	       (unsigned long long)(uint32_t)res(g, RES_COUNT),
	       (unsigned long long)res(g, RES_DR6),
	       (unsigned long long)res(g, RES_RIP));
	EXPECT((uint32_t)res(g, RES_COUNT) == 1);
	EXPECT((res(g, RES_DR6) & mask) == dr6);
	EXPECT(res(g, RES_RIP) == rip);
	return TEST_PASS;
}

static uint64_t label_gpa(struct guest *g, const unsigned char *label)
{
	return GUEST_CODE_GPA + (uint64_t)(label - g->code);
}

/* The host CPU's vendor: where KVM's SVM and VMX halves differ. */
static bool host_is_amd(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x68747541;		/* "Auth" enticAMD */
}

static int msr_set(struct guest *g, uint32_t index, uint64_t data)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = data } };

	return ioctl(g->vcpu.fd, KVM_SET_MSRS, &m);
}

static int msr_get(struct guest *g, uint32_t index, uint64_t *data)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index } };
	int r = ioctl(g->vcpu.fd, KVM_GET_MSRS, &m);

	*data = m.e.data;
	return r;
}

/* The device's supported CPUID table (KVM_GET_SUPPORTED_CPUID). */
static struct kvm_cpuid2 *supported_cpuid(struct guest *g)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      256 * sizeof(c->entries[0]));

	if (!c)
		return NULL;
	c->nent = 256;
	if (ioctl(g->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static struct kvm_cpuid_entry2 *cpuid_entry(struct kvm_cpuid2 *c,
					    uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ull + t.tv_nsec / 1000000;
}

/*
 * The #DB handler of the cases below: it counts itself, keeps DR6 and the
 * RIP its frame holds, clears RFLAGS.TF in the frame (single-step ends),
 * puts DR6 back to its clean state and disables the breakpoints.
 */
#define DB_HANDLER(name)						\
	#name ":\n"							\
	"mov %dr6, %rax\n mov %rax, (0x3008)\n"				\
	"mov (%rsp), %rax\n mov %rax, (0x3010)\n"			\
	"incl (0x3000)\n"						\
	"andq $~0x100, 16(%rsp)\n"					\
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"			\
	"xor %eax, %eax\n mov %rax, %dr7\n"				\
	"iretq\n"

/* DR6 with no condition recorded (Intel SDM Vol. 3B 18.2.3). */
#define DR6_CLEAN	0xffff0ff0ull
#define DR6_B0		0x1ull
#define DR6_BS		0x4000ull

/*
 * Single-step: the instruction after the POPF that sets RFLAGS.TF runs,
 * then a trap-class #DB with DR6.BS set (SDM Vol. 3B 18.3.1.4) goes to the
 * guest's own handler, with RIP at the next instruction in its frame.
 */
GUEST_CODE(dbstep, ".code64",
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"
	"pushfq\n orq $0x100, (%rsp)\n popfq\n"
	"nop\n"
	"dbstep_next:\n"
	"nop\n"
	GUEST_DONE
	DB_HANDLER(dbstep_handler));
GUEST_LABEL(dbstep_next);
GUEST_LABEL(dbstep_handler);

static int test_db_single_step(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, dbstep);
	EXPECT(guest_set_handler(&g, 1, dbstep_handler) == 0);
	EXPECT_DONE(&g);
	return db_handled_once(&g, ~0ull, (DR6_CLEAN | DR6_BS),
			       label_gpa(&g, dbstep_next));
}

/*
 * INT1 (ICEBP, opcode F1) raises a trap-class #DB that sets no DR6 bit
 * (SDM Vol. 2A "INT n/INTO/INT3/INT1"; Vol. 3B 18.2.3): the handler sees
 * DR6 clean and RIP after the instruction.  On VMX it exits as a
 * privileged software exception whose RIP is the INT1 itself (SDM Vol.
 * 3C 27.2.2), which the hypervisor must account for when reflecting it.
 */
GUEST_CODE(icebp, ".code64",
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"
	".byte 0xf1\n"
	"icebp_next:\n"
	"nop\n"
	GUEST_DONE
	DB_HANDLER(icebp_handler));
GUEST_LABEL(icebp_next);
GUEST_LABEL(icebp_handler);

static int test_db_icebp(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, icebp);
	EXPECT(guest_set_handler(&g, 1, icebp_handler) == 0);
	EXPECT_DONE(&g);
	return db_handled_once(&g, ~0ull, DR6_CLEAN,
			       label_gpa(&g, icebp_next));
}

/*
 * A data breakpoint (DR0, DR7: SDM Vol. 3B 18.2.4) on a write: a trap-
 * class #DB after the store, with DR6.B0 (18.2.3), reaches the guest's
 * own handler with RIP at the next instruction.
 */
GUEST_CODE(dbdata, ".code64",
	"mov $0xffff0ff0, %eax\n mov %rax, %dr6\n"
	"mov $0x3100, %eax\n mov %rax, %dr0\n"
	/* L0, R/W0 = 01 (data writes), LEN0 = 10 (8 bytes) */
	"mov $0x90401, %eax\n mov %rax, %dr7\n"
	"movq $1, (0x3100)\n"
	"dbdata_next:\n"
	"nop\n"
	GUEST_DONE
	DB_HANDLER(dbdata_handler));
GUEST_LABEL(dbdata_next);
GUEST_LABEL(dbdata_handler);

static int test_db_data_breakpoint(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, dbdata);
	EXPECT(guest_set_handler(&g, 1, dbdata_handler) == 0);
	EXPECT_DONE(&g);
	return db_handled_once(&g, (0xf | DR6_BS), DR6_B0,
			       label_gpa(&g, dbdata_next));
}

/*
 * A #DB delivery loop (CVE-2015-8104): #DB goes through IST1 of a 64-bit
 * TSS (SDM Vol. 3A 7.7.1, 6.14.5), so every delivery pushes its frame at
 * the same place, and DR0/DR7 set a write breakpoint on the first slot
 * pushed.  The guest's own write there raises #DB; its delivery writes the
 * slot, which raises a #DB trap before the handler's first instruction,
 * whose delivery writes the slot again, and so on: the handler never
 * runs.  A processor loops in its microcode without taking interrupts,
 * so unless #DB exits to the hypervisor, that CPU is lost to the host.
 * KVM_RUN must come back with EINTR when a signal arrives.  Then the host
 * moves IST1 elsewhere: the #DB that was pending is delivered once, and
 * the handler sees DR6.B0 (breakpoint 0 hit) and, in its frame, where
 * that #DB was raised: at its own first instruction, on the IST1 stack
 * below the frame before (RSP = IST1 - 40).  It cannot return there, so
 * it ends the guest itself.
 */
#define TSS_GPA		0x4000
#define IST1_LOOP	0x6000	/* the slot pushed first: 0x5ff8 */
#define IST1_FREE	0x7000

GUEST_CODE(dbloop, ".code64",
	"mov $0x5ff8, %eax\n mov %rax, %dr0\n"
	/* L0, R/W0 = 01 (data writes), LEN0 = 10 (8 bytes) */
	"mov $0x90401, %eax\n mov %rax, %dr7\n"
	"movq $0, (0x5ff8)\n"
	"nop\n"
	GUEST_UCALL(UCALL_ASSERT, __LINE__)
	"dbloop_handler:\n"
	"mov %dr6, %rax\n mov %rax, (0x3008)\n"
	"mov (%rsp), %rax\n mov %rax, (0x3010)\n"
	"mov 24(%rsp), %rax\n mov %rax, (0x3018)\n"
	"incl (0x3000)\n"
	"xor %eax, %eax\n mov %rax, %dr7\n"
	GUEST_DONE);
GUEST_LABEL(dbloop_handler);

static int dbloop_setup(struct guest *g)
{
	struct kvm_sregs s;
	uint32_t *gate;

	if (guest_set_handler(g, 1, dbloop_handler))
		return -1;
	gate = vm_gpa(&g->vm, GUEST_IDT_GPA + 16);
	gate[1] |= 1;				/* IST 1 */
	memset(vm_gpa(&g->vm, TSS_GPA), 0, 0x68);
	*(uint64_t *)vm_gpa(&g->vm, TSS_GPA + 0x24) = IST1_LOOP;
	if (ioctl(g->vcpu.fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.tr = (struct kvm_segment) {
		.selector = 0x20, .base = TSS_GPA, .limit = 0x67,
		.type = 0xb, .present = 1,	/* busy 64-bit TSS */
	};
	return ioctl(g->vcpu.fd, KVM_SET_SREGS, &s);
}

static int test_db_loop(const char *dev)
{
	uint64_t t0, ms;
	struct guest g;
	int r;

	GUEST(&g, dev, GUEST_LONG, dbloop);
	EXPECT(dbloop_setup(&g) == 0);
	test_arm_timer(500000);
	t0 = now_ms();
	r = guest_run(&g);
	ms = now_ms() - t0;
	test_arm_timer(0);
	printf("# KVM_RUN: %d after %llu ms, handler runs %u\n", r,
	       (unsigned long long)ms, (uint32_t)res(&g, RES_COUNT));
	if (r != -EINTR)
		guest_describe_exit(&g, r, "EINTR");
	EXPECT(r == -EINTR);
	EXPECT(ms < 30000);
	EXPECT((uint32_t)res(&g, RES_COUNT) == 0);

	*(uint64_t *)vm_gpa(&g.vm, TSS_GPA + 0x24) = IST1_FREE;
	fflush(stdout);
	test_arm_timer(20000000);
	EXPECT_DONE(&g);
	test_arm_timer(0);
	printf("# then: handler runs %u, DR6 %#llx, RIP %#llx, RSP %#llx\n",
	       (uint32_t)res(&g, RES_COUNT),
	       (unsigned long long)res(&g, RES_DR6),
	       (unsigned long long)res(&g, RES_RIP),
	       (unsigned long long)res(&g, RES_VAL));
	EXPECT((uint32_t)res(&g, RES_COUNT) == 1);
	EXPECT((res(&g, RES_DR6) & (0xf | DR6_BS)) == DR6_B0);
	EXPECT(res(&g, RES_RIP) == label_gpa(&g, dbloop_handler));
	EXPECT(res(&g, RES_VAL) == IST1_LOOP - 40);
	return TEST_PASS;
}

/*
 * RDPMC at CPL 0 (allowed whatever CR4.PCE, SDM Vol. 2B RDPMC) must not
 * read the host's counters.  hvx has no virtual PMU: #GP, as KVM gives an
 * Intel guest without one (CPUID leaf 0xA zero).  KVM 6.1 on AMD always
 * gives the guest the four legacy counters AMD64 has without a CPUID bit
 * (amd_pmu_refresh), which read 0 here; that is accepted on KVM on AMD.
 * Without an intercept QEMU 7.2 raises #UD (it has no counters).
 */
GUEST_CODE(rdpmc, ".code64",
	"xor %ecx, %ecx\n mov $0x1234, %eax\n mov $0x5678, %edx\n"
	"rdpmc\n"
	"shl $32, %rdx\n or %rdx, %rax\n mov %rax, (0x3018)\n"
	GUEST_DONE
	"rdpmc_gp:\n movl $13, (0x3000)\n add $8, %rsp\n"
	"addq $2, (%rsp)\n iretq\n"
	"rdpmc_ud:\n movl $6, (0x3000)\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(rdpmc_gp);
GUEST_LABEL(rdpmc_ud);

static int test_rdpmc_gp(const char *dev)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;
	uint32_t vector;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, rdpmc);
	c = supported_cpuid(&g);
	EXPECT(c);
	e = cpuid_entry(c, 0xa, 0);
	if (e)
		e->eax = e->ebx = e->ecx = e->edx = 0;
	e = cpuid_entry(c, 0x80000001, 0);
	if (e)
		e->ecx &= ~(1u << 23);		/* PerfCtrExtCore */
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, c) == 0);
	free(c);
	EXPECT(guest_set_handler(&g, 13, rdpmc_gp) == 0);
	EXPECT(guest_set_handler(&g, 6, rdpmc_ud) == 0);
	EXPECT_DONE(&g);
	vector = res(&g, RES_COUNT);
	printf("# vector %u, EDX:EAX %#llx\n", vector,
	       (unsigned long long)res(&g, RES_VAL));
	if (!test_is_hvx(dev) && host_is_amd()) {
		EXPECT(vector == 0 && res(&g, RES_VAL) == 0);
		return TEST_PASS;
	}
	EXPECT(vector == 13);
	return TEST_PASS;
}

/*
 * WBINVD writes back and invalidates every cache of the host's package:
 * a guest with no device of its own has no need for it, so it exits and
 * is skipped, as KVM does without assigned devices.  The guest goes on
 * after it on both devices; on hvx the exit is counted.
 */
GUEST_CODE(wbinvd, ".code64",
	GUEST_SYNC(1)
	"wbinvd\n"
	GUEST_SYNC(2)
	GUEST_DONE);

static int test_wbinvd_exits(const char *dev)
{
	struct hvx_vcpu_stats before, after;
	bool hvx = test_is_hvx(dev);
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, wbinvd);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	if (hvx)
		EXPECT(ioctl(g.vcpu.fd, HVX_GET_VCPU_STATS, &before) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	if (hvx) {
		EXPECT(ioctl(g.vcpu.fd, HVX_GET_VCPU_STATS, &after) == 0);
		printf("# exits handled in the kernel meanwhile: %llu\n",
		       (unsigned long long)(after.exits[HVX_STAT_OTHER] -
					    before.exits[HVX_STAT_OTHER]));
		EXPECT(after.exits[HVX_STAT_OTHER] ==
		       before.exits[HVX_STAT_OTHER] + 1);
	}
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * IA32_TSC_AUX (0xc0000103) is the guest's own: RDTSCP returns it in ECX
 * and RDPID in its register (SDM Vol. 2B), never the host's (Linux keeps
 * the CPU and node number there for getcpu()).  User space sets it with
 * KVM_SET_MSRS, the guest with WRMSR; and the host's value is back once
 * KVM_RUN has returned.  RDI says whether CPUID offers RDPID.
 */
GUEST_CODE(tscaux, ".code64",
	"rdtscp\n mov %ecx, (0x3000)\n"
	"mov $0xc0000103, %ecx\n mov $0x777, %eax\n xor %edx, %edx\n"
	"wrmsr\n"
	"xor %ecx, %ecx\n rdtscp\n mov %ecx, (0x3004)\n"
	"mov $0xc0000103, %ecx\n rdmsr\n mov %eax, (0x3008)\n"
	"test %rdi, %rdi\n jz 1f\n"
	"rdpid %rax\n mov %rax, (0x3010)\n"
	"1:\n"
	GUEST_DONE);

static bool has_rdtscp(uint32_t edx)
{
	return edx & (1u << 27);	/* CPUID.80000001H:EDX.RDTSCP */
}

static bool has_rdpid(uint32_t ecx)
{
	return ecx & (1u << 22);	/* CPUID.(7,0):ECX.RDPID */
}

/* The host's own TSC_AUX on this CPU, as its user space reads it. */
static uint32_t host_tsc_aux(void)
{
	uint32_t aux;

	__asm__ volatile("rdtscp" : "=c" (aux) : : "eax", "edx");
	return aux;
}

static int test_tsc_aux(const char *dev)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int a, b, c, d;
	struct kvm_cpuid2 *cp;
	bool rdpid = false;
	uint32_t *m;
	struct guest g;
	cpu_set_t one;
	uint64_t v;
	int cpu;

	__cpuid(0x80000001, a, b, c, d);
	if (!has_rdtscp(d)) {
		printf("# this CPU has no RDTSCP\n");
		return TEST_SKIP;
	}
	/* Stay on one CPU, so that its TSC_AUX can be checked after. */
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	EXPECT(sched_setaffinity(0, sizeof(one), &one) == 0);

	GUEST(&g, dev, GUEST_LONG, tscaux);
	cp = supported_cpuid(&g);
	EXPECT(cp);
	e = cpuid_entry(cp, 0x80000001, 0);
	EXPECT(e && has_rdtscp(e->edx));
	e = cpuid_entry(cp, 7, 0);
	__cpuid_count(7, 0, a, b, c, d);
	rdpid = e && has_rdpid(e->ecx) && has_rdpid(c);
	free(cp);
	EXPECT(vcpu_set_arg0(&g.vcpu, rdpid) == 0);
	EXPECT(msr_set(&g, MSR_TSC_AUX, 0x5a5a5) == 1);
	EXPECT(msr_get(&g, MSR_TSC_AUX, &v) == 1 && v == 0x5a5a5);

	EXPECT_DONE(&g);
	m = vm_gpa(&g.vm, 0x3000);
	printf("# RDTSCP %#x, after WRMSR: RDTSCP %#x RDMSR %#x RDPID %s%#llx; host %#x on CPU %d\n",
	       m[0], m[1], m[2], rdpid ? "" : "(none) ",
	       (unsigned long long)res(&g, 0x3010), host_tsc_aux(), cpu);
	EXPECT(m[0] == 0x5a5a5);
	EXPECT(m[1] == 0x777 && m[2] == 0x777);
	if (rdpid)
		EXPECT(res(&g, 0x3010) == 0x777);
	EXPECT(msr_get(&g, MSR_TSC_AUX, &v) == 1 && v == 0x777);
	/* Linux keeps (node << 12) | CPU there (setup_getcpu()). */
	EXPECT((host_tsc_aux() & 0xfff) == (uint32_t)cpu);
	return TEST_PASS;
}

/*
 * IA32_FMASK/SFMASK bits 63:32 are reserved (SDM Vol. 4 2.1; AMD APM Vol.
 * 2 6.1.1).  hvx refuses such a value in KVM_SET_MSRS and raises #GP for
 * the guest's WRMSR, on both backends.  On KVM it is the processor's
 * call: KVM 6.1 on Intel writes the MSR with a checked WRMSR and refuses
 * the value if that faults, but only while the SYSCALL MSRs are live, in
 * 64-bit mode with EFER.SCE (vmx_setup_uret_msrs: the guest is given SCE,
 * as a 64-bit kernel has it); on AMD it stores any value user space gives
 * in the VMCB (svm_set_msr) and lets the guest's WRMSR reach the
 * processor without an exit.  Bochs 2.7 and QEMU 7.2 both drop the high
 * bits without a fault, so on KVM either outcome is accepted; a value
 * without reserved bits must work everywhere.
 */
GUEST_CODE(sfmask, ".code64",
	"mov $0xc0000084, %ecx\n mov $0x4700, %eax\n xor %edx, %edx\n"
	"wrmsr\n"
	"xor %eax, %eax\n rdmsr\n mov %eax, (0x3018)\n"
	"mov $0x4700, %eax\n mov $1, %edx\n wrmsr\n"
	GUEST_DONE
	"sfmask_gp:\n movl $13, (0x3000)\n add $8, %rsp\n"
	"addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(sfmask_gp);

static int test_sfmask_reserved(const char *dev)
{
	bool hvx = test_is_hvx(dev);
	struct kvm_sregs s;
	uint32_t vector;
	struct guest g;
	int r;

	GUEST(&g, dev, GUEST_LONG, sfmask);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.efer |= 1;				/* EFER.SCE */
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_SREGS, &s) == 0);
	EXPECT(guest_set_handler(&g, 13, sfmask_gp) == 0);
	EXPECT(msr_set(&g, MSR_SFMASK, 0x700) == 1);
	r = msr_set(&g, MSR_SFMASK, 1ull << 32);
	EXPECT(msr_set(&g, MSR_SFMASK, 0) == 1);
	EXPECT_DONE(&g);
	vector = res(&g, RES_COUNT);
	printf("# KVM_SET_MSRS: %s; guest WRMSR: vector %u\n",
	       r == 1 ? "accepted" : "refused", vector);
	EXPECT((uint32_t)res(&g, RES_VAL) == 0x4700);
	EXPECT(r == 0 || (!hvx && r == 1));
	EXPECT(vector == 13 || (!hvx && vector == 0));
	return TEST_PASS;
}

/*
 * The MSRs that hold a linear address take only canonical ones (SDM Vol.
 * 2B WRMSR; KVM's __kvm_set_msr): refused in KVM_SET_MSRS, and #GP for
 * the guest's WRMSR of LSTAR and KERNEL_GS_BASE, on both devices; except
 * that KVM 6.1 on AMD lets the guest write these MSRs without an exit (its
 * MSR permission map), so the processor decides there (an AMD processor
 * raises #GP, QEMU 7.2 takes the value).
 */
GUEST_CODE(lstar, ".code64",
	"mov $0xc0000082, %ecx\n xor %eax, %eax\n mov $0x8000, %edx\n"
	"wrmsr\n"
	"mov $0xc0000102, %ecx\n wrmsr\n"
	GUEST_DONE
	"lstar_gp:\n incl (0x3000)\n add $8, %rsp\n"
	"addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(lstar_gp);

static int test_msr_noncanonical(const char *dev)
{
	static const uint32_t msrs[] = {
		MSR_LSTAR, MSR_CSTAR, MSR_KERNEL_GS_BASE,
	};
	const uint64_t bad = 0x0000800000000000ull;
	struct guest g;
	unsigned int i;

	GUEST(&g, dev, GUEST_LONG, lstar);
	EXPECT(guest_set_handler(&g, 13, lstar_gp) == 0);
	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		EXPECT(msr_set(&g, msrs[i], 0xffff800000001000ull) == 1);
		EXPECT(msr_set(&g, msrs[i], bad) == 0);
	}
	EXPECT_DONE(&g);
	printf("# guest WRMSR: %u #GP\n", (uint32_t)res(&g, RES_COUNT));
	if (!test_is_hvx(dev) && host_is_amd())
		return TEST_PASS;
	EXPECT((uint32_t)res(&g, RES_COUNT) == 2);
	return TEST_PASS;
}

/*
 * CPUID.80000008H:EAX[7:0], MAXPHYADDR, is user space's to set, up to
 * 255, though no processor has more than 52 (SDM Vol. 3A 4.1.4).  A run
 * with 255 must be sane: the guest runs, and a variable-range MTRR base
 * with bit 51 is accepted.  With bit 60: hvx takes 52 as the most there
 * can be and raises #GP; KVM 6.1 reserves no bits at all above a
 * MAXPHYADDR beyond 63 (rsvd_bits(255, 63) is 0) and accepts it.
 */
GUEST_CODE(maxphy, ".code64",
	"mov $0x200, %ecx\n mov $6, %eax\n mov $0x80000, %edx\n wrmsr\n"
	"mov (0x3000), %ebx\n mov %ebx, (0x3004)\n"
	"mov $0x10000000, %edx\n wrmsr\n"
	GUEST_DONE
	"maxphy_gp:\n incl (0x3000)\n add $8, %rsp\n"
	"addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(maxphy_gp);

static int test_maxphyaddr_255(const char *dev)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;
	struct guest g;
	uint32_t *m;

	GUEST(&g, dev, GUEST_LONG, maxphy);
	c = supported_cpuid(&g);
	EXPECT(c);
	e = cpuid_entry(c, 0x80000008, 0);
	EXPECT(e);
	e->eax = (e->eax & ~0xffu) | 255;
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, c) == 0);
	free(c);
	EXPECT(guest_set_handler(&g, 13, maxphy_gp) == 0);
	EXPECT_DONE(&g);
	m = vm_gpa(&g.vm, 0x3000);
	printf("# #GP after bit 51: %u, after bit 60: %u\n", m[1], m[0] - m[1]);
	EXPECT(m[1] == 0);
	EXPECT(m[0] == (test_is_hvx(dev) ? 1u : 0u));
	return TEST_PASS;
}

/* The loop case last: on a host without the fix it may take the CPU. */
static const struct test_case cases[] = {
	{ "db_single_step", test_db_single_step },
	{ "db_icebp", test_db_icebp },
	{ "db_data_breakpoint", test_db_data_breakpoint },
	{ "rdpmc_gp", test_rdpmc_gp },
	{ "wbinvd_exits", test_wbinvd_exits },
	{ "tsc_aux", test_tsc_aux },
	{ "sfmask_reserved", test_sfmask_reserved },
	{ "msr_noncanonical", test_msr_noncanonical },
	{ "maxphyaddr_255", test_maxphyaddr_255 },
	{ "db_loop_on_stack", test_db_loop },
};

TEST_MAIN(cases);

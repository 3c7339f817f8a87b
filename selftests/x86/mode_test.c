// SPDX-License-Identifier: GPL-2.0
/*
 * mode_test: the same small program in each x86 mode the vCPU can be set
 * up in: write a signature to memory, report it with OUT, stop with HLT.
 */
#include <stdint.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

GUEST_CODE(real, ".code16",
	"movl $0x600dcafe, (0x3000)\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n hlt\n");
GUEST_CODE(prot, ".code32",
	"movl $0x600dcafe, (0x3000)\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n hlt\n");
/*
 * Paging on: also touch memory above 1 MiB through a 4 MiB page.  kvm_pvm
 * runs no 32-bit paging mode (with or without PAE) and reports a
 * shutdown: the paged cases here fail on that host only.
 */
GUEST_CODE(paged, ".code32",
	"movl $0x600dcafe, (0x103000)\n"
	"mov (0x103000), %eax\n mov %eax, (0x3000)\n"
	"out %eax, $0x10\n hlt\n");
/* Long mode: a 64-bit store and RIP-relative addressing. */
GUEST_CODE(longm, ".code64",
	"mov $0x1122334400000000, %rax\n or $0x600dcafe, %rax\n"
	"mov %rax, (0x3000)\n"
	"lea 0(%rip), %rbx\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n hlt\n");

static int run_mode(const char *dev, enum guest_mode mode,
		    const unsigned char *start, const unsigned char *end)
{
	struct kvm_regs r;
	struct guest g;
	int err = guest_create(&g, dev, mode, start, end);

	errno = -err;
	EXPECT(err == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)vcpu_io_data(&g.vcpu) == 0x600dcafe);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	EXPECT(*(uint32_t *)vm_gpa(&g.vm, 0x3000) == 0x600dcafe);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT(r.rip == GUEST_CODE_GPA + (uint64_t)(end - start));
	if (mode == GUEST_LONG)
		EXPECT(*(uint64_t *)vm_gpa(&g.vm, 0x3000) ==
		       0x11223344600dcafeull);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_real(const char *dev)
{
	return run_mode(dev, GUEST_REAL, real_start, real_end);
}

static int test_prot(const char *dev)
{
	return run_mode(dev, GUEST_PROT, prot_start, prot_end);
}

static int test_paged(const char *dev)
{
	return run_mode(dev, GUEST_PAGED, paged_start, paged_end);
}

static int test_long(const char *dev)
{
	return run_mode(dev, GUEST_LONG, longm_start, longm_end);
}

/*
 * The guest goes from real mode to protected mode itself: LGDT, CR0.PE,
 * a far jump to a 32-bit code segment.
 */
GUEST_CODE(switcher, ".code16",
	"lgdtl (0x3100)\n"
	"mov %cr0, %eax\n or $1, %eax\n mov %eax, %cr0\n"
	"ljmpl $0x08, $0x8000 + 2f - switcher_start\n"
	".code32\n"
	"2: mov $0x10, %ax\n mov %ax, %ds\n"
	"mov %cr0, %eax\n out %eax, $0x10\n hlt\n");

static int test_real_to_prot(const char *dev)
{
	struct guest g;
	uint16_t *gdtr;

	GUEST(&g, dev, GUEST_REAL, switcher);
	/* GDT from vmlib at 0x1000; its pseudo-descriptor at 0x3100. */
	EXPECT(vcpu_setup_mode(&g.vcpu, GUEST_PROT, GUEST_CODE_GPA,
			       GUEST_STACK_TOP) == 0);
	EXPECT(vcpu_setup_mode(&g.vcpu, GUEST_REAL, GUEST_CODE_GPA,
			       GUEST_STACK_TOP) == 0);
	gdtr = vm_gpa(&g.vm, 0x3100);
	gdtr[0] = 4 * 8 - 1;
	gdtr[1] = GUEST_GDT_GPA;
	gdtr[2] = 0;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)vcpu_io_data(&g.vcpu) & 1);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

/*
 * From flat protected mode into long mode, as a boot loader does it:
 * CR4.PAE, CR3, EFER.LME through WRMSR, CR0.PG, a far jump to a 64-bit
 * code segment.  vmlib's long-mode tables and GDT are already in memory.
 * kvm_pvm reports a shutdown here, as for every 32-bit paging state
 * (it seems to run paged guests only in long mode set by KVM_SET_SREGS).
 */
GUEST_CODE(to_long, ".code32",
	"mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
	"mov $0x20000, %eax\n mov %eax, %cr3\n"
	"mov $0xc0000080, %ecx\n rdmsr\n or $0x100, %eax\n wrmsr\n"
	"mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
	"ljmp $0x18, $0x8000 + 2f - to_long_start\n"
	".code64\n"
	"2: mov $0x1122334455667788, %rax\n mov %rax, (0x3000)\n"
	"out %eax, $0x10\n hlt\n");

static int test_prot_to_long(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, to_long);
	EXPECT(vcpu_setup_mode(&g.vcpu, GUEST_PROT, GUEST_CODE_GPA,
			       GUEST_STACK_TOP) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)vcpu_io_data(&g.vcpu) == 0x55667788);
	EXPECT(*(uint64_t *)vm_gpa(&g.vm, 0x3000) == 0x1122334455667788ull);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	EXPECT((s.efer & 0x500) == 0x500 && s.cs.l == 1);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

/*
 * Each mode as the guest sees it: the control registers and selectors
 * vcpu_setup_mode() promised, a stack at GUEST_STACK_TOP, and code
 * running at GUEST_CODE_GPA (CALL pushes the address of the next
 * instruction).
 */
GUEST_CODE(view_real, ".code16",
	"mov %cr0, %eax\n and $0x80000001, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0)
	"mov %sp, %ax\n"
	GUEST_ASSERT_EQ("%ax", 0x8000)
	"mov %cs, %ax\n"
	GUEST_ASSERT_EQ("%ax", 0)
	"call 1f\n"
	"1: pop %ax\n"
	GUEST_ASSERT_EQ("%ax", 0x8000 + 1b - view_real_start)
	GUEST_DONE);

GUEST_CODE(view_prot, ".code32",
	"mov %cr0, %eax\n and $0x80000001, %eax\n"
	GUEST_ASSERT_EQ("%eax", 1)
	"mov %esp, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x8000)
	"mov %cs, %ax\n"
	GUEST_ASSERT_EQ("%ax", 0x08)
	"mov %ss, %ax\n"
	GUEST_ASSERT_EQ("%ax", 0x10)
	"call 1f\n"
	"1: pop %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x8000 + 1b - view_prot_start)
	GUEST_DONE);

/* 32-bit paging with 4 MiB pages: CR4.PSE set, CR4.PAE clear. */
GUEST_CODE(view_paged, ".code32",
	"mov %cr0, %eax\n and $0x80000001, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x80000001)
	"mov %cr4, %eax\n and $0x30, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x10)
	"mov %cr3, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x23000)
	"call 1f\n"
	"1: pop %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x8000 + 1b - view_paged_start)
	GUEST_DONE);

/* Long mode: EFER.LME and LMA as RDMSR reads them, a 64-bit CS. */
GUEST_CODE(view_long, ".code64",
	"mov %cr0, %rax\n and $0x80000001, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x80000001)
	"mov %cr4, %rax\n and $0x20, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x20)
	"mov %cr3, %rax\n"
	GUEST_ASSERT_EQ("%rax", 0x20000)
	"mov $0xc0000080, %ecx\n rdmsr\n and $0x500, %eax\n"
	GUEST_ASSERT_EQ("%eax", 0x500)
	"mov %cs, %ax\n"
	GUEST_ASSERT_EQ("%ax", 0x18)
	"mov %rsp, %rax\n"
	GUEST_ASSERT_EQ("%rax", 0x8000)
	"call 1f\n"
	"1: pop %rax\n"
	GUEST_ASSERT_EQ("%rax", 0x8000 + 1b - view_long_start)
	GUEST_DONE);

static int guest_view(const char *dev, enum guest_mode mode,
		      const unsigned char *start, const unsigned char *end)
{
	struct guest g;
	int err = guest_create(&g, dev, mode, start, end);

	errno = -err;
	EXPECT(err == 0);
	EXPECT_DONE(&g);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_view_real(const char *dev)
{
	return guest_view(dev, GUEST_REAL, view_real_start, view_real_end);
}

static int test_view_prot(const char *dev)
{
	return guest_view(dev, GUEST_PROT, view_prot_start, view_prot_end);
}

static int test_view_paged(const char *dev)
{
	return guest_view(dev, GUEST_PAGED, view_paged_start, view_paged_end);
}

static int test_view_long(const char *dev)
{
	return guest_view(dev, GUEST_LONG, view_long_start, view_long_end);
}

/*
 * Every general-purpose register and RFLAGS survive an exit both ways:
 * the host sees what the guest left, and the guest sees what the host
 * wrote.  The host clears the carry flag the guest set; ADC then adds 0.
 */
GUEST_CODE(gprs, ".code64",
	"stc\n out %al, $0x10\n"
	"adc $0, %rax\n"
	"inc %rbx\n inc %rcx\n inc %rdx\n inc %rsi\n inc %rdi\n inc %rbp\n"
	"inc %r8\n inc %r9\n inc %r10\n inc %r11\n"
	"inc %r12\n inc %r13\n inc %r14\n inc %r15\n"
	"out %al, $0x11\n hlt\n");

/* The registers of struct kvm_regs other than RSP, RIP and RFLAGS. */
static __u64 *gpr(struct kvm_regs *r, int i)
{
	__u64 *regs[] = {
		&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
		&r->rbp, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12,
		&r->r13, &r->r14, &r->r15,
	};

	return regs[i];
}

#define NR_GPRS	15

static int test_regs_preserved(const char *dev)
{
	struct kvm_regs set, got;
	struct guest g;
	int i;

	GUEST(&g, dev, GUEST_LONG, gprs);
	EXPECT(vcpu_get_regs(&g.vcpu, &set) == 0);
	for (i = 0; i < NR_GPRS; i++)
		*gpr(&set, i) = 0x0101010101010101ull * (i + 1);
	EXPECT(vcpu_set_regs(&g.vcpu, &set) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 1));
	EXPECT(vcpu_get_regs(&g.vcpu, &got) == 0);
	for (i = 0; i < NR_GPRS; i++)
		EXPECT(*gpr(&got, i) == *gpr(&set, i));
	EXPECT(got.rsp == GUEST_STACK_TOP && (got.rflags & 1));
	for (i = 0; i < NR_GPRS; i++)
		*gpr(&got, i) = ~0ull / (i + 2);
	got.rflags &= ~1ull;
	set = got;
	EXPECT(vcpu_set_regs(&g.vcpu, &set) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x11, 1));
	EXPECT(vcpu_get_regs(&g.vcpu, &got) == 0);
	EXPECT(got.rax == set.rax);
	for (i = 1; i < NR_GPRS; i++)
		EXPECT(*gpr(&got, i) == *gpr(&set, i) + 1);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "mode_real", test_real },
	{ "mode_protected", test_prot },
	{ "mode_paged", test_paged },
	{ "mode_long", test_long },
	{ "mode_real_to_protected", test_real_to_prot },
	{ "mode_protected_to_long", test_prot_to_long },
	{ "mode_real_guest_view", test_view_real },
	{ "mode_protected_guest_view", test_view_prot },
	{ "mode_paged_guest_view", test_view_paged },
	{ "mode_long_guest_view", test_view_long },
	{ "regs_preserved", test_regs_preserved },
};

TEST_MAIN(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * mode_test: the same small program in each x86 mode the vCPU can be set
 * up in: write a signature to memory, report it with OUT, stop with HLT.
 */
#include <stdint.h>

#include "../lib/test.h"

GUEST_CODE(real, ".code16",
	"movl $0x600dcafe, (0x3000)\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n hlt\n");
GUEST_CODE(prot, ".code32",
	"movl $0x600dcafe, (0x3000)\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n hlt\n");
/* Paging on: also touch memory above 1 MiB through a 4 MiB page. */
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
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
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
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "mode_real", test_real },
	{ "mode_protected", test_prot },
	{ "mode_paged", test_paged },
	{ "mode_long", test_long },
	{ "mode_real_to_protected", test_real_to_prot },
};

TEST_MAIN(cases)

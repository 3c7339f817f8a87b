// SPDX-License-Identifier: GPL-2.0
/*
 * mode_test, arm64: the guest with its MMU off and on, translation tables
 * built by the host (through ONE_REG) or by the guest itself, a stage 1
 * fault that stays in the guest, and a drop to EL0 and back.
 *
 * Stage 1 (the guest's own tables) never concerns the hypervisor: only
 * stage 2 does, so a translation fault of the guest's must reach its own
 * vectors, and a guest that maps one page at two addresses sees one page.
 */
#include <stdint.h>

#include "../lib/test.h"

/* The same program in each mode: a signature to memory, reported. */
#define SIGNATURE_PROGRAM						\
	"mov x0, #0x3000\n"						\
	"ldr w1, =0x600dcafe\n str w1, [x0]\n"				\
	"ldr w2, [x0]\n"						\
	GUEST_OUT(0x10, "str", "w2")					\
	"mrs x3, sctlr_el1\n"						\
	GUEST_DONE

GUEST_CODE(sig_el1, SIGNATURE_PROGRAM);
GUEST_CODE(sig_mmu, SIGNATURE_PROGRAM);

static int run_mode(const char *dev, enum guest_mode mode,
		    const unsigned char *start, const unsigned char *end)
{
	uint64_t sctlr;
	struct guest g;
	int err = guest_create(&g, dev, mode, start, end);

	errno = -err;
	EXPECT(err == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x600dcafe);
	EXPECT_DONE(&g);
	EXPECT(*(uint32_t *)vm_gpa(&g.vm, 0x3000) == 0x600dcafe);
	sctlr = guest_reg(&g, REG_X(3));
	printf("# the guest's SCTLR_EL1 %#llx\n", (unsigned long long)sctlr);
	EXPECT(sctlr == guest_reg(&g, REG_SCTLR_EL1));
	EXPECT(!!(sctlr & SCTLR_M) == (mode == GUEST_EL1_MMU));
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_mmu_off(const char *dev)
{
	return run_mode(dev, GUEST_EL1, sig_el1_start, sig_el1_end);
}

/* The host's identity map (vmlib-arm64.c), set through ONE_REG. */
static int test_mmu_on(const char *dev)
{
	return run_mode(dev, GUEST_EL1_MMU, sig_mmu_start, sig_mmu_end);
}

/*
 * The guest builds its own level 1 table at 0x40000 with 1 GiB blocks:
 * VA 0 maps PA 0 (Normal write-back, inner shareable, AF set: 0x701), VA
 * 0x80000000's entry is @entry2; then it sets MAIR_EL1, TCR_EL1 (T0SZ
 * 32, 4 KiB granule), TTBR0_EL1 and turns on M, C and I.  The table was
 * written with the MMU off, that is uncached, so its line is invalidated
 * before the cached table walks begin.
 */
#define SELF_MAP_ON(entry2)						\
	"ldr x0, =0x40000\n"						\
	"ldr x1, =0x701\n str x1, [x0]\n str xzr, [x0, #8]\n"	\
	"ldr x1, =" entry2 "\n str x1, [x0, #16]\n str xzr, [x0, #24]\n" \
	"dmb sy\n dc ivac, x0\n dsb sy\n"				\
	"mov x2, #0xff\n msr mair_el1, x2\n"				\
	"ldr x2, =0x803520\n msr tcr_el1, x2\n"			\
	"msr ttbr0_el1, x0\n"						\
	"isb\n tlbi vmalle1\n dsb nsh\n isb\n"			\
	"mrs x2, sctlr_el1\n"						\
	"ldr x3, =0x1005\n orr x2, x2, x3\n"				\
	"msr sctlr_el1, x2\n isb\n"

/*
 * SELF_MAP_ON with VA 0x80000000 an alias of PA 0, and a write through
 * the alias read back at PA 0x3000.
 */
GUEST_CODE(selfmap, SELF_MAP_ON("0x701")
	"ldr x3, =0x80003000\n ldr w4, =0xa11a5ed\n str w4, [x3]\n"
	"mov x5, #0x3000\n ldr w6, [x5]\n"
	GUEST_OUT(0x10, "str", "w6")
	GUEST_DONE);

static int test_mmu_by_guest(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_EL1, selfmap);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0xa11a5ed);
	EXPECT_DONE(&g);
	EXPECT(*(uint32_t *)vm_gpa(&g.vm, 0x3000) == 0xa11a5ed);
	EXPECT(guest_reg(&g, REG_SCTLR_EL1) & SCTLR_M);
	EXPECT(guest_reg(&g, REG_TTBR0_EL1) == 0x40000);
	EXPECT(guest_reg(&g, REG_TCR_EL1) == 0x803520);
	EXPECT(guest_reg(&g, REG_MAIR_EL1) == 0xff);
	return TEST_PASS;
}

/*
 * With the MMU on, a load from a virtual address that the 4 GiB map does
 * not cover is a stage 1 translation fault: the guest takes it through
 * its own vectors (EC 0x25, data abort at the current EL; DFSC a
 * translation fault; FAR the address), the hypervisor sees nothing.
 */
GUEST_CODE(s1fault, "ldr x0, =0x100000000\n ldr x1, [x0]\n" GUEST_DONE);

static int test_mmu_fault(const char *dev)
{
	struct guest g;
	uint64_t esr;

	GUEST(&g, dev, GUEST_EL1_MMU, s1fault);
	EXPECT_UCALL(&g, UCALL_EXCEPTION, VECTOR_EL1H_SYNC);
	esr = guest_reg(&g, REG_ESR_EL1);
	EXPECT(ESR_EC(esr) == EC_DABT_CUR);
	EXPECT((esr & 0x3c) == 0x04);		/* DFSC: translation fault */
	EXPECT(guest_reg(&g, REG_FAR_EL1) == 0x100000000ull);
	return TEST_PASS;
}

/*
 * The guest's own table walk leaving memory: SELF_MAP_ON with the entry
 * of VA 0x80000000 pointing at a level 2 table at PA 0x30000000, where no
 * memory is.
 * A load from VA 0x80000000 makes the walk itself fault at stage 2
 * (ESR_EL2.S1PTW): user space has nothing to emulate, so the guest takes
 * a synchronous external abort (EC 0x25, DFSC 0x10, FAR the VA), as KVM
 * 6.1's kvm_inject_dabt() gives.
 */
GUEST_CODE(walkout, SELF_MAP_ON("0x30000003")
	"ldr x3, =0x80000000\n ldr x4, [x3]\n"
	GUEST_DONE);

static int test_mmu_walk_outside(const char *dev)
{
	struct guest g;
	uint64_t esr;

	GUEST(&g, dev, GUEST_EL1, walkout);
	EXPECT_UCALL(&g, UCALL_EXCEPTION, VECTOR_EL1H_SYNC);
	esr = guest_reg(&g, REG_ESR_EL1);
	printf("# ESR_EL1 %#llx FAR_EL1 %#llx\n", (unsigned long long)esr,
	       (unsigned long long)guest_reg(&g, REG_FAR_EL1));
	EXPECT(ESR_EC(esr) == EC_DABT_CUR);
	EXPECT((esr & 0x3f) == 0x10);	/* synchronous external abort */
	EXPECT(guest_reg(&g, REG_FAR_EL1) == 0x80000000ull);
	return TEST_PASS;
}

/*
 * Down to EL0 with ERET (SPSR_EL1: EL0t), a store there, and back up by
 * SVC, which arrives at the vector for a lower EL using AArch64 with
 * SPSR_EL1 saying EL0t and ESR_EL1 the SVC's immediate.
 */
GUEST_CODE(el0,
	"adr x0, el0_code\n msr elr_el1, x0\n"
	"mov x0, #0x3c0\n msr spsr_el1, x0\n"	/* EL0t, DAIF masked */
	"mov x0, #0x6000\n msr sp_el0, x0\n"
	"eret\n"
	"el0_code:\n"
	"mov x1, #0x3000\n mov w2, #0xe10\n str w2, [x1]\n"
	"mov x3, sp\n"
	"svc #0x77\n"
	"b .\n");

static int test_el0(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_EL1, el0);
	EXPECT_UCALL(&g, UCALL_EXCEPTION, VECTOR_EL0_SYNC);
	EXPECT(guest_reg(&g, REG_ESR_EL1) == 0x56000077);
	EXPECT((guest_reg(&g, REG_SPSR_EL1) & 0xf) == PSTATE_MODE_EL0T);
	EXPECT(guest_reg(&g, REG_X(3)) == 0x6000);
	EXPECT(guest_reg(&g, REG_SP_EL0) == 0x6000);
	EXPECT(*(uint32_t *)vm_gpa(&g.vm, 0x3000) == 0xe10);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "mode_mmu_off", test_mmu_off },
	{ "mode_mmu_on", test_mmu_on },
	{ "mode_mmu_by_guest", test_mmu_by_guest },
	{ "mode_mmu_fault", test_mmu_fault },
	{ "mode_mmu_walk_outside", test_mmu_walk_outside },
	{ "mode_el0", test_el0 },
};

TEST_MAIN(cases)

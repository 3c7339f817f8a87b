// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the registers KVM_GET_REG_LIST names whose value a vCPU of
 * hvx cannot change: what its guest reads (or would read) there, or the
 * hypervisor services hvx does not offer.  KVM 6.1 lists each of them
 * (arch/arm64/kvm/sys_regs.c, hypercalls.c), and a VMM that saves and
 * restores a vCPU reads every listed register and writes it back; so
 * does the kernel's get-reg-list selftest.  A read gives the value, a
 * write of that same value is taken and any other refused (EINVAL), as
 * KVM does for its invariant and ID registers.
 */
#include <asm/cputype.h>
#include <asm/cpufeature.h>
#include <asm/kvm.h>
#include <asm/sysreg.h>

#include "arm64.h"

/* OSLSR_EL1 as the guest reads it (exit.c): OSLM 0b10, no OS lock. */
#define A64_OSLSR_GUEST		BIT(3)

/*
 * The 16 breakpoint and 16 watchpoint slots, DBGBVR/BCR/WVR/WCR<n>_EL1
 * (Arm ARM D17.3: op0 2, op1 0, CRn 0, CRm n, op2 4-7): the guest reads
 * zero there (MDCR_EL2.TDA, exit.c).
 */
#define A64_DEBUG_SLOTS		16
#define A64_DEBUG_REGS		(A64_DEBUG_SLOTS * 4)

/* Registers that read as zero. */
static const u64 a64_fixed[] = {
	/*
	 * Firmware: the SMCCC Spectre workarounds (api.rst, "ARM firmware
	 * pseudo-registers": 0 is NOT_AVAIL, as SMCCC_ARCH_FEATURES offers
	 * none of their calls, smccc.c).
	 */
	KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
	KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
	KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
	A64_SYSREG(2, 0, 0, 2, 0),	/* MDCCINT_EL1: RAZ/WI */
	A64_SYSREG(2, 4, 0, 7, 0),	/* DBGVCR32_EL2: no AArch32 */
	A64_SYSREG(3, 0, 1, 0, 1),	/* ACTLR_EL1: RAZ/WI */
	A64_SYSREG(3, 0, 12, 1, 1),	/* DISR_EL1: none deferred */
	A64_SYSREG(3, 4, 3, 0, 0),	/* DACR32_EL2 */
	A64_SYSREG(3, 4, 5, 0, 1),	/* IFSR32_EL2 */
	A64_SYSREG(3, 4, 5, 3, 0),	/* FPEXC32_EL2 */
};

static u64 a64_oslsr(void)
{
	return A64_OSLSR_GUEST;
}

/*
 * The identification registers the guest reads in hardware (Arm ARM
 * D17.2): MIDR_EL1 through VPIDR_EL2, which holds the host's; REVIDR,
 * CLIDR, AIDR and CTR_EL0 directly (HCR_EL2.TID1 and TID2 clear).
 */
static u64 a64_midr(void)
{
	return read_cpuid_id();
}

static u64 a64_revidr(void)
{
	return read_sysreg(revidr_el1);
}

static u64 a64_clidr(void)
{
	return read_sysreg(clidr_el1);
}

static u64 a64_aidr(void)
{
	return read_sysreg(aidr_el1);
}

static u64 a64_ctr(void)
{
	return read_sanitised_ftr_reg(SYS_CTR_EL0);
}

static const struct {
	u64 id;
	u64 (*value)(void);
} a64_fixed_read[] = {
	{ A64_SYSREG(2, 0, 1, 1, 4), a64_oslsr },
	{ A64_SYSREG(3, 0, 0, 0, 0), a64_midr },
	{ A64_SYSREG(3, 0, 0, 0, 6), a64_revidr },
	{ A64_SYSREG(3, 1, 0, 0, 1), a64_clidr },
	{ A64_SYSREG(3, 1, 0, 0, 7), a64_aidr },
	{ A64_SYSREG(3, 3, 0, 0, 1), a64_ctr },
};

#define A64_FIXED_REGS	(ARRAY_SIZE(a64_fixed) + ARRAY_SIZE(a64_fixed_read) + \
			 A64_DEBUG_REGS)

/* Fixed register @i of A64_FIXED_REGS: its id; its value in @val. */
static u64 a64_fixed_nth(unsigned int i, u64 *val)
{
	*val = 0;
	if (i < ARRAY_SIZE(a64_fixed))
		return a64_fixed[i];
	i -= ARRAY_SIZE(a64_fixed);
	if (i < ARRAY_SIZE(a64_fixed_read)) {
		*val = a64_fixed_read[i].value();
		return a64_fixed_read[i].id;
	}
	i -= ARRAY_SIZE(a64_fixed_read);
	return A64_SYSREG(2, 0, 0, i / 4, 4 + i % 4);
}

/* The value of fixed register @id, or -ENOENT if it is not one. */
int a64_fixed_reg(u64 id, u64 *val)
{
	unsigned int i;

	for (i = 0; i < A64_FIXED_REGS; i++)
		if (a64_fixed_nth(i, val) == id)
			return 0;
	return -ENOENT;
}

/* Their ids into @ids (unless NULL); how many. */
unsigned int a64_fixed_ids(u64 *ids)
{
	unsigned int i;
	u64 val;

	for (i = 0; ids && i < A64_FIXED_REGS; i++)
		ids[i] = a64_fixed_nth(i, &val);
	return A64_FIXED_REGS;
}

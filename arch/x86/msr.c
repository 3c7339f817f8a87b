// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: RDMSR, WRMSR, KVM_GET/SET_MSRS and XSETBV.
 *
 * Every MSR access exits (the MSR permission bitmap is all ones), so the
 * guest can never reach a host MSR.  hvx models what a Linux guest uses:
 * EFER, the FS/GS bases, IA32_APIC_BASE (kept, no APIC behind it), the
 * TSC (through the TSC offset), IA32_MISC_ENABLE, the microcode revision,
 * IA32_FEATURE_CONTROL, the MTRRs and machine-check MSRs (stored), AMD's
 * HWCR, PLATFORM_ID and SYSCFG (read as zero); the vendor backend the
 * MSRs its control block holds (SYSCALL/SYSENTER, KERNEL_GS_BASE, PAT).
 * An MSR hvx does not model raises #GP in the guest, as on a processor
 * without it, and is counted in the exit statistics (HVX_STAT_MSR_GP)
 * and logged.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/kvm_para.h>
#include <asm/mtrr.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "x86.h"

/* EFER bits a guest may set: SCE, LME, LMA (read-only), NXE. */
#define X86_EFER_GUEST	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static int x86_set_efer(struct x86_vcpu *x, u64 val)
{
	struct kvm_sregs *s = x86_sregs(x);

	if (val & ~X86_EFER_GUEST)
		return -EINVAL;
	/* LME cannot change while paging is on (APM Vol. 2 14.6.1). */
	if ((s->cr0 & X86_CR0_PG) && ((val ^ s->efer) & EFER_LME))
		return -EINVAL;
	/* LMA is the processor's to set; writes to it are ignored. */
	s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA);
	x->sregs_dirty = true;
	return 0;
}

static bool x86_canonical(u64 addr)
{
	return (s64)(addr << 16) >> 16 == (s64)addr;
}

/* Reset values: KVM's, which a Linux guest is known to accept. */
#define X86_MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL)
#define X86_UCODE_REV_RESET	0x100000000ULL

/*
 * MTRRs (SDM Vol. 3A 12.11): eight variable ranges, the fixed ranges and
 * write-combining.  hvx stores them so that the guest reads back what it
 * wrote; the memory type of guest RAM is set by the stage-2 tables (write
 * back) and the guest's PAT, not by these.
 */
#define X86_MTRR_VAR		8
#define X86_MTRRCAP		(BIT(10) | BIT(8) | X86_MTRR_VAR)
#define X86_MTRR_DEFTYPE_BITS	(0xffULL | BIT(10) | BIT(11))
#define X86_HWCR_IGNORED	(BIT(3) | BIT(6) | BIT(8) | X86_HWCR_TSCFREQSEL)
#define X86_HWCR_MCSTATUSWREN	BIT(18)
#define X86_HWCR_TSCFREQSEL	BIT(24)

void x86_msr_reset(struct x86_vcpu *x)
{
	memset(&x->mtrr, 0, sizeof(x->mtrr));
	memset(&x->mce, 0, sizeof(x->mce));
	x->misc_enable = X86_MISC_ENABLE_RESET;
	x->feat_ctl = 0;
	x->hwcr = 0;
	x->power_ctl = 0;
	x->platform_info = 0;
	x->tsc_adjust = 0;
	x->tsc_aux = 0;
	if (!x->ucode_rev)
		x->ucode_rev = X86_UCODE_REV_RESET;
	/* The guest's TSC counts from about 0 at creation and reset. */
	x->tsc_offset = -rdtsc();
}

static bool x86_mtrr_type_valid(u8 type)
{
	/* UC, WC, WT, WP, WB; 2, 3 and 7 are reserved for MTRRs. */
	return type <= 6 && type != 2 && type != 3;
}

/* Slot of a fixed-range MTRR in x86_vcpu.mtrr.fixed, or -1. */
static int x86_mtrr_fixed_slot(u32 index)
{
	switch (index) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return 1 + index - MSR_MTRRfix16K_80000;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + index - MSR_MTRRfix4K_C0000;
	}
	return -1;
}

static bool x86_mtrr_is_var(u32 index)
{
	return index >= MTRRphysBase_MSR(0) &&
	       index <= MTRRphysMask_MSR(X86_MTRR_VAR - 1);
}

static int x86_mtrr_get(struct x86_vcpu *x, u32 index, u64 *val)
{
	int slot = x86_mtrr_fixed_slot(index);

	if (index == MSR_MTRRcap)
		*val = X86_MTRRCAP;
	else if (index == MSR_MTRRdefType)
		*val = x->mtrr.deftype;
	else if (slot >= 0)
		*val = x->mtrr.fixed[slot];
	else if (x86_mtrr_is_var(index))
		*val = x->mtrr.var[index - MTRRphysBase_MSR(0)];
	else
		return -ENOENT;
	return 0;
}

/*
 * Reserved bits raise #GP (SDM 12.11.2.1-12.11.2.3): a type that is not
 * an MTRR type, and in the variable ranges bits 11:8 of a base, 10:0 of
 * a mask and anything at or above MAXPHYADDR.
 */
static int x86_mtrr_set(struct x86_vcpu *x, u32 index, u64 val)
{
	u64 high = ~0ULL << x86_guest_maxphyaddr(x);
	int slot = x86_mtrr_fixed_slot(index);
	int i;

	if (index == MSR_MTRRdefType) {
		if ((val & ~X86_MTRR_DEFTYPE_BITS) ||
		    !x86_mtrr_type_valid(val))
			return -EINVAL;
		x->mtrr.deftype = val;
	} else if (slot >= 0) {
		for (i = 0; i < 8; i++)
			if (!x86_mtrr_type_valid(val >> (i * 8)))
				return -EINVAL;
		x->mtrr.fixed[slot] = val;
	} else if (x86_mtrr_is_var(index)) {
		bool mask = (index - MTRRphysBase_MSR(0)) & 1;

		if ((val & high) || (mask ? (val & 0x7ff) :
				     ((val & 0xf00) ||
				      !x86_mtrr_type_valid(val))))
			return -EINVAL;
		x->mtrr.var[index - MTRRphysBase_MSR(0)] = val;
	} else {
		return index == MSR_MTRRcap ? -EINVAL : -ENOENT;
	}
	return 0;
}

/*
 * Machine-check architecture (SDM Vol. 3B 16.3.1, 16.3.2; AMD APM Vol. 2
 * 9.3): IA32_MCG_CAP, _STATUS, _CTL and X86_MCE_BANKS banks of four MSRs
 * (MCi_CTL, _STATUS, _ADDR, _MISC), kept as written; hvx raises no machine
 * check in a guest.  QEMU 7.2 sets CPUID MCE and MCA for every KVM guest
 * and so saves and restores all of them.  The checks are KVM's: MCG_CAP
 * (MCG_CTL present, the bank count) is read-only; MCG_CTL and MCi_CTL take
 * 0 or all ones, an MCi_CTL also all ones but bits 10 and 0, which some
 * guests clear (SDM 16.3.2.1 leaves other values undefined); the guest may
 * write only 0 to an MCi_STATUS, unless it is not Intel and sets
 * HWCR.McStatusWrEn (APM Vol. 2 9.3.2.2).
 */
#define X86_MCG_CTL_P		BIT(8)
#define X86_MCG_CAP		(X86_MCG_CTL_P | X86_MCE_BANKS)

static bool x86_mce_is_bank(u32 index)
{
	return index >= MSR_IA32_MC0_CTL &&
	       index < MSR_IA32_MCx_CTL(X86_MCE_BANKS);
}

static int x86_mce_get(struct x86_vcpu *x, u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_MCG_CAP:
		*val = X86_MCG_CAP;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*val = x->mce.mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		*val = x->mce.mcg_ctl;
		return 0;
	}
	if (!x86_mce_is_bank(index))
		return -ENOENT;
	*val = x->mce.banks[index - MSR_IA32_MC0_CTL];
	return 0;
}

static int x86_mce_set(struct x86_vcpu *x, u32 index, u64 val, bool host)
{
	u32 i = index - MSR_IA32_MC0_CTL;

	switch (index) {
	case MSR_IA32_MCG_CAP:
		return -EINVAL;
	case MSR_IA32_MCG_STATUS:
		x->mce.mcg_status = val;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (val && val != ~0ULL)
			return -EINVAL;
		x->mce.mcg_ctl = val;
		return 0;
	}
	if (!x86_mce_is_bank(index))
		return -ENOENT;
	if ((i & 3) == 0 && val && (val | BIT(10) | BIT(0)) != ~0ULL)
		return -EINVAL;
	if ((i & 3) == 1 && val && !host &&
	    (x86_guest_is_intel(x) || !(x->hwcr & X86_HWCR_MCSTATUSWREN)))
		return -EINVAL;
	x->mce.banks[i] = val;
	return 0;
}

/*
 * IA32_TSC_AUX exists where RDTSCP or RDPID does (SDM Vol. 4 2.1): for
 * the guest when its CPUID offers either, for user space whenever hvx
 * switches the MSR (tsc_aux.c), as in KVM.
 */
static bool x86_tsc_aux_usable(struct x86_vcpu *x, bool host)
{
	return x86_tsc_aux_ok &&
	       (host || x86_guest_cpuid_has(x, 0x80000001, 3, BIT(27)) ||
		x86_guest_cpuid_has(x, 7, 2, BIT(22)));
}

/*
 * Bits 63:32 of IA32_TSC_AUX are reserved in Intel's SDM (Vol. 4 2.1)
 * while AMD processors ignore them: refused for a guest whose CPUID says
 * Intel, dropped for any other, as KVM does.
 */
static int x86_set_tsc_aux(struct x86_vcpu *x, u64 val, bool host)
{
	if (!x86_tsc_aux_usable(x, host))
		return -ENOENT;
	if ((val >> 32) && x86_guest_is_intel(x))
		return -EINVAL;
	x->tsc_aux = (u32)val;
	return 0;
}

static int x86_get_msr(struct x86_vcpu *x, u32 index, u64 *val, bool host)
{
	int r;

	switch (index) {
	case MSR_EFER:
		*val = x86_sregs(x)->efer;
		return 0;
	case MSR_FS_BASE:
		*val = x86_sregs(x)->fs.base;
		return 0;
	case MSR_GS_BASE:
		*val = x86_sregs(x)->gs.base;
		return 0;
	case MSR_IA32_APICBASE:
		*val = x86_sregs(x)->apic_base;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + x->tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = x->tsc_adjust;
		return 0;
	case MSR_IA32_POWER_CTL:
		*val = x->power_ctl;
		return 0;
	case MSR_PLATFORM_INFO:
		/* What user space set, for the guest unless the VM hides it. */
		if (!host && READ_ONCE(((struct x86_vm *)
					x86_vm(x)->arch)->platform_info_hidden))
			return -EINVAL;
		*val = x->platform_info;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = x->misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:	/* AMD: MSR_AMD64_PATCH_LEVEL */
		*val = x->ucode_rev;
		return 0;
	case MSR_IA32_FEAT_CTL:
		*val = x->feat_ctl;
		return 0;
	case MSR_K7_HWCR:
		/*
		 * TscFreqSel reads as one: the TSC counts at the P0 rate
		 * (APM Vol. 2 A.7; Linux warns of firmware bug otherwise).
		 */
		*val = x->hwcr | X86_HWCR_TSCFREQSEL;
		return 0;
	case MSR_IA32_PLATFORM_ID:	/* no platform: microcode matching */
	case MSR_AMD64_SYSCFG:		/* no SME, no TOM2 forcing WB */
	case MSR_K8_INT_PENDING_MSG:	/* no C1E (Linux reads it unchecked) */
		*val = 0;
		return 0;
	case MSR_TSC_AUX:
		if (!x86_tsc_aux_usable(x, host))
			return -ENOENT;
		*val = x->tsc_aux;
		return 0;
	}
	if (!x86_mtrr_get(x, index, val) || !x86_mce_get(x, index, val) ||
	    !x86_kvmclock_get_msr(x, index, val))
		return 0;
	r = x86_apic_msr(x, index, val, false, host);
	if (r != -ENOENT)
		return r;
	return x86_vendor->get_msr(x, index, val);
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A 11.4.4): bits 7:0 and 9 are reserved, so
 * is x2APIC mode (bit 10) without x2APIC (CPUID.1:ECX[21]) or without the
 * in-kernel APIC, and the base must lie below MAXPHYADDR.  Without the
 * in-kernel APIC the value is only kept; with it, lapic.c checks the
 * mode transitions.
 */
int x86_set_apic_base(struct x86_vcpu *x, u64 val, bool host)
{
	u64 reserved = 0x2ffULL | (~0ULL << x86_guest_maxphyaddr(x));

	if (!x86_irqchip(x86_vm(x)) || !x86_guest_cpuid_has(x, 1, 2, BIT(21)))
		reserved |= X2APIC_ENABLE;
	if ((val & reserved) || x86_apic_set_base(x, val, host))
		return -EINVAL;
	x86_sregs(x)->apic_base = val;
	x->sregs_dirty = true;
	return 0;
}

/*
 * IA32_MISC_ENABLE (SDM Vol. 4 2.1): the BTS and PEBS unavailable bits
 * are read-only for the guest; the rest is kept as written.
 */
static int x86_set_misc_enable(struct x86_vcpu *x, u64 val, bool host)
{
	u64 ro = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
		 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;

	if (!host && ((val ^ x->misc_enable) & ro))
		return -EINVAL;
	x->misc_enable = val;
	return 0;
}

/*
 * IA32_FEATURE_CONTROL (SDM Vol. 4 2.1): once the lock bit is set, writes
 * raise #GP until reset.  No VMX, SGX or LMCE is offered, so the lock bit
 * is the only one that may be set.
 */
static int x86_set_feat_ctl(struct x86_vcpu *x, u64 val, bool host)
{
	if ((val & ~FEAT_CTL_LOCKED) ||
	    (!host && (x->feat_ctl & FEAT_CTL_LOCKED)))
		return -EINVAL;
	x->feat_ctl = val;
	return 0;
}

/*
 * AMD HWCR (APM Vol. 2 A.7): only McStatusWrEn is kept; TscFreqSel is
 * read-only and three bits of no meaning to a guest are ignored, as in
 * KVM; any other raises #GP.
 */
static int x86_set_hwcr(struct x86_vcpu *x, u64 val)
{
	val &= ~X86_HWCR_IGNORED;
	if (val & ~X86_HWCR_MCSTATUSWREN)
		return -EINVAL;
	x->hwcr = val;
	return 0;
}

/*
 * The guest's TSC is the host's plus an offset (SDM Vol. 3C 25.6.5).
 * IA32_TSC_ADJUST (SDM Vol. 3B 18.17.3): the guest's WRMSR to the TSC
 * adds the change to TSC_ADJUST, and its WRMSR to TSC_ADJUST adds the
 * change to the TSC.  User space's writes (KVM_SET_MSRS: restoring state)
 * set one MSR without touching the other, as in KVM.  Without CPUID
 * TSC_ADJUST, writes to it are ignored, as in KVM.
 */
static void x86_set_tsc(struct x86_vcpu *x, u32 index, u64 val, bool host)
{
	s64 delta;

	if (index == MSR_IA32_TSC) {
		delta = val - (rdtsc() + x->tsc_offset);
		x->tsc_offset += delta;
		if (!host)
			x->tsc_adjust += delta;
		return;
	}
	if (!x86_guest_cpuid_has(x, 7, 1, BIT(1)))
		return;
	if (!host)
		x->tsc_offset += val - x->tsc_adjust;
	x->tsc_adjust = val;
}

static int x86_set_msr(struct x86_vcpu *x, u32 index, u64 val, bool host)
{
	int r;

	switch (index) {
	case MSR_EFER:
		return x86_set_efer(x, val);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		/* The bases are part of the kvm_sregs view (SDM 3.4.4). */
		if (!x86_canonical(val))
			return -EINVAL;
		if (index == MSR_FS_BASE)
			x86_sregs(x)->fs.base = val;
		else
			x86_sregs(x)->gs.base = val;
		x->sregs_dirty = true;
		return 0;
	case MSR_IA32_APICBASE:
		return x86_set_apic_base(x, val, host);
	case MSR_IA32_TSC:
	case MSR_IA32_TSC_ADJUST:
		x86_set_tsc(x, index, val, host);
		return 0;
	case MSR_IA32_POWER_CTL:
		/* Kept as written, as KVM does: no power management here. */
		x->power_ctl = val;
		return 0;
	case MSR_PLATFORM_INFO:
		/*
		 * Read-only for the guest; user space sets what it reads
		 * (KVM_CAP_MSR_PLATFORM_INFO), but not CPUID faulting (bit
		 * 31, SDM Vol. 4 2.17), which hvx does not offer.
		 */
		if (!host || (val & BIT_ULL(31)))
			return -EINVAL;
		x->platform_info = val;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return x86_set_misc_enable(x, val, host);
	case MSR_IA32_UCODE_REV:
		/*
		 * A guest writes 0 before CPUID to have the revision loaded
		 * (SDM Vol. 3A 10.11.7.1): ignored, the value stays.
		 */
		if (host)
			x->ucode_rev = val;
		return 0;
	case MSR_IA32_FEAT_CTL:
		return x86_set_feat_ctl(x, val, host);
	case MSR_K7_HWCR:
		return x86_set_hwcr(x, val);
	case MSR_IA32_PLATFORM_ID:
	case MSR_AMD64_SYSCFG:
		return -EINVAL;		/* read-only here */
	case MSR_TSC_AUX:
		return x86_set_tsc_aux(x, val, host);
	}
	r = x86_mtrr_set(x, index, val);
	if (r != -ENOENT)
		return r;
	r = x86_mce_set(x, index, val, host);
	if (r != -ENOENT)
		return r;
	r = x86_kvmclock_set_msr(x, index, val, host);
	if (r != -ENOENT)
		return r;
	r = x86_apic_msr(x, index, &val, true, host);
	if (r != -ENOENT)
		return r;
	return x86_vendor->set_msr(x, index, val);
}

/*
 * What the guest asked for is not modelled or not a value the MSR takes:
 * #GP, as on a processor without it, counted and logged (ratelimited) so
 * that a user can see what a guest wanted.
 */
static int x86_msr_gp(struct x86_vcpu *x, bool write, int r)
{
	u32 index = x->gpr[GPR_RCX];

	hvx_stat(x->vcpu, HVX_STAT_MSR_GP);
	if (write)
		pr_info_ratelimited("vCPU %u: WRMSR %#x value %#llx: %s, #GP\n",
				    x->vcpu->id, index,
				    (x->gpr[GPR_RDX] << 32) |
				    (u32)x->gpr[GPR_RAX],
				    r == -ENOENT ? "not modelled" :
				    "value refused");
	else
		pr_info_ratelimited("vCPU %u: RDMSR %#x: not modelled, #GP\n",
				    x->vcpu->id, index);
	x86_inject_gp(x);
	return 1;
}

int x86_emulate_rdmsr(struct x86_vcpu *x)
{
	u64 val;
	int r;

	r = x86_msr_check(x, x->gpr[GPR_RCX], false);
	if (!r)
		r = x86_get_msr(x, x->gpr[GPR_RCX], &val, false);
	if (r && x86_msr_to_user(x, false, 0, r))
		return 0;
	if (r)
		return x86_msr_gp(x, false, r);
	x->gpr[GPR_RAX] = (u32)val;
	x->gpr[GPR_RDX] = val >> 32;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_MSR);
	return 1;
}

int x86_emulate_wrmsr(struct x86_vcpu *x)
{
	u64 val = (x->gpr[GPR_RDX] << 32) | (u32)x->gpr[GPR_RAX];
	int r;

	r = x86_msr_check(x, x->gpr[GPR_RCX], true);
	if (!r)
		r = x86_set_msr(x, x->gpr[GPR_RCX], val, false);
	if (r && x86_msr_to_user(x, true, val, r))
		return 0;
	if (r)
		return x86_msr_gp(x, true, r);
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_MSR);
	return 1;
}

/*
 * The MSRs KVM_GET_MSR_INDEX_LIST names: those a VMM saves and restores
 * with KVM_GET/SET_MSRS.  EFER, the FS/GS bases and IA32_APIC_BASE are
 * accessible too, but belong to struct kvm_sregs, as in KVM.
 */
static const u32 x86_msrs_to_save[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_CSTAR, MSR_KERNEL_GS_BASE, MSR_SYSCALL_MASK, MSR_LSTAR,
	MSR_IA32_TSC, MSR_IA32_TSC_ADJUST, MSR_IA32_CR_PAT, MSR_IA32_FEAT_CTL,
	MSR_IA32_POWER_CTL, MSR_PLATFORM_INFO,
	MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV, MSR_K7_HWCR,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL, MSR_IA32_TSC_DEADLINE,
	MSR_MTRRdefType, MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000,
	MSR_MTRRfix16K_A0000, MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000,
	MSR_MTRRfix4K_D0000, MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000,
	MSR_MTRRfix4K_E8000, MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
	MTRRphysBase_MSR(0), MTRRphysMask_MSR(0),
	MTRRphysBase_MSR(1), MTRRphysMask_MSR(1),
	MTRRphysBase_MSR(2), MTRRphysMask_MSR(2),
	MTRRphysBase_MSR(3), MTRRphysMask_MSR(3),
	MTRRphysBase_MSR(4), MTRRphysMask_MSR(4),
	MTRRphysBase_MSR(5), MTRRphysMask_MSR(5),
	MTRRphysBase_MSR(6), MTRRphysMask_MSR(6),
	MTRRphysBase_MSR(7), MTRRphysMask_MSR(7),
	/* kvmclock (kvmclock.c), in KVM's list of emulated MSRs too */
	MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME,
	MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW,
};

/*
 * KVM_GET_MSR_INDEX_LIST: nmsrs is always set to the length of the list;
 * -E2BIG if the caller's array is shorter.
 */
long x86_ioctl_get_msr_index_list(void __user *argp)
{
	struct kvm_msr_list __user *ul = argp;
	const u32 tsc_aux = MSR_TSC_AUX;
	struct kvm_msr_list l;
	u32 n;

	if (copy_from_user(&l, ul, sizeof(l)))
		return -EFAULT;
	n = l.nmsrs;
	l.nmsrs = ARRAY_SIZE(x86_msrs_to_save) + x86_tsc_aux_ok;
	if (copy_to_user(ul, &l, sizeof(l)))
		return -EFAULT;
	if (n < l.nmsrs)
		return -E2BIG;
	if (copy_to_user(ul->indices, x86_msrs_to_save,
			 sizeof(x86_msrs_to_save)))
		return -EFAULT;
	/* IA32_TSC_AUX where hvx switches it, last. */
	if (x86_tsc_aux_ok &&
	    copy_to_user(&ul->indices[ARRAY_SIZE(x86_msrs_to_save)],
			 &tsc_aux, sizeof(tsc_aux)))
		return -EFAULT;
	return 0;
}

/*
 * KVM_GET_MSRS and KVM_SET_MSRS: fewer than X86_MSRS_MAX entries
 * (-E2BIG), processed in order up to the first the vCPU refuses; the
 * result is the number processed.  User space may do what the guest may
 * not: set the microcode revision, a locked IA32_FEATURE_CONTROL, the
 * read-only bits of IA32_MISC_ENABLE.
 */
long x86_ioctl_msrs(struct x86_vcpu *x, bool set, void __user *argp)
{
	struct kvm_msrs __user *um = argp;
	struct kvm_msr_entry *e;
	struct kvm_msrs m;
	size_t size;
	u32 i;
	long r;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= X86_MSRS_MAX)
		return -E2BIG;
	size = m.nmsrs * sizeof(*e);
	e = memdup_user(um->entries, size);
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < m.nmsrs; i++) {
		if (set ? x86_set_msr(x, e[i].index, e[i].data, true) :
			  x86_get_msr(x, e[i].index, &e[i].data, true))
			break;
	}
	r = i;
	if (!set && copy_to_user(um->entries, e, size))
		r = -EFAULT;
	kfree(e);
	return r;
}

/*
 * The feature MSRs (api.rst 4.3 KVM_GET_MSR_FEATURE_INDEX_LIST, and
 * KVM_GET_MSRS on the system fd): what the host offers a vCPU.  hvx has
 * two: the microcode revision it reports (X86_UCODE_REV_RESET), and
 * IA32_PERF_CAPABILITIES, 0: no PMU features (SDM Vol. 4 2.1).
 */
static const u32 x86_feature_msrs[] = {
	MSR_IA32_UCODE_REV, MSR_IA32_PERF_CAPABILITIES,
};

long x86_ioctl_get_msr_feature_list(void __user *argp)
{
	struct kvm_msr_list __user *ul = argp;
	struct kvm_msr_list l;
	u32 n;

	if (copy_from_user(&l, ul, sizeof(l)))
		return -EFAULT;
	n = l.nmsrs;
	l.nmsrs = ARRAY_SIZE(x86_feature_msrs);
	if (copy_to_user(ul, &l, sizeof(l)))
		return -EFAULT;
	if (n < l.nmsrs)
		return -E2BIG;
	if (copy_to_user(ul->indices, x86_feature_msrs,
			 sizeof(x86_feature_msrs)))
		return -EFAULT;
	return 0;
}

/* KVM_GET_MSRS on the system fd: as on a vCPU, for the feature MSRs. */
long x86_ioctl_feature_msrs(void __user *argp)
{
	struct kvm_msrs __user *um = argp;
	struct kvm_msr_entry e;
	struct kvm_msrs m;
	u32 i;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= X86_MSRS_MAX)
		return -E2BIG;
	for (i = 0; i < m.nmsrs; i++) {
		if (copy_from_user(&e, &um->entries[i], sizeof(e)))
			return -EFAULT;
		if (e.index == MSR_IA32_UCODE_REV)
			e.data = X86_UCODE_REV_RESET;
		else if (e.index == MSR_IA32_PERF_CAPABILITIES)
			e.data = 0;
		else
			break;
		if (copy_to_user(&um->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return i;
}

/*
 * KVM_HAS/GET/SET_DEVICE_ATTR on a vCPU (api.rst 4.81, 4.80; group
 * KVM_VCPU_TSC_CTRL): KVM_VCPU_TSC_OFFSET is the guest's TSC minus the
 * host's (SDM Vol. 3C 25.6.5), the only attribute; -ENXIO for others.
 */
long x86_ioctl_tsc_attr(struct x86_vcpu *x, unsigned int ioctl,
			void __user *argp)
{
	struct kvm_device_attr attr;
	u64 __user *uaddr;
	u64 off;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group != KVM_VCPU_TSC_CTRL ||
	    attr.attr != KVM_VCPU_TSC_OFFSET)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	uaddr = u64_to_user_ptr(attr.addr);
	if (ioctl == KVM_GET_DEVICE_ATTR)
		return put_user(x->tsc_offset, uaddr);
	if (get_user(off, uaddr))
		return -EFAULT;
	x->tsc_offset = off;
	return 0;
}

/*
 * AVX-512 (SDM Vol. 1 13.3): opmask, ZMM_Hi256 and Hi16_ZMM go together,
 * and with AVX.
 */
static bool x86_xcr0_avx512_invalid(u64 val)
{
	u64 avx512 = XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 |
		     XFEATURE_MASK_Hi16_ZMM;

	return (val & avx512) &&
	       ((val & avx512) != avx512 || !(val & XFEATURE_MASK_YMM));
}

/*
 * An XCR0 value XSETBV would take (SDM Vol. 1 13.3, Vol. 2C XSETBV): x87
 * state always on, AVX only with SSE, AVX-512 all or none, and only the
 * features the guest's CPUID offers of those the guest FPU state holds
 * (x86_supported_xcr0).  KVM_SET_XCRS checks the same.
 */
bool x86_xcr0_valid(struct x86_vcpu *x, u64 val)
{
	return (val & XFEATURE_MASK_FP) && !(val & ~x->xcr0_allowed) &&
	       (!(val & XFEATURE_MASK_YMM) || (val & XFEATURE_MASK_SSE)) &&
	       !x86_xcr0_avx512_invalid(val);
}

/* XSETBV (SDM Vol. 2C): only XCR0 exists. */
int x86_emulate_xsetbv(struct x86_vcpu *x)
{
	u64 val = (x->gpr[GPR_RDX] << 32) | (u32)x->gpr[GPR_RAX];

	if ((u32)x->gpr[GPR_RCX] != 0 || !x86_xcr0_valid(x, val)) {
		x86_inject_gp(x);
		return 1;
	}
	x->xcr0 = val;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_OTHER);
	return 1;
}

/* PAT entries may only hold memory types 0, 1, 4, 5, 6, 7 (SDM 12.12.2). */
bool x86_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (i * 8)) & 0xff;

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/*
 * Values the control-block MSRs accept, checked before a value is stored
 * for the vendor backend, which loads it into the processor as it is (VMX:
 * a plain WRMSR around the entry; SVM: VMLOAD): PAT entries as above; no
 * reserved bit in IA32_FMASK/SFMASK, whose bits 63:32 are reserved (SDM
 * Vol. 4 2.1, AMD APM Vol. 2 6.1.1); a canonical address in LSTAR, CSTAR,
 * KERNEL_GS_BASE, SYSENTER_ESP and SYSENTER_EIP (SDM Vol. 2B WRMSR).
 * STAR has no reserved bit, and IA32_SYSENTER_CS takes any value (the
 * processor uses bits 15:0).  A refused value fails KVM_SET_MSRS there and
 * raises #GP for the guest's WRMSR.
 */
bool x86_msr_value_valid(u32 index, u64 data)
{
	switch (index) {
	case MSR_IA32_CR_PAT:
		return x86_pat_valid(data);
	case MSR_SYSCALL_MASK:
		return !(data >> 32);
	case MSR_IA32_SYSENTER_CS:
	case MSR_STAR:
		return true;
	default:
		return (s64)(data << 16) >> 16 == data;
	}
}

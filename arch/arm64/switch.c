// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: one trip into the guest and back.
 *
 * With HCR_EL2.E2H set, the host's accesses to the *_EL1 names reach the
 * *_EL2 registers, and the EL1 registers themselves are reached through
 * the *_EL12 and *_EL02 names (Arm ARM D5.6, "Virtualization Host
 * Extensions").  hvx loads the guest's EL1 state through those names, sets
 * the EL2 controls for the guest (HCR_EL2 with TGE clear, the stage-2 base,
 * the traps), and afterwards puts back exactly the EL2 values the host
 * had, so that a VHE host (and KVM, when it runs vCPUs of its own) finds
 * EL2 as it left it.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/irqflags.h>
#include <linux/math64.h>
#include <linux/irqchip/arm-gic-v3.h>
#include <asm/arch_timer.h>
#include <asm/cputype.h>
#include <asm/cpufeature.h>
#include <asm/daifflags.h>
#include <asm/kvm_arm.h>
#include <asm/neon.h>
#include <asm/tlbflush.h>
#include <asm/sysreg.h>

#include "arm64.h"

/*
 * Guest EL2 controls (Arm ARM D17.2.48 HCR_EL2): stage 2 on (VM), physical
 * IRQ, FIQ and SError to EL2 (IMO, FMO, AMO), set/way invalidation made a
 * clean (SWIO), stage-1 walks to Device memory fault (PTW), broadcast of
 * TLB and barrier maintenance (FB, BSU), guest at AArch64 (RW); traps of
 * SMC, WFI, WFE, implementation-defined registers, ACTLR and LORegions,
 * and of reads of the ID group 3 registers (TID3), which the guest then
 * sees without the features hvx does not give it (regs.c).
 * With FEAT_RAS a64_switch_init() adds TERR (the error record registers
 * ERR*_EL1 and ERX*_EL1 are the host's: they trap) and TEA (synchronous
 * external aborts from the guest, which may be errors of the host's
 * memory system, are taken to EL2), as KVM does.
 */
#define A64_HCR_GUEST	(HCR_VM | HCR_IMO | HCR_FMO | HCR_AMO | HCR_SWIO | \
			 HCR_PTW | HCR_FB | HCR_BSU_IS | HCR_RW | HCR_TSC | \
			 HCR_TWI | HCR_TWE | HCR_TIDCP | HCR_TACR |	   \
			 HCR_TLOR | HCR_TID3 | HCR_E2H)

/*
 * CPTR_EL2 in its E2H=1 layout (the CPACR_EL1 one, D17.2.30): SVE trapped
 * (ZEN 0b00: the backend saves only the 128-bit V registers), trace and
 * activity-monitor registers trapped; FP and SIMD free (FPEN 0b11) when
 * the guest's V registers, FPSR and FPCR are in the CPU, else trapped
 * (FPEN 0b00: the guest's first such instruction is an exception with
 * EC 0x07, D17.2.37, which loads them, exit.c).
 */
#define A64_CPTR_GUEST		(BIT(28) | CPTR_EL2_TAM)
#define A64_CPTR_GUEST_FP	(CPACR_EL1_FPEN_EL1EN | CPACR_EL1_FPEN_EL0EN)

/*
 * MDCR_EL2 (D17.2.87): performance monitors, debug registers, the
 * statistical profiling controls (TPMS; E2PB 0b00 leaves the profiling
 * buffer to EL2 and traps its registers) and the trace filter controls
 * (TTRF; E2TB 0b00 likewise for the trace buffer) trapped, as KVM does;
 * HPMN, the counters the host keeps, is kept.
 */
#define A64_MDCR_GUEST	(MDCR_EL2_TPM | MDCR_EL2_TPMCR | MDCR_EL2_TDA | \
			 MDCR_EL2_TDOSA | MDCR_EL2_TDRA | MDCR_EL2_TPMS | \
			 MDCR_EL2_TTRF)

/* CNTHCTL_EL2, E2H=1 layout (D17.2.25): EL1PCTEN set, EL1PCEN clear. */
#define A64_CNTHCTL_GUEST	BIT(10)

/*
 * ICH_HCR_EL2 (GICv3 12.5.1): without a virtual GIC, trap the guest's
 * CPU-interface accesses; with one, En: the virtual CPU interface
 * signals what the list registers hold, and the guest's ICC_* accesses
 * reach its ICV_* registers in hardware (HCR_EL2.IMO, IHI 0069 11.1).
 */
#define A64_ICH_HCR_GUEST	(ICH_HCR_TC | ICH_HCR_TALL0 | ICH_HCR_TALL1)
#define A64_ICH_HCR_VGIC	ICH_HCR_EN

/* EL2 and EL0 state of the host that a guest run changes. */
struct a64_host {
	u64 hcr, vttbr, vtcr, mdcr, cptr, cnthctl, cntvoff;
	u64 vpidr, vmpidr, ich_hcr, mdscr, tpidr_el0, tpidrro_el0;
	/* With a virtual GIC: the GIC's EL2 registers hvx loads. */
	u64 icc_sre, ich_vmcr, ich_ap0r[4], ich_ap1r[4];
	u64 ich_lr[A64_GIC_MAX_LRS];
};

/*
 * The syndrome of a virtual SError (VSESR_EL2, FEAT_RAS): IDS set, an
 * IMPLEMENTATION DEFINED syndrome of zero, as KVM gives.
 */
#define A64_VSESR	ESR_ELx_IDS

bool a64_has_ras;
static bool a64_gic_sysregs;
static u64 a64_hcr_guest;

int a64_switch_init(void)
{
	a64_gic_sysregs = this_cpu_has_cap(ARM64_HAS_SYSREG_GIC_CPUIF);
	a64_has_ras = cpus_have_const_cap(ARM64_HAS_RAS_EXTN);
	a64_hcr_guest = A64_HCR_GUEST;
	if (a64_has_ras)
		a64_hcr_guest |= HCR_TERR | HCR_TEA;
	return 0;
}

/* HCR_EL2 while @v runs: the guest controls, and a pending virtual SError. */
u64 a64_guest_hcr(const struct a64_vcpu *v)
{
	return a64_hcr_guest | (v->serror_pending ? HCR_VSE : 0);
}

static void a64_save_host(struct a64_host *h)
{
	h->hcr = read_sysreg(hcr_el2);
	h->vttbr = read_sysreg(vttbr_el2);
	h->vtcr = read_sysreg(vtcr_el2);
	h->mdcr = read_sysreg(mdcr_el2);
	h->cptr = read_sysreg(cpacr_el1);	/* CPTR_EL2 under E2H */
	h->cnthctl = read_sysreg(cnthctl_el2);
	h->cntvoff = read_sysreg(cntvoff_el2);
	h->vpidr = read_sysreg(vpidr_el2);
	h->vmpidr = read_sysreg(vmpidr_el2);
	if (a64_gic_sysregs)
		h->ich_hcr = read_sysreg_s(SYS_ICH_HCR_EL2);
	h->mdscr = read_sysreg(mdscr_el1);
	h->tpidr_el0 = read_sysreg(tpidr_el0);
	h->tpidrro_el0 = read_sysreg(tpidrro_el0);
}

static void a64_load_host(const struct a64_host *h)
{
	write_sysreg(h->hcr, hcr_el2);
	write_sysreg(h->vttbr, vttbr_el2);
	write_sysreg(h->vtcr, vtcr_el2);
	write_sysreg(h->mdcr, mdcr_el2);
	write_sysreg(h->cptr, cpacr_el1);
	write_sysreg(h->cnthctl, cnthctl_el2);
	write_sysreg(h->cntvoff, cntvoff_el2);
	write_sysreg(h->vpidr, vpidr_el2);
	write_sysreg(h->vmpidr, vmpidr_el2);
	if (a64_gic_sysregs)
		write_sysreg_s(h->ich_hcr, SYS_ICH_HCR_EL2);
	write_sysreg(h->mdscr, mdscr_el1);
	write_sysreg(h->tpidr_el0, tpidr_el0);
	write_sysreg(h->tpidrro_el0, tpidrro_el0);
	isb();
}

/*
 * The guest's virtual timer (Arm ARM D11.2.4) raises its PPI while it is
 * enabled, unmasked and CNTVCT - CNTVOFF >= CVAL.  hvx has no virtual
 * interrupt controller, so the guest can never take that interrupt; a
 * level that stays high would only bring the vCPU back out on every
 * entry.  So a timer that has already fired is entered masked (IMASK),
 * and the guest sees ISTATUS and a WFI that returns.  While the host runs,
 * the timer is off altogether.
 */
static void a64_load_guest_timer(struct a64_vcpu *v)
{
	u64 ctl = v->sys[SYS_R_CNTV_CTL];
	u64 now = read_sysreg(cntpct_el0) - a64_cntvoff(v);

	v->timer_masked = (ctl & ARCH_TIMER_CTRL_ENABLE) &&
			  !(ctl & ARCH_TIMER_CTRL_IT_MASK) &&
			  v->sys[SYS_R_CNTV_CVAL] <= now;
	if (v->timer_masked)
		ctl |= ARCH_TIMER_CTRL_IT_MASK;
	write_sysreg_s(v->sys[SYS_R_CNTV_CVAL], SYS_CNTV_CVAL_EL02);
	write_sysreg_s(ctl, SYS_CNTV_CTL_EL02);
}

static void a64_save_guest_timer(struct a64_vcpu *v)
{
	u64 ctl = read_sysreg_s(SYS_CNTV_CTL_EL02);

	if (v->timer_masked)
		ctl &= ~ARCH_TIMER_CTRL_IT_MASK;
	v->sys[SYS_R_CNTV_CTL] = ctl & ~ARCH_TIMER_CTRL_IT_STAT;
	v->sys[SYS_R_CNTV_CVAL] = read_sysreg_s(SYS_CNTV_CVAL_EL02);
	write_sysreg_s(0, SYS_CNTV_CTL_EL02);
}

/*
 * The guest's EL1 registers that the VHE host never uses (its own
 * accesses to the *_EL1 names reach the *_EL2 registers, Arm ARM D5.6)
 * stay in the hardware from the first entry of a KVM_RUN until it
 * returns, the thread is switched out (the preempt notifier, el2.c), or
 * an exit handler needs them in memory (a64_inject_sync()): loaded once,
 * not at every entry and exit.  KVM in VHE mode does the same
 * (kvm_vcpu_load_sysregs_vhe()).  @el1_loaded says they are in this
 * CPU's registers and v->sys[] is stale.
 */
static void a64_el1_load(struct a64_vcpu *v)
{
	const u64 *s = v->sys;

	write_sysreg_s(s[SYS_R_SCTLR], SYS_SCTLR_EL12);
	write_sysreg_s(s[SYS_R_CPACR], SYS_CPACR_EL12);
	write_sysreg_s(s[SYS_R_TTBR0], SYS_TTBR0_EL12);
	write_sysreg_s(s[SYS_R_TTBR1], SYS_TTBR1_EL12);
	write_sysreg_s(s[SYS_R_TCR], SYS_TCR_EL12);
	write_sysreg_s(s[SYS_R_ESR], SYS_ESR_EL12);
	write_sysreg_s(s[SYS_R_AFSR0], SYS_AFSR0_EL12);
	write_sysreg_s(s[SYS_R_AFSR1], SYS_AFSR1_EL12);
	write_sysreg_s(s[SYS_R_FAR], SYS_FAR_EL12);
	write_sysreg_s(s[SYS_R_MAIR], SYS_MAIR_EL12);
	write_sysreg_s(s[SYS_R_AMAIR], SYS_AMAIR_EL12);
	write_sysreg_s(s[SYS_R_VBAR], SYS_VBAR_EL12);
	write_sysreg_s(s[SYS_R_CONTEXTIDR], SYS_CONTEXTIDR_EL12);
	write_sysreg_s(s[SYS_R_CNTKCTL], SYS_CNTKCTL_EL12);
	write_sysreg(s[SYS_R_TPIDR_EL1], tpidr_el1);
	write_sysreg(v->sp_el1, sp_el1);
	write_sysreg_s(v->elr_el1, SYS_ELR_EL12);
	write_sysreg_s(v->spsr_el1, SYS_SPSR_EL12);
	v->el1_loaded = true;
}

/* Back into memory, if loaded (on this CPU: the notifier puts them first). */
void a64_el1_put(struct a64_vcpu *v)
{
	u64 *s = v->sys;

	preempt_disable();
	if (v->el1_loaded) {
		s[SYS_R_SCTLR] = read_sysreg_s(SYS_SCTLR_EL12);
		s[SYS_R_CPACR] = read_sysreg_s(SYS_CPACR_EL12);
		s[SYS_R_TTBR0] = read_sysreg_s(SYS_TTBR0_EL12);
		s[SYS_R_TTBR1] = read_sysreg_s(SYS_TTBR1_EL12);
		s[SYS_R_TCR] = read_sysreg_s(SYS_TCR_EL12);
		s[SYS_R_ESR] = read_sysreg_s(SYS_ESR_EL12);
		s[SYS_R_AFSR0] = read_sysreg_s(SYS_AFSR0_EL12);
		s[SYS_R_AFSR1] = read_sysreg_s(SYS_AFSR1_EL12);
		s[SYS_R_FAR] = read_sysreg_s(SYS_FAR_EL12);
		s[SYS_R_MAIR] = read_sysreg_s(SYS_MAIR_EL12);
		s[SYS_R_AMAIR] = read_sysreg_s(SYS_AMAIR_EL12);
		s[SYS_R_VBAR] = read_sysreg_s(SYS_VBAR_EL12);
		s[SYS_R_CONTEXTIDR] = read_sysreg_s(SYS_CONTEXTIDR_EL12);
		s[SYS_R_CNTKCTL] = read_sysreg_s(SYS_CNTKCTL_EL12);
		s[SYS_R_TPIDR_EL1] = read_sysreg(tpidr_el1);
		v->sp_el1 = read_sysreg(sp_el1);
		v->elr_el1 = read_sysreg_s(SYS_ELR_EL12);
		v->spsr_el1 = read_sysreg_s(SYS_SPSR_EL12);
		v->el1_loaded = false;
	}
	preempt_enable();
}

/*
 * What the host itself uses is switched at every entry and exit: the EL0
 * thread registers, PAR_EL1 (which the host's AT instructions write at
 * EL2 too), CSSELR_EL1 and MDSCR_EL1 (not redirected by E2H), and the
 * virtual timer, which must not fire while the host runs.
 */
static void a64_load_guest_el1(struct a64_vcpu *v)
{
	const u64 *s = v->sys;

	if (!v->el1_loaded)
		a64_el1_load(v);
	write_sysreg(s[SYS_R_TPIDR_EL0], tpidr_el0);
	write_sysreg(s[SYS_R_TPIDRRO_EL0], tpidrro_el0);
	write_sysreg(s[SYS_R_PAR], par_el1);
	write_sysreg(s[SYS_R_CSSELR], csselr_el1);
	write_sysreg(s[SYS_R_MDSCR], mdscr_el1);
	a64_load_guest_timer(v);
}

static void a64_save_guest_el1(struct a64_vcpu *v)
{
	u64 *s = v->sys;

	s[SYS_R_TPIDR_EL0] = read_sysreg(tpidr_el0);
	s[SYS_R_TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
	s[SYS_R_PAR] = read_sysreg(par_el1);
	s[SYS_R_CSSELR] = read_sysreg(csselr_el1);
	s[SYS_R_MDSCR] = read_sysreg(mdscr_el1);
	a64_save_guest_timer(v);
}

/*
 * ICH_LR<n>_EL2 (IHI 0069 12.5.10) and the active-priority registers
 * ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2 (12.5.1, 12.5.2) by number: MRS and
 * MSR name their register in the instruction.
 */
static u64 a64_read_lr(unsigned int n)
{
	switch (n) {
	case 0:
		return read_sysreg_s(__SYS__LR0_EL2(0));
	case 1:
		return read_sysreg_s(__SYS__LR0_EL2(1));
	case 2:
		return read_sysreg_s(__SYS__LR0_EL2(2));
	case 3:
		return read_sysreg_s(__SYS__LR0_EL2(3));
	case 4:
		return read_sysreg_s(__SYS__LR0_EL2(4));
	case 5:
		return read_sysreg_s(__SYS__LR0_EL2(5));
	case 6:
		return read_sysreg_s(__SYS__LR0_EL2(6));
	case 7:
		return read_sysreg_s(__SYS__LR0_EL2(7));
	case 8:
		return read_sysreg_s(__SYS__LR8_EL2(0));
	case 9:
		return read_sysreg_s(__SYS__LR8_EL2(1));
	case 10:
		return read_sysreg_s(__SYS__LR8_EL2(2));
	case 11:
		return read_sysreg_s(__SYS__LR8_EL2(3));
	case 12:
		return read_sysreg_s(__SYS__LR8_EL2(4));
	case 13:
		return read_sysreg_s(__SYS__LR8_EL2(5));
	case 14:
		return read_sysreg_s(__SYS__LR8_EL2(6));
	case 15:
		return read_sysreg_s(__SYS__LR8_EL2(7));
	}
	return 0;
}

static void a64_write_lr(unsigned int n, u64 val)
{
	switch (n) {
	case 0:
		write_sysreg_s(val, __SYS__LR0_EL2(0));
		break;
	case 1:
		write_sysreg_s(val, __SYS__LR0_EL2(1));
		break;
	case 2:
		write_sysreg_s(val, __SYS__LR0_EL2(2));
		break;
	case 3:
		write_sysreg_s(val, __SYS__LR0_EL2(3));
		break;
	case 4:
		write_sysreg_s(val, __SYS__LR0_EL2(4));
		break;
	case 5:
		write_sysreg_s(val, __SYS__LR0_EL2(5));
		break;
	case 6:
		write_sysreg_s(val, __SYS__LR0_EL2(6));
		break;
	case 7:
		write_sysreg_s(val, __SYS__LR0_EL2(7));
		break;
	case 8:
		write_sysreg_s(val, __SYS__LR8_EL2(0));
		break;
	case 9:
		write_sysreg_s(val, __SYS__LR8_EL2(1));
		break;
	case 10:
		write_sysreg_s(val, __SYS__LR8_EL2(2));
		break;
	case 11:
		write_sysreg_s(val, __SYS__LR8_EL2(3));
		break;
	case 12:
		write_sysreg_s(val, __SYS__LR8_EL2(4));
		break;
	case 13:
		write_sysreg_s(val, __SYS__LR8_EL2(5));
		break;
	case 14:
		write_sysreg_s(val, __SYS__LR8_EL2(6));
		break;
	case 15:
		write_sysreg_s(val, __SYS__LR8_EL2(7));
		break;
	}
}

static u64 a64_read_apr(unsigned int group, unsigned int n)
{
	if (group) {
		switch (n) {
		case 0:
			return read_sysreg_s(__SYS__AP1Rx_EL2(0));
		case 1:
			return read_sysreg_s(__SYS__AP1Rx_EL2(1));
		case 2:
			return read_sysreg_s(__SYS__AP1Rx_EL2(2));
		case 3:
			return read_sysreg_s(__SYS__AP1Rx_EL2(3));
		}
	}
	switch (n) {
	case 0:
		return read_sysreg_s(__SYS__AP0Rx_EL2(0));
	case 1:
		return read_sysreg_s(__SYS__AP0Rx_EL2(1));
	case 2:
		return read_sysreg_s(__SYS__AP0Rx_EL2(2));
	case 3:
		return read_sysreg_s(__SYS__AP0Rx_EL2(3));
	}
	return 0;
}

static void a64_write_apr(unsigned int group, unsigned int n, u64 val)
{
	if (group) {
		switch (n) {
		case 0:
			write_sysreg_s(val, __SYS__AP1Rx_EL2(0));
			break;
		case 1:
			write_sysreg_s(val, __SYS__AP1Rx_EL2(1));
			break;
		case 2:
			write_sysreg_s(val, __SYS__AP1Rx_EL2(2));
			break;
		case 3:
			write_sysreg_s(val, __SYS__AP1Rx_EL2(3));
			break;
		}
		return;
	}
	switch (n) {
	case 0:
		write_sysreg_s(val, __SYS__AP0Rx_EL2(0));
		break;
	case 1:
		write_sysreg_s(val, __SYS__AP0Rx_EL2(1));
		break;
	case 2:
		write_sysreg_s(val, __SYS__AP0Rx_EL2(2));
		break;
	case 3:
		write_sysreg_s(val, __SYS__AP0Rx_EL2(3));
		break;
	}
}

/*
 * ICH_VTR_EL2.PREbits (28:26) + 1 preemption bits: 5 use one register of
 * each group, 6 two, 7 four (IHI 0069 12.5.1).
 */
static unsigned int a64_nr_aprs(void)
{
	return 1U << (((read_sysreg_s(SYS_ICH_VTR_EL2) >> 26) & 7) + 1 - 5);
}

/*
 * The GIC's virtual CPU interface for the guest (IHI 0069 11.1-11.2),
 * after the host's values are saved: ICC_SRE_EL2.Enable clear, so that
 * the guest's ICC_SRE_EL1 accesses trap (hvx says SRE is on and fixed,
 * as KVM); the guest's VMCR, active priorities and list registers (all of
 * them, so that none the host left is seen by the guest).
 */
static void a64_load_guest_gic(struct a64_vcpu *v, struct a64_host *h)
{
	unsigned int i, n = a64_nr_aprs();

	h->icc_sre = read_sysreg_s(SYS_ICC_SRE_EL2);
	write_sysreg_s(h->icc_sre & ~ICC_SRE_EL2_ENABLE, SYS_ICC_SRE_EL2);
	h->ich_vmcr = read_sysreg_s(SYS_ICH_VMCR_EL2);
	write_sysreg_s(v->gic.vmcr, SYS_ICH_VMCR_EL2);
	for (i = 0; i < n; i++) {
		h->ich_ap0r[i] = a64_read_apr(0, i);
		h->ich_ap1r[i] = a64_read_apr(1, i);
		a64_write_apr(0, i, v->gic.ap0r[i]);
		a64_write_apr(1, i, v->gic.ap1r[i]);
	}
	for (i = 0; i < a64_gic_nr_lrs; i++) {
		h->ich_lr[i] = a64_read_lr(i);
		a64_write_lr(i, v->gic.lr[i]);
	}
}

/* After the exit: the CPU interface disabled first, then read back. */
static void a64_save_guest_gic(struct a64_vcpu *v, const struct a64_host *h)
{
	unsigned int i, n = a64_nr_aprs();

	write_sysreg_s(0, SYS_ICH_HCR_EL2);
	isb();
	for (i = 0; i < a64_gic_nr_lrs; i++) {
		if (i < v->gic.nr_used)
			v->gic.lr[i] = a64_read_lr(i);
		a64_write_lr(i, h->ich_lr[i]);
	}
	for (i = 0; i < n; i++) {
		v->gic.ap0r[i] = a64_read_apr(0, i);
		v->gic.ap1r[i] = a64_read_apr(1, i);
		a64_write_apr(0, i, h->ich_ap0r[i]);
		a64_write_apr(1, i, h->ich_ap1r[i]);
	}
	v->gic.vmcr = read_sysreg_s(SYS_ICH_VMCR_EL2);
	write_sysreg_s(h->ich_vmcr, SYS_ICH_VMCR_EL2);
	write_sysreg_s(h->icc_sre, SYS_ICC_SRE_EL2);
}

static void a64_load_guest_el2(const struct a64_vcpu *v,
			       const struct a64_host *h)
{
	const struct a64_vm *vm = a64_vm((struct a64_vcpu *)v);

	write_sysreg(vm->vtcr, vtcr_el2);
	write_sysreg(vm->vttbr, vttbr_el2);
	write_sysreg((h->mdcr & MDCR_EL2_HPMN_MASK) | A64_MDCR_GUEST,
		     mdcr_el2);
	write_sysreg(A64_CPTR_GUEST | (v->fp_live ? A64_CPTR_GUEST_FP : 0),
		     cpacr_el1);
	write_sysreg(A64_CNTHCTL_GUEST, cnthctl_el2);
	write_sysreg(a64_cntvoff(v), cntvoff_el2);
	write_sysreg(read_cpuid_id(), vpidr_el2);
	write_sysreg(v->mpidr, vmpidr_el2);
	if (a64_vm((struct a64_vcpu *)v)->vgic)
		write_sysreg_s(A64_ICH_HCR_VGIC, SYS_ICH_HCR_EL2);
	else if (a64_gic_sysregs)
		write_sysreg_s(A64_ICH_HCR_GUEST, SYS_ICH_HCR_EL2);
	write_sysreg(v->pc, elr_el2);
	write_sysreg(v->pstate, spsr_el2);
	if (v->serror_pending && a64_has_ras)
		write_sysreg_s(A64_VSESR, SYS_VSESR_EL2);
	/* TGE clear from here on: the EL1&0 regime is the guest's. */
	write_sysreg(a64_guest_hcr(v), hcr_el2);
	isb();
}

/*
 * What the exit leaves for the exit handlers besides the syndrome: the
 * hardware clears HCR_EL2.VSE once the guest has taken its virtual SError
 * (Arm ARM, "Virtual interrupts"); and with FEAT_RAS the ESB at hvx's
 * vectors defers into DISR_EL1 an SError that was pending when the guest
 * exited for another reason (Arm ARM, "Error Synchronization Barrier"),
 * which is the guest's, as KVM takes it.
 */
static void a64_save_guest_errors(struct a64_vcpu *v)
{
	if (v->serror_pending)
		v->serror_pending = read_sysreg(hcr_el2) & HCR_VSE;
	if (a64_has_ras) {
		v->disr = read_sysreg_s(SYS_DISR_EL1);
		if (v->disr)
			write_sysreg_s(0, SYS_DISR_EL1);
	}
}

/*
 * Enter the guest unless the host has an interrupt or an SError pending
 * (ISR_EL1, read at EL2: the physical ones), which the guest would only
 * take straight back to EL2, and an SError would look like the guest's:
 * the host takes it first, after the switch, as KVM's __guest_enter does.
 * The TLB flush (or its barriers alone) before this ended with DSB and
 * ISB, which make an SError of the host's earlier accesses visible (Arm
 * ARM, "ISR_EL1").
 */
static u64 a64_run(struct a64_vcpu *v, u64 x18[2])
{
	if (read_sysreg(isr_el1)) {
		x18[0] = 0;
		x18[1] = 0;
		return A64_EXIT_IRQ;
	}
	return __hvx_el2_run_x18(&v->gprs, x18);
}

/*
 * The TLB entries of a VMID (Arm ARM D8.13) on this CPU.  KVM shares EL2
 * with hvx and hands out VMIDs of its own, so a VMID of hvx's may be a
 * KVM guest's too: neither may find the other's translations.  Only a
 * guest's execution fills the TLB for its VMID, and a KVM guest can run
 * on this CPU only after this thread left it, by a context switch or by
 * returning from KVM_RUN.  So the entries stay across the exits of one
 * KVM_RUN; before an entry this CPU's are dropped unless they are known
 * to be this guest's alone (a64_flush_before_entry()), and when the
 * thread leaves the CPU its guest's are (a64_tlb_put()).  A change of the
 * stage-2 tables moves the VM's tlb_gen (hvx_vm_flush_tlbs(), which
 * also brings every vCPU out of the guest), and each vCPU drops its
 * entries before its next entry; a permission the guest faulted on is
 * relaxed the same way (a64_tlb_stale()).
 * Needs the VM's VTTBR_EL2 and HCR_EL2.TGE clear.
 */
static void a64_flush_guest_tlb(void)
{
	dsb(nshst);
	__tlbi(vmalls12e1);
	dsb(nsh);
	isb();
}

static unsigned long a64_switches(void)
{
	return current->nvcsw + current->nivcsw;
}

/*
 * Before an entry, interrupts masked, after vcpu->mode says "in the
 * guest" (which hvx_vm_flush_tlbs() reads after moving tlb_gen).
 */
static void a64_flush_before_entry(struct a64_vcpu *v)
{
	s64 gen = atomic64_read(&v->vcpu->vm->tlb_gen);

	if (!v->tlb_clean || v->tlb_clean_cpu != smp_processor_id() ||
	    v->tlb_clean_switches != a64_switches() || v->tlb_gen != gen) {
		a64_flush_guest_tlb();
		v->tlb_clean = true;
		v->tlb_clean_cpu = smp_processor_id();
		v->tlb_clean_switches = a64_switches();
		v->tlb_gen = gen;
	} else {
		/* The flush's barriers, which a64_run() relies on. */
		dsb(nsh);
		isb();
	}
	v->tlb_dirty = true;
}

/*
 * The thread leaves the CPU (switched out, or KVM_RUN returns), with
 * preemption off: the guest's entries go.  The TLBI names the VMID in
 * VTTBR_EL2 only with HCR_EL2.TGE clear, so both are the guest's for it,
 * interrupts masked meanwhile, as KVM's __tlb_switch_to_guest() does.
 */
void a64_tlb_put(struct a64_vcpu *v)
{
	const struct a64_vm *avm = a64_vm(v);
	unsigned long flags;
	u64 hcr, vttbr, vtcr;

	if (!v->tlb_dirty)
		return;
	local_irq_save(flags);
	hcr = read_sysreg(hcr_el2);
	vttbr = read_sysreg(vttbr_el2);
	vtcr = read_sysreg(vtcr_el2);
	write_sysreg(avm->vtcr, vtcr_el2);
	write_sysreg(avm->vttbr, vttbr_el2);
	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	a64_flush_guest_tlb();
	write_sysreg(hcr, hcr_el2);
	write_sysreg(vtcr, vtcr_el2);
	write_sysreg(vttbr, vttbr_el2);
	isb();
	local_irq_restore(flags);
	v->tlb_dirty = false;
	v->tlb_clean = false;
}

/*
 * A stage-2 fault was fixed in the tables (a page mapped, made writable):
 * a TLB may keep a translation that gave a Permission fault (Arm ARM,
 * "Translation Lookaside Buffers"), so the next entry flushes first.
 */
void a64_tlb_stale(struct a64_vcpu *v)
{
	v->tlb_clean = false;
}

/*
 * PSTATE.PAN as MRS reads it (Arm ARM, "PAN, Privileged Access Never"):
 * bit 22, as in SPSR.
 */
#define A64_SYS_PAN	sys_reg(3, 0, 4, 2, 3)

/*
 * What the host must find as it left it after the world switch, checked
 * at every exit (a few instructions): X18 (the host's value just before
 * and just after the call into entry.S), the shadow call stack pointer of
 * a kernel built with CONFIG_SHADOW_CALL_STACK, through which a guest
 * could redirect the host's returns; and PSTATE.PAN, which an exception
 * taken to EL2 with HCR_EL2.TGE clear leaves as the guest had it (Arm ARM,
 * AArch64.TakeException(): PAN is set on entry only to EL1, or to EL2 with
 * E2H and TGE set), so that the host would run on with user memory open
 * to every access.
 * Returns 0, or -EIO after one log line.
 */
static int a64_check_host(struct a64_vcpu *v, const u64 x18[2], u64 pan)
{
	if (unlikely(x18[0] != x18[1])) {
		pr_err_ratelimited("vCPU %u: the host's X18 changed across the world switch (%#llx, then %#llx)\n",
				   v->vcpu->id, x18[0], x18[1]);
		return -EIO;
	}
	if (unlikely(system_uses_hw_pan() && !(pan & PSR_PAN_BIT))) {
		pr_err_ratelimited("vCPU %u: the host came back from the guest with PSTATE.PAN clear\n",
				   v->vcpu->id);
		return -EIO;
	}
	return 0;
}

/*
 * The switch runs with every exception masked in PSTATE.DAIF, from before
 * the first EL2 register changes to after the last is put back.
 * local_irq_save() is not enough on a kernel with pseudo-NMIs
 * (CONFIG_ARM64_PSEUDO_NMI): there it only raises the GIC's priority mask
 * (ICC_PMR_EL1, GICv3 architecture specification), which would then stay
 * raised while the guest runs, so that no host interrupt could end a
 * spinning guest, and an NMI could still be taken between the writes of
 * ELR_EL2, SPSR_EL2 and HCR_EL2 and the ERET, returning to host code with
 * the guest's state.  local_daif_mask() masks DAIF and opens the priority
 * mask to every interrupt (as KVM's VHE run path does): pending host
 * interrupts then exit the guest, which takes them to EL2 whatever the
 * host's PSTATE (Arm ARM D1.3.6).  pmr_sync() makes the GIC see the new
 * mask before the guest runs; local_daif_restore() puts back the state of
 * local_irq_save(): interrupts masked by DAIF or by the priority mask.
 *
 * Returns 0, or -EIO when a64_check_host() finds the host's state changed.
 */
static int a64_world_switch(struct a64_vcpu *v, u64 *code)
{
	bool gic = a64_vm(v)->vgic && a64_vm(v)->vgic->ready;
	struct a64_host h;
	u64 x18[2], pan;

	local_daif_mask();
	pmr_sync();
	a64_save_host(&h);
	if (gic)
		a64_load_guest_gic(v, &h);
	a64_load_guest_el1(v);
	a64_load_guest_el2(v, &h);
	a64_flush_before_entry(v);

	*code = a64_run(v, x18);
	pan = system_uses_hw_pan() ? read_sysreg_s(A64_SYS_PAN) : 0;
	a64_save_guest_errors(v);

	v->esr = read_sysreg(esr_el2);
	v->far = read_sysreg(far_el2);
	v->hpfar = read_sysreg(hpfar_el2);
	v->pc = read_sysreg(elr_el2);
	v->pstate = read_sysreg(spsr_el2);
	a64_save_guest_el1(v);
	if (gic)
		a64_save_guest_gic(v, &h);
	a64_load_host(&h);
	local_daif_restore(DAIF_PROCCTX_NOIRQ);
	return a64_check_host(v, x18, pan);
}

/*
 * The virtual timer's output (Arm ARM D11.2.4: enabled, not masked and
 * CNTVCT - CNTVOFF >= CVAL) is the level of its PPI at the virtual GIC.
 * Returns the nanoseconds to its deadline while it is armed and has not
 * fired, else 0.
 */
static u64 a64_vgic_timer(struct a64_vcpu *v)
{
	u64 ctl = v->sys[SYS_R_CNTV_CTL], cval = v->sys[SYS_R_CNTV_CVAL];
	u64 now = read_sysreg(cntpct_el0) - a64_cntvoff(v);
	bool armed = (ctl & ARCH_TIMER_CTRL_ENABLE) &&
		     !(ctl & ARCH_TIMER_CTRL_IT_MASK);

	a64_vgic_timer_line(v, armed && cval <= now);
	if (!armed || cval <= now)
		return 0;
	return mul_u64_u32_div(cval - now, NSEC_PER_SEC,
			       read_sysreg(cntfrq_el0));
}

#define A64_ENTRY_RULES	"Arm ARM D1, Illegal return events from AArch64 state"

/*
 * The ERET into the guest takes PSTATE from SPSR_EL2; it must be a legal
 * exception return to EL1 or EL0 in AArch64 (A64_ENTRY_RULES).  An
 * illegal one leaves the PE at EL2 with PSTATE.IL set, and EL2 would then
 * take the guest's first instruction as its own Illegal Execution state
 * exception.  KVM_SET_ONE_REG admits only EL0t, EL1t and EL1h (regs.c),
 * as KVM does; this catches any other way in.  Returns the rule, or NULL.
 */
static const char *a64_check_entry(u64 spsr)
{
	u64 m = spsr & PSR_MODE_MASK;

	if (spsr & PSR_MODE32_BIT)
		return "SPSR_EL2.M[4] set: a return to AArch32, with HCR_EL2.RW set";
	if (m & 2)
		return "SPSR_EL2.M[1] set: a reserved mode";
	if (m == PSR_MODE_EL3t || m == PSR_MODE_EL3h)
		return "SPSR_EL2.M is EL3: a return to a higher Exception level";
	if (m == PSR_MODE_EL2t || m == PSR_MODE_EL2h)
		return "SPSR_EL2.M is EL2: the guest would run at hvx's own level";
	if (m == 1)
		return "SPSR_EL2.M is 0b0001: EL0 with SP_EL1, a reserved mode";
	return NULL;
}

static int a64_refuse_entry(struct a64_vcpu *v, const char *why)
{
	struct kvm_run *run = v->vcpu->run;

	pr_info_ratelimited("vCPU %u: VM entry refused: %s (%s)\n",
			    v->vcpu->id, why, A64_ENTRY_RULES);
	v->vcpu->entry_failure = why;
	v->vcpu->entry_failure_ref = A64_ENTRY_RULES;
	hvx_stat(v->vcpu, HVX_STAT_FAIL_ENTRY);
	a64_exit_to_user(v, KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason = v->pstate;
	run->fail_entry.cpu = raw_smp_processor_id();
	return 0;
}

/*
 * Whether this entry gives the guest its FP/SIMD registers: for the
 * A64_FP_EAGER entries after an FP trap (exit.c), as a guest that used
 * them once is likely to again; otherwise they stay the task's and the
 * guest's first FP or SIMD instruction traps.  A guest that does not use
 * them (most of hvx's tests, a kernel in a busy exit loop) so costs no FP
 * switch at all, as on KVM, which loads them only on that trap.
 */
static bool a64_fp_wanted(struct a64_vcpu *v)
{
	if (!v->fp_eager)
		return false;
	v->fp_eager--;
	return true;
}

/*
 * Run the guest once.  The FP/SIMD registers, when the guest has them
 * (a64_fp_wanted()), are the guest's between kernel_neon_begin() and
 * kernel_neon_end(), which save the task's own state (and its SVE state)
 * first; interrupts are off for the switch itself.  With a virtual GIC the list registers are filled first, and
 * the entry is skipped if an interrupt for this vCPU came meanwhile
 * (a64_vgic_kick() sets @kicked before it looks at the mode).  Returns 1
 * to go on, 0 to return to user space, or -errno.
 */
int a64_enter(struct a64_vcpu *v)
{
	struct hvx_vcpu *vcpu = v->vcpu;
	struct a64_vgic *gic = a64_vm(v)->vgic;
	const char *bad = a64_check_entry(v->pstate);
	unsigned long flags;
	u64 code, timer = 0;
	int r;

	if (bad)
		return a64_refuse_entry(v, bad);
	if (gic) {
		timer = a64_ptimer_sync(v, a64_vgic_timer(v));
		a64_vgic_flush(v);
	}
	v->fp_live = a64_fp_wanted(v);
	if (v->fp_live) {
		kernel_neon_begin();
		__hvx_fpsimd_load(&v->fp);
	}
	local_irq_save(flags);
	/*
	 * A timer armed but not fired: a host hrtimer at its deadline, on
	 * this CPU (interrupts are off), brings the guest out in time for
	 * the PPI to be raised at the next entry.
	 */
	if (timer)
		hrtimer_start(&v->timer, ns_to_ktime(timer),
			      HRTIMER_MODE_REL_PINNED_HARD);
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	hvx_stats_enter(vcpu);
	/* Pairs with hvx_vm_flush_tlbs(): cpu before mode, mode before TLBI. */
	smp_store_mb(vcpu->mode, HVX_IN_GUEST);
	if (gic && READ_ONCE(v->kicked)) {
		r = 0;
		code = A64_EXIT_IRQ;
	} else {
		r = a64_world_switch(v, &code);
	}
	WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
	hvx_stats_exit(vcpu);
	local_irq_restore(flags);
	if (v->fp_live) {
		__hvx_fpsimd_save(&v->fp);
		kernel_neon_end();
		v->fp_live = false;
	}
	if (timer)
		hrtimer_cancel(&v->timer);
	if (gic)
		a64_vgic_fold(v);
	if (r)
		return r;
	return a64_handle_exit(v, code);
}

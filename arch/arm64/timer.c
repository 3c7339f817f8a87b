// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the guest's EL1 physical timer (Arm ARM D11.2, "The
 * Generic Timer in AArch64 state"), emulated.  CNTHCTL_EL2.EL1PCEN is
 * clear while a guest runs (switch.c), so its accesses to CNTP_CTL_EL0,
 * CNTP_CVAL_EL0 and CNTP_TVAL_EL0 trap to EL2 (EC 0x18) and land here;
 * CNTPCT_EL0 stays readable (EL1PCTEN).  The timer counts the physical
 * count with no offset, as KVM's: its condition is met when
 * CNTPCT >= CVAL (D11.2.4), and while it is enabled and not masked its
 * output is the level of its PPI (30 unless KVM_ARM_VCPU_TIMER_CTRL says
 * otherwise) at the virtual GIC.  The virtual timer is the guest's own,
 * in hardware (switch.c).
 */
#include <linux/math64.h>
#include <asm/arch_timer.h>
#include <asm/sysreg.h>

#include "arm64.h"

/*
 * The ISS of a trapped MRS/MSR (D17.2.37, EC 0x18) naming a physical
 * timer register: op0 3, op1 3, CRn 14, CRm 2, op2 @op2.
 */
#define A64_CNTP_ENC(op2) \
	((3 << 20) | ((op2) << 17) | (3 << 14) | (14 << 10) | (2 << 1))

/* The physical count the guest sees (D11.2.1: no CNTPOFF here). */
static u64 a64_ptimer_now(void)
{
	return read_sysreg(cntpct_el0);
}

static bool a64_ptimer_met(const struct a64_vcpu *v, u64 now)
{
	return (v->cntp_ctl & ARCH_TIMER_CTRL_ENABLE) && v->cntp_cval <= now;
}

/*
 * A trapped access to the physical timer's registers (D11.2.4): CTL's
 * ISTATUS (bit 2) reads the condition; TVAL reads CVAL - CNTPCT as a
 * signed 32-bit value and a write sets CVAL to CNTPCT plus the value,
 * sign-extended.  Returns false for any other register.
 */
bool a64_ptimer_sysreg(struct a64_vcpu *v, u32 enc, bool read, u64 *val)
{
	u64 now = a64_ptimer_now();

	switch (enc) {
	case A64_CNTP_ENC(1):	/* CNTP_CTL_EL0 */
		if (!read) {
			v->cntp_ctl = *val & (ARCH_TIMER_CTRL_ENABLE |
					      ARCH_TIMER_CTRL_IT_MASK);
			break;
		}
		*val = v->cntp_ctl;
		if (a64_ptimer_met(v, now))
			*val |= ARCH_TIMER_CTRL_IT_STAT;
		break;
	case A64_CNTP_ENC(2):	/* CNTP_CVAL_EL0 */
		if (read)
			*val = v->cntp_cval;
		else
			v->cntp_cval = *val;
		break;
	case A64_CNTP_ENC(0):	/* CNTP_TVAL_EL0 */
		if (read)
			*val = (u32)(v->cntp_cval - now);
		else
			v->cntp_cval = now + (s64)(s32)*val;
		break;
	default:
		return false;
	}
	return true;
}

/* Nanoseconds from CNTVCT or CNTPCT @now to @cval. */
static u64 a64_timer_ns(u64 cval, u64 now)
{
	return mul_u64_u32_div(cval - now, NSEC_PER_SEC,
			       read_sysreg(cntfrq_el0));
}

/*
 * Before an entry: the physical timer's output to its PPI.  Returns the
 * nanoseconds to its deadline while it is armed and has not fired, else
 * @vtimer_ns (the virtual timer's, 0 if none): whichever comes first.
 */
u64 a64_ptimer_sync(struct a64_vcpu *v, u64 vtimer_ns)
{
	u64 now = a64_ptimer_now(), ns;
	bool armed = (v->cntp_ctl & ARCH_TIMER_CTRL_ENABLE) &&
		     !(v->cntp_ctl & ARCH_TIMER_CTRL_IT_MASK);

	a64_vgic_ppi_line(v, a64_timer_ppi(a64_vm(v), A64_TIMER_PHYS),
			  armed && v->cntp_cval <= now);
	if (!armed || v->cntp_cval <= now)
		return vtimer_ns;
	ns = max(a64_timer_ns(v->cntp_cval, now), 1ULL);
	return vtimer_ns ? min(vtimer_ns, ns) : ns;
}

/*
 * For WFI: nanoseconds until the first armed timer (enabled, not masked)
 * fires, 0 if one already has, U64_MAX if none is armed.
 */
u64 a64_timers_next(struct a64_vcpu *v)
{
	u64 ctl = v->sys[SYS_R_CNTV_CTL], now, next = U64_MAX;

	if ((ctl & ARCH_TIMER_CTRL_ENABLE) && !(ctl & ARCH_TIMER_CTRL_IT_MASK)) {
		now = read_sysreg(cntpct_el0) - a64_cntvoff(v);
		if (v->sys[SYS_R_CNTV_CVAL] <= now)
			return 0;
		next = a64_timer_ns(v->sys[SYS_R_CNTV_CVAL], now);
	}
	ctl = v->cntp_ctl;
	if ((ctl & ARCH_TIMER_CTRL_ENABLE) && !(ctl & ARCH_TIMER_CTRL_IT_MASK)) {
		now = a64_ptimer_now();
		if (v->cntp_cval <= now)
			return 0;
		next = min(next, a64_timer_ns(v->cntp_cval, now));
	}
	return next;
}

/* The PPI of timer @which (A64_TIMER_VIRT, _PHYS): KVM's defaults. */
u32 a64_timer_ppi(const struct a64_vm *avm, unsigned int which)
{
	if (avm->timer_ppi[which])
		return avm->timer_ppi[which];
	return which == A64_TIMER_VIRT ? A64_GIC_VTIMER_PPI :
					 A64_GIC_PTIMER_PPI;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the local APIC's timer (Intel SDM Vol. 3A 11.5.4), on an
 * hrtimer that runs on while the vCPU sleeps or is descheduled.
 *
 * The initial count register counts down at the bus clock divided by the
 * divide configuration; the bus runs at 1 GHz here, as in KVM, so a count
 * is a nanosecond times the divisor.  One-shot and periodic mode count
 * from the initial count, TSC-deadline mode fires when the guest's TSC
 * reaches IA32_TSC_DEADLINE.  The APIC's lock covers this state.
 */
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "x86.h"

#define X86_APIC_MIN_PERIOD_NS	200000	/* KVM's shortest periodic timer */

u32 x86_apic_timer_mode(struct x86_lapic *a)
{
	return x86_apic_reg(a, APIC_LVTT) & X86_APIC_TIMER_MODE;
}

/* Divide configuration (SDM figure 11-10): bits 3, 1:0; 111b is 1. */
static u32 apic_divisor(struct x86_lapic *a)
{
	u32 dcr = x86_apic_reg(a, APIC_TDCR);
	u32 v = (dcr & 3) | ((dcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

/* Nanoseconds of @count bus clocks divided down (a 1 GHz bus). */
static u64 apic_count_ns(struct x86_lapic *a, u64 count)
{
	return count * apic_divisor(a);
}

static void apic_timer_fire(struct x86_lapic *a)
{
	u32 lvtt = x86_apic_reg(a, APIC_LVTT);

	if (x86_apic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		a->tsc_deadline = 0;
	if (x86_apic_timer_mode(a) != APIC_LVT_TIMER_PERIODIC)
		a->deadline = 0;
	if (!(lvtt & X86_APIC_LVT_MASKED))
		x86_apic_accept(a, APIC_DM_FIXED, lvtt & APIC_VECTOR_MASK, false);
}

enum hrtimer_restart x86_apic_timer_fn(struct hrtimer *t)
{
	struct x86_lapic *a = container_of(t, struct x86_lapic, timer);
	enum hrtimer_restart r = HRTIMER_NORESTART;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	/* Stopped or restarted while this callback waited for the lock. */
	if (!a->deadline || ktime_before(ktime_get(), a->deadline)) {
		spin_unlock_irqrestore(&a->lock, flags);
		return r;
	}
	apic_timer_fire(a);
	if (x86_apic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC && a->period_ns) {
		a->deadline = ktime_add_ns(a->deadline, a->period_ns);
		hrtimer_set_expires(t, a->deadline);
		r = HRTIMER_RESTART;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	return r;
}

/* Lock held: hrtimer_try_to_cancel() does not wait for the callback. */
void x86_apic_timer_stop(struct x86_lapic *a)
{
	hrtimer_try_to_cancel(&a->timer);
	a->period_ns = 0;
	a->deadline = 0;
}

/* Fire in @ns nanoseconds. */
static void apic_timer_arm(struct x86_lapic *a, u64 ns)
{
	a->deadline = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&a->timer, a->deadline, HRTIMER_MODE_ABS);
}

/*
 * One-shot or periodic: count down from @first (the initial count, or
 * what KVM_SET_LAPIC says was left), then, if periodic, from the
 * initial count again.
 */
void x86_apic_timer_start(struct x86_lapic *a, u32 first)
{
	u32 count = x86_apic_reg(a, APIC_TMICT);
	u64 ns;

	x86_apic_timer_stop(a);
	if (!count || !first ||
	    x86_apic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	ns = apic_count_ns(a, first);
	if (x86_apic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC) {
		a->period_ns = max_t(u64, apic_count_ns(a, count),
				     X86_APIC_MIN_PERIOD_NS);
		ns = min(ns, a->period_ns);
	}
	apic_timer_arm(a, ns);
}

/*
 * The current count register: what remains of this period.  In periodic
 * mode the count reloads from the initial count as it reaches zero (SDM
 * 11.5.4), so a deadline the hrtimer has not caught up with yet (its
 * callback runs late on a busy host) means a later period has begun.
 */
u32 x86_apic_timer_ccr(struct x86_lapic *a)
{
	s64 left;

	if (!a->deadline || x86_apic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	left = ktime_to_ns(ktime_sub(a->deadline, ktime_get()));
	if (left <= 0 && a->period_ns &&
	    x86_apic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC) {
		u64 late;

		div64_u64_rem(-left, a->period_ns, &late);
		left = a->period_ns - late;
	}
	if (left <= 0)
		return 0;
	/* Never above the initial count, even on a period raised to the floor. */
	return min_t(u64, div_u64(left, apic_divisor(a)),
		     x86_apic_reg(a, APIC_TMICT));
}

/*
 * IA32_TSC_DEADLINE (SDM 11.5.4.1): reads 0 outside TSC-deadline mode,
 * and, as in KVM, without the in-kernel APIC (writes then do nothing).
 * A write in TSC-deadline mode arms the timer for when the guest's TSC
 * reaches it (at once if it has; 0 disarms).
 */
int x86_apic_tsc_deadline(struct x86_vcpu *x, bool set, u64 *val)
{
	struct x86_lapic *a = x86_irqchip(x86_vm(x)) ? x->apic : NULL;
	bool tscd = a && x86_apic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE;
	unsigned long flags;
	u64 now, ns = 0;

	if (!set) {
		*val = tscd ? READ_ONCE(a->tsc_deadline) : 0;
		return 0;
	}
	if (!tscd)
		return 0;
	spin_lock_irqsave(&a->lock, flags);
	x86_apic_timer_stop(a);
	a->tsc_deadline = *val;
	now = rdtsc() + x->tsc_offset;
	if (a->tsc_deadline > now && tsc_khz)
		ns = mul_u64_u32_div(a->tsc_deadline - now, 1000000, tsc_khz);
	if (a->tsc_deadline)
		apic_timer_arm(a, ns);
	spin_unlock_irqrestore(&a->lock, flags);
	return 0;
}

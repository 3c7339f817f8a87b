// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: kvmclock, KVM's paravirtual clock (Documentation/virt/kvm/x86/
 * msr.rst), and KVM_GET_CLOCK/KVM_SET_CLOCK (api.rst 4.29, 4.30).
 *
 * Each VM has one clock, in nanoseconds, 0 when the VM is created.  A
 * guest that finds KVM_FEATURE_CLOCKSOURCE2 in CPUID leaf 0x40000001 writes
 * the guest-physical address of a struct pvclock_vcpu_time_info, with bit
 * 0 set, to MSR_KVM_SYSTEM_TIME_NEW (or MSR_KVM_SYSTEM_TIME, the older
 * one); before the vCPU next enters, hvx fills that structure in the
 * guest's memory (through the VMM's own mapping of it, as every write to
 * guest memory) with a TSC value and the clock's value at that TSC, plus
 * the scale from TSC ticks to nanoseconds, and the guest computes
 *
 *	clock = system_time + ((tsc - tsc_timestamp) << tsc_shift) *
 *		tsc_to_system_mul / 2^32	(a negative shift shifts right)
 *
 * The structure's version is odd while hvx writes it (the guest retries).
 *
 * Where the host's TSC is stable (same rate on every CPU, counting in deep
 * C-states, never marked unstable by the kernel), the clock is the host's
 * TSC scaled by the kernel's TSC rate from one reference point, and every
 * vCPU gets that same reference: the guest's clock then never goes
 * backwards from one vCPU to another, and PVCLOCK_TSC_STABLE_BIT says so
 * (KVM's "master clock").  Otherwise the clock follows the host's
 * CLOCK_BOOTTIME, and a vCPU's structure is written again whenever the
 * vCPU comes to run on another host CPU, whose TSC may differ; without
 * the stable bit, the guest keeps its clock monotonic itself.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>

#include "x86.h"

/* The KVM_CLOCK_* flags KVM_GET_CLOCK can report and KVM_SET_CLOCK takes. */
#define X86_CLOCK_FLAGS		(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | \
				 KVM_CLOCK_HOST_TSC)

/* The host clocks, read together (interrupts off). */
struct x86_clock_sample {
	u64 tsc;
	u64 boot_ns;	/* CLOCK_BOOTTIME */
	u64 real_ns;	/* CLOCK_REALTIME */
};

static bool x86_kvmclock_host_stable(void)
{
	return tsc_khz && boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	       boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable();
}

/*
 * The pvclock scale of a @hz counter: NSEC_PER_SEC / hz as 2^shift *
 * mul / 2^32 with mul in [2^31, 2^32), the most precise the format holds.
 */
static void x86_pvclock_scale_of(u64 hz, u32 *mul, s8 *shift)
{
	u64 ns = NSEC_PER_SEC;
	int s = 0;

	*mul = 0;	/* no TSC rate known: the guest's clock stands still */
	*shift = 0;
	if (!hz)
		return;
	while (ns >= hz) {
		hz <<= 1;
		s++;
	}
	while (2 * ns < hz) {
		ns <<= 1;
		s--;
	}
	*mul = mul_u64_u64_div_u64(ns, 1ULL << 32, hz);
	*shift = s;
}

/* What the guest computes from @ticks of TSC (Linux: pvclock_scale_delta). */
static u64 x86_pvclock_scale(u64 ticks, u32 mul, s8 shift)
{
	if (shift < 0)
		ticks >>= -shift;
	else
		ticks <<= shift;
	return mul_u64_u32_shr(ticks, mul, 32);
}

/* The VM's clock at sample @s; c->lock held. */
static u64 x86_kvmclock_at(const struct x86_kvmclock *c,
			   const struct x86_clock_sample *s)
{
	s64 ticks = s->tsc - c->ref_tsc;

	if (!c->stable)
		return c->ref_ns + (s->boot_ns - c->ref_boot_ns);
	/* A CPU whose TSC is a few ticks behind the reference's. */
	return c->ref_ns + (ticks > 0 ?
			    x86_pvclock_scale(ticks, c->mul, c->shift) : 0);
}

/* Make @s the reference point, where the clock reads @ns; c->lock held. */
static void x86_kvmclock_rebase(struct x86_kvmclock *c,
				const struct x86_clock_sample *s, u64 ns,
				bool stable)
{
	c->ref_tsc = s->tsc;
	c->ref_boot_ns = s->boot_ns;
	c->ref_ns = ns;
	c->stable = stable;
	x86_pvclock_scale_of(tsc_khz * 1000ULL, &c->mul, &c->shift);
	c->gen++;
}

/*
 * Take c->lock and sample the host clocks.  If the host's TSC stopped
 * being stable (the kernel's clocksource watchdog can decide so at any
 * time), the clock goes on from where it is, following CLOCK_BOOTTIME.
 */
static void x86_kvmclock_lock(struct x86_kvmclock *c,
			      struct x86_clock_sample *s, unsigned long *flags)
{
	bool stable = x86_kvmclock_host_stable();

	spin_lock_irqsave(&c->lock, *flags);
	s->tsc = rdtsc();
	s->boot_ns = ktime_get_boottime_ns();
	s->real_ns = ktime_get_real_ns();
	if (c->stable != stable)
		x86_kvmclock_rebase(c, s, x86_kvmclock_at(c, s), stable);
}

void x86_kvmclock_vm_init(struct x86_kvmclock *c)
{
	struct x86_clock_sample s;
	unsigned long flags;

	spin_lock_init(&c->lock);
	x86_kvmclock_lock(c, &s, &flags);
	x86_kvmclock_rebase(c, &s, 0, x86_kvmclock_host_stable());
	spin_unlock_irqrestore(&c->lock, flags);
	c->wall_msr = 0;
}

static struct x86_kvmclock *x86_clock_of(struct x86_vcpu *x)
{
	return x86_clock(x86_vm(x));
}

/*
 * struct pvclock_wall_clock at @gpa: the wall-clock time (seconds and
 * nanoseconds since the epoch) at which the VM's clock read 0, so that
 * the guest's time of day is that plus its kvmclock.  The version is odd
 * while it changes.  A structure hvx cannot reach is left alone, as KVM
 * leaves it.
 */
static void x86_kvmclock_write_wall(struct x86_vcpu *x, u64 gpa)
{
	struct x86_kvmclock *c = x86_clock_of(x);
	struct pvclock_wall_clock wc;
	struct x86_clock_sample s;
	unsigned long flags;
	u32 version;
	u64 wall;

	if (!gpa || x86_read_guest(x, gpa, &version, sizeof(version)))
		return;
	version = (version + 1) | 1;
	if (x86_write_guest(x, gpa, &version, sizeof(version)))
		return;
	x86_kvmclock_lock(c, &s, &flags);
	wall = s.real_ns - x86_kvmclock_at(c, &s);
	spin_unlock_irqrestore(&c->lock, flags);
	wc.nsec = do_div(wall, NSEC_PER_SEC);
	wc.sec = (u32)wall;	/* the format ends in 2106 */
	wc.version = version;
	/* The odd version is visible before the fields change... */
	smp_wmb();
	if (x86_write_guest(x, gpa, &wc, sizeof(wc)))
		return;
	/* ...and the fields before the even one. */
	smp_wmb();
	version++;
	x86_write_guest(x, gpa, &version, sizeof(version));
}

/*
 * The kvmclock MSRs (msr.rst), for the guest and for KVM_GET/SET_MSRS
 * alike, whatever the guest's CPUID says (as KVM without
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID); any value is taken.  -ENOENT for
 * another MSR.
 */
int x86_kvmclock_get_msr(struct x86_vcpu *x, u32 index, u64 *val)
{
	switch (index) {
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		*val = READ_ONCE(x86_clock_of(x)->wall_msr);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		*val = x->pvclock.msr;
		return 0;
	}
	return -ENOENT;
}

int x86_kvmclock_set_msr(struct x86_vcpu *x, u32 index, u64 val, bool host)
{
	switch (index) {
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		/* One per VM, as in KVM; written at once. */
		WRITE_ONCE(x86_clock_of(x)->wall_msr, val);
		x86_kvmclock_write_wall(x, val);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		/*
		 * Bit 0 enables; the structure is written before the next
		 * entry.  A guest that uses the old MSR may predate the
		 * stable bit: it gets none (KVM then drops its master clock).
		 */
		x->pvclock.msr = val;
		if (!host)
			x->pvclock.old = index == MSR_KVM_SYSTEM_TIME;
		x->pvclock.dirty = true;
		return 0;
	}
	return -ENOENT;
}

/* Power-on and INIT: kvmclock off, as KVM resets it. */
void x86_kvmclock_reset(struct x86_vcpu *x)
{
	x->pvclock.msr = 0;
	x->pvclock.old = false;
	x->pvclock.dirty = false;
}

/* Write @pv at @gpa as the version protocol says (odd while changing). */
static void x86_pvclock_write(struct x86_vcpu *x, u64 gpa,
			      struct pvclock_vcpu_time_info *pv)
{
	struct pvclock_vcpu_time_info old;
	u32 version;

	if (offset_in_page(gpa) + sizeof(*pv) > PAGE_SIZE ||
	    x86_read_guest(x, gpa, &old, sizeof(old)))
		return;
	version = (old.version + 1) | 1;
	if (x86_write_guest(x, gpa, &version, sizeof(version)))
		return;
	/* Another vCPU reading it sees the odd version first... */
	smp_wmb();
	pv->version = version;
	/* The guest's own flag, which KVM_KVMCLOCK_CTRL would set. */
	pv->flags |= old.flags & PVCLOCK_GUEST_STOPPED;
	if (x86_write_guest(x, gpa, pv, sizeof(*pv)))
		return;
	/* ...and the even one only after every field. */
	smp_wmb();
	version++;
	x86_write_guest(x, gpa, &version, sizeof(version));
}

/*
 * Before an entry, in process context: bring the vCPU's pvclock structure
 * up to date if the guest enabled it and something it depends on changed:
 * the MSR, the VM's reference (KVM_SET_CLOCK, a TSC that stopped being
 * stable), the guest's TSC offset, or, without a stable TSC, the host CPU
 * (its TSC is sampled here; if the task moves before the entry, the
 * guest runs on the old CPU's sample until its next exit, then this
 * catches up).
 */
void x86_kvmclock_update(struct x86_vcpu *x)
{
	struct x86_kvmclock *c = x86_clock_of(x);
	struct x86_pvclock *p = &x->pvclock;
	struct pvclock_vcpu_time_info pv = { };
	struct x86_clock_sample s;
	unsigned long flags;
	int cpu;

	if (!(p->msr & 1))
		return;
	x86_kvmclock_lock(c, &s, &flags);
	cpu = smp_processor_id();
	if (!p->dirty && p->gen == c->gen && p->tsc_offset == x->tsc_offset &&
	    (c->stable || p->cpu == cpu)) {
		spin_unlock_irqrestore(&c->lock, flags);
		return;
	}
	if (c->stable) {
		pv.tsc_timestamp = c->ref_tsc;
		pv.system_time = c->ref_ns;
		pv.flags = p->old ? 0 : PVCLOCK_TSC_STABLE_BIT;
	} else {
		pv.tsc_timestamp = s.tsc;
		pv.system_time = x86_kvmclock_at(c, &s);
	}
	pv.tsc_timestamp += x->tsc_offset;	/* the guest's TSC */
	pv.tsc_to_system_mul = c->mul;
	pv.tsc_shift = c->shift;
	p->gen = c->gen;
	spin_unlock_irqrestore(&c->lock, flags);

	p->cpu = cpu;
	p->tsc_offset = x->tsc_offset;
	p->dirty = false;
	x86_pvclock_write(x, p->msr & ~1ULL, &pv);
}

/*
 * KVM_GET_CLOCK: the clock now.  With a stable TSC, as KVM 6.1 with its
 * master clock: KVM_CLOCK_TSC_STABLE, and the host's TSC and CLOCK_REALTIME
 * at that moment (KVM_CLOCK_HOST_TSC, KVM_CLOCK_REALTIME); otherwise no
 * flag.  Every other field is zero.
 */
long x86_ioctl_get_clock(struct hvx_vm *vm, void __user *argp)
{
	struct x86_kvmclock *c = x86_clock(vm);
	struct kvm_clock_data d = { };
	struct x86_clock_sample s;
	unsigned long flags;

	x86_kvmclock_lock(c, &s, &flags);
	d.clock = x86_kvmclock_at(c, &s);
	if (c->stable) {
		d.flags = X86_CLOCK_FLAGS;
		d.host_tsc = s.tsc;
		d.realtime = s.real_ns;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * KVM_SET_CLOCK: the clock reads @clock now.  With KVM_CLOCK_REALTIME,
 * @clock was the reading at host CLOCK_REALTIME @realtime, and the time
 * since then is added (never subtracted: the clock does not step back
 * for a @realtime in the future).  The other flags are what KVM_GET_CLOCK
 * returns and are ignored; unknown flags are -EINVAL; the padding is not
 * looked at (KVM does not).  Running vCPUs are made to exit, so that they
 * take the new clock at their next entry.
 */
long x86_ioctl_set_clock(struct hvx_vm *vm, void __user *argp)
{
	struct x86_kvmclock *c = x86_clock(vm);
	struct x86_clock_sample s;
	struct kvm_clock_data d;
	unsigned long flags;
	u64 clock;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags & ~X86_CLOCK_FLAGS)
		return -EINVAL;
	x86_kvmclock_lock(c, &s, &flags);
	clock = d.clock;
	if ((d.flags & KVM_CLOCK_REALTIME) && s.real_ns > d.realtime)
		clock += s.real_ns - d.realtime;
	x86_kvmclock_rebase(c, &s, clock, c->stable);
	spin_unlock_irqrestore(&c->lock, flags);
	hvx_vm_kick_vcpus(vm);
	return 0;
}

/* KVM_CAP_ADJUST_CLOCK: the flags KVM_GET_CLOCK may set (KVM's answer). */
int x86_kvmclock_cap(void)
{
	return X86_CLOCK_FLAGS;
}

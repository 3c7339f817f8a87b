// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the in-kernel 8254 of KVM_CREATE_PIT2 (api.rst 4.49; Intel
 * 82C54 CHMOS Programmable Interval Timer data sheet, 231244).
 *
 * Three 16-bit down counters clocked at 1.193182 MHz behind ports
 * 0x40-0x42, a control word at 0x43 and, with KVM_PIT_SPEAKER_DUMMY,
 * port 0x61's gate of counter 2 and its OUT (as a PC's port B).  Counters
 * are not ticked: each remembers when its count was loaded, and a read
 * computes where it has got to.  Counter 0's OUT is IRQ 0: an hrtimer
 * fires at each of its terminal counts and pulses GSI 0 through the
 * routing table (the PIC's IR0 and, with QEMU's table, I/O APIC pin 2).
 * A tick that comes while the previous one is still pending is lost
 * (KVM's "discard" policy; KVM_REINJECT_CONTROL is not offered).
 */
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "x86.h"

#define PIT_FREQ_HZ	1193182		/* the 14.31818 MHz crystal / 12 */
#define PIT_PORT	0x40		/* counters 0-2, control word 0x43 */
#define PIT_SPEAKER	0x61
#define PIT_MIN_PERIOD	200000		/* ns: KVM's min_timer_period_us */

/* Control word access field (data sheet, "Control Word Format"). */
enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD0, RW_WORD1 };

struct x86_pit {
	struct hvx_vm *vm;
	spinlock_t lock;	/* taken in the hrtimer callback: irqsave */
	/* As KVM_GET_PIT2 shows them; count_load_time in ktime ns. */
	struct kvm_pit_channel_state ch[3];
	u32 flags;		/* KVM_PIT_FLAGS_* */
	bool speaker;		/* KVM_PIT_SPEAKER_DUMMY: port 0x61 here */
	struct hrtimer timer;	/* counter 0's terminal counts */
	ktime_t expires;	/* 0: stopped */
	u64 period_ns;		/* modes 2 and 3; 0: one-shot */
};

static struct x86_pit *x86_pit(struct hvx_vm *vm)
{
	/* NULL until KVM_CREATE_PIT2; pairs with its release. */
	return smp_load_acquire(&((struct x86_vm *)vm->arch)->pit);
}

static u32 pit_mod(u64 d, u32 n)
{
	u32 rem;

	div_u64_rem(d, n, &rem);
	return rem;
}

/* Input clocks since the count was loaded. */
static u64 pit_ticks(const struct kvm_pit_channel_state *c)
{
	s64 ns = ktime_get_ns() - c->count_load_time;

	return ns <= 0 ? 0 : mul_u64_u32_div(ns, PIT_FREQ_HZ, NSEC_PER_SEC);
}

/*
 * The counting element now (data sheet, mode definitions): modes 0, 1, 4
 * and 5 wrap through 0xffff after the terminal count, mode 2 reloads at 1,
 * mode 3 counts down by two per clock, twice per period.
 */
static u32 pit_count(const struct kvm_pit_channel_state *c)
{
	u64 d = pit_ticks(c);

	switch (c->mode) {
	case 0: case 1: case 4: case 5:
		return (c->count - d) & 0xffff;
	case 3:
		return c->count - pit_mod(2 * d, c->count);
	default:
		return c->count - pit_mod(d, c->count);
	}
}

/* OUT of each mode, as the data sheet's waveforms draw it. */
static bool pit_out(const struct kvm_pit_channel_state *c)
{
	u64 d = pit_ticks(c);

	switch (c->mode) {
	case 1:
		return d < c->count;
	case 2:
		return d && !pit_mod(d, c->count);
	case 3:
		return pit_mod(d, c->count) < (c->count + 1) / 2;
	case 4: case 5:
		return d == c->count;
	default:
		return d >= c->count;
	}
}

/* Lock held: hrtimer_try_to_cancel() does not wait for the callback. */
static void pit_timer_stop(struct x86_pit *p)
{
	hrtimer_try_to_cancel(&p->timer);
	p->expires = 0;
}

/*
 * Counter 0 drives IRQ 0 in modes 0, 1 and 4 once, in 2 and 3 every
 * period (floored, as KVM, so that a guest cannot flood the host with
 * timer interrupts).  As KVM, only with the I/O APIC in the kernel and not
 * while the HPET has taken IRQ 0 over (KVM_PIT_FLAGS_HPET_LEGACY).
 */
static void pit_timer_start(struct x86_pit *p)
{
	struct x86_irqchip *c = x86_irqchip(p->vm);
	struct kvm_pit_channel_state *ch = &p->ch[0];
	u64 ns = mul_u64_u32_div(ch->count, NSEC_PER_SEC, PIT_FREQ_HZ);

	pit_timer_stop(p);
	if (!c || c->split || (p->flags & KVM_PIT_FLAGS_HPET_LEGACY) ||
	    ch->mode > 4)
		return;
	p->period_ns = ch->mode >= 2 && ch->mode <= 3 ?
		       max_t(u64, ns, PIT_MIN_PERIOD) : 0;
	p->expires = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&p->timer, p->expires, HRTIMER_MODE_ABS);
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *t)
{
	struct x86_pit *p = container_of(t, struct x86_pit, timer);
	enum hrtimer_restart r = HRTIMER_NORESTART;
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	/* Stopped or restarted while this callback waited for the lock. */
	if (!p->expires || ktime_before(ktime_get(), p->expires)) {
		spin_unlock_irqrestore(&p->lock, flags);
		return r;
	}
	if (p->period_ns) {
		/* Periods the host missed are skipped, not run back to back. */
		hrtimer_forward_now(t, ns_to_ktime(p->period_ns));
		p->expires = hrtimer_get_expires(t);
		r = HRTIMER_RESTART;
	} else {
		p->expires = 0;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	/* An edge on GSI 0: the PIC and the I/O APIC latch rising edges. */
	x86_irqchip_set_gsi(p->vm, 0, X86_GSI_EDGE);
	return r;
}

/* Counter @i starts again from @val (0 is 0x10000, the largest count). */
static void pit_load(struct x86_pit *p, int i, u32 val)
{
	p->ch[i].count = val ? val : 0x10000;
	p->ch[i].count_load_time = ktime_get_ns();
	if (!i)
		pit_timer_start(p);
}

/* Port 0x61 bit 0: counter 2's GATE; modes 1, 2, 3, 5 restart on its rise. */
static void pit_set_gate2(struct x86_pit *p, bool gate)
{
	struct kvm_pit_channel_state *c = &p->ch[2];

	if (gate && !c->gate && c->mode != 0 && c->mode != 4)
		c->count_load_time = ktime_get_ns();
	c->gate = gate;
}

static void pit_latch(struct kvm_pit_channel_state *c, u8 cmd)
{
	if (!(cmd & 0x20) && !c->count_latched) {
		c->latched_count = pit_count(c);
		c->count_latched = c->rw_mode;
	}
	if (!(cmd & 0x10) && !c->status_latched) {
		/* Read-back status: OUT, access, mode, BCD (NULL COUNT 0). */
		c->status = pit_out(c) << 7 | c->rw_mode << 4 |
			    (c->mode & 7) << 1 | c->bcd;
		c->status_latched = 1;
	}
}

/*
 * The control word (port 0x43): SC1:SC0 select a counter, or 3 the
 * read-back command (latch count and/or status of the counters in bits
 * 3:1); RW1:RW0 0 latches the count, else sets the access; M2:M0 the
 * mode (6 and 7 are 2 and 3); BCD is kept but counting is binary.
 */
static void pit_control(struct x86_pit *p, u8 val)
{
	struct kvm_pit_channel_state *c;
	int i;

	if ((val >> 6) == 3) {
		for (i = 0; i < 3; i++)
			if (val & (2 << i))
				pit_latch(&p->ch[i], val);
		return;
	}
	c = &p->ch[val >> 6];
	if (!(val & 0x30)) {
		pit_latch(c, 0x10);	/* count only */
		return;
	}
	c->rw_mode = (val >> 4) & 3;
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
}

static void pit_write(struct x86_pit *p, int i, u8 val)
{
	struct kvm_pit_channel_state *c = &p->ch[i];

	switch (c->write_state) {
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		pit_load(p, i, c->write_latch | val << 8);
		c->write_state = RW_WORD0;
		break;
	case RW_MSB:
		pit_load(p, i, val << 8);
		break;
	default:
		pit_load(p, i, val);
	}
}

/* A latched status first, then a latched count, else the live count. */
static u8 pit_read(struct x86_pit *p, int i)
{
	struct kvm_pit_channel_state *c = &p->ch[i];
	u8 st = c->count_latched;
	u32 v;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (st) {
		/* A 16-bit latch stays until its second byte is read. */
		c->count_latched = st == RW_WORD0 ? RW_MSB : 0;
		return st == RW_MSB ? c->latched_count >> 8 : c->latched_count;
	}
	v = pit_count(c);
	switch (c->read_state) {
	case RW_MSB:
		return v >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return v;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return v >> 8;
	default:
		return v;
	}
}

/*
 * Port 0x61 (a PC's port B): bit 0 counter 2's GATE, bit 1 the speaker's
 * data enable, bit 4 the refresh toggle (every 15 us; 2^14 ns here, as
 * KVM), bit 5 counter 2's OUT.
 */
static u8 pit_speaker(struct x86_pit *p, bool in, u8 val)
{
	if (!in) {
		p->flags &= ~KVM_PIT_FLAGS_SPEAKER_DATA_ON;
		if (val & 2)
			p->flags |= KVM_PIT_FLAGS_SPEAKER_DATA_ON;
		pit_set_gate2(p, val & 1);
		return 0;
	}
	return p->ch[2].gate | !!(p->flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON) << 1 |
	       ((ktime_get_ns() >> 14) & 1) << 4 | pit_out(&p->ch[2]) << 5;
}

/*
 * The 8254's ports for the vCPU's IN or OUT; 1 if they were its.  As
 * KVM, a wider access writes the low byte and reads one byte.
 */
int x86_pit_pio(struct x86_vcpu *x, u16 port, bool in, int size)
{
	struct x86_pit *p = x86_pit(x86_vm(x));
	u8 v = x->gpr[GPR_RAX];
	unsigned long flags;

	if (!p || ((port & ~3) != PIT_PORT &&
		   !(port == PIT_SPEAKER && p->speaker)))
		return 0;
	spin_lock_irqsave(&p->lock, flags);
	if (port == PIT_SPEAKER)
		v = pit_speaker(p, in, v);
	else if (in)
		v = (port & 3) == 3 ? 0xff : pit_read(p, port & 3);
	else if ((port & 3) == 3)
		pit_control(p, v);
	else
		pit_write(p, port & 3, v);
	spin_unlock_irqrestore(&p->lock, flags);
	if (in)
		x86_reg_write(x, GPR_RAX, size, v);
	return 1;
}

/* After reset (data sheet): modes undefined (0xff: no timer), GATE 2 low. */
static void pit_reset(struct x86_pit *p)
{
	int i;

	p->flags = 0;
	for (i = 0; i < 3; i++) {
		p->ch[i] = (struct kvm_pit_channel_state) {
			.mode = 0xff, .gate = i != 2 };
		pit_load(p, i, 0);
	}
}

/* KVM_CREATE_PIT2 (and the older KVM_CREATE_PIT, a dummy speaker). */
static long pit_create(struct hvx_vm *vm, u32 flags)
{
	struct x86_vm *xvm = vm->arch;
	struct x86_pit *p;
	unsigned long irq;
	long r = -EEXIST;

	if (flags & ~KVM_PIT_SPEAKER_DUMMY)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (xvm->pit)
		goto out;
	r = -ENOMEM;
	p = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		goto out;
	p->vm = vm;
	p->speaker = flags & KVM_PIT_SPEAKER_DUMMY;
	spin_lock_init(&p->lock);
	hrtimer_init(&p->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	p->timer.function = pit_timer_fn;
	spin_lock_irqsave(&p->lock, irq);
	pit_reset(p);
	spin_unlock_irqrestore(&p->lock, irq);
	/* Fully set up before a vCPU's port access can see it. */
	smp_store_release(&xvm->pit, p);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_PIT(2) takes the state KVM_GET_PIT(2) gave; hvx checks each
 * field's range first (KVM takes anything), then reloads every counter
 * from its count, as KVM does, so count_load_time is not taken.
 */
static bool pit_state_ok(const struct kvm_pit_channel_state *c)
{
	return c->count <= 0x10000 && (c->mode <= 5 || c->mode == 0xff) &&
	       c->rw_mode <= RW_WORD0 && c->read_state <= RW_WORD1 &&
	       c->write_state <= RW_WORD1 && c->count_latched <= RW_WORD1 &&
	       c->status_latched <= 1 && c->bcd <= 1 && c->gate <= 1;
}

static long pit_state(struct x86_pit *p, unsigned int ioctl,
		      void __user *argp)
{
	bool two = ioctl == KVM_GET_PIT2 || ioctl == KVM_SET_PIT2;
	bool set = ioctl == KVM_SET_PIT || ioctl == KVM_SET_PIT2;
	size_t size = two ? sizeof(struct kvm_pit_state2) :
		      sizeof(struct kvm_pit_state);
	struct kvm_pit_state2 s = {};
	unsigned long irq;
	int i;

	if (set && copy_from_user(&s, argp, size))
		return -EFAULT;
	for (i = 0; set && i < 3; i++)
		if (!pit_state_ok(&s.channels[i]))
			return -EINVAL;
	if (set && two && (s.flags & ~(KVM_PIT_FLAGS_HPET_LEGACY |
				       KVM_PIT_FLAGS_SPEAKER_DATA_ON)))
		return -EINVAL;
	spin_lock_irqsave(&p->lock, irq);
	if (set) {
		memcpy(p->ch, s.channels, sizeof(p->ch));
		if (two)
			p->flags = s.flags;
		for (i = 0; i < 3; i++)
			pit_load(p, i, p->ch[i].count);
	} else {
		memcpy(s.channels, p->ch, sizeof(p->ch));
		s.flags = p->flags;
	}
	spin_unlock_irqrestore(&p->lock, irq);
	if (!set && copy_to_user(argp, &s, size))
		return -EFAULT;
	return 0;
}

long x86_pit_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl,
		      void __user *argp)
{
	struct kvm_pit_config cfg;
	struct x86_pit *p;

	if (ioctl == KVM_CREATE_PIT)
		return pit_create(vm, KVM_PIT_SPEAKER_DUMMY);
	if (ioctl == KVM_CREATE_PIT2)
		return copy_from_user(&cfg, argp, sizeof(cfg)) ? -EFAULT :
		       pit_create(vm, cfg.flags);
	p = x86_pit(vm);
	return p ? pit_state(p, ioctl, argp) : -ENXIO;
}

/* Before the irqchip goes: the callback pulses its GSI 0. */
void x86_pit_free(struct hvx_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	if (!xvm->pit)
		return;
	hrtimer_cancel(&xvm->pit->timer);
	kfree(xvm->pit);
	xvm->pit = NULL;
}

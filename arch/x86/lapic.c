// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the in-kernel local APIC (Intel SDM Vol. 3A ch. 11), one per
 * vCPU once KVM_CREATE_IRQCHIP was called.
 *
 * The registers live in a copy of the 4 KiB page's first 1 KiB, the
 * layout of SDM table 11-1 that KVM_GET/SET_LAPIC also use: each 32-bit
 * register at a 16-byte aligned offset, the 256-bit ISR, TMR and IRR as
 * eight such registers each.  The guest reaches them through the MMIO
 * page at IA32_APIC_BASE (xAPIC: a stage-2 fault outside every slot) or
 * through MSRs 0x800-0x8ff (x2APIC, SDM 11.12.1).  The timer counts on an
 * hrtimer with a 1 GHz bus clock, as KVM's does.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "x86.h"

#define X86_APIC_VERSION	0x50014	/* 6 LVT entries, version 0x14 */
#define X86_APIC_X2APIC_MSR	0x800
#define X86_APIC_SHORTHAND	(3 << 18)	/* ICR destination shorthand */

/* LVT entries and the bits each may hold (SDM figure 11-8). */
static const struct { u32 reg, mask; } x86_apic_lvts[] = {
	{ APIC_LVTT, 0x700ff },		/* vector, mask, timer mode 18:17 */
	{ APIC_LVTTHMR, 0x107ff },	/* vector, delivery mode, mask */
	{ APIC_LVTPC, 0x107ff },
	{ APIC_LVT0, 0x1f7ff },		/* + polarity, remote IRR, trigger */
	{ APIC_LVT1, 0x1f7ff },
	{ APIC_LVTERR, 0x100ff },
};

/* The vCPU's local APIC, if the VM has KVM_CREATE_IRQCHIP's; else NULL. */
static struct x86_lapic *apic_live(struct x86_vcpu *x)
{
	return x86_irqchip(x86_vm(x)) ? x->apic : NULL;
}

static void apic_set(struct x86_lapic *a, u32 reg, u32 val)
{
	*(u32 *)(a->regs + reg) = val;
}

/* ISR, TMR and IRR: vector v is bit v % 32 of the register at v / 32. */
static u32 *apic_vec_word(struct x86_lapic *a, u32 base, u8 vec)
{
	return (u32 *)(a->regs + base + (vec / 32) * 0x10);
}

static void apic_vec_set(struct x86_lapic *a, u32 base, u8 vec, bool on)
{
	u32 *w = apic_vec_word(a, base, vec);

	*w = on ? *w | BIT(vec % 32) : *w & ~BIT(vec % 32);
}

/* The highest vector set in a 256-bit register, or -1. */
static int apic_vec_highest(struct x86_lapic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = x86_apic_reg(a, base + i * 0x10);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

static bool apic_x2(struct x86_lapic *a)
{
	return a->base & X2APIC_ENABLE;
}

static bool apic_hw_on(struct x86_lapic *a)
{
	return a->base & MSR_IA32_APICBASE_ENABLE;
}

static bool apic_sw_on(struct x86_lapic *a)
{
	return x86_apic_reg(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

/*
 * The ID as the APIC has it (xAPIC: bits 31:24), and in x2APIC mode the
 * logical ID derived from it (SDM 11.12.10.2): cluster ID[19:4] in LDR
 * bits 31:16, bit ID[3:0] of bits 15:0.
 */
static void apic_set_id(struct x86_lapic *a, u32 id)
{
	apic_set(a, APIC_ID, apic_x2(a) ? id : id << 24);
	if (apic_x2(a))
		apic_set(a, APIC_LDR, ((id >> 4) << 16) | BIT(id & 0xf));
}

/*
 * PPR (SDM 11.8.3.1): the TPR if its class is at least that of the
 * highest in-service vector, else that vector's class.
 */
static u32 apic_ppr(struct x86_lapic *a)
{
	u32 tpr = x86_apic_reg(a, APIC_TASKPRI) & 0xff;
	int isr = apic_vec_highest(a, APIC_ISR);
	u32 isrv = isr < 0 ? 0 : isr;

	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
}

/* The highest requested vector the APIC would dispatch now, or -1. */
static int apic_deliverable(struct x86_lapic *a)
{
	int irr = apic_vec_highest(a, APIC_IRR);

	if (irr < 0 || !apic_hw_on(a) || (irr & 0xf0) <= (apic_ppr(a) & 0xf0))
		return -1;
	return irr;
}

/*
 * Make the vCPU look at its APIC again: wake it if it sleeps (HLT,
 * wait-for-SIPI), and take it out of guest mode if it runs there; the
 * interrupt of the IPI makes the processor exit.  x86_entry_cancelled()
 * closes the window between its last look and its entry.
 */
void x86_apic_kick(struct x86_vcpu *x)
{
	struct hvx_vcpu *vcpu = x->vcpu;
	int cpu;

	WRITE_ONCE(x->apic->kicked, true);
	smp_mb();	/* kicked before mode: pairs with the entry's store */
	wake_up_interruptible(&x->apic->wq);
	if (READ_ONCE(vcpu->mode) != HVX_IN_GUEST)
		return;
	smp_rmb();	/* vcpu->cpu is written before vcpu->mode */
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu != get_cpu())
		smp_send_reschedule(cpu);
	put_cpu();
}

/* Called with interrupts off, once vcpu->mode says HVX_IN_GUEST. */
bool x86_entry_cancelled(struct x86_vcpu *x)
{
	struct x86_lapic *a = apic_live(x);

	return a && READ_ONCE(a->kicked);
}

/* Accept one interrupt (SDM 11.6.1, delivery modes), lock held. */
void x86_apic_accept(struct x86_lapic *a, u32 mode, u8 vector, bool level)
{
	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* Vectors 0-15 are illegal: the receiver's ESR says so. */
		if (vector < 16) {
			apic_set(a, APIC_ESR, x86_apic_reg(a, APIC_ESR) |
			     APIC_ESR_RECVILL);
			return;
		}
		apic_vec_set(a, APIC_IRR, vector, true);
		apic_vec_set(a, APIC_TMR, vector, level);
		break;
	case APIC_DM_NMI:
		set_bit(X86_APIC_EV_NMI, &a->events);
		break;
	case APIC_DM_INIT:
		set_bit(X86_APIC_EV_INIT, &a->events);
		break;
	case APIC_DM_STARTUP:
		a->sipi_vector = vector;
		set_bit(X86_APIC_EV_SIPI, &a->events);
		break;
	default:		/* SMI, ExtINT from an IPI: not modelled */
		return;
	}
	x86_apic_kick(a->x);
}

/*
 * Does @a take a message for @dest (SDM 11.6.2)?  Physical: the APIC ID,
 * or the broadcast ID.  Logical: flat model (DFR 0xf), a bit of LDR[31:24];
 * cluster model (DFR 0x0), LDR[31:28] equal and a bit of LDR[27:24] in
 * common; x2APIC (SDM 11.12.10.2): LDR[31:16] equal, a bit of [15:0].
 */
static bool apic_match(struct x86_lapic *a, u32 dest, bool logical)
{
	u32 ldr = x86_apic_reg(a, APIC_LDR);
	u32 bcast = apic_x2(a) ? 0xffffffff : 0xff;
	u32 id = x86_apic_reg(a, APIC_ID) >> (apic_x2(a) ? 0 : 24);

	if (!apic_hw_on(a))
		return false;
	if (!logical)
		return dest == bcast || dest == id;
	if (apic_x2(a))
		return dest == bcast ||
		       ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff));
	if (dest == 0xff)
		return true;
	if ((x86_apic_reg(a, APIC_DFR) >> 28) == 0xf)
		return dest & (ldr >> 24);
	return (dest >> 4) == (ldr >> 28) && (dest & (ldr >> 24) & 0xf);
}

/*
 * Whether @a is a destination: of the ICR's destination shorthand @sh
 * from @src (SDM 11.6.1, bits 19:18: self, all including self, all
 * excluding self), or, without one, of @dest.
 */
static bool apic_addressed(struct x86_lapic *a, struct x86_lapic *src,
			   u32 sh, u32 dest, bool logical)
{
	if (sh == APIC_DEST_SELF)
		return a == src;
	if (sh)
		return apic_hw_on(a) && (a != src || sh == APIC_DEST_ALLINC);
	return apic_match(a, dest, logical);
}

/*
 * Deliver an interrupt message (an IPI from @src, or with @src NULL one
 * from the I/O APIC or an MSI) to every local APIC it addresses; lowest
 * priority (SDM 11.6.2.4) to the one of them whose processor priority is
 * lowest, ties to the lowest vCPU index.  Returns how many took it.
 */
static int apic_send(struct hvx_vm *vm, struct x86_lapic *src, u32 sh,
		     u32 dest, bool logical, u32 mode, u8 vec, bool level)
{
	struct x86_lapic *a, *best = NULL;
	u32 best_ppr = ~0U;
	unsigned long flags;
	int i, n = 0;

	for (i = 0; i < READ_ONCE(vm->nr_vcpus); i++) {
		a = to_x86(vm->vcpus[i])->apic;
		spin_lock_irqsave(&a->lock, flags);
		if (!apic_addressed(a, src, sh, dest, logical)) {
			/* not a destination */
		} else if (mode != APIC_DM_LOWEST) {
			x86_apic_accept(a, mode, vec, level);
			n++;
		} else if (apic_ppr(a) < best_ppr) {
			best = a;
			best_ppr = apic_ppr(a);
		}
		spin_unlock_irqrestore(&a->lock, flags);
	}
	if (!best)
		return n;
	spin_lock_irqsave(&best->lock, flags);
	x86_apic_accept(best, mode, vec, level);
	spin_unlock_irqrestore(&best->lock, flags);
	return 1;
}

/* The same from the I/O APIC or an MSI. */
int x86_apic_deliver(struct hvx_vm *vm, u32 dest, bool logical, u32 mode,
		     u8 vector, bool level)
{
	return apic_send(vm, NULL, 0, dest, logical, mode, vector, level);
}

/*
 * ICR (SDM 11.6.1): send the IPI it holds.  Called without the sender's
 * lock, which delivery takes with each receiver's: the ICR is written
 * only by its vCPU's thread, the caller.  INIT level de-assert is a
 * no-op on modern APICs.
 */
static void apic_send_ipi(struct x86_lapic *a)
{
	u32 lo = x86_apic_reg(a, APIC_ICR), hi = x86_apic_reg(a, APIC_ICR2);
	u32 mode = lo & APIC_MODE_MASK;

	if (mode == APIC_DM_INIT && !(lo & APIC_INT_ASSERT) &&
	    (lo & APIC_INT_LEVELTRIG))
		return;
	apic_send(x86_vm(a->x), a, lo & X86_APIC_SHORTHAND,
		  apic_x2(a) ? hi : hi >> 24, lo & APIC_DEST_LOGICAL, mode,
		  lo & APIC_VECTOR_MASK, false);
}

/* --- registers --- */

/* Power-up and INIT state (SDM 11.4.7.1); the ID stays across INIT. */
static void apic_reset_regs(struct x86_lapic *a, u32 id)
{
	int i;

	memset(a->regs, 0, sizeof(a->regs));
	apic_set_id(a, id);
	apic_set(a, APIC_LVR, X86_APIC_VERSION);
	apic_set(a, APIC_DFR, 0xffffffff);
	apic_set(a, APIC_SPIV, 0xff);
	for (i = 0; i < ARRAY_SIZE(x86_apic_lvts); i++)
		apic_set(a, x86_apic_lvts[i].reg, X86_APIC_LVT_MASKED);
	/* The BSP's LINT0 takes the PIC, as KVM_X86_QUIRK_LINT0_REENABLED. */
	if (!id)
		apic_set(a, APIC_LVT0, APIC_DM_EXTINT);
	x86_apic_timer_stop(a);
	a->tsc_deadline = 0;
}

void x86_apic_reset(struct x86_vcpu *x)
{
	struct x86_lapic *a = x->apic;
	unsigned long flags;

	if (!a)
		return;
	spin_lock_irqsave(&a->lock, flags);
	a->base = x->sregs.apic_base;
	apic_reset_regs(a, x->vcpu->id);
	spin_unlock_irqrestore(&a->lock, flags);
	/* A SIPI that came with the INIT that reset us still counts. */
	clear_bit(X86_APIC_EV_NMI, &a->events);
	clear_bit(X86_APIC_EV_INIT, &a->events);
	x->mp_state = (!x86_irqchip(x86_vm(x)) || x86_is_bsp(x)) ?
		      KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
}

/* A MOV to CR8 (or KVM_SET_SREGS) writes TPR[7:4]; [3:0] become 0. */
void x86_apic_set_cr8(struct x86_vcpu *x, u64 cr8)
{
	struct x86_lapic *a = apic_live(x);
	unsigned long flags;

	if (!a || (x86_apic_reg(a, APIC_TASKPRI) >> 4) == (cr8 & 0xf))
		return;
	spin_lock_irqsave(&a->lock, flags);
	apic_set(a, APIC_TASKPRI, (cr8 & 0xf) << 4);
	spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * EOI (SDM 11.8.5): the highest in-service vector is done.  A level-
 * triggered one (TMR) is broadcast to the I/O APIC, which clears its
 * remote IRR (82093AA 3.2.4).  Lock held; returns the vector to
 * broadcast, or -1.
 */
static int apic_eoi(struct x86_lapic *a)
{
	int vec = apic_vec_highest(a, APIC_ISR);

	if (vec < 0)
		return -1;
	apic_vec_set(a, APIC_ISR, vec, false);
	return *apic_vec_word(a, APIC_TMR, vec) & BIT(vec % 32) ? vec : -1;
}

/* Read a register; false for an offset that has none. */
static bool apic_read(struct x86_lapic *a, u32 reg, u32 *val)
{
	switch (reg) {
	case APIC_DFR:
	case APIC_ARBPRI:
		if (apic_x2(a))
			return false;	/* no such MSR (SDM table 11-6) */
		fallthrough;
	case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_LDR:
	case APIC_SPIV: case APIC_ESR: case APIC_ICR: case APIC_ICR2:
	case APIC_LVTT: case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0:
	case APIC_LVT1: case APIC_LVTERR: case APIC_TMICT: case APIC_TDCR:
	case APIC_ISR ... APIC_IRR + 0x70:
		*val = reg & 0xf ? 0 : x86_apic_reg(a, reg);
		return true;
	case APIC_PROCPRI:
		*val = apic_ppr(a);
		return true;
	case APIC_TMCCT:
		*val = x86_apic_timer_ccr(a);
		return true;
	case APIC_EOI:
		*val = 0;
		return true;
	}
	return false;
}

static void apic_write_lvt(struct x86_lapic *a, int i, u32 val)
{
	u32 reg = x86_apic_lvts[i].reg;
	u32 old = x86_apic_reg(a, reg);

	val &= x86_apic_lvts[i].mask;
	/* TSC-deadline mode only where CPUID.1:ECX[24] offers it. */
	if (reg == APIC_LVTT && !x86_guest_cpuid_has(a->x, 1, 2, BIT(24)))
		val &= ~APIC_LVT_TIMER_TSCDEADLINE;
	/* A software-disabled APIC keeps every LVT masked (SDM 11.4.7.2). */
	if (!apic_sw_on(a))
		val |= X86_APIC_LVT_MASKED;
	apic_set(a, reg, val);
	if (reg == APIC_LVTT && ((old ^ val) & X86_APIC_TIMER_MODE)) {
		x86_apic_timer_stop(a);
		apic_set(a, APIC_TMICT, 0);
		a->tsc_deadline = 0;
	}
}

static void apic_write_spiv(struct x86_lapic *a, u32 val)
{
	int i;

	apic_set(a, APIC_SPIV, val & 0x13ff);
	if (apic_sw_on(a))
		return;
	for (i = 0; i < ARRAY_SIZE(x86_apic_lvts); i++)
		apic_write_lvt(a, i, x86_apic_reg(a, x86_apic_lvts[i].reg));
}

/*
 * Write a register, lock held.  Returns what must happen once the lock
 * is dropped: an EOI to broadcast (*eoi) or an IPI to send (*ipi).
 * False for a register that cannot be written.
 */
static bool apic_write(struct x86_lapic *a, u32 reg, u32 val, int *eoi,
		       bool *ipi)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(x86_apic_lvts); i++) {
		if (reg == x86_apic_lvts[i].reg) {
			apic_write_lvt(a, i, val);
			return true;
		}
	}
	switch (reg) {
	case APIC_ID:
	case APIC_LDR:
	case APIC_DFR:
	case APIC_ICR2:
		/* Bits 31:24; read-only or absent in x2APIC mode (11.12.1.2). */
		if (apic_x2(a))
			return false;
		apic_set(a, reg, (val & 0xff000000) |
			 (reg == APIC_DFR ? 0x0fffffff : 0));
		return true;
	case APIC_TASKPRI:
		apic_set(a, APIC_TASKPRI, val & 0xff);
		return true;
	case APIC_EOI:
		*eoi = apic_eoi(a);
		return true;
	case APIC_SPIV:
		apic_write_spiv(a, val);
		return true;
	case APIC_ESR:
		apic_set(a, APIC_ESR, 0);
		return true;
	case APIC_ICR:
		apic_set(a, APIC_ICR, val & ~APIC_ICR_BUSY);
		*ipi = true;
		return true;
	case APIC_TMICT:
		if (x86_apic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
			return true;	/* ignored in TSC-deadline mode */
		apic_set(a, APIC_TMICT, val);
		x86_apic_timer_start(a, val);
		return true;
	case APIC_TDCR:
		apic_set(a, APIC_TDCR, val & 0xb);
		return true;
	}
	return false;
}

/* CR8 is TPR[7:4] (SDM 10.8.6.1): the guest reads it back there. */
static void apic_sync_cr8(struct x86_lapic *a)
{
	x86_sregs(a->x)->cr8 = x86_apic_reg(a, APIC_TASKPRI) >> 4;
	a->x->sregs_dirty = true;
}

/* Write, then what must happen without the lock. */
static bool apic_write_reg(struct x86_lapic *a, u32 reg, u32 val)
{
	unsigned long flags;
	bool ipi = false, ok;
	int eoi = -1;

	spin_lock_irqsave(&a->lock, flags);
	ok = apic_write(a, reg, val, &eoi, &ipi);
	spin_unlock_irqrestore(&a->lock, flags);
	if (reg == APIC_TASKPRI)
		apic_sync_cr8(a);
	if (ipi)
		apic_send_ipi(a);
	if (eoi >= 0 && x86_irqchip_split(x86_vm(a->x)))
		x86_split_eoi(a->x, eoi);
	else if (eoi >= 0)
		x86_ioapic_eoi(x86_irqchip(x86_vm(a->x)), eoi);
	return ok;
}

/* The xAPIC page is there only while the APIC is on in xAPIC mode. */
static bool x86_apic_on(struct x86_vcpu *x)
{
	struct x86_lapic *a = apic_live(x);

	return a && apic_hw_on(a) && !apic_x2(a);
}

/*
 * A guest access to the xAPIC page (SDM 11.4.1): 1 if it was one (a
 * write done, or *val read), 0 if @gpa is not in the page.  Writes other
 * than aligned 32-bit ones are ignored, as are reads of no register.
 */
int x86_apic_mmio(struct x86_vcpu *x, u64 gpa, int size, bool write,
		  u64 *val)
{
	struct x86_lapic *a = apic_live(x);
	u32 off = gpa & 0xfff, reg = off & ~0xf, v = 0;
	unsigned long flags;

	if (!x86_apic_on(x) || (gpa & PAGE_MASK) != (a->base & PAGE_MASK))
		return 0;
	if (write) {
		if (size == 4 && !(off & 0xf) && reg < KVM_APIC_REG_SIZE)
			apic_write_reg(a, reg, *val);
		return 1;
	}
	spin_lock_irqsave(&a->lock, flags);
	if (reg < KVM_APIC_REG_SIZE && (off & 0xf) + size <= 4)
		apic_read(a, reg, &v);
	spin_unlock_irqrestore(&a->lock, flags);
	*val = (v >> ((off & 3) * 8)) & (size == 4 ? ~0U : BIT(size * 8) - 1);
	return 1;
}

/* An x2APIC MSR read: false for a register that cannot be read. */
static bool apic_rdmsr(struct x86_lapic *a, u32 reg, u64 *val)
{
	unsigned long flags;
	u32 v;
	bool ok;

	if (reg == APIC_EOI || reg == APIC_ICR2)
		return false;
	spin_lock_irqsave(&a->lock, flags);
	ok = apic_read(a, reg, &v);
	*val = v;
	if (reg == APIC_ICR)
		*val |= (u64)x86_apic_reg(a, APIC_ICR2) << 32;
	spin_unlock_irqrestore(&a->lock, flags);
	return ok;
}

/* An x2APIC MSR write (the host's too): false for a #GP. */
static bool apic_wrmsr(struct x86_lapic *a, u32 reg, u64 val, bool host)
{
	unsigned long flags;

	/* Reserved bits (SDM 11.12.1.2): only the ICR holds 64. */
	if (reg != APIC_ICR && (val >> 32))
		return false;
	switch (reg) {
	case APIC_EOI:
	case APIC_ESR:
		if (val && !host)
			return false;	/* must write 0 */
		break;
	case APIC_SELF_IPI:
		val = APIC_DEST_SELF | (val & APIC_VECTOR_MASK);
		reg = APIC_ICR;
		break;
	case APIC_ICR:
		spin_lock_irqsave(&a->lock, flags);
		apic_set(a, APIC_ICR2, val >> 32);
		spin_unlock_irqrestore(&a->lock, flags);
		val = (u32)val;
		break;
	case APIC_LVR: case APIC_PROCPRI: case APIC_ISR ... APIC_IRR + 0x70:
	case APIC_TMCCT: case APIC_ID: case APIC_LDR:
		return host;
	}
	return apic_write_reg(a, reg, val);
}

/*
 * IA32_APIC_BASE with an APIC behind it (SDM 11.4.4, 11.12.5): the
 * legal transitions are disabled -> xAPIC -> x2APIC and any state ->
 * disabled; x2APIC -> xAPIC and disabled -> x2APIC #GP, as does x2APIC
 * mode without EN.  Going to x2APIC mode derives the ID and LDR from the
 * vCPU id; disabling resets the APIC.
 */
int x86_apic_set_base(struct x86_vcpu *x, u64 val, bool host)
{
	struct x86_lapic *a = apic_live(x);
	u64 old = a ? a->base : 0;
	u64 en = MSR_IA32_APICBASE_ENABLE;
	unsigned long flags;
	u32 id = x->vcpu->id;

	if (!a)
		return 0;
	if ((val & X2APIC_ENABLE) && !(val & en))
		return -EINVAL;
	if (!host && (old & X2APIC_ENABLE) && (val & en) &&
	    !(val & X2APIC_ENABLE))
		return -EINVAL;
	if (!host && !(old & en) && (val & X2APIC_ENABLE))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, flags);
	a->base = val;
	if (!(val & en))
		apic_reset_regs(a, id);
	else if ((val ^ old) & X2APIC_ENABLE && (val & X2APIC_ENABLE))
		apic_set_id(a, id);
	spin_unlock_irqrestore(&a->lock, flags);
	return 0;
}

/*
 * IA32_TSC_DEADLINE, and the x2APIC MSRs (SDM 11.12.1.2): MSR 0x800 +
 * offset / 16.  -EINVAL is a #GP: an MSR of no register, a write-only one
 * read (EOI, self IPI), a read-only one written, or any of them outside
 * x2APIC mode; -ENOENT: not the APIC's MSR.
 */
int x86_apic_msr(struct x86_vcpu *x, u32 index, u64 *val, bool set,
		 bool host)
{
	struct x86_lapic *a = apic_live(x);
	u32 reg = (index - X86_APIC_X2APIC_MSR) << 4;

	if (index == MSR_IA32_TSC_DEADLINE)
		return x86_apic_tsc_deadline(x, set, val);
	if (!a || index < X86_APIC_X2APIC_MSR ||
	    index > X86_APIC_X2APIC_MSR + 0xff)
		return -ENOENT;
	if (!apic_x2(a))
		return -EINVAL;
	if (set ? apic_wrmsr(a, reg, *val, host) : apic_rdmsr(a, reg, val))
		return 0;
	return -EINVAL;
}

/* --- delivery into the guest --- */

/*
 * An interrupt the PIC offers through LINT0 (ExtINT), SDM 11.5.1: the
 * in-kernel PIC is wired to vCPU 0's; user space's (split irqchip) gives
 * its ExtINT to the vCPU it chooses, with KVM_INTERRUPT.
 */
static bool apic_takes_pic(struct x86_lapic *a)
{
	u32 lvt0 = x86_apic_reg(a, APIC_LVT0);

	if (a->x->vcpu->id && !x86_irqchip_split(x86_vm(a->x)))
		return false;
	return !apic_hw_on(a) || (!(lvt0 & X86_APIC_LVT_MASKED) &&
				  (lvt0 & APIC_MODE_MASK) == APIC_DM_EXTINT);
}

/* Whether the PIC's interrupt is there for this vCPU's LINT0 now. */
static bool apic_pic_pending(struct x86_lapic *a)
{
	struct x86_irqchip *c = x86_irqchip(x86_vm(a->x));

	if (!apic_takes_pic(a))
		return false;
	return c->split ? a->x->ext_vector >= 0 : READ_ONCE(c->pic_output);
}

/*
 * KVM's ready_for_interrupt_injection with the split irqchip: the APIC
 * would take an ExtINT (LINT0 open to it, or the APIC off).  Without the
 * lock: only the vCPU's own thread, the caller, writes LVT0 and the base.
 */
bool x86_apic_takes_extint(struct x86_vcpu *x)
{
	return apic_takes_pic(x->apic);
}

/*
 * Right before an entry (irq.c): the NMIs the APIC received, the TPR the
 * guest wrote to CR8, and, if the guest can take an interrupt now
 * (@open), the highest one acknowledged: moved from IRR to ISR (SDM
 * 11.8.4) or taken from the 8259A with an INTA cycle, and queued for
 * injection.  Returns true if one still waits (for the window).
 */
bool x86_apic_inject_one(struct x86_vcpu *x, bool open)
{
	struct x86_lapic *a = apic_live(x);
	struct x86_irqchip *c = x86_irqchip(x86_vm(x));
	unsigned long flags;
	bool pic;
	int vec;

	WRITE_ONCE(a->kicked, false);
	smp_mb();	/* kicked cleared before the state is read */
	if (test_and_clear_bit(X86_APIC_EV_NMI, &a->events) &&
	    x->nmi_pending < 2)
		x->nmi_pending++;
	x86_apic_set_cr8(x, x86_sregs(x)->cr8);
	spin_lock_irqsave(&a->lock, flags);
	pic = apic_pic_pending(a);
	vec = pic ? -1 : apic_deliverable(a);
	if (open && vec >= 0) {
		apic_vec_set(a, APIC_IRR, vec, false);
		apic_vec_set(a, APIC_ISR, vec, true);
		x86_requeue_irq(x, vec);
		vec = apic_deliverable(a);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (open && pic && c->split) {
		/* The APIC's own may wait behind it: keep the window armed. */
		x86_requeue_irq(x, x->ext_vector);
		x->ext_vector = -1;
		return true;
	}
	if (open && pic) {
		vec = x86_pic_ack(c);
		if (vec >= 0)
			x86_requeue_irq(x, vec);
		return READ_ONCE(c->pic_output);
	}
	return pic || vec >= 0;
}

/* --- HLT, INIT and SIPI (SDM 8.4, 11.6.1) --- */

int x86_apic_halt(struct x86_vcpu *x)
{
	hvx_stat(x->vcpu, HVX_STAT_HLT);
	x->mp_state = KVM_MP_STATE_HALTED;
	return 1;
}

/* INIT: the processor resets, keeping its APIC base; APs wait for SIPI. */
static void apic_do_init(struct x86_vcpu *x)
{
	u64 base = x86_sregs(x)->apic_base;

	x86_reset(x);
	x->sregs.apic_base = base;
	x86_apic_reset(x);
	x->mp_state = x86_is_bsp(x) ? KVM_MP_STATE_RUNNABLE :
				      KVM_MP_STATE_INIT_RECEIVED;
}

/* SIPI vector V: start in real mode at V << 12 (SDM 8.4.4.1). */
static void apic_do_sipi(struct x86_vcpu *x, u8 vec)
{
	struct kvm_sregs *s = x86_sregs(x);

	s->cs.selector = vec << 8;
	s->cs.base = (u64)vec << 12;
	x->rip = 0;
	x->sregs_dirty = true;
	x->mp_state = KVM_MP_STATE_RUNNABLE;
}

static void apic_take_events(struct x86_vcpu *x)
{
	struct x86_lapic *a = apic_live(x);

	if (test_and_clear_bit(X86_APIC_EV_INIT, &a->events))
		apic_do_init(x);
	/* A SIPI counts only in the wait-for-SIPI state (SDM 8.4.4.1). */
	if (test_and_clear_bit(X86_APIC_EV_SIPI, &a->events) &&
	    x->mp_state == KVM_MP_STATE_INIT_RECEIVED)
		apic_do_sipi(x, READ_ONCE(a->sipi_vector));
}

/* A halted vCPU resumes for an NMI, or an interrupt with RFLAGS.IF set. */
static bool apic_wakes(struct x86_vcpu *x)
{
	struct x86_lapic *a = apic_live(x);
	unsigned long flags;
	bool irq;

	if (a->events & (BIT(X86_APIC_EV_INIT) | BIT(X86_APIC_EV_SIPI)))
		return true;
	if (x->mp_state != KVM_MP_STATE_HALTED)
		return false;
	if ((a->events & BIT(X86_APIC_EV_NMI)) || x->nmi_pending)
		return true;
	if (!(x->rflags & X86_EFLAGS_IF))
		return false;
	spin_lock_irqsave(&a->lock, flags);
	irq = apic_deliverable(a) >= 0 || apic_pic_pending(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return irq || x->irq_queued;
}

/*
 * Before each entry, with an in-kernel APIC: INIT and SIPI, then sleep
 * while the vCPU is halted or waits for a SIPI, until something wakes it
 * or a signal comes (KVM_EXIT_INTR; the state stays).  Returns 1 to go
 * on, -EINTR.
 */
int x86_apic_block(struct x86_vcpu *x)
{
	struct x86_lapic *a = apic_live(x);

	if (!a)
		return 1;
	for (;;) {
		apic_take_events(x);
		if (x->mp_state == KVM_MP_STATE_HALTED && apic_wakes(x))
			x->mp_state = KVM_MP_STATE_RUNNABLE;
		if (x->mp_state == KVM_MP_STATE_RUNNABLE)
			return 1;
		if (wait_event_interruptible(a->wq, apic_wakes(x)) ||
		    signal_pending(current)) {
			hvx_stat(x->vcpu, HVX_STAT_SIGNAL);
			x86_exit_to_user(x, KVM_EXIT_INTR);
			return -EINTR;
		}
	}
}

/* --- KVM_GET/SET_LAPIC --- */

/*
 * The register page as KVM shows it: in x2APIC mode the ID register
 * holds the ID in bits 31:24, as in xAPIC mode (KVM without
 * KVM_CAP_X2APIC_API), and the current count is computed.  KVM_SET_LAPIC
 * takes the page whole but recomputes what the APIC derives itself:
 * version, x2APIC LDR, PPR; the timer restarts from the current count.
 */
long x86_apic_ioctl(struct x86_vcpu *x, bool set, void __user *argp)
{
	struct x86_lapic *a = apic_live(x);
	struct kvm_lapic_state *s;
	unsigned long flags;
	long r = 0;
	u32 ccr;

	if (!a)
		return -EINVAL;
	s = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	if (set && copy_from_user(s, argp, sizeof(*s))) {
		r = -EFAULT;
		goto out;
	}
	spin_lock_irqsave(&a->lock, flags);
	if (!set) {
		memcpy(s->regs, a->regs, sizeof(s->regs));
		*(u32 *)(s->regs + APIC_TMCCT) = x86_apic_timer_ccr(a);
		*(u32 *)(s->regs + APIC_PROCPRI) = apic_ppr(a);
		if (apic_x2(a))
			*(u32 *)(s->regs + APIC_ID) <<= 24;
	} else {
		memcpy(a->regs, s->regs, sizeof(a->regs));
		apic_set(a, APIC_LVR, X86_APIC_VERSION);
		if (apic_x2(a))
			apic_set_id(a, x86_apic_reg(a, APIC_ID) >> 24);
		ccr = x86_apic_reg(a, APIC_TMCCT);
		apic_set(a, APIC_TMCCT, 0);
		apic_set(a, APIC_PROCPRI, 0);
		x86_apic_timer_start(a, ccr);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (set) {
		apic_sync_cr8(a);
		x86_apic_kick(x);
	} else if (copy_to_user(argp, s, sizeof(*s))) {
		r = -EFAULT;
	}
out:
	kfree(s);
	return r;
}

int x86_apic_init(struct x86_vcpu *x)
{
	struct x86_lapic *a = hvx_fault_alloc() ? NULL :
			      kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->x = x;
	spin_lock_init(&a->lock);
	init_waitqueue_head(&a->wq);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	a->timer.function = x86_apic_timer_fn;
	x->apic = a;
	return 0;
}

void x86_apic_free(struct x86_vcpu *x)
{
	if (!x->apic)
		return;
	hrtimer_cancel(&x->apic->timer);
	kfree(x->apic);
	x->apic = NULL;
}

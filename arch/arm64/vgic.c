// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the virtual GICv3 device (KVM_DEV_TYPE_ARM_VGIC_V3), its
 * attributes (Documentation/virt/kvm/devices/arm-vgic-v3.rst), interrupt
 * injection (KVM_IRQ_LINE, SGIs, the virtual timer's PPI) and the list
 * registers (Arm GIC Architecture Specification IHI 0069, 11.2 "The list
 * registers").
 *
 * The state of every interrupt lives in struct a64_irq under one lock.
 * Before each entry a64_vgic_flush() copies the vCPU's deliverable
 * interrupts into its list-register images (active ones first, then the
 * pending ones by priority); the world switch loads them, and after the
 * exit a64_vgic_fold() takes back what the guest's acknowledge and EOI
 * did to them in hardware.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm.h>
#include <asm/sysreg.h>

#include "arm64.h"

unsigned int a64_gic_nr_lrs;
u64 a64_gic_vtr;		/* ICH_VTR_EL2 (IHI 0069 12.5.x): what the interface implements */

/*
 * ICH_LR<n>_EL2 (IHI 0069 12.5.10): vINTID in bits 31:0, Priority 55:48,
 * Group 60, HW 61 (clear: a purely virtual interrupt), State 63:62.
 */
#define A64_LR_PRIO_SHIFT	48
#define A64_LR_GROUP1		BIT_ULL(60)
#define A64_LR_PENDING		BIT_ULL(62)
#define A64_LR_ACTIVE		BIT_ULL(63)

/* ICH_VTR_EL2.ListRegs, bits 4:0: the number of list registers less one. */
void a64_vgic_probe(void)
{
	if (!this_cpu_has_cap(ARM64_HAS_SYSREG_GIC_CPUIF))
		return;
	a64_gic_vtr = read_sysreg_s(SYS_ICH_VTR_EL2);
	a64_gic_nr_lrs = min_t(unsigned int, A64_GIC_MAX_LRS,
			       (a64_gic_vtr & 0x1f) + 1);
}

struct a64_irq *a64_vgic_irq(struct a64_vgic *gic, unsigned int idx,
			     u32 intid)
{
	if (intid < A64_GIC_PRIVATE)
		return idx < HVX_MAX_VCPUS ? &gic->priv[idx][intid] : NULL;
	/* The SPIs exist from KVM_DEV_ARM_VGIC_CTRL_INIT on. */
	if (!gic->spis || intid >= gic->nr_irqs)
		return NULL;
	return &gic->spis[intid - A64_GIC_PRIVATE];
}

static bool a64_irq_pending(const struct a64_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

/* MPIDR_EL1's affinity as GICD_IROUTER holds it: Aff3 in bits 31:24. */
static u32 a64_mpidr_route(u64 mpidr)
{
	return (mpidr & GENMASK_ULL(23, 0)) | (((mpidr >> 32) & 0xff) << 24);
}

static struct a64_vcpu *a64_vgic_vcpu(struct hvx_vm *vm, unsigned int idx)
{
	return to_a64(vm->vcpus[idx]);
}

static void a64_kick_noop(void *info)
{
}

/*
 * Make vCPU @idx look at its interrupts again: wake it from WFI, or make
 * it exit the guest if it is there (a64_enter() checks @kicked after it
 * publishes HVX_IN_GUEST, so a vCPU about to enter does not miss it).
 */
void a64_vgic_kick(struct hvx_vm *vm, unsigned int idx)
{
	struct a64_vcpu *v = a64_vgic_vcpu(vm, idx);

	WRITE_ONCE(v->kicked, true);
	smp_mb();	/* @kicked before the mode is read */
	wake_up_interruptible(&v->wq);
	if (READ_ONCE(v->vcpu->mode) != HVX_IN_GUEST)
		return;
	smp_rmb();	/* vcpu->cpu is written before vcpu->mode */
	smp_call_function_single(READ_ONCE(v->vcpu->cpu), a64_kick_noop, NULL,
				 0);
}

static void a64_vgic_kick_all(struct hvx_vm *vm, struct a64_vgic *gic)
{
	unsigned int i;

	for (i = 0; i < gic->nr_vcpus; i++)
		a64_vgic_kick(vm, i);
}

/* After a register write by vCPU @v: the others look again. */
void a64_vgic_kick_others(struct a64_vcpu *v)
{
	struct a64_vgic *gic = a64_vm(v)->vgic;
	unsigned int i;

	for (i = 0; i < gic->nr_vcpus; i++)
		if (i != v->idx)
			a64_vgic_kick(v->vcpu->vm, i);
}

/* Whether @irq, an SPI, is routed to the vCPU with MPIDR @mpidr. */
static bool a64_spi_for(const struct a64_irq *irq, u64 mpidr)
{
	return irq->route == a64_mpidr_route(mpidr);
}

/* Pending, enabled and forwarded by the distributor (IHI 0069 4.1). */
static bool a64_irq_deliverable(const struct a64_vgic *gic,
				const struct a64_irq *irq)
{
	return gic->enabled && irq->enabled && a64_irq_pending(irq) &&
	       !irq->active;
}

bool a64_vgic_has_pending(struct a64_vcpu *v)
{
	struct a64_vgic *gic = a64_vm(v)->vgic;
	bool found = false;
	unsigned int i;

	if (!gic || !gic->ready)
		return false;
	spin_lock(&gic->lock);
	for (i = 0; i < gic->nr_irqs && !found; i++) {
		const struct a64_irq *irq = a64_vgic_irq(gic, v->idx, i);

		if (i >= A64_GIC_PRIVATE && !a64_spi_for(irq, v->mpidr))
			continue;
		found = a64_irq_deliverable(gic, irq);
	}
	spin_unlock(&gic->lock);
	return found;
}

/*
 * The order in which interrupts get list registers: active ones first
 * (the guest must find them there to deactivate them), then by priority,
 * a lower value first (IHI 0069 4.8), then by INTID.
 */
static u32 a64_lr_key(const struct a64_irq *irq, u32 intid)
{
	return (irq->active ? 0 : BIT(24)) | ((u32)irq->priority << 12) |
	       intid;
}

/* Insert @key into the sorted @keys[0..*n) of at most @max entries. */
static void a64_lr_pick(u32 *keys, unsigned int *n, unsigned int max,
			u32 key)
{
	unsigned int i;

	if (*n == max && key >= keys[max - 1])
		return;
	i = *n < max ? (*n)++ : max - 1;
	for (; i > 0 && keys[i - 1] > key; i--)
		keys[i] = keys[i - 1];
	keys[i] = key;
}

static u64 a64_lr_make(struct a64_irq *irq, u32 intid)
{
	u64 lr = intid | ((u64)irq->priority << A64_LR_PRIO_SHIFT) |
		 A64_LR_GROUP1;

	if (irq->active)
		lr |= A64_LR_ACTIVE;
	if (a64_irq_pending(irq) && irq->enabled)
		lr |= A64_LR_PENDING;
	return lr;
}

/*
 * Fill the vCPU's list-register images for the next entry.  What a list
 * register holds pending is no longer latched here: a64_vgic_fold()
 * gives the latch back if the guest did not take the interrupt.
 */
void a64_vgic_flush(struct a64_vcpu *v)
{
	struct a64_vgic *gic = a64_vm(v)->vgic;
	struct a64_vgic_cpu *c = &v->gic;
	u32 keys[A64_GIC_MAX_LRS];
	unsigned int i, n = 0;

	WRITE_ONCE(v->kicked, false);
	smp_mb();	/* @kicked cleared before the state is read */
	spin_lock(&gic->lock);
	for (i = 0; i < gic->nr_irqs; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, v->idx, i);

		if (i >= A64_GIC_PRIVATE && !a64_spi_for(irq, v->mpidr))
			continue;
		if (irq->active || a64_irq_deliverable(gic, irq))
			a64_lr_pick(keys, &n, a64_gic_nr_lrs, a64_lr_key(irq, i));
	}
	for (i = 0; i < n; i++) {
		u32 intid = keys[i] & 0x3ff;
		struct a64_irq *irq = a64_vgic_irq(gic, v->idx, intid);

		c->lr[i] = a64_lr_make(irq, intid);
		c->latched[i] = irq->latch && (c->lr[i] & A64_LR_PENDING);
		if (c->latched[i])
			irq->latch = false;
		irq->in_lr = true;
	}
	spin_unlock(&gic->lock);
	for (i = n; i < a64_gic_nr_lrs; i++)
		c->lr[i] = 0;
	c->nr_used = n;
}

/*
 * After the exit: an interrupt the guest acknowledged is active in its
 * list register (pending gone), one it also deactivated with EOI is gone
 * altogether (IHI 0069 11.2.3); one still pending keeps its latch.
 */
void a64_vgic_fold(struct a64_vcpu *v)
{
	struct a64_vgic *gic = a64_vm(v)->vgic;
	struct a64_vgic_cpu *c = &v->gic;
	unsigned int i;

	spin_lock(&gic->lock);
	for (i = 0; i < c->nr_used; i++) {
		u32 intid = c->lr[i] & 0x3ff;
		struct a64_irq *irq = a64_vgic_irq(gic, v->idx, intid);

		if (!irq)
			continue;
		irq->active = c->lr[i] & A64_LR_ACTIVE;
		if ((c->lr[i] & A64_LR_PENDING) && c->latched[i])
			irq->latch = true;
		irq->in_lr = false;
	}
	spin_unlock(&gic->lock);
	c->nr_used = 0;
}

/*
 * A new level or edge on @irq's input (KVM's rules for KVM_IRQ_LINE): a
 * level-sensitive interrupt follows the line; an edge-triggered one
 * latches a rising level.  Returns whether anything changed.
 */
static bool a64_irq_set_line(struct a64_irq *irq, bool level)
{
	if (!irq->edge) {
		if (irq->line == level)
			return false;
		irq->line = level;
		return true;
	}
	if (!level)
		return false;
	irq->latch = true;
	return true;
}

/* A timer's output, the level of PPI @intid of vCPU @v. */
void a64_vgic_ppi_line(struct a64_vcpu *v, u32 intid, bool level)
{
	struct a64_vgic *gic = a64_vm(v)->vgic;

	spin_lock(&gic->lock);
	a64_irq_set_line(&gic->priv[v->idx][intid], level);
	spin_unlock(&gic->lock);
}

void a64_vgic_timer_line(struct a64_vcpu *v, bool level)
{
	a64_vgic_ppi_line(v, a64_timer_ppi(a64_vm(v), A64_TIMER_VIRT), level);
}

/*
 * A guest's write of ICC_SGI1R_EL1 (IHI 0069 12.2.23), trapped to EL2 by
 * HCR_EL2.IMO: SGI INTID (bits 27:24) to the vCPUs of affinity
 * Aff3.Aff2.Aff1 (55:48, 39:32, 23:16) whose Aff0 is RS * 16 + a bit of
 * TargetList (15:0), or with IRM (bit 40) to every vCPU but this one.
 */
void a64_vgic_sgi(struct a64_vcpu *v, u64 val)
{
	struct hvx_vm *vm = v->vcpu->vm;
	struct a64_vgic *gic = a64_vm(v)->vgic;
	u32 intid = (val >> 24) & 0xf, targets = val & 0xffff;
	u64 aff = ((val >> 16) & 0xff) << 8 | ((val >> 32) & 0xff) << 16 |
		  ((val >> 48) & 0xff) << 32;
	unsigned int rs = (val >> 44) & 0xf, i;
	bool all = val & BIT_ULL(40);
	unsigned long hit = 0;

	spin_lock(&gic->lock);
	for (i = 0; i < gic->nr_vcpus; i++) {
		u64 mpidr = a64_vgic_vcpu(vm, i)->mpidr;
		u64 aff0 = mpidr & 0xff;

		if (all ? i == v->idx :
		    (mpidr & (GENMASK_ULL(39, 32) | GENMASK_ULL(23, 8))) != aff ||
		    aff0 / 16 != rs || !(targets & BIT(aff0 % 16)))
			continue;
		gic->priv[i][intid].latch = true;
		hit |= BIT(i);
	}
	spin_unlock(&gic->lock);
	for_each_set_bit(i, &hit, HVX_MAX_VCPUS)
		if (i != v->idx)
			a64_vgic_kick(vm, i);
}

/*
 * KVM_IRQ_LINE on arm64 (api.rst): irq bits 27:24 the type, 23:16 and
 * 31:28 the vCPU index (low and high parts), 15:0 the INTID.  An SPI
 * (32 up) for the distributor, a PPI (16-31) for one vCPU; type 0, the
 * vCPU's own IRQ and FIQ lines, is refused with an in-kernel GIC.
 */
long a64_vgic_irq_line(struct hvx_vm *vm, void __user *argp)
{
	struct a64_vgic *gic = ((struct a64_vm *)vm->arch)->vgic;
	struct kvm_irq_level il;
	unsigned int type, idx, intid;
	struct a64_irq *irq;
	bool changed;

	if (copy_from_user(&il, argp, sizeof(il)))
		return -EFAULT;
	type = (il.irq >> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
	idx = ((il.irq >> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK) +
	      ((il.irq >> KVM_ARM_IRQ_VCPU2_SHIFT) & KVM_ARM_IRQ_VCPU2_MASK) *
	      (KVM_ARM_IRQ_VCPU_MASK + 1);
	intid = (il.irq >> KVM_ARM_IRQ_NUM_SHIFT) & KVM_ARM_IRQ_NUM_MASK;
	if (type != KVM_ARM_IRQ_TYPE_SPI && type != KVM_ARM_IRQ_TYPE_PPI)
		return type == KVM_ARM_IRQ_TYPE_CPU ? -ENXIO : -EINVAL;
	if (!gic)
		return -ENXIO;
	if (type == KVM_ARM_IRQ_TYPE_PPI) {
		if (idx >= READ_ONCE(vm->nr_vcpus))
			return -EINVAL;
		if (intid < A64_GIC_SGIS || intid >= A64_GIC_PRIVATE)
			return -EINVAL;
	} else if (intid < A64_GIC_PRIVATE) {
		return -EINVAL;
	}
	if (!READ_ONCE(gic->initialised))
		return -EBUSY;
	spin_lock(&gic->lock);
	irq = a64_vgic_irq(gic, idx, intid);
	changed = irq && a64_irq_set_line(irq, il.level);
	spin_unlock(&gic->lock);
	if (!irq)
		return -EINVAL;
	if (changed)
		a64_vgic_kick_all(vm, gic);
	return 0;
}

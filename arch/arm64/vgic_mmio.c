// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the virtual GICv3's distributor and redistributors, emulated
 * on the guest's loads and stores in their windows (IHI 0069 ch. 12,
 * "12.9 The GIC Distributor register descriptions", "12.10 The GIC
 * Redistributor register descriptions", "12.11 ... SGI and PPI").
 *
 * Affinity routing is always on (GICD_CTLR.ARE_NS reads one) and there is
 * one Security state (DS reads one): every interrupt is Group 1, so the
 * group registers read as all ones and ignore writes.  As in KVM, the
 * distributor's registers for INTIDs 0-31 read as zero (those live in the
 * redistributors), an access of a size a register does not allow reads as
 * zero and is ignored, and so is any offset not described here.
 */
#include <linux/bitops.h>

#include "arm64.h"

/* Distributor (12.9) and redistributor (12.10, 12.11) register offsets. */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GIC_PIDR2	0xffe8
#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_SGI_BASE	0x10000

#define GICD_CTLR_ENABLE_G1A	BIT(1)
#define GICD_CTLR_ARE_NS	BIT(4)
#define GICD_CTLR_DS		BIT(6)
/* GICD_TYPER.IDbits (23:19): 10 INTID bits, less one. */
#define GICD_TYPER_IDBITS	(9 << 19)
/* GICD_IIDR: Implementer 0x43b (Arm), ProductID 0, Revision 0. */
#define A64_GIC_IIDR		0x43b
/* GICD_PIDR2 and GICR_PIDR2: ArchRev 3 (GICv3), JEDEC, DES_1 0b011. */
#define A64_GIC_PIDR2		0x3b
#define GICR_TYPER_LAST		BIT_ULL(4)
/* The priority bits kept: five, the fewest a GICv3 implements. */
#define A64_GIC_PRIO_MASK	0xf8

/* A register of one bit per interrupt: which of the six. */
enum a64_bitreg { A64_SENABLE, A64_CENABLE, A64_SPEND, A64_CPEND,
		  A64_SACTIVE, A64_CACTIVE };

static u32 a64_bit_read(struct a64_irq *irq, enum a64_bitreg reg)
{
	switch (reg) {
	case A64_SENABLE:
	case A64_CENABLE:
		return irq->enabled;
	case A64_SPEND:
	case A64_CPEND:
		return irq->latch || (!irq->edge && irq->line);
	default:
		return irq->active;
	}
}

/* A one written: set or clear (IHI 0069 12.9.x ISENABLER...ICACTIVER). */
static void a64_bit_write(struct a64_irq *irq, enum a64_bitreg reg)
{
	switch (reg) {
	case A64_SENABLE:
		irq->enabled = true;
		break;
	case A64_CENABLE:
		irq->enabled = false;
		break;
	case A64_SPEND:
		irq->latch = true;
		break;
	case A64_CPEND:
		irq->latch = false;
		break;
	case A64_SACTIVE:
		irq->active = true;
		break;
	case A64_CACTIVE:
		irq->active = false;
		break;
	}
}

/*
 * 32 interrupts from @intid, private ones those of vCPU @idx: one bit
 * each.  gic->lock held.
 */
static void a64_bits(struct a64_vgic *gic, unsigned int idx, u32 intid,
		     enum a64_bitreg reg, bool write, u64 *val)
{
	unsigned int i;
	u32 out = 0;

	for (i = 0; i < 32; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, idx, intid + i);

		if (!irq)
			break;
		if (!write)
			out |= a64_bit_read(irq, reg) << i;
		else if (*val & BIT(i))
			a64_bit_write(irq, reg);
	}
	if (!write)
		*val = out;
}

/* @len bytes of priorities from @intid; byte or word accesses. */
static void a64_prio(struct a64_vgic *gic, unsigned int idx, u32 intid,
		     unsigned int len, bool write, u64 *val)
{
	unsigned int i;
	u64 out = 0;

	for (i = 0; i < len; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, idx, intid + i);

		if (!irq)
			break;
		if (write)
			irq->priority = (*val >> (8 * i)) & A64_GIC_PRIO_MASK;
		else
			out |= (u64)irq->priority << (8 * i);
	}
	if (!write)
		*val = out;
}

/*
 * GICD_ICFGR<n>: two bits per SPI, the upper one set for edge-triggered
 * (12.9.9); SGIs read 0b10 and PPIs 0b00 and neither changes (as KVM,
 * whose timer relies on level-sensitive PPIs).
 */
static void a64_cfg(struct a64_vgic *gic, unsigned int idx, u32 intid,
		    bool write, u64 *val)
{
	unsigned int i;
	u32 out = 0;

	for (i = 0; i < 16; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, idx, intid + i);

		if (!irq)
			break;
		if (write && intid + i >= A64_GIC_PRIVATE)
			irq->edge = *val & BIT(2 * i + 1);
		out |= (u32)irq->edge << (2 * i + 1);
	}
	if (!write)
		*val = out;
}

/*
 * GICD_IROUTER<n> (12.9.22): Aff3 in bits 39:32, Aff2.Aff1.Aff0 in 23:0;
 * Interrupt_Routing_Mode (bit 31) reads zero, as on KVM.  64-bit
 * accesses, or 32-bit ones to either half.
 */
static void a64_irouter(struct a64_irq *irq, unsigned int off,
			unsigned int len, bool write, u64 *val)
{
	u64 reg = (irq->route & GENMASK(23, 0)) |
		  ((u64)(irq->route >> 24) << 32);
	unsigned int shift = (off & 4) * 8;

	if (!write) {
		*val = (reg >> shift) & (len == 8 ? ~0ULL : 0xffffffffULL);
		return;
	}
	if (len == 8)
		reg = *val;
	else
		reg = (reg & ~(0xffffffffULL << shift)) |
		      ((*val & 0xffffffffULL) << shift);
	irq->route = (reg & GENMASK(23, 0)) | (((reg >> 32) & 0xff) << 24);
}

/*
 * The registers of one bit, byte or two bits per interrupt, at the same
 * offsets in the distributor and the SGI_base frame; @first is the lowest
 * INTID the frame serves.  Returns false if @off is none of them.
 */
static bool a64_irq_regs(struct a64_vgic *gic, unsigned int idx, u32 off,
			 unsigned int len, bool write, u64 *val, u32 first)
{
	u32 intid;

	if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR) {
		intid = (off & 0x7f) * 8;
		if (len != 4 || intid < first)
			return false;
		a64_bits(gic, idx, intid, (off - GICD_ISENABLER) / 0x80,
			 write, val);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		intid = off - GICD_IPRIORITYR;
		if ((len != 4 && len != 1) || intid < first)
			return false;
		a64_prio(gic, idx, intid, len, write, val);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		intid = (off - GICD_ICFGR) * 4;
		if (len != 4 || intid < first)
			return false;
		a64_cfg(gic, idx, intid, write, val);
		return true;
	}
	return false;
}

static void a64_dist(struct a64_vgic *gic, u32 off, unsigned int len,
		     bool write, u64 *val)
{
	struct a64_irq *irq;

	if (off >= GICD_IROUTER && off < GICD_IROUTER + 8 * A64_GIC_MAX_IRQS) {
		irq = a64_vgic_irq(gic, 0, (off - GICD_IROUTER) / 8);
		if (irq && (off - GICD_IROUTER) / 8 >= A64_GIC_PRIVATE &&
		    (len == 8 || len == 4))
			a64_irouter(irq, off, len, write, val);
		return;
	}
	if (a64_irq_regs(gic, 0, off, len, write, val, A64_GIC_PRIVATE) ||
	    len != 4)
		return;
	if (write) {
		if (off == GICD_CTLR)
			gic->enabled = *val & GICD_CTLR_ENABLE_G1A;
		return;
	}
	switch (off) {
	case GICD_CTLR:
		*val = GICD_CTLR_ARE_NS | GICD_CTLR_DS |
		       (gic->enabled ? GICD_CTLR_ENABLE_G1A : 0);
		break;
	case GICD_TYPER:
		*val = GICD_TYPER_IDBITS | (gic->nr_irqs / 32 - 1);
		break;
	case GICD_IIDR:
		*val = A64_GIC_IIDR;
		break;
	case GIC_PIDR2:
		*val = A64_GIC_PIDR2;
		break;
	default:
		if (off >= GICD_IGROUPR && off < GICD_IGROUPR + 0x80)
			*val = off == GICD_IGROUPR ? 0 : ~0U;
	}
}

/*
 * GICR_TYPER (12.10.30): Affinity_Value (63:32) the vCPU's MPIDR
 * affinity, Processor_Number (23:8) its index, Last (4) on the last
 * redistributor of the region.
 */
static u64 a64_gicr_typer(struct a64_vgic *gic, struct hvx_vm *vm,
			  unsigned int idx)
{
	u64 mpidr = to_a64(vm->vcpus[idx])->mpidr;
	u64 aff = (mpidr & GENMASK_ULL(23, 0)) |
		  (((mpidr >> 32) & 0xff) << 24);

	return aff << 32 | (u64)idx << 8 |
	       (idx == gic->nr_vcpus - 1 ? GICR_TYPER_LAST : 0);
}

static void a64_redist(struct a64_vgic *gic, struct hvx_vm *vm,
		       unsigned int idx, u32 off, unsigned int len, bool write,
		       u64 *val)
{
	u64 typer;

	if (off >= GICR_SGI_BASE) {
		off -= GICR_SGI_BASE;
		if (a64_irq_regs(gic, idx, off, len, write, val, 0) || write ||
		    len != 4)
			return;
		if (off == GICD_IGROUPR)
			*val = ~0U;
		return;
	}
	if (write)
		return;		/* CTLR (no LPIs), WAKER (never asleep): WI */
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		typer = a64_gicr_typer(gic, vm, idx);
		if (len == 8 && off == GICR_TYPER)
			*val = typer;
		else if (len == 4)
			*val = (u32)(typer >> ((off - GICR_TYPER) * 8));
		return;
	}
	if (len != 4)
		return;
	if (off == GICR_IIDR)
		*val = A64_GIC_IIDR;
	else if (off == GIC_PIDR2)
		*val = A64_GIC_PIDR2;
}

/*
 * A 32-bit access by user space (vgic_uaccess.c) at offset @off of the
 * distributor (@idx < 0) or of vCPU @idx's redistributor, gic->lock held.
 */
void a64_vgic_reg_uaccess(struct a64_vgic *gic, struct hvx_vm *vm, int idx,
			  u32 off, bool write, u64 *val)
{
	if (idx < 0)
		a64_dist(gic, off, 4, write, val);
	else
		a64_redist(gic, vm, idx, off, 4, write, val);
}

/*
 * A guest load or store of @len bytes at @ipa: 0 if it fell in the
 * distributor's or a redistributor's window (a load's value in @val),
 * -ENOENT if not.  Aligned accesses only: the windows are Device memory
 * (an unaligned access faults in the guest before it gets here).
 */
int a64_vgic_mmio(struct a64_vcpu *v, u64 ipa, bool write, unsigned int len,
		  u64 *val)
{
	struct hvx_vm *vm = v->vcpu->vm;
	struct a64_vgic *gic = a64_vm(v)->vgic;
	bool dist;
	u64 idx = 0;

	if (!gic || !gic->ready)
		return -ENOENT;
	dist = ipa - gic->dist_base < A64_GIC_DIST_SIZE;
	if (!dist) {
		idx = (ipa - gic->redist_base) / A64_GIC_REDIST_SIZE;
		if (ipa < gic->redist_base || idx >= gic->nr_vcpus)
			return -ENOENT;
	}
	if (!write)
		*val = 0;
	if (ipa & (len - 1))
		return 0;
	spin_lock(&gic->lock);
	if (dist)
		a64_dist(gic, ipa - gic->dist_base, len, write, val);
	else
		a64_redist(gic, vm, idx, (ipa - gic->redist_base) %
			   A64_GIC_REDIST_SIZE, len, write, val);
	spin_unlock(&gic->lock);
	if (write)
		a64_vgic_kick_others(v);
	return 0;
}

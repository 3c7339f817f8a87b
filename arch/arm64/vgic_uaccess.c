// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the virtual GICv3's state from user space, the attribute
 * groups of Documentation/virt/kvm/devices/arm-vgic-v3.rst that KVM's
 * save and restore use: KVM_DEV_ARM_VGIC_GRP_DIST_REGS (a distributor
 * register at the offset in attr bits 31:0), GRP_REDIST_REGS (the same in
 * the redistributor of the vCPU whose MPIDR affinity is in bits 63:32)
 * and GRP_LEVEL_INFO (the input levels of 32 level-sensitive interrupts).
 * Every value is 32 bits.  As KVM: the GIC must be initialised (EBUSY), no
 * vCPU may be in an ioctl (EBUSY), an unknown vCPU is EINVAL; an offset
 * that names no register is ENXIO for KVM_HAS_DEVICE_ATTR but reads as
 * zero and ignores writes.  GRP_CPU_SYSREGS: vgic_sysregs.c.
 */
#include <linux/bitfield.h>
#include <linux/uaccess.h>
#include <asm/kvm.h>

#include "arm64.h"

/* Distributor (IHI 0069 12.9) and redistributor (12.10, 12.11) offsets. */
#define A64_GICD_CTLR		0x0000
#define A64_GICD_IIDR		0x0008
#define A64_GICD_IGROUPR	0x0080
#define A64_GICD_ISPENDR	0x0200
#define A64_GICD_ICPENDR	0x0280
#define A64_GICD_ISACTIVER	0x0300
#define A64_GICD_IPRIORITYR	0x0400
#define A64_GICD_ICFGR		0x0c00
#define A64_GICD_IROUTER	0x6000
#define A64_GIC_PIDR2		0xffe8
#define A64_GICR_TYPER		0x0008
#define A64_GICR_WAKER		0x0014
#define A64_GICR_SGI_BASE	0x10000

/* Whether @off names a distributor register hvx emulates. */
static bool a64_gicd_known(u32 off)
{
	return off <= A64_GICD_IIDR ||
	       (off >= A64_GICD_IGROUPR && off < A64_GICD_ICFGR + 0x100) ||
	       (off >= A64_GICD_IROUTER + 8 * A64_GIC_PRIVATE &&
		off < A64_GICD_IROUTER + 8 * A64_GIC_MAX_IRQS) ||
	       off == A64_GIC_PIDR2;
}

/*
 * Whether @off names a redistributor register: in RD_base CTLR to TYPER,
 * WAKER and PIDR2; in SGI_base the registers of INTIDs 0-31 only.
 */
static bool a64_gicr_known(u32 off)
{
	if (off >= A64_GICR_SGI_BASE) {
		off -= A64_GICR_SGI_BASE;
		return (off >= A64_GICD_IGROUPR && off < A64_GICD_IPRIORITYR &&
			off % 0x80 == 0) ||
		       (off >= A64_GICD_IPRIORITYR &&
			off < A64_GICD_IPRIORITYR + A64_GIC_PRIVATE) ||
		       off == A64_GICD_ICFGR || off == A64_GICD_ICFGR + 4;
	}
	return off <= A64_GICR_TYPER + 4 || off == A64_GICR_WAKER ||
	       off == A64_GIC_PIDR2;
}

/*
 * ISPENDR and ICPENDR from user space (arm-vgic-v3.rst, "ISPENDR ...
 * ICPENDR"): the pending latches only, a level-sensitive interrupt's
 * input travelling in GRP_LEVEL_INFO.  A write of ISPENDR sets each
 * latch to its bit, whatever the interrupt's configuration; ICPENDR
 * reads as zero and ignores writes.  As KVM.  @first is the lowest INTID
 * the frame serves (the distributor's are SPIs).  Returns false for any
 * other offset.
 */
static bool a64_pend_uaccess(struct a64_vgic *gic, unsigned int idx, u32 off,
			     u32 first, bool write, u64 *val)
{
	u32 intid, i;
	u64 out = 0;

	if (off < A64_GICD_ISPENDR || off >= A64_GICD_ISACTIVER)
		return false;
	intid = (off & 0x7f) * 8;
	for (i = 0; i < 32 && off < A64_GICD_ICPENDR && intid >= first; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, idx, intid + i);

		if (!irq)
			break;
		if (write)
			irq->latch = *val & BIT(i);
		out |= (u64)irq->latch << i;
	}
	if (!write)
		*val = out;
	return true;
}

/*
 * The vCPU whose MPIDR affinity GRP_REDIST_REGS' and GRP_CPU_SYSREGS'
 * attr bits 63:32 hold, or -EINVAL.  vm->lock held.
 */
int a64_vgic_attr_vcpu(struct hvx_vm *vm, u64 attr)
{
	u32 aff = (attr & KVM_DEV_ARM_VGIC_V3_MPIDR_MASK) >>
		  KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		u64 mpidr = to_a64(vm->vcpus[i])->mpidr;

		if (aff == ((mpidr & GENMASK_ULL(23, 0)) |
			    (((mpidr >> 32) & 0xff) << 24)))
			return i;
	}
	return -EINVAL;
}

/*
 * GRP_LEVEL_INFO (arm-vgic-v3.rst): bits 31:0 of the value are the input
 * levels of INTIDs attr[9:0] (a multiple of 32) to 31 above it; only the
 * level-sensitive ones read a level or take one.  gic->lock held.
 */
static int a64_level_info(struct a64_vgic *gic, unsigned int idx, u64 attr,
			  bool write, u64 *val)
{
	u32 intid = attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK, i;
	u64 out = 0;

	if (FIELD_GET(KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK, attr) !=
	    VGIC_LEVEL_INFO_LINE_LEVEL || intid % 32)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		struct a64_irq *irq = a64_vgic_irq(gic, idx, intid + i);

		if (!irq)
			break;
		if (irq->edge)
			continue;
		if (write)
			irq->line = *val & BIT(i);
		else
			out |= (u64)irq->line << i;
	}
	if (!write)
		*val = out;
	return 0;
}

/* One access, every vCPU lock and vm->lock held. */
static int a64_vgic_access(struct hvx_vm *vm, struct a64_vgic *gic,
			   const struct kvm_device_attr *attr, bool write,
			   u64 *val)
{
	u32 off = attr->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK;
	bool dist = attr->group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS;
	int idx = dist ? 0 : a64_vgic_attr_vcpu(vm, attr->attr);
	int r = 0;

	if (idx < 0)
		return idx;
	if (!gic->initialised)
		return -EBUSY;
	spin_lock(&gic->lock);
	if (attr->group == KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO)
		r = a64_level_info(gic, idx, attr->attr, write, val);
	else if (off % 4 || !(dist ? a64_gicd_known(off) : a64_gicr_known(off)))
		*val = 0;	/* RAZ/WI, as KVM's vgic_uaccess() */
	else if (!a64_pend_uaccess(gic, idx, off % A64_GICR_SGI_BASE,
				   dist ? A64_GIC_PRIVATE : 0, write, val))
		a64_vgic_reg_uaccess(gic, vm, dist ? -1 : idx, off, write,
				     val);
	spin_unlock(&gic->lock);
	return r;
}

/* KVM_HAS_DEVICE_ATTR: whether the register exists (no vCPU needed). */
static long a64_vgic_has_reg(struct hvx_vm *vm,
			     const struct kvm_device_attr *attr)
{
	u32 off = attr->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK;

	switch (attr->group) {
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
		return !(off % 4) && a64_gicd_known(off) ? 0 : -ENXIO;
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
		if (a64_vgic_attr_vcpu(vm, attr->attr) < 0)
			return -EINVAL;
		return !(off % 4) && a64_gicr_known(off) ? 0 : -ENXIO;
	default:	/* LEVEL_INFO */
		return FIELD_GET(KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK,
				 attr->attr) == VGIC_LEVEL_INFO_LINE_LEVEL ?
		       0 : -ENXIO;
	}
}

/*
 * KVM_SET/GET/HAS_DEVICE_ATTR of GRP_DIST_REGS, GRP_REDIST_REGS and
 * GRP_LEVEL_INFO.  No vCPU runs meanwhile; each fills its list registers
 * from the new state on its next entry.
 */
long a64_vgic_uaccess(struct hvx_vm *vm, struct a64_vgic *gic,
		      const struct kvm_device_attr *attr, unsigned int ioctl)
{
	u32 __user *uaddr = u64_to_user_ptr(attr->addr);
	bool write = ioctl == KVM_SET_DEVICE_ATTR;
	u32 val32 = 0;
	u64 val;
	int r;

	if (ioctl == KVM_HAS_DEVICE_ATTR) {
		mutex_lock(&vm->lock);
		r = a64_vgic_has_reg(vm, attr);
		mutex_unlock(&vm->lock);
		return r;
	}
	if (write && get_user(val32, uaddr))
		return -EFAULT;
	val = val32;
	mutex_lock(&vm->lock);
	r = a64_vgic_lock_vcpus(vm);
	if (!r) {
		r = a64_vgic_access(vm, gic, attr, write, &val);
		a64_vgic_unlock_vcpus(vm, vm->nr_vcpus);
	}
	mutex_unlock(&vm->lock);
	if (!r && !write)
		r = put_user((u32)val, uaddr);
	return r;
}

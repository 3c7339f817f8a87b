// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: a vCPU's GIC CPU interface registers from user space,
 * KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS (Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst): attr bits 63:32 name the vCPU by its MPIDR affinity,
 * as in GRP_REDIST_REGS, bits 15:0 the register by its op0, op1, CRn,
 * CRm, op2 encoding (the layout of KVM_REG_ARM64_SYSREG); each value is
 * 64 bits.  QEMU reads and writes them all at every reset of its GICv3.
 *
 * The guest runs these registers in hardware, on the virtual CPU
 * interface (IHI 0069 11.1), whose state hvx saves per vCPU: PMR, BPR0,
 * BPR1, the group enables, EOImode and CBPR are fields of ICH_VMCR_EL2
 * (12.5.x), the active priorities are ICH_AP0R<n>_EL2 and ICH_AP1R<n>_EL2
 * (12.5.1, 12.5.2).  ICC_CTLR_EL1's read-only fields and ICC_SRE_EL1 are
 * what this host's virtual interface implements (ICH_VTR_EL2).  As KVM
 * (vgic-sys-reg-v3.c): EBUSY before KVM_DEV_ARM_VGIC_CTRL_INIT or with a
 * vCPU in an ioctl, EINVAL for an unknown vCPU, an active-priority
 * register beyond those the priority bits need, an ICC_SRE_EL1 write
 * without SRE, or an ICC_CTLR_EL1 write whose SEIS or A3V differ from
 * the host's or whose PRIbits or IDbits exceed them (KVM then narrows
 * the vCPU's; hvx keeps the host's and reports them); ENXIO from
 * KVM_HAS_DEVICE_ATTR for any other register.
 */
#include <linux/bitfield.h>
#include <linux/uaccess.h>
#include <linux/irqchip/arm-gic-v3.h>
#include <asm/kvm.h>
#include <asm/sysreg.h>

#include "arm64.h"

/* The attribute's 16-bit encoding as the kernel's sys_reg() value. */
static u32 a64_icc_reg(u64 attr)
{
	return sys_reg(FIELD_GET(KVM_REG_ARM64_SYSREG_OP0_MASK, attr),
		       FIELD_GET(KVM_REG_ARM64_SYSREG_OP1_MASK, attr),
		       FIELD_GET(KVM_REG_ARM64_SYSREG_CRN_MASK, attr),
		       FIELD_GET(KVM_REG_ARM64_SYSREG_CRM_MASK, attr),
		       FIELD_GET(KVM_REG_ARM64_SYSREG_OP2_MASK, attr));
}

/* ICH_VTR_EL2.PRIbits + 1: the priority bits the interface implements. */
static u32 a64_icc_pri_bits(void)
{
	return FIELD_GET(ICH_VTR_PRI_BITS_MASK, a64_gic_vtr) + 1;
}

/*
 * Active-priority registers per group: one for 5 priority bits, two for
 * 6, four for 7 (IHI 0069 12.5.1).
 */
static u32 a64_icc_nr_aprs(void)
{
	return 1U << (a64_icc_pri_bits() - 5);
}

/*
 * Whether @reg is ICC_AP0R<n>_EL1 (0) or ICC_AP1R<n>_EL1 (1), n in @n;
 * -1 if neither.
 */
static int a64_icc_apr(u32 reg, unsigned int *n)
{
	for (*n = 0; *n < 4; (*n)++) {
		if (reg == SYS_ICC_AP0Rn_EL1(*n))
			return 0;
		if (reg == SYS_ICC_AP1Rn_EL1(*n))
			return 1;
	}
	return -1;
}

/* ICC_CTLR_EL1 (IHI 0069 12.2.6) from VMCR and ICH_VTR_EL2. */
static u64 a64_icc_ctlr(u64 vmcr)
{
	return FIELD_PREP(ICC_CTLR_EL1_PRI_BITS_MASK, a64_icc_pri_bits() - 1) |
	       FIELD_PREP(ICC_CTLR_EL1_ID_BITS_MASK,
			  FIELD_GET(ICH_VTR_ID_BITS_MASK, a64_gic_vtr)) |
	       FIELD_PREP(ICC_CTLR_EL1_SEIS_MASK,
			  FIELD_GET(ICH_VTR_SEIS_MASK, a64_gic_vtr)) |
	       FIELD_PREP(ICC_CTLR_EL1_A3V_MASK,
			  FIELD_GET(ICH_VTR_A3V_MASK, a64_gic_vtr)) |
	       FIELD_PREP(ICC_CTLR_EL1_CBPR_MASK,
			  FIELD_GET(ICH_VMCR_CBPR_MASK, vmcr)) |
	       FIELD_PREP(ICC_CTLR_EL1_EOImode_MASK,
			  FIELD_GET(ICH_VMCR_EOIM_MASK, vmcr));
}

static int a64_icc_set_ctlr(u64 *vmcr, u64 val)
{
	u64 host = a64_icc_ctlr(0);
	u64 same = ICC_CTLR_EL1_SEIS_MASK | ICC_CTLR_EL1_A3V_MASK;

	if ((val & same) != (host & same) ||
	    FIELD_GET(ICC_CTLR_EL1_PRI_BITS_MASK, val) >
	    FIELD_GET(ICC_CTLR_EL1_PRI_BITS_MASK, host) ||
	    FIELD_GET(ICC_CTLR_EL1_ID_BITS_MASK, val) >
	    FIELD_GET(ICC_CTLR_EL1_ID_BITS_MASK, host))
		return -EINVAL;
	*vmcr &= ~(ICH_VMCR_CBPR_MASK | ICH_VMCR_EOIM_MASK);
	*vmcr |= FIELD_PREP(ICH_VMCR_CBPR_MASK,
			    FIELD_GET(ICC_CTLR_EL1_CBPR_MASK, val)) |
		 FIELD_PREP(ICH_VMCR_EOIM_MASK,
			    FIELD_GET(ICC_CTLR_EL1_EOImode_MASK, val));
	return 0;
}

/*
 * The ICH_VMCR_EL2 field behind a register that is one, or 0.  ICC_BPR1
 * with VMCR.CBPR set reads BPR0 + 1 (at most 7) and ignores writes, as
 * the hardware's ICV_BPR1_EL1 does (12.2.5).
 */
static u64 a64_icc_vmcr_field(u32 reg)
{
	switch (reg) {
	case SYS_ICC_PMR_EL1:
		return ICH_VMCR_PMR_MASK;
	case SYS_ICC_BPR0_EL1:
		return ICH_VMCR_BPR0_MASK;
	case SYS_ICC_BPR1_EL1:
		return ICH_VMCR_BPR1_MASK;
	case SYS_ICC_IGRPEN0_EL1:
		return ICH_VMCR_ENG0_MASK;
	case SYS_ICC_IGRPEN1_EL1:
		return ICH_VMCR_ENG1_MASK;
	}
	return 0;
}

/* Whether @reg is one of the 15 registers of the group. */
static bool a64_icc_known(u32 reg)
{
	unsigned int n;

	return a64_icc_vmcr_field(reg) || reg == SYS_ICC_CTLR_EL1 ||
	       reg == SYS_ICC_SRE_EL1 || a64_icc_apr(reg, &n) >= 0;
}

/* One access to vCPU @v's register @reg; every vCPU lock held. */
static int a64_icc_access(struct a64_vcpu *v, u32 reg, bool write, u64 *val)
{
	u64 field = a64_icc_vmcr_field(reg), *vmcr = &v->gic.vmcr, *apr;
	bool cbpr = *vmcr & ICH_VMCR_CBPR_MASK;
	unsigned int n;
	int group;

	if (reg == SYS_ICC_BPR1_EL1 && cbpr) {
		if (!write)
			*val = min_t(u64, FIELD_GET(ICH_VMCR_BPR0_MASK, *vmcr) + 1,
				     7);
		return 0;
	}
	if (field) {
		if (!write) {
			*val = (*vmcr & field) >> __ffs64(field);
			return 0;
		}
		*vmcr = (*vmcr & ~field) | ((*val << __ffs64(field)) & field);
		return 0;
	}
	if (reg == SYS_ICC_CTLR_EL1) {
		if (write)
			return a64_icc_set_ctlr(vmcr, *val);
		*val = a64_icc_ctlr(*vmcr);
		return 0;
	}
	if (reg == SYS_ICC_SRE_EL1) {
		if (write)
			return *val & ICC_SRE_EL1_SRE ? 0 : -EINVAL;
		*val = ICC_SRE_EL1_SRE | ICC_SRE_EL1_DFB | ICC_SRE_EL1_DIB;
		return 0;
	}
	group = a64_icc_apr(reg, &n);
	if (group < 0 || n >= a64_icc_nr_aprs())
		return -EINVAL;
	apr = group ? &v->gic.ap1r[n] : &v->gic.ap0r[n];
	if (write)
		*apr = (u32)*val;
	else
		*val = *apr;
	return 0;
}

/* KVM_SET/GET/HAS_DEVICE_ATTR of GRP_CPU_SYSREGS. */
long a64_vgic_cpu_sysregs(struct hvx_vm *vm, struct a64_vgic *gic,
			  const struct kvm_device_attr *attr,
			  unsigned int ioctl)
{
	u64 __user *uaddr = u64_to_user_ptr(attr->addr);
	bool write = ioctl == KVM_SET_DEVICE_ATTR;
	u32 reg = a64_icc_reg(attr->attr);
	u64 val = 0;
	int idx, r;

	mutex_lock(&vm->lock);
	idx = a64_vgic_attr_vcpu(vm, attr->attr);
	if (ioctl == KVM_HAS_DEVICE_ATTR) {
		mutex_unlock(&vm->lock);
		if (idx < 0)
			return idx;
		return a64_icc_known(reg) ? 0 : -ENXIO;
	}
	mutex_unlock(&vm->lock);
	if (write && get_user(val, uaddr))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = a64_vgic_lock_vcpus(vm);
	if (!r) {
		idx = a64_vgic_attr_vcpu(vm, attr->attr);
		if (idx < 0)
			r = idx;
		else if (!gic->initialised)
			r = -EBUSY;
		else if (!a64_icc_known(reg))
			r = -ENXIO;
		else
			r = a64_icc_access(to_a64(vm->vcpus[idx]), reg, write,
					   &val);
		a64_vgic_unlock_vcpus(vm, vm->nr_vcpus);
	}
	mutex_unlock(&vm->lock);
	if (!r && !write)
		r = put_user(val, uaddr);
	return r;
}

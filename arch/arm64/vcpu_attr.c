// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: KVM_HAS/GET/SET_DEVICE_ATTR on a vCPU fd (api.rst
 * "KVM_SET_DEVICE_ATTR", Documentation/virt/kvm/devices/vcpu.rst), with
 * KVM_CAP_VCPU_ATTRIBUTES.  Two groups: KVM_ARM_VCPU_PVTIME_CTRL, the
 * stolen-time structure (pvtime.c), and KVM_ARM_VCPU_TIMER_CTRL, the
 * PPIs of the virtual and physical timers (KVM_ARM_VCPU_TIMER_IRQ_VTIMER,
 * _PTIMER), an int each.  As KVM: only with an in-kernel GIC (EINVAL),
 * a PPI (16-31) or EINVAL, not once the vCPU has run (EBUSY), ENXIO for
 * any other attribute or group.  The numbers hold for the whole VM, as
 * KVM requires them to be the same on every vCPU; the two must differ.
 */
#include <linux/uaccess.h>
#include <asm/kvm.h>

#include "arm64.h"

static long a64_timer_attr(struct a64_vcpu *v, const struct kvm_device_attr *attr,
			   unsigned int ioctl)
{
	struct hvx_vm *vm = v->vcpu->vm;
	struct a64_vm *avm = vm->arch;
	int __user *uaddr = u64_to_user_ptr(attr->addr);
	unsigned int which;
	long r = 0;
	int irq;

	switch (attr->attr) {
	case KVM_ARM_VCPU_TIMER_IRQ_VTIMER:
		which = A64_TIMER_VIRT;
		break;
	case KVM_ARM_VCPU_TIMER_IRQ_PTIMER:
		which = A64_TIMER_PHYS;
		break;
	default:
		return -ENXIO;
	}
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	if (ioctl == KVM_GET_DEVICE_ATTR)
		return put_user(a64_timer_ppi(avm, which), uaddr);
	if (!READ_ONCE(avm->vgic))
		return -EINVAL;
	if (get_user(irq, uaddr))
		return -EFAULT;
	if (irq < A64_GIC_SGIS || irq >= A64_GIC_PRIVATE)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (v->ran)
		r = -EBUSY;
	else if (irq == a64_timer_ppi(avm, !which))
		r = -EINVAL;
	else
		avm->timer_ppi[which] = irq;
	mutex_unlock(&vm->lock);
	return r;
}

long a64_vcpu_attr(struct a64_vcpu *v, unsigned int ioctl, void __user *argp)
{
	struct kvm_device_attr attr;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	switch (attr.group) {
	case KVM_ARM_VCPU_TIMER_CTRL:
		return a64_timer_attr(v, &attr, ioctl);
	case KVM_ARM_VCPU_PVTIME_CTRL:
		return a64_pvtime_attr(v, &attr, ioctl);
	}
	return -ENXIO;
}

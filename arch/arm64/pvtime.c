// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: stolen time, from "Paravirtualized Time for Arm-based
 * Systems" (Arm DEN 0057A), the standard hypervisor service bit
 * KVM_REG_ARM_STD_HYP_BIT_PV_TIME (smccc.c).
 *
 * User space gives each vCPU a 64-byte structure in guest memory
 * (KVM_ARM_VCPU_PVTIME_CTRL, Documentation/virt/kvm/devices/vcpu.rst);
 * the guest finds it with PV_TIME_ST, and hvx adds to its stolen_time
 * the nanoseconds the vCPU's thread waited, runnable, for a CPU (the
 * scheduler's run_delay), before the first entry of each KVM_RUN and
 * after each time the thread was switched back in (el2.c), as KVM does
 * on each vcpu_load.
 */
#include <linux/arm-smccc.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/uaccess.h>
#include <asm/kvm.h>

#include "arm64.h"

/* The structure (DEN 0057A 4.3, table 4), little-endian, 64 bytes. */
struct a64_stolen_time {
	__le32 revision;	/* 0 */
	__le32 attributes;	/* 0 */
	__le64 stolen_time;	/* ns */
	u8 padding[48];
} __packed;

static u64 a64_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return READ_ONCE(current->sched_info.run_delay);
#else
	return 0;
#endif
}

/* PV_TIME_FEATURES (DEN 0057A 4.1): both calls, once there is a structure. */
void a64_pvtime_features(struct a64_vcpu *v, u64 *res)
{
	u32 fn = a64_reg(v, 1);

	if ((fn == ARM_SMCCC_HV_PV_TIME_FEATURES ||
	     fn == ARM_SMCCC_HV_PV_TIME_ST) &&
	    READ_ONCE(v->steal_base) != A64_PVTIME_NONE)
		res[0] = SMCCC_RET_SUCCESS;
}

/*
 * PV_TIME_ST (DEN 0057A 4.2): the structure's IPA; it is zeroed, and the
 * time stolen from here on is counted.
 */
void a64_pvtime_st(struct a64_vcpu *v, u64 *res)
{
	struct a64_stolen_time st = {};
	u64 base = READ_ONCE(v->steal_base);

	if (base == A64_PVTIME_NONE)
		return;
	v->steal_last = a64_run_delay();
	hvx_write_guest(v->vcpu->vm, base, &st, sizeof(st));
	res[0] = base;
}

/* Before an entry, with @steal_update set: add what was stolen since. */
void a64_pvtime_update(struct a64_vcpu *v)
{
	u64 base = READ_ONCE(v->steal_base);
	u64 now = a64_run_delay();
	u64 gpa = base + offsetof(struct a64_stolen_time, stolen_time);
	__le64 steal;

	v->steal_update = false;
	if (base == A64_PVTIME_NONE)
		return;
	if (hvx_read_guest(v->vcpu->vm, gpa, &steal, sizeof(steal)))
		return;
	steal = cpu_to_le64(le64_to_cpu(steal) + now - v->steal_last);
	v->steal_last = now;
	hvx_write_guest(v->vcpu->vm, gpa, &steal, sizeof(steal));
}

/*
 * KVM_ARM_VCPU_PVTIME_IPA: the structure's IPA, a u64.  As KVM: ENXIO
 * without the scheduler's run delay; EINVAL unless 64-byte aligned and
 * in a memory slot; EEXIST once given (it stays, across
 * KVM_ARM_VCPU_INIT too).  Reading it before gives all ones.
 */
long a64_pvtime_attr(struct a64_vcpu *v, const struct kvm_device_attr *attr,
		     unsigned int ioctl)
{
	u64 __user *uaddr = u64_to_user_ptr(attr->addr);
	struct hvx_vm *vm = v->vcpu->vm;
	long r = 0;
	u64 ipa;

	if (!sched_info_on() || attr->attr != KVM_ARM_VCPU_PVTIME_IPA)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	if (ioctl == KVM_GET_DEVICE_ATTR)
		return put_user(READ_ONCE(v->steal_base), uaddr);
	if (get_user(ipa, uaddr))
		return -EFAULT;
	if (!IS_ALIGNED(ipa, sizeof(struct a64_stolen_time)))
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (READ_ONCE(v->steal_base) != A64_PVTIME_NONE)
		r = -EEXIST;
	else if (!hvx_gpa_to_hva(vm, ipa))
		r = -EINVAL;
	else
		WRITE_ONCE(v->steal_base, ipa);
	mutex_unlock(&vm->lock);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: PSCI 1.0, the Arm Power State Coordination Interface (DEN
 * 0022), answered in the kernel: PSCI_VERSION, PSCI_FEATURES,
 * MIGRATE_INFO_TYPE, vCPU power states for SMP guests (5.1.4-5.1.6:
 * CPU_ON, CPU_OFF, AFFINITY_INFO) with KVM_ARM_VCPU_POWER_OFF and
 * KVM_GET/SET_MP_STATE; SYSTEM_OFF and SYSTEM_RESET as system events;
 * SYSTEM_SUSPEND (5.1.19) under KVM_CAP_ARM_SYSTEM_SUSPEND.
 *
 * A vCPU that is off sleeps inside KVM_RUN until another vCPU's CPU_ON
 * (or KVM_SET_MP_STATE) turns it on, or a signal comes, as on KVM.
 * CPU_ON only records the entry point and context for its target, which
 * resets itself, on its own thread, before it runs again.
 */
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <uapi/linux/psci.h>
#include <linux/arm-smccc.h>
#include <asm/cputype.h>

#include "arm64.h"

/* PSCI return codes (DEN 0022, 5.2.2) as SMCCC results. */
#define A64_PSCI_RET(r)	((u64)(s64)(r))

static struct a64_vcpu *a64_vcpu_by_mpidr(struct hvx_vm *vm, u64 mpidr)
{
	struct a64_vcpu *found = NULL;
	int i;

	spin_lock(&vm->mmu_lock);	/* keeps @vcpus still */
	for (i = 0; i < vm->nr_vcpus && !found; i++) {
		struct a64_vcpu *t = to_a64(vm->vcpus[i]);

		if ((t->mpidr & MPIDR_HWID_BITMASK) == mpidr)
			found = t;
	}
	spin_unlock(&vm->mmu_lock);
	return found;
}

/*
 * CPU_ON (DEN 0022 5.1.4): the target starts at @entry with X0 @ctx and
 * the rest of its state as after KVM_ARM_VCPU_INIT; ALREADY_ON if it is
 * not off (also while an earlier CPU_ON is still to be taken up, since
 * KVM makes the target runnable at once), INVALID_PARAMS if no vCPU has
 * that affinity.
 */
static u64 a64_psci_cpu_on(struct a64_vcpu *v, u64 mpidr, u64 entry, u64 ctx)
{
	struct a64_vcpu *t = a64_vcpu_by_mpidr(v->vcpu->vm,
					       mpidr & MPIDR_HWID_BITMASK);
	u64 r = PSCI_RET_SUCCESS;

	if (!t)
		return A64_PSCI_RET(PSCI_RET_INVALID_PARAMS);
	spin_lock(&t->power_lock);
	if (!t->off) {
		r = A64_PSCI_RET(PSCI_RET_ALREADY_ON);
	} else {
		t->on_entry = entry;
		t->on_ctx = ctx;
		t->on_pending = true;
		WRITE_ONCE(t->off, false);
	}
	spin_unlock(&t->power_lock);
	if (r == PSCI_RET_SUCCESS)
		wake_up_interruptible(&t->wq);
	return r;
}

/*
 * AFFINITY_INFO (DEN 0022 5.1.5): ON if any vCPU whose affinity matches
 * @aff at levels @level and up is on, else OFF; a level above 3 is
 * INVALID_PARAMS.
 */
static u64 a64_psci_affinity_info(struct a64_vcpu *v, u64 aff, u64 level)
{
	struct hvx_vm *vm = v->vcpu->vm;
	u64 mask;
	bool on = false;
	int i;

	if (level > 3)
		return A64_PSCI_RET(PSCI_RET_INVALID_PARAMS);
	mask = MPIDR_HWID_BITMASK & ~(BIT_ULL(8 * level) - 1);
	aff &= mask;
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < vm->nr_vcpus && !on; i++) {
		struct a64_vcpu *t = to_a64(vm->vcpus[i]);

		on = (t->mpidr & mask) == aff && !READ_ONCE(t->off);
	}
	spin_unlock(&vm->mmu_lock);
	return on ? PSCI_0_2_AFFINITY_LEVEL_ON : PSCI_0_2_AFFINITY_LEVEL_OFF;
}

/* CPU_OFF (DEN 0022 5.1.3): the caller sleeps in KVM_RUN from now on. */
static void a64_psci_cpu_off(struct a64_vcpu *v)
{
	spin_lock(&v->power_lock);
	WRITE_ONCE(v->off, true);
	spin_unlock(&v->power_lock);
}

/*
 * Take up a CPU_ON made for @v: the reset, PC and X0 it asks for.  In the
 * vCPU's own KVM_RUN, and before a ONE_REG access, so that user space
 * sees the registers CPU_ON gave even before the vCPU ran, as KVM 6.1
 * applies its pending reset there (kvm_arch_vcpu_ioctl()).  Returns
 * whether there was one.
 */
bool a64_psci_take_on(struct a64_vcpu *v)
{
	u64 entry, ctx;

	spin_lock(&v->power_lock);
	if (!v->on_pending) {
		spin_unlock(&v->power_lock);
		return false;
	}
	v->on_pending = false;
	entry = v->on_entry;
	ctx = v->on_ctx;
	spin_unlock(&v->power_lock);
	a64_reset(v);
	v->pc = entry;
	a64_set_reg(v, 0, ctx);
	return true;
}

/*
 * In KVM_RUN, before each entry: take up a CPU_ON, or sleep while off.
 * Returns 0 to go on (enter, or look again), or -EINTR on a signal.
 */
int a64_psci_power_wait(struct a64_vcpu *v)
{
	if (a64_psci_take_on(v))
		return 0;
	if (!READ_ONCE(v->off))
		return 0;
	if (wait_event_interruptible(v->wq, !READ_ONCE(v->off)))
		return -EINTR;
	return 0;
}

/*
 * KVM_GET_MP_STATE and KVM_SET_MP_STATE: RUNNABLE or STOPPED (powered
 * off).  KVM 6.1 also has SUSPENDED (a WFI it emulates); hvx refuses it
 * and any other state with EINVAL.
 */
long a64_mp_state(struct a64_vcpu *v, void __user *argp, bool set)
{
	struct kvm_mp_state mp;

	if (!set) {
		mp.mp_state = READ_ONCE(v->off) ? KVM_MP_STATE_STOPPED :
						  KVM_MP_STATE_RUNNABLE;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	if (mp.mp_state != KVM_MP_STATE_RUNNABLE &&
	    mp.mp_state != KVM_MP_STATE_STOPPED)
		return -EINVAL;
	spin_lock(&v->power_lock);
	WRITE_ONCE(v->off, mp.mp_state == KVM_MP_STATE_STOPPED);
	spin_unlock(&v->power_lock);
	return 0;
}

/*
 * KVM_ENABLE_CAP on the VM: KVM_CAP_ARM_SYSTEM_SUSPEND (api.rst 7.29),
 * after which PSCI SYSTEM_SUSPEND is offered, and KVM_CAP_ARM_NISV_TO_USER
 * (7.18; exit.c); flags must be zero, as KVM.
 */
long a64_vm_enable_cap(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	if (cap.cap == KVM_CAP_ARM_NISV_TO_USER)
		WRITE_ONCE(((struct a64_vm *)vm->arch)->nisv_to_user, true);
	else if (cap.cap == KVM_CAP_ARM_SYSTEM_SUSPEND)
		WRITE_ONCE(((struct a64_vm *)vm->arch)->system_suspend, true);
	else
		return -EINVAL;
	return 0;
}

/* SMCCC results are X0-X3 (DEN 0028, 2.6); PSCI defines only X0. */
static int a64_psci_return(struct a64_vcpu *v, u64 x0)
{
	const u64 res[A64_SMCCC_RES] = { x0 };

	a64_smccc_results(v, res);
	return 1;
}

/*
 * PSCI 1.0 SYSTEM_SUSPEND (DEN 0022, 5.1.19) with the capability on: a
 * KVM_SYSTEM_EVENT_SUSPEND exit, the registers left as the guest set them
 * for user space to read the entry point and context (api.rst,
 * "KVM_EXIT_SYSTEM_EVENT"); the SMC32 form's arguments narrowed to 32
 * bits first.  Without the capability: NOT_SUPPORTED.  Returns 1 to
 * re-enter, 0 to exit.
 */
static int a64_psci_system_suspend(struct a64_vcpu *v, bool smc32)
{
	struct kvm_run *run = v->vcpu->run;
	int i;

	if (!READ_ONCE(a64_vm(v)->system_suspend))
		return a64_psci_return(v, A64_PSCI_RET(PSCI_RET_NOT_SUPPORTED));
	for (i = 1; smc32 && i < 4; i++)
		a64_set_reg(v, i, (u32)a64_reg(v, i));
	a64_exit_to_user(v, KVM_EXIT_SYSTEM_EVENT);
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = KVM_SYSTEM_EVENT_SUSPEND;
	return 0;
}

/*
 * PSCI_FEATURES (DEN 0022 5.1.15): 0 for what hvx implements, and for
 * SMCCC_VERSION, which tells the guest it may ask for the SMCCC version
 * (DEN 0028 7.2.1; smccc.c answers 1.1).
 */
static u64 a64_psci_features(struct a64_vcpu *v, u32 fn)
{
	switch (fn) {
	case PSCI_1_0_FN_SYSTEM_SUSPEND:
	case PSCI_1_0_FN64_SYSTEM_SUSPEND:
		if (!READ_ONCE(a64_vm(v)->system_suspend))
			break;
		return 0;
	case PSCI_0_2_FN_PSCI_VERSION:
	case PSCI_1_0_FN_PSCI_FEATURES:
	case PSCI_0_2_FN_SYSTEM_OFF:
	case PSCI_0_2_FN_SYSTEM_RESET:
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
	case PSCI_0_2_FN_CPU_OFF:
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
	case ARM_SMCCC_VERSION_FUNC_ID:
		return 0;
	}
	return A64_PSCI_RET(PSCI_RET_NOT_SUPPORTED);
}

static int a64_system_event(struct a64_vcpu *v, u32 type)
{
	struct kvm_run *run = v->vcpu->run;

	a64_exit_to_user(v, KVM_EXIT_SYSTEM_EVENT);
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = type;
	run->system_event.ndata = 1;	/* data[0]: flags, none */
	return 0;
}

/*
 * PSCI function @fn, by HVC or SMC: 1 to re-enter, 0 to exit to user
 * space (a system event), -ENOENT when @fn is not PSCI.  The SMC32 forms
 * take 32-bit arguments.
 */
int a64_psci_call(struct a64_vcpu *v, u32 fn)
{
	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		return a64_psci_return(v, PSCI_VERSION(1, 0));
	case PSCI_1_0_FN_PSCI_FEATURES:
		return a64_psci_return(v, a64_psci_features(v, a64_reg(v, 1)));
	case PSCI_0_2_FN_SYSTEM_OFF:
		return a64_system_event(v, KVM_SYSTEM_EVENT_SHUTDOWN);
	case PSCI_0_2_FN_SYSTEM_RESET:
		return a64_system_event(v, KVM_SYSTEM_EVENT_RESET);
	case PSCI_0_2_FN_CPU_ON:
		return a64_psci_return(v, a64_psci_cpu_on(v, (u32)a64_reg(v, 1),
			(u32)a64_reg(v, 2), (u32)a64_reg(v, 3)));
	case PSCI_0_2_FN64_CPU_ON:
		return a64_psci_return(v, a64_psci_cpu_on(v, a64_reg(v, 1),
			a64_reg(v, 2), a64_reg(v, 3)));
	case PSCI_0_2_FN_CPU_OFF:
		a64_psci_cpu_off(v);
		return a64_psci_return(v, PSCI_RET_SUCCESS);
	case PSCI_0_2_FN_AFFINITY_INFO:
		return a64_psci_return(v, a64_psci_affinity_info(v,
			(u32)a64_reg(v, 1), (u32)a64_reg(v, 2)));
	case PSCI_0_2_FN64_AFFINITY_INFO:
		return a64_psci_return(v, a64_psci_affinity_info(v,
			a64_reg(v, 1), a64_reg(v, 2)));
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:	/* no Trusted OS to migrate */
		return a64_psci_return(v, PSCI_0_2_TOS_MP);
	case PSCI_1_0_FN_SYSTEM_SUSPEND:
	case PSCI_1_0_FN64_SYSTEM_SUSPEND:
		return a64_psci_system_suspend(v, fn == PSCI_1_0_FN_SYSTEM_SUSPEND);
	}
	return -ENOENT;
}

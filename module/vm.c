// SPDX-License-Identifier: GPL-2.0
/*
 * hvx VMs: the VM file descriptor, its lifetime and its ioctls.
 *
 * A VM is reference counted: its own file holds one reference and every
 * vCPU file holds one, so the VM (its vCPUs, memory slots and stage-2
 * tables) is freed when the last of those files is closed, in any order.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "hvx.h"


static void hvx_vm_release_kref(struct kref *ref)
{
	struct hvx_vm *vm = container_of(ref, struct hvx_vm, ref);
	int i;

	hvx_debugfs_vm_remove(vm);
	/* An 8254 tick or an irqfd delivers to the vCPUs' APICs. */
	if (hvx_ops->vm_quiesce)
		hvx_ops->vm_quiesce(vm);
	/* Unregistering may still unmap, which looks at the vCPUs. */
	hvx_mmu_exit(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		hvx_vcpu_free(vm->vcpus[i]);
	hvx_ioeventfd_free(vm);
	hvx_ops->vm_free(vm);
	hvx_memslots_free(vm);
	mmdrop(vm->mm);
	kfree(vm);
	hvx_put_hardware();
}

void hvx_vm_put(struct hvx_vm *vm)
{
	kref_put(&vm->ref, hvx_vm_release_kref);
}

static void hvx_kick_noop(void *info)
{
}

/*
 * Make every vCPU of @vm drop the stage-2 translations it may have cached.
 *
 * A vCPU publishes HVX_IN_GUEST (with a full barrier) before it samples
 * vm->tlb_gen, with interrupts disabled, and flushes on entry when the
 * generation moved.  Here the generation moves before the modes are read,
 * so either the vCPU sees the new generation, or we see it in the guest and
 * interrupt it.  The IPI is only taken once the CPU has left the guest
 * (a physical interrupt forces a #VMEXIT), and waiting for it means no
 * vCPU still runs on a stale translation when this returns.
 */
void hvx_vm_flush_tlbs(struct hvx_vm *vm)
{
	int i;

	lockdep_assert_held(&vm->mmu_lock);	/* keeps @vcpus still */
	vm->stat.remote_tlb_flush++;
	atomic64_inc(&vm->tlb_gen);
	/* Pairs with smp_store_mb(vcpu->mode) on entry: see above. */
	smp_mb__after_atomic();
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct hvx_vcpu *vcpu = vm->vcpus[i];

		if (READ_ONCE(vcpu->mode) != HVX_IN_GUEST)
			continue;
		/* vcpu->cpu is written before vcpu->mode on entry. */
		smp_rmb();
		smp_call_function_single(READ_ONCE(vcpu->cpu), hvx_kick_noop,
					 NULL, 1);
	}
}

/*
 * Make every vCPU of @vm that is in the guest now exit once, so that it
 * looks at what changed before it enters again.  A vCPU about to enter
 * is not waited for: it sees the change at its next exit.
 */
void hvx_vm_kick_vcpus(struct hvx_vm *vm)
{
	int i;

	smp_mb();	/* the change before the modes are read */
	spin_lock(&vm->mmu_lock);	/* keeps @vcpus still */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct hvx_vcpu *vcpu = vm->vcpus[i];

		if (READ_ONCE(vcpu->mode) != HVX_IN_GUEST)
			continue;
		smp_rmb();	/* vcpu->cpu is written before vcpu->mode */
		smp_call_function_single(READ_ONCE(vcpu->cpu), hvx_kick_noop,
					 NULL, 1);
	}
	spin_unlock(&vm->mmu_lock);
}

static long hvx_vm_set_memory(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region mem;

	if (copy_from_user(&mem, argp, sizeof(mem)))
		return -EFAULT;
	return hvx_set_memory_region(vm, &mem);
}

/*
 * KVM_ENABLE_CAP on the VM: the core's capabilities here, the others
 * are the backend's (which reads the struct again).
 */
static long hvx_vm_enable_cap(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;
	long r;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.cap == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
		return hvx_enable_dirty_log_manual(vm, &cap);
	/* A capability nobody enables: -EINVAL, as on KVM. */
	r = hvx_ops->vm_ioctl(vm, KVM_ENABLE_CAP, argp);
	return r == -ENOTTY ? -EINVAL : r;
}

static long hvx_vm_ioctl(struct file *filp, unsigned int ioctl,
			 unsigned long arg)
{
	struct hvx_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* As for a vCPU's: from any process (vcpu.c). */
	if (ioctl == KVM_GET_STATS_FD)
		return hvx_vm_stats_fd(vm);
	/* Guest memory addresses are only meaningful in the creator's mm. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		return hvx_vcpu_create(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return hvx_vm_set_memory(vm, argp);
	case KVM_GET_DIRTY_LOG:
		return hvx_get_dirty_log(vm, argp);
	case KVM_CLEAR_DIRTY_LOG:
		return hvx_clear_dirty_log(vm, argp);
	case KVM_ENABLE_CAP:
		return hvx_vm_enable_cap(vm, argp);
	case KVM_CHECK_EXTENSION:
		return hvx_check_extension(arg);
	case KVM_IOEVENTFD:
		return hvx_ioeventfd_ioctl(vm, argp);
	default:
		return hvx_ops->vm_ioctl(vm, ioctl, argp);
	}
}

static int hvx_vm_release(struct inode *inode, struct file *filp)
{
	hvx_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hvx_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= hvx_vm_release,
	.unlocked_ioctl	= hvx_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * Tell lockdep at once that reclaim may take vm->mmu_lock (through the MMU
 * notifier), so that a debug kernel reports any allocation that could
 * reclaim under it the first time it happens, not only when reclaim
 * actually runs into the notifier then.
 */
static void hvx_vm_lockdep_prime(struct hvx_vm *vm)
{
	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&vm->mmu_lock);
	fs_reclaim_release(GFP_KERNEL);
}

int hvx_vm_create(unsigned long type)
{
	struct hvx_vm *vm;
	int r;

	r = hvx_get_hardware();
	if (r)
		return r;

	r = -ENOMEM;
	vm = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put_hardware;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->mmu_lock);
	INIT_LIST_HEAD(&vm->ioeventfds);
	hvx_vm_stats_init(vm);
	hvx_vm_lockdep_prime(vm);
	atomic64_set(&vm->tlb_gen, 0);

	r = hvx_ops->vm_init(vm, type);
	if (r)
		goto free_vm;

	mmgrab(current->mm);
	vm->mm = current->mm;
	r = hvx_fault_alloc() ? -ENOMEM : hvx_mmu_init(vm);
	if (r)
		goto drop_mm;

	hvx_debugfs_vm_add(vm);
	r = hvx_fault_alloc() ? -ENOMEM :
	    anon_inode_getfd("hvx-vm", &hvx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto mmu_exit;
	return r;

mmu_exit:
	hvx_debugfs_vm_remove(vm);
	hvx_mmu_exit(vm);
drop_mm:
	mmdrop(vm->mm);
	hvx_ops->vm_free(vm);
free_vm:
	kfree(vm);
put_hardware:
	hvx_put_hardware();
	return r;
}

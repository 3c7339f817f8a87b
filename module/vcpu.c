// SPDX-License-Identifier: GPL-2.0
/*
 * hvx vCPUs: the vCPU file descriptor, the shared struct kvm_run page and
 * the ioctls that every architecture has.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvx.h"
#include "hvx_trace.h"

/*
 * KVM_SET_SIGNAL_MASK (api.rst): the signal mask in force while the vCPU
 * is in KVM_RUN, in place of the thread's own; a NULL argument drops it.
 * @len must be the size of the kernel's sigset_t (8 bytes on x86-64 and
 * arm64).  SIGKILL and SIGSTOP cannot be blocked (sigprocmask(2)).
 */
static long hvx_vcpu_set_sigmask(struct hvx_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *um = argp;
	struct kvm_signal_mask m;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	if (m.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, um->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/*
 * KVM_RUN under the vCPU's signal mask, if it has one: a signal it blocks
 * does not end KVM_RUN, and is delivered once the thread's own mask is
 * back, on the way out to user space.
 */
static int hvx_vcpu_run(struct hvx_vcpu *vcpu)
{
	sigset_t saved;
	int r;

	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
	r = hvx_ops->vcpu_run(vcpu);
	hvx_stats_to_user(vcpu);
	if (!r)
		hvx_trace_user_exit(vcpu);
	trace_hvx_return(vcpu->id, r, r ? 0 : READ_ONCE(vcpu->run->exit_reason));
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

static long hvx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvx_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/*
	 * Without vcpu->lock, so that it answers while the vCPU runs, and
	 * from any process holding the fd (hvx stat): the file reads
	 * counters, never guest memory.  KVM 6.1 says EIO to another mm.
	 */
	if (ioctl == KVM_GET_STATS_FD)
		return hvx_vcpu_stats_fd(vcpu);
	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = arg ? -EINVAL : hvx_vcpu_run(vcpu);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = hvx_vcpu_set_sigmask(vcpu, argp);
		break;
	case HVX_GET_VCPU_STATS:
		r = copy_to_user(argp, &vcpu->stat.reason,
				 sizeof(vcpu->stat.reason)) ?
			-EFAULT : 0;
		break;
	default:
		r = hvx_ops->vcpu_ioctl(vcpu, ioctl, argp);
		break;
	}
	mutex_unlock(&vcpu->lock);
	return r;
}

/*
 * The run area (struct kvm_run, then the PIO data page) is mapped by
 * faulting in the vCPU's own pages, as KVM does; a mapping keeps the file,
 * hence the vCPU, alive until it is unmapped.
 */
static vm_fault_t hvx_vcpu_fault(struct vm_fault *vmf)
{
	struct hvx_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff >= HVX_RUN_PAGES)
		return VM_FAULT_SIGBUS;
	page = vcpu->run_pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvx_vcpu_vm_ops = {
	.fault = hvx_vcpu_fault,
};

static int hvx_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hvx_vcpu_vm_ops;
	return 0;
}

static int hvx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hvx_vcpu *vcpu = filp->private_data;

	hvx_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hvx_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hvx_vcpu_release,
	.unlocked_ioctl	= hvx_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvx_vcpu_mmap,
	.llseek		= noop_llseek,
};

static struct hvx_vcpu *hvx_vcpu_alloc(struct hvx_vm *vm, u32 id)
{
	struct hvx_vcpu *vcpu;
	int i;

	vcpu = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	for (i = 0; i < HVX_RUN_PAGES; i++) {
		vcpu->run_pages[i] = hvx_fault_alloc() ? NULL :
			alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vcpu->run_pages[i])
			goto free;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->run = page_address(vcpu->run_pages[0]);
	mutex_init(&vcpu->lock);
	return vcpu;
free:
	while (i--)
		__free_page(vcpu->run_pages[i]);
	kfree(vcpu);
	return NULL;
}

static void hvx_vcpu_dealloc(struct hvx_vcpu *vcpu)
{
	int i;

	hvx_s2_cache_free(&vcpu->s2_cache);
	for (i = 0; i < HVX_RUN_PAGES; i++)
		put_page(vcpu->run_pages[i]);
	kfree(vcpu);
	atomic64_dec(&hvx_nr_vcpus);
}

/* Only when the VM itself is freed: no file can reach @vcpu any more. */
void hvx_vcpu_free(struct hvx_vcpu *vcpu)
{
	hvx_ops->vcpu_free(vcpu);
	hvx_vcpu_dealloc(vcpu);
}

static int hvx_vcpu_check_id(struct hvx_vm *vm, unsigned long id)
{
	int i;

	if (vm->nr_vcpus >= HVX_MAX_VCPUS ||
	    (vm->max_vcpu_ids && id >= vm->max_vcpu_ids))
		return -EINVAL;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			return -EEXIST;
	return 0;
}

/*
 * Every allocation (the vCPU, its run area, the backend's state) happens
 * before vm->lock is taken; under it, the check of @id, the fd and its
 * file, then publishing the vCPU and installing the fd.  Nothing fails
 * once the vCPU is published: other threads may already use it (an
 * interrupt's delivery, PSCI), so it could not be freed again.
 */
int hvx_vcpu_create(struct hvx_vm *vm, unsigned long id)
{
	struct hvx_vcpu *vcpu;
	struct file *file;
	int r, fd;

	if (id >= HVX_MAX_VCPUS)
		return -EINVAL;
	vcpu = hvx_vcpu_alloc(vm, id);
	if (!vcpu)
		return -ENOMEM;
	atomic64_inc(&hvx_nr_vcpus);
	r = hvx_ops->vcpu_init(vcpu);
	if (r) {
		hvx_vcpu_dealloc(vcpu);
		return r;
	}

	mutex_lock(&vm->lock);
	r = hvx_vcpu_check_id(vm, id);
	if (!r && hvx_ops->vcpu_precreate)
		r = hvx_ops->vcpu_precreate(vm);
	if (r)
		goto unlock;
	r = get_unused_fd_flags(O_CLOEXEC);
	if (r < 0)
		goto unlock;
	fd = r;
	file = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
	       anon_inode_getfile("hvx-vcpu", &hvx_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		put_unused_fd(fd);
		goto unlock;
	}
	kref_get(&vm->ref);	/* dropped by the file's release */
	/* The array changes under vm->mmu_lock too, for hvx_vm_flush_tlbs(). */
	spin_lock(&vm->mmu_lock);
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	spin_unlock(&vm->mmu_lock);
	hvx_debugfs_vcpu_add(vcpu);
	fd_install(fd, file);
	mutex_unlock(&vm->lock);
	return fd;
unlock:
	mutex_unlock(&vm->lock);
	hvx_vcpu_free(vcpu);
	return r;
}

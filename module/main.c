// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: /dev/hvx, module load and unload, and the system-wide ioctls.
 *
 * The device answers the system ioctls of <linux/kvm.h> (API version 12)
 * plus the hvx extensions of <linux/hvx.h>.  Hardware virtualization is
 * switched on when the first VM is created and off when the last one is
 * freed, so that hvx and KVM can take turns on the same machine.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "hvx.h"

const struct hvx_arch_ops *hvx_ops;

atomic64_t hvx_pinned_pages = ATOMIC64_INIT(0);
atomic64_t hvx_nr_vcpus = ATOMIC64_INIT(0);

/* Number of VMs alive; the hardware is on while it is non-zero. */
static DEFINE_MUTEX(hvx_global_lock);
static unsigned long hvx_nr_vms;

int hvx_get_hardware(void)
{
	int r = 0;

	mutex_lock(&hvx_global_lock);
	if (!hvx_nr_vms)
		r = hvx_ops->enable();
	if (!r)
		hvx_nr_vms++;
	mutex_unlock(&hvx_global_lock);
	return r;
}

void hvx_put_hardware(void)
{
	mutex_lock(&hvx_global_lock);
	if (!--hvx_nr_vms)
		hvx_ops->disable();
	mutex_unlock(&hvx_global_lock);
}

/*
 * Capabilities the core implements for every backend.  Each answer must be
 * true of hvx: a program that believes it must work.
 */
int hvx_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_SYNC_MMU:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return HVX_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return HVX_MAX_MEMSLOTS;
	default:
		return hvx_ops->check_extension(cap);
	}
}

static long hvx_get_info(void __user *argp)
{
	struct hvx_info info = {
		.version = HVX_VERSION,
		.backend = hvx_ops->backend,
		.pinned_pages = atomic64_read(&hvx_pinned_pages),
		.vcpus = atomic64_read(&hvx_nr_vcpus),
		.table_pages = atomic64_read(&hvx_s2_table_pages),
	};

	mutex_lock(&hvx_global_lock);
	info.vms = hvx_nr_vms;
	mutex_unlock(&hvx_global_lock);
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hvx_dev_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CREATE_VM:
		return hvx_vm_create(arg);
	case KVM_CHECK_EXTENSION:
		return hvx_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : HVX_RUN_PAGES * PAGE_SIZE;
	case HVX_GET_INFO:
		return hvx_get_info((void __user *)arg);
	default:
		if (!hvx_ops->dev_ioctl)
			return -ENOTTY;
		return hvx_ops->dev_ioctl(ioctl, (void __user *)arg);
	}
}

static const struct file_operations hvx_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvx_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static umode_t hvx_dev_mode = 0600;
module_param_named(mode, hvx_dev_mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permission bits of /dev/hvx (default 0600)");

static struct miscdevice hvx_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvx",
	.fops	= &hvx_dev_fops,
};

static int __init hvx_init(void)
{
	int r;

	hvx_ops = hvx_arch_probe();
	if (IS_ERR(hvx_ops))
		return PTR_ERR(hvx_ops);

	hvx_dev.mode = hvx_dev_mode & 0777;
	r = misc_register(&hvx_dev);
	if (r) {
		pr_err("cannot register /dev/hvx: %d\n", r);
		hvx_arch_exit();
		return r;
	}
	pr_info("loaded, backend %s\n", hvx_ops->name);
	return 0;
}

static void __exit hvx_exit(void)
{
	s64 pinned = atomic64_read(&hvx_pinned_pages);
	s64 tables = atomic64_read(&hvx_s2_table_pages);

	misc_deregister(&hvx_dev);
	hvx_arch_exit();
	/*
	 * Every file holds a module reference, so nothing can be alive here;
	 * a non-zero count is a bug in hvx, reported but not fatal.
	 */
	if (pinned)
		pr_err("leak: %lld guest pages still pinned at unload\n", pinned);
	if (tables)
		pr_err("leak: %lld stage-2 table pages at unload\n", tables);
	pr_info("unloaded\n");
}

module_init(hvx_init);
module_exit(hvx_exit);

MODULE_DESCRIPTION("hvx: a small hypervisor answering the KVM ioctl ABI on /dev/hvx");
MODULE_AUTHOR("The hvx developers");
MODULE_LICENSE("GPL");

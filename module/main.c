// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: /dev/hvx, module load and unload, and the system-wide ioctls.
 *
 * The device answers the system ioctls of <linux/kvm.h> (API version 12)
 * plus the hvx extensions of <linux/hvx.h>.  Hardware virtualization is
 * switched on when the first VM is created and off when the last one is
 * freed, so that hvx and KVM can take turns on the same machine; in
 * between, CPU hotplug, suspend and reboot turn it off and on per CPU.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/stringify.h>
#include <linux/syscore_ops.h>
#include <linux/uaccess.h>

#include "hvx.h"

const struct hvx_arch_ops *hvx_ops;

atomic64_t hvx_pinned_pages = ATOMIC64_INIT(0);
atomic64_t hvx_nr_vcpus = ATOMIC64_INIT(0);

/*
 * Virtualization is on, on every online CPU, while at least one hvx VM
 * exists.  hvx_global_lock guards hvx_nr_vms and hvx_rebooting; it is
 * taken inside cpus_read_lock() and inside the CPU hotplug callbacks
 * (which run under the hotplug lock), never around either, so that the
 * set of online CPUs cannot change while a VM comes or goes.
 */
static DEFINE_MUTEX(hvx_global_lock);
static unsigned long hvx_nr_vms;
static bool hvx_rebooting;	/* the reboot notifier ran: no new VMs */
static enum cpuhp_state hvx_cpuhp_state;

int hvx_get_hardware(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&hvx_global_lock);
	if (hvx_rebooting) {
		pr_err_ratelimited("the system is going down: no new VMs\n");
		r = -EBUSY;
	} else if (!hvx_nr_vms) {
		r = hvx_ops->enable();
	}
	if (!r)
		hvx_nr_vms++;
	mutex_unlock(&hvx_global_lock);
	cpus_read_unlock();
	return r;
}

void hvx_put_hardware(void)
{
	cpus_read_lock();
	mutex_lock(&hvx_global_lock);
	if (!--hvx_nr_vms)
		hvx_ops->disable();
	mutex_unlock(&hvx_global_lock);
	cpus_read_unlock();
}

/* The backend's per-CPU hooks, on this CPU with interrupts off. */
static int hvx_enable_this_cpu(void)
{
	unsigned long flags;
	int r;

	if (!hvx_ops->enable_cpu)
		return 0;
	local_irq_save(flags);
	r = hvx_ops->enable_cpu();
	local_irq_restore(flags);
	return r;
}

static void hvx_disable_this_cpu(void)
{
	unsigned long flags;

	if (!hvx_ops->disable_cpu)
		return;
	local_irq_save(flags);
	hvx_ops->disable_cpu();
	local_irq_restore(flags);
}

/*
 * CPU hotplug, on the CPU concerned.  A CPU that comes online while VMs
 * exist is turned on before any task can run there (this state comes
 * before CPUHP_AP_ACTIVE); if that fails it stays offline, with one log
 * line.  On the way down it is turned off once no task can run there any
 * more: on x86 a CPU is brought back with INIT, which resets EFER and
 * CR4 and which VMX operation would block (Intel SDM Vol. 3C 23.8,
 * "Restrictions on VMX Operation": INIT is blocked in VMX root operation).
 */
static int hvx_cpu_online(unsigned int cpu)
{
	int r = 0;

	mutex_lock(&hvx_global_lock);
	if (hvx_nr_vms && !hvx_rebooting)
		r = hvx_enable_this_cpu();
	mutex_unlock(&hvx_global_lock);
	if (r)
		pr_err("CPU %u coming online: cannot turn %s on (%d; another hypervisor may own it): the CPU stays offline\n",
		       cpu, hvx_ops->name, r);
	return r;
}

static int hvx_cpu_offline(unsigned int cpu)
{
	mutex_lock(&hvx_global_lock);
	if (hvx_nr_vms)
		hvx_disable_this_cpu();
	mutex_unlock(&hvx_global_lock);
	return 0;
}

/*
 * Suspend and resume (S3, hibernation): the last CPU, interrupts off; the
 * others went through hvx_cpu_offline() and come back through
 * hvx_cpu_online().  Tasks are frozen, so hvx_nr_vms cannot change and
 * the mutex is not needed (nor allowed, with interrupts off).  The
 * firmware's resume path does not restore EFER.SVME or VMX operation.
 */
static int hvx_suspend(void)
{
	if (READ_ONCE(hvx_nr_vms))
		hvx_disable_this_cpu();
	return 0;
}

static void hvx_resume(void)
{
	int r;

	if (!READ_ONCE(hvx_nr_vms) || READ_ONCE(hvx_rebooting))
		return;
	r = hvx_enable_this_cpu();
	if (r)
		pr_err("resume: CPU %d: cannot turn %s back on (%d): vCPUs will not run there\n",
		       smp_processor_id(), hvx_ops->name, r);
}

static struct syscore_ops hvx_syscore_ops = {
	.suspend	= hvx_suspend,
	.resume		= hvx_resume,
};

static int hvx_reboot_cpu(void *unused)
{
	hvx_disable_this_cpu();
	return 0;
}

/*
 * Reboot, halt, power-off and kexec: turn virtualization off everywhere,
 * so that the next kernel or the firmware finds the CPUs as they were
 * (VMXOFF: INIT, which wakes the other CPUs, is blocked in VMX operation,
 * SDM 23.8; EFER.SVME clear), and refuse new VMs from now on.  Each
 * CPU is turned off from a kworker on it rather than by an IPI, so that
 * no vCPU there is between loading its state and entering (VMREAD would
 * #UD after VMXOFF); a vCPU that tries to enter afterwards fails with
 * -EIO (hvx_cpu_off()).
 */
static int hvx_reboot(struct notifier_block *nb, unsigned long action,
		      void *unused)
{
	int cpu;

	cpus_read_lock();
	mutex_lock(&hvx_global_lock);
	WRITE_ONCE(hvx_rebooting, true);
	if (hvx_nr_vms) {
		pr_info("system going down: turning %s off on every CPU (VMs alive: %lu)\n",
			hvx_ops->name, hvx_nr_vms);
		for_each_online_cpu(cpu)
			smp_call_on_cpu(cpu, hvx_reboot_cpu, NULL, false);
	}
	mutex_unlock(&hvx_global_lock);
	cpus_read_unlock();
	return NOTIFY_OK;
}

static struct notifier_block hvx_reboot_nb = {
	.notifier_call	= hvx_reboot,
};

/*
 * A vCPU found virtualization off on @cpu, the CPU it was about to enter
 * on, which only happens while @cpu goes offline (the scheduler moves
 * this task to another CPU once it sleeps: it is no longer active) or
 * once the system is going down.  Called with preemption enabled.
 * Returns 1 to try the entry again, or -EIO.
 */
int hvx_cpu_off(struct hvx_vcpu *vcpu, int cpu)
{
	if (READ_ONCE(hvx_rebooting) || cpu_active(cpu)) {
		pr_err_ratelimited("vCPU %u: %s is off on CPU %d (%s): not entering\n",
				   vcpu->id, hvx_ops->name, cpu,
				   READ_ONCE(hvx_rebooting) ?
				   "the system is going down" :
				   "it failed to come back on");
		return -EIO;
	}
	pr_info_ratelimited("vCPU %u: %s is off on CPU %d, which is going offline: entering elsewhere\n",
			    vcpu->id, hvx_ops->name, cpu);
	schedule_timeout_uninterruptible(1);
	return 1;
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
	case KVM_CAP_READONLY_MEM:
		return 1;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		       KVM_DIRTY_LOG_INITIALLY_SET;
	/*
	 * A slot of size 0 deletes it; slots may touch end to start, and a
	 * guest access runs on across the boundary (memslot_test).
	 */
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
		return 1;
	/* Every KVM_EXIT_INTERNAL_ERROR sets internal.ndata and its data. */
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
		return 1;
	/* KVM_GET_STATS_FD on VM and vCPU fds (stats.c). */
	case KVM_CAP_BINARY_STATS_FD:
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

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "hvx:online",
				      hvx_cpu_online, hvx_cpu_offline);
	if (r < 0) {
		pr_err("cannot register a CPU hotplug state: %d\n", r);
		goto arch_exit;
	}
	hvx_cpuhp_state = r;
	register_syscore_ops(&hvx_syscore_ops);
	register_reboot_notifier(&hvx_reboot_nb);

	hvx_debugfs_init();
	hvx_dev.mode = hvx_dev_mode & 0777;
	r = misc_register(&hvx_dev);
	if (r) {
		pr_err("cannot register /dev/hvx: %d\n", r);
		goto unregister;
	}
	pr_info("loaded, backend %s\n", hvx_ops->name);
	return 0;

unregister:
	hvx_debugfs_exit();
	unregister_reboot_notifier(&hvx_reboot_nb);
	unregister_syscore_ops(&hvx_syscore_ops);
	cpuhp_remove_state_nocalls(hvx_cpuhp_state);
arch_exit:
	hvx_arch_exit();
	return r;
}

static void __exit hvx_exit(void)
{
	s64 pinned = atomic64_read(&hvx_pinned_pages);
	s64 tables = atomic64_read(&hvx_s2_table_pages);

	misc_deregister(&hvx_dev);
	hvx_debugfs_exit();
	unregister_reboot_notifier(&hvx_reboot_nb);
	unregister_syscore_ops(&hvx_syscore_ops);
	cpuhp_remove_state_nocalls(hvx_cpuhp_state);
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
/* dkms.conf's PACKAGE_VERSION, which the build stage checks against it */
MODULE_VERSION(__stringify(HVX_VERSION));

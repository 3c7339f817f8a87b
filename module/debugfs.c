// SPDX-License-Identifier: GPL-2.0
/*
 * hvx's window for the curious: /sys/kernel/debug/hvx/PID-N/vcpuM, one
 * file per vCPU (N counts the VMs created since load, PID is the VMM's),
 * with the vCPU's hardware control structure decoded by its backend (the
 * VMCB, the VMCS, or the EL2 guest context) and the rule of the last VM
 * entry hvx refused.  `hvx inspect` prints them.
 *
 * A vCPU is read only while no ioctl holds it: a VMM stopped at an exit
 * is what one inspects; a vCPU inside KVM_RUN answers -EBUSY.  Removing
 * the files waits for any reader (debugfs's file proxies), and happens
 * before the vCPUs are freed.
 */
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "hvx.h"

static struct dentry *hvx_debugfs_root;
static atomic_t hvx_debugfs_vm_seq = ATOMIC_INIT(0);

static int hvx_vcpu_state_show(struct seq_file *m, void *unused)
{
	struct hvx_vcpu *vcpu = m->private;

	if (!mutex_trylock(&vcpu->lock))
		return -EBUSY;
	seq_printf(m, "backend: %s\nvcpu: %u\nlast entry failure: %s\n",
		   hvx_ops->name, vcpu->id,
		   vcpu->entry_failure ? vcpu->entry_failure : "none");
	if (vcpu->entry_failure && vcpu->entry_failure_ref)
		seq_printf(m, "entry failure rule from: %s\n",
			   vcpu->entry_failure_ref);
	if (hvx_ops->vcpu_inspect)
		hvx_ops->vcpu_inspect(vcpu, m);
	mutex_unlock(&vcpu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvx_vcpu_state);

void hvx_debugfs_init(void)
{
	hvx_debugfs_root = debugfs_create_dir("hvx", NULL);
	hvx_fault_debugfs_init(hvx_debugfs_root);
}

void hvx_debugfs_exit(void)
{
	debugfs_remove_recursive(hvx_debugfs_root);
}

/* The VM's directory, named after the creating process. */
void hvx_debugfs_vm_add(struct hvx_vm *vm)
{
	char name[32];

	snprintf(name, sizeof(name), "%d-%d", task_tgid_nr(current),
		 atomic_inc_return(&hvx_debugfs_vm_seq));
	vm->debugfs = debugfs_create_dir(name, hvx_debugfs_root);
}

void hvx_debugfs_vm_remove(struct hvx_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

void hvx_debugfs_vcpu_add(struct hvx_vcpu *vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	debugfs_create_file(name, 0400, vcpu->vm->debugfs, vcpu,
			    &hvx_vcpu_state_fops);
	if (hvx_ops->vcpu_debugfs)
		hvx_ops->vcpu_debugfs(vcpu, vcpu->vm->debugfs);
}

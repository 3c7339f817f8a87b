// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: KVM_ENABLE_CAP on the VM and the small VM ioctls the kernel's
 * KVM selftests use: KVM_CAP_X86_USER_SPACE_MSR (msr_filter.c),
 * KVM_CAP_MAX_VCPU_ID, KVM_CAP_MSR_PLATFORM_INFO, KVM_SET/GET_NR_MMU_PAGES
 * and KVM_SET_BOOT_CPU_ID.
 */
#include <linux/uaccess.h>

#include "x86.h"

/*
 * KVM_CAP_MAX_VCPU_ID (api.rst 7.32): vCPU IDs below @max only; set once
 * (the same value again is accepted), at most what KVM_CHECK_EXTENSION
 * says.
 */
static int x86_set_max_vcpu_id(struct hvx_vm *vm, u64 max)
{
	int r = -EINVAL;

	if (max > HVX_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (!vm->max_vcpu_ids || vm->max_vcpu_ids == max) {
		vm->max_vcpu_ids = max;
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_NR_MMU_PAGES, KVM_GET_NR_MMU_PAGES (KVM_CAP_MMU_SHADOW_CACHE_CONTROL,
 * which api.rst 6.1 does not describe): the number of pages for shadow
 * page tables.  hvx has none (stage-2 tables
 * are allocated as the guest touches memory): the value is recorded and
 * read back, as KVM does with two-dimensional paging.  At least 64, as in
 * KVM; at most INT_MAX, so that KVM_GET_NR_MMU_PAGES can return it.  Never
 * set: KVM's default, 2% of the pages in the memory slots, at least 64.
 */
#define X86_MIN_MMU_PAGES	64

static long x86_nr_mmu_pages(struct hvx_vm *vm, bool set, unsigned long n)
{
	struct x86_vm *xvm = vm->arch;
	u64 pages = 0;
	int i;

	if (set) {
		if (n < X86_MIN_MMU_PAGES || n > INT_MAX)
			return -EINVAL;
		WRITE_ONCE(xvm->nr_mmu_pages, n);
		return 0;
	}
	n = READ_ONCE(xvm->nr_mmu_pages);
	if (n)
		return n;
	mutex_lock(&vm->lock);
	for (i = 0; i < HVX_MAX_MEMSLOTS; i++)
		pages += vm->slots[i].size >> PAGE_SHIFT;
	mutex_unlock(&vm->lock);
	return min_t(u64, INT_MAX, max_t(u64, X86_MIN_MMU_PAGES,
					 pages * 20 / 1000));
}

/*
 * KVM_CAP_MSR_PLATFORM_INFO: may the guest read MSR_PLATFORM_INFO?  Yes
 * until user space says otherwise, as in KVM.
 */
static int x86_set_platform_info_cap(struct hvx_vm *vm, u64 on)
{
	WRITE_ONCE(((struct x86_vm *)vm->arch)->platform_info_hidden, !on);
	return 0;
}

/*
 * KVM_SET_BOOT_CPU_ID: which vCPU ID is the bootstrap processor (its
 * IA32_APIC_BASE.BSP set at reset, SDM Vol. 3A 11.4.4; running first);
 * only before the first vCPU exists (EBUSY after), as in KVM 6.1.
 */
static long x86_set_boot_cpu_id(struct hvx_vm *vm, unsigned long id)
{
	long r = 0;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		r = -EBUSY;
	else
		((struct x86_vm *)vm->arch)->bsp_id = id;
	mutex_unlock(&vm->lock);
	return r;
}

bool x86_is_bsp(struct x86_vcpu *x)
{
	return x->vcpu->id == ((struct x86_vm *)x86_vm(x)->arch)->bsp_id;
}

/* KVM_ENABLE_CAP on an x86 VM (module/vm.c passes what it does not take). */
static long x86_vm_enable_cap(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	switch (cap.cap) {
	case KVM_CAP_X86_USER_SPACE_MSR:
		return x86_enable_user_space_msr(vm, cap.args[0]);
	case KVM_CAP_MAX_VCPU_ID:
		return x86_set_max_vcpu_id(vm, cap.args[0]);
	case KVM_CAP_MSR_PLATFORM_INFO:
		return x86_set_platform_info_cap(vm, cap.args[0]);
	case KVM_CAP_SPLIT_IRQCHIP:
		return x86_irqchip_create(vm, true, cap.args[0]);
	default:
		return -EINVAL;
	}
}

long x86_vm_caps_ioctl(struct hvx_vm *vm, unsigned int ioctl,
		       void __user *argp)
{
	unsigned long arg = (unsigned long)argp;

	switch (ioctl) {
	case KVM_ENABLE_CAP:
		return x86_vm_enable_cap(vm, argp);
	case KVM_SET_NR_MMU_PAGES:
		return x86_nr_mmu_pages(vm, true, arg);
	case KVM_GET_NR_MMU_PAGES:
		return x86_nr_mmu_pages(vm, false, 0);
	case KVM_SET_BOOT_CPU_ID:
		return x86_set_boot_cpu_id(vm, arg);
	default:
		return -ENOTTY;
	}
}

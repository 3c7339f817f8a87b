// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: KVM_CREATE_DEVICE of KVM_DEV_TYPE_ARM_VGIC_V3 and the
 * attributes of its fd, with KVM's errors
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst, api.rst
 * "KVM_CREATE_DEVICE", "KVM_SET_DEVICE_ATTR"): the distributor's and the
 * redistributors' guest-physical bases (KVM_DEV_ARM_VGIC_GRP_ADDR, the
 * single contiguous redistributor region of KVM_VGIC_V3_ADDR_TYPE_REDIST),
 * or one region of KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION), the number of
 * interrupts (GRP_NR_IRQS) and KVM_DEV_ARM_VGIC_CTRL_INIT; the register
 * groups for save and restore are in vgic_uaccess.c.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/bitfield.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm.h>

#include "arm64.h"

/* Whether [a, a + asize) and [b, b + bsize) share a byte. */
static bool a64_overlap(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

/*
 * A base address for a window of @size bytes: unset so far (EEXIST),
 * 64 KiB aligned (EINVAL), inside the VM's IPA space (E2BIG).
 */
static int a64_vgic_check_base(struct hvx_vm *vm, u64 old, u64 addr,
			       u64 size)
{
	u64 ipa_size = 1ULL << vm->gpa_bits;

	if (old != A64_GIC_UNDEF)
		return -EEXIST;
	if (!IS_ALIGNED(addr, SZ_64K) || addr + size < addr)
		return -EINVAL;
	if (addr >= ipa_size || addr + size > ipa_size)
		return -E2BIG;
	return 0;
}

/* The legacy region holds every vCPU's; a counted one, @redist_count. */
static u64 a64_vgic_redist_size(struct hvx_vm *vm, struct a64_vgic *gic)
{
	return (u64)(gic->redist_count ?: vm->nr_vcpus) * A64_GIC_REDIST_SIZE;
}

/* vm->lock held. */
static int a64_vgic_set_addr(struct hvx_vm *vm, struct a64_vgic *gic,
			     u64 type, u64 addr)
{
	u64 rsize = a64_vgic_redist_size(vm, gic);
	int r;

	switch (type) {
	case KVM_VGIC_V3_ADDR_TYPE_DIST:
		r = a64_vgic_check_base(vm, gic->dist_base, addr,
					A64_GIC_DIST_SIZE);
		if (!r)
			gic->dist_base = addr;
		return r;
	case KVM_VGIC_V3_ADDR_TYPE_REDIST:
		if (gic->redist_count)
			return -EINVAL;	/* not mixed with regions */
		if (gic->redist_base != A64_GIC_UNDEF)
			return -EEXIST;
		if (addr + rsize < addr)
			return -EINVAL;
		if (gic->dist_base != A64_GIC_UNDEF &&
		    a64_overlap(addr, rsize, gic->dist_base, A64_GIC_DIST_SIZE))
			return -EINVAL;
		r = a64_vgic_check_base(vm, gic->redist_base, addr, rsize);
		if (!r)
			gic->redist_base = addr;
		return r;
	default:
		return -ENXIO;
	}
}

/* The fields of a REDIST_REGION attribute (arm-vgic-v3.rst). */
#define A64_RDIST_INDEX		GENMASK_ULL(11, 0)
#define A64_RDIST_FLAGS		GENMASK_ULL(15, 12)
#define A64_RDIST_BASE		GENMASK_ULL(51, 16)
#define A64_RDIST_COUNT		GENMASK_ULL(63, 52)

/*
 * KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION (arm-vgic-v3.rst): count in bits
 * 63:52, base 51:16, flags 15:12 (none defined), index 11:0.  hvx keeps
 * one region, index 0; KVM's rules otherwise: a count, no flags, not
 * mixed with the legacy REDIST base, the next index only.  vm->lock held.
 */
static int a64_vgic_region(struct hvx_vm *vm, struct a64_vgic *gic, u64 *val,
			   bool set)
{
	u32 index = FIELD_GET(A64_RDIST_INDEX, *val);
	u32 count = FIELD_GET(A64_RDIST_COUNT, *val);
	u64 base = *val & A64_RDIST_BASE;
	u64 rsize = (u64)count * A64_GIC_REDIST_SIZE;
	int r;

	if (!set) {
		if (index || !gic->redist_count)
			return -ENOENT;
		*val = gic->redist_base |
		       FIELD_PREP(A64_RDIST_COUNT, (u64)gic->redist_count);
		return 0;
	}
	if (!count || FIELD_GET(A64_RDIST_FLAGS, *val))
		return -EINVAL;
	if (gic->redist_base != A64_GIC_UNDEF && !gic->redist_count)
		return -EINVAL;
	if (index != (gic->redist_count ? 1 : 0))
		return -EINVAL;
	if (index)
		return -ENOSPC;	/* a second region: not in hvx */
	if (gic->dist_base != A64_GIC_UNDEF &&
	    a64_overlap(base, rsize, gic->dist_base, A64_GIC_DIST_SIZE))
		return -EINVAL;
	r = a64_vgic_check_base(vm, gic->redist_base, base, rsize);
	if (r)
		return r;
	gic->redist_base = base;
	gic->redist_count = count;
	return 0;
}

static long a64_vgic_addr_attr(struct hvx_vm *vm, struct a64_vgic *gic,
			       const struct kvm_device_attr *attr, bool set)
{
	u64 __user *uaddr = u64_to_user_ptr(attr->addr);
	u64 addr;
	long r;

	if (attr->attr == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION) {
		if (get_user(addr, uaddr))
			return -EFAULT;
		mutex_lock(&vm->lock);
		r = a64_vgic_region(vm, gic, &addr, set);
		mutex_unlock(&vm->lock);
		if (!r && !set)
			r = put_user(addr, uaddr);
		return r;
	}
	if (attr->attr != KVM_VGIC_V3_ADDR_TYPE_DIST &&
	    attr->attr != KVM_VGIC_V3_ADDR_TYPE_REDIST)
		return -ENXIO;
	if (set && get_user(addr, uaddr))
		return -EFAULT;
	mutex_lock(&vm->lock);
	if (set)
		r = a64_vgic_set_addr(vm, gic, attr->attr, addr);
	else
		r = 0;
	addr = attr->attr == KVM_VGIC_V3_ADDR_TYPE_DIST ? gic->dist_base :
							  gic->redist_base;
	mutex_unlock(&vm->lock);
	if (!r && !set)
		r = put_user(addr, uaddr);
	return r;
}

/*
 * KVM's bounds: at least 32 SPIs beyond the 32 private interrupts, at
 * most 1023 INTIDs, a multiple of 32; once only, and not after INIT.
 */
static long a64_vgic_nr_irqs(struct hvx_vm *vm, struct a64_vgic *gic,
			     const struct kvm_device_attr *attr, bool set)
{
	u32 __user *uaddr = u64_to_user_ptr(attr->addr);
	long r = 0;
	u32 val;

	if (!set)
		return put_user(READ_ONCE(gic->nr_irqs) ?: A64_GIC_PRIVATE,
				uaddr);
	if (get_user(val, uaddr))
		return -EFAULT;
	if (val < A64_GIC_PRIVATE + 32 || val > A64_GIC_MAX_IRQS - 1 ||
	    val % 32)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (gic->initialised || gic->nr_irqs)
		r = -EBUSY;
	else
		gic->nr_irqs = val;
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_DEV_ARM_VGIC_CTRL_INIT: the SPIs exist from here on, vCPUs can no
 * longer be created, each keeps its index; SGIs are edge-triggered, PPIs
 * level-sensitive, neither configurable (IHI 0069 12.11.7, as KVM).
 */
static int a64_vgic_init(struct hvx_vm *vm, struct a64_vgic *gic)
{
	struct a64_irq *spis;
	unsigned int i, j, nr;

	mutex_lock(&vm->lock);
	if (gic->initialised) {
		mutex_unlock(&vm->lock);
		return 0;
	}
	nr = gic->nr_irqs ?: A64_GIC_DEFAULT_IRQS;
	spis = hvx_fault_alloc() ? NULL : kcalloc(nr - A64_GIC_PRIVATE, sizeof(*spis),
					    GFP_KERNEL_ACCOUNT);
	if (!spis) {
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}
	spin_lock(&gic->lock);
	gic->spis = spis;
	gic->nr_irqs = nr;
	gic->nr_vcpus = vm->nr_vcpus;
	for (i = 0; i < gic->nr_vcpus; i++) {
		to_a64(vm->vcpus[i])->idx = i;
		for (j = 0; j < A64_GIC_SGIS; j++)
			gic->priv[i][j].edge = true;
	}
	WRITE_ONCE(gic->initialised, true);
	spin_unlock(&gic->lock);
	mutex_unlock(&vm->lock);
	return 0;
}

static long a64_vgic_attr(struct hvx_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	struct a64_vgic *gic = ((struct a64_vm *)vm->arch)->vgic;
	bool set = ioctl == KVM_SET_DEVICE_ATTR;
	struct kvm_device_attr attr;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.flags)
		return -EINVAL;
	switch (attr.group) {
	case KVM_DEV_ARM_VGIC_GRP_ADDR:
		if (ioctl == KVM_HAS_DEVICE_ATTR)
			return attr.attr == KVM_VGIC_V3_ADDR_TYPE_DIST ||
			       attr.attr == KVM_VGIC_V3_ADDR_TYPE_REDIST ||
			       attr.attr == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION ?
			       0 : -ENXIO;
		return a64_vgic_addr_attr(vm, gic, &attr, set);
	case KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
		if (ioctl == KVM_HAS_DEVICE_ATTR)
			return 0;
		return a64_vgic_nr_irqs(vm, gic, &attr, set);
	case KVM_DEV_ARM_VGIC_GRP_CTRL:
		if (attr.attr != KVM_DEV_ARM_VGIC_CTRL_INIT ||
		    ioctl == KVM_GET_DEVICE_ATTR)
			return -ENXIO;
		if (ioctl == KVM_HAS_DEVICE_ATTR)
			return 0;
		return a64_vgic_init(vm, gic);
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		return a64_vgic_uaccess(vm, gic, &attr, ioctl);
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
		return a64_vgic_cpu_sysregs(vm, gic, &attr, ioctl);
	default:
		return -ENXIO;
	}
}

static long a64_vgic_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvx_vm *vm = filp->private_data;

	if (vm->mm != current->mm)
		return -EIO;
	switch (ioctl) {
	case KVM_SET_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_HAS_DEVICE_ATTR:
		return a64_vgic_attr(vm, ioctl, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int a64_vgic_release(struct inode *inode, struct file *filp)
{
	hvx_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations a64_vgic_fops = {
	.owner		= THIS_MODULE,
	.release	= a64_vgic_release,
	.unlocked_ioctl	= a64_vgic_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Release the locks of vCPUs 0 to @n - 1, vm->lock held. */
void a64_vgic_unlock_vcpus(struct hvx_vm *vm, int n)
{
	while (n-- > 0)
		mutex_unlock(&vm->vcpus[n]->lock);
}

/* Every vCPU's lock, or -EBUSY if one is in an ioctl (as KVM). */
int a64_vgic_lock_vcpus(struct hvx_vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!mutex_trylock(&vm->vcpus[i]->lock)) {
			a64_vgic_unlock_vcpus(vm, i);
			return -EBUSY;
		}
	}
	return 0;
}

static struct a64_vgic *a64_vgic_alloc(void)
{
	struct a64_vgic *gic = hvx_fault_alloc() ? NULL :
			       kzalloc(sizeof(*gic), GFP_KERNEL_ACCOUNT);

	if (!gic)
		return NULL;
	spin_lock_init(&gic->lock);
	gic->dist_base = A64_GIC_UNDEF;
	gic->redist_base = A64_GIC_UNDEF;
	return gic;
}

/* The checks of kvm_vgic_create(), vm->lock held. */
static int a64_vgic_attach(struct hvx_vm *vm)
{
	struct a64_vm *avm = vm->arch;
	struct a64_vgic *gic;
	int i, r;

	r = a64_vgic_lock_vcpus(vm);
	if (r)
		return r;
	r = avm->vgic ? -EEXIST : 0;
	for (i = 0; !r && i < vm->nr_vcpus; i++)
		if (to_a64(vm->vcpus[i])->ran)
			r = -EBUSY;
	if (!r) {
		gic = a64_vgic_alloc();
		if (gic)
			WRITE_ONCE(avm->vgic, gic);
		else
			r = -ENOMEM;
	}
	a64_vgic_unlock_vcpus(vm, vm->nr_vcpus);
	return r;
}

/*
 * KVM_CREATE_DEVICE: only KVM_DEV_TYPE_ARM_VGIC_V3 exists here (ENODEV
 * for any other type, as KVM on a host without GICv2 emulation); with
 * KVM_CREATE_DEVICE_TEST nothing is created.  KVM ignores other flag
 * bits; hvx refuses them (EINVAL).  The device fd holds a reference on
 * the VM; the GIC itself lives as long as the VM.
 */
long a64_vgic_create(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_create_device cd;
	struct file *file;
	int r, fd;

	if (copy_from_user(&cd, argp, sizeof(cd)))
		return -EFAULT;
	if (cd.flags & ~KVM_CREATE_DEVICE_TEST)
		return -EINVAL;
	if (cd.type != KVM_DEV_TYPE_ARM_VGIC_V3 || !a64_gic_nr_lrs)
		return -ENODEV;
	if (cd.flags & KVM_CREATE_DEVICE_TEST)
		return 0;
	/*
	 * The file first: once the GIC is attached, nothing may fail, or
	 * the VM would keep a GIC without a device fd.
	 */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
	       anon_inode_getfile("hvx-vgic-v3", &a64_vgic_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	kref_get(&vm->ref);	/* dropped by the file's release */
	mutex_lock(&vm->lock);
	r = a64_vgic_attach(vm);
	mutex_unlock(&vm->lock);
	if (r) {
		put_unused_fd(fd);
		fput(file);
		return r;
	}
	fd_install(fd, file);
	cd.fd = fd;
	return copy_to_user(argp, &cd, sizeof(cd)) ? -EFAULT : 0;
}

/* A vCPU may be created until the GIC is initialised (KVM: -EBUSY). */
int a64_vgic_precreate(struct hvx_vm *vm)
{
	struct a64_vgic *gic = ((struct a64_vm *)vm->arch)->vgic;

	return gic && gic->initialised ? -EBUSY : 0;
}

/*
 * The first KVM_RUN of each vCPU with a GIC, as KVM's
 * kvm_vgic_map_resources(): both bases set (ENXIO), the windows inside
 * the IPA space and apart (EINVAL), INIT done (EBUSY).
 */
int a64_vgic_ready(struct a64_vcpu *v)
{
	struct hvx_vm *vm = v->vcpu->vm;
	struct a64_vgic *gic = a64_vm(v)->vgic;
	u64 rsize, ipa_size = 1ULL << vm->gpa_bits;
	int r = 0;

	mutex_lock(&vm->lock);
	rsize = a64_vgic_redist_size(vm, gic);
	if (gic->ready)
		goto out;
	if (gic->redist_base == A64_GIC_UNDEF ||
	    gic->dist_base == A64_GIC_UNDEF ||
	    (gic->redist_count && gic->redist_count < vm->nr_vcpus))
		r = -ENXIO;
	else if (gic->redist_base + rsize > ipa_size ||
		 a64_overlap(gic->redist_base, rsize, gic->dist_base,
			     A64_GIC_DIST_SIZE))
		r = -EINVAL;
	else if (!gic->initialised)
		r = -EBUSY;
	else
		gic->ready = true;
out:
	mutex_unlock(&vm->lock);
	return r;
}

void a64_vgic_free(struct a64_vm *avm)
{
	if (!avm->vgic)
		return;
	kfree(avm->vgic->spis);
	kfree(avm->vgic);
	avm->vgic = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: MSR filtering and MSR exits to user space (api.rst 4.97
 * KVM_X86_SET_MSR_FILTER, 7.21 KVM_CAP_X86_USER_SPACE_MSR, 5. the
 * KVM_EXIT_X86_RDMSR/WRMSR fields of struct kvm_run).
 *
 * A filter is up to 16 ranges of MSR indexes, each with a bitmap and the
 * kinds of access (read, write) it governs: a 1 bit lets the access through
 * to hvx's emulation, a 0 refuses it; an access no range governs takes the
 * filter's default.  The x2APIC MSRs (0x800-0x8ff) are never filtered.
 * Accesses from user space (KVM_GET/SET_MSRS) are not filtered either.
 *
 * A guest RDMSR or WRMSR that would raise #GP (refused by the filter, an
 * MSR hvx does not model, or a value it refuses) goes to user space instead
 * when the VM enabled KVM_CAP_X86_USER_SPACE_MSR for that reason; the next
 * KVM_RUN completes it with the data user space gave, or raises #GP if it
 * set msr.error.  Every MSR access exits on both SVM and VMX (msr.c), so
 * the filter is applied in software, before the emulation, for both.
 *
 * The filter is replaced whole under vm->lock and read under RCU by the
 * vCPUs; the old one is freed after a grace period.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "x86.h"

#define X86_MSR_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
			 KVM_MSR_EXIT_REASON_UNKNOWN | \
			 KVM_MSR_EXIT_REASON_FILTER)

struct x86_msr_range {
	u32 flags;		/* KVM_MSR_FILTER_READ, _WRITE */
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;
};

struct x86_msr_filter {
	bool default_allow;
	u32 count;
	struct x86_msr_range ranges[KVM_MSR_FILTER_MAX_RANGES];
	struct rcu_head rcu;
};

static struct x86_vm *x86_arch_vm(struct hvx_vm *vm)
{
	return vm->arch;
}

/* May the guest make this access (@type: KVM_MSR_FILTER_READ/WRITE)? */
static bool x86_msr_allowed(struct x86_vcpu *x, u32 index, u32 type)
{
	const struct x86_msr_filter *f;
	bool allowed = true;
	u32 i;

	if (index >= 0x800 && index <= 0x8ff)	/* x2APIC: never filtered */
		return true;
	rcu_read_lock();
	f = rcu_dereference(x86_arch_vm(x86_vm(x))->msr_filter);
	if (!f)
		goto out;
	allowed = f->default_allow;
	for (i = 0; i < f->count; i++) {
		const struct x86_msr_range *r = &f->ranges[i];
		u32 end = r->base + r->nmsrs;

		/*
		 * [base, base + nmsrs) in u32 arithmetic, as KVM: a range
		 * that wraps past 0xffffffff covers nothing.
		 */
		if (index >= r->base && index < end && (r->flags & type)) {
			allowed = test_bit(index - r->base, r->bitmap);
			break;
		}
	}
out:
	rcu_read_unlock();
	return allowed;
}

static void x86_msr_filter_free(struct x86_msr_filter *f)
{
	u32 i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

static void x86_msr_filter_free_rcu(struct rcu_head *head)
{
	x86_msr_filter_free(container_of(head, struct x86_msr_filter, rcu));
}

/* One range as KVM takes it: nmsrs 0 is no range; flags one or both. */
static int x86_msr_filter_add(struct x86_msr_filter *f,
			      const struct kvm_msr_filter_range *u)
{
	u32 rw = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
	struct x86_msr_range *r = &f->ranges[f->count];
	size_t size;

	if (!u->nmsrs)
		return 0;
	if (!u->flags || (u->flags & ~rw))
		return -EINVAL;
	size = BITS_TO_LONGS(u->nmsrs) * sizeof(long);
	if (size > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;
	r->bitmap = memdup_user((void __user *)u->bitmap, size);
	if (IS_ERR(r->bitmap))
		return PTR_ERR(r->bitmap);
	r->flags = u->flags;
	r->base = u->base;
	r->nmsrs = u->nmsrs;
	f->count++;
	return 0;
}

/*
 * KVM_X86_SET_MSR_FILTER: the new filter is built and checked whole before
 * it replaces the old.  No range at all removes filtering, which the deny
 * default cannot go with.
 */
long x86_ioctl_set_msr_filter(struct hvx_vm *vm, void __user *argp)
{
	struct x86_msr_filter *f, *old;
	struct kvm_msr_filter u;
	bool empty = true;
	int i, r;

	if (copy_from_user(&u, argp, sizeof(u)))
		return -EFAULT;
	if (u.flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		empty &= !u.ranges[i].nmsrs;
	if (empty && (u.flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->default_allow = !(u.flags & KVM_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		r = x86_msr_filter_add(f, &u.ranges[i]);
		if (r) {
			x86_msr_filter_free(f);
			return r;
		}
	}
	if (empty) {		/* no filtering, as before the first call */
		x86_msr_filter_free(f);
		f = NULL;
	}
	mutex_lock(&vm->lock);
	old = rcu_replace_pointer(x86_arch_vm(vm)->msr_filter, f,
				  lockdep_is_held(&vm->lock));
	mutex_unlock(&vm->lock);
	if (old)
		call_rcu(&old->rcu, x86_msr_filter_free_rcu);
	return 0;
}

/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): the reasons to exit for. */
int x86_enable_user_space_msr(struct hvx_vm *vm, u64 reasons)
{
	if (reasons & ~X86_MSR_REASONS)
		return -EINVAL;
	WRITE_ONCE(x86_arch_vm(vm)->user_space_msr, reasons);
	return 0;
}

void x86_msr_filter_vm_free(struct hvx_vm *vm)
{
	/* No reader is left: the VM's last reference is gone. */
	x86_msr_filter_free(rcu_dereference_protected(
		x86_arch_vm(vm)->msr_filter, 1));
}

/* KVM_MSR_EXIT_REASON_* of a refusal: see x86_msr_check(). */
static u32 x86_msr_reason(int r)
{
	switch (r) {
	case -EPERM:
		return KVM_MSR_EXIT_REASON_FILTER;
	case -ENOENT:
		return KVM_MSR_EXIT_REASON_UNKNOWN;
	default:
		return KVM_MSR_EXIT_REASON_INVAL;
	}
}

/* -EPERM if the filter refuses the guest this access, else 0. */
int x86_msr_check(struct x86_vcpu *x, u32 index, bool write)
{
	u32 type = write ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ;

	return x86_msr_allowed(x, index, type) ? 0 : -EPERM;
}

/*
 * The guest's RDMSR or WRMSR failed with @r: true if user space asked for
 * this reason, and the exit is then described in struct kvm_run.
 */
bool x86_msr_to_user(struct x86_vcpu *x, bool write, u64 data, int r)
{
	u32 reason = x86_msr_reason(r);
	struct kvm_run *run = x86_run(x);

	if (!(READ_ONCE(x86_arch_vm(x86_vm(x))->user_space_msr) & reason))
		return false;
	x->pending = (struct x86_pending) {
		.kind = X86_PENDING_MSR, .in = !write,
		.rip = x->rip, .next_rip = x->next_rip,
	};
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = reason;
	run->msr.index = x->gpr[GPR_RCX];
	run->msr.data = data;
	hvx_stat(x->vcpu, HVX_STAT_MSR);
	x86_exit_to_user(x, write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR);
	return true;
}

/*
 * The next KVM_RUN: user space's answer.  An error raises #GP with RIP
 * on the instruction; otherwise a read takes user space's data into
 * EDX:EAX and RIP moves past the instruction.
 */
void x86_complete_msr(struct x86_vcpu *x, const struct x86_pending *p)
{
	struct kvm_run *run = x86_run(x);
	u64 data = READ_ONCE(run->msr.data);

	if (READ_ONCE(run->msr.error)) {
		x86_inject_gp(x);
		return;
	}
	if (p->in) {
		x->gpr[GPR_RAX] = (u32)data;
		x->gpr[GPR_RDX] = data >> 32;
	}
	x->rip = p->next_rip;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx ioeventfds: KVM_IOEVENTFD, a guest write that signals an eventfd.
 *
 * User space registers an (address, length, optional value) with an
 * eventfd (Documentation/virt/kvm/api.rst, 4.59 "KVM_IOEVENTFD"); a guest
 * write that matches it, to I/O port space (x86) or to guest-physical
 * memory outside every slot (MMIO), is completed in the kernel: the
 * eventfd's counter goes up by one and the guest goes on as if the write
 * had reached a device, with no exit to user space.  A read, or a write
 * that matches nothing, exits as before.
 *
 * The match is KVM's: the address must be the registered one exactly; a
 * registration of length 0 takes a write of any length there, otherwise
 * the lengths must be equal, and with KVM_IOEVENTFD_FLAG_DATAMATCH the
 * value written must equal @datamatch.  Two registrations that could both
 * match one write are refused (-EEXIST), so at most one ever matches.
 *
 * The list is read on the exit path under RCU and written under vm->lock;
 * a registration removed is freed after a grace period, so an exit that
 * still walks it never touches freed memory or a released eventfd.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvx.h"

/* Registrations per VM; KVM has no limit (hvx walks a list per write). */
#define HVX_MAX_IOEVENTFDS	4096

struct hvx_ioeventfd {
	struct list_head list;
	u64 addr;
	u64 datamatch;
	struct eventfd_ctx *eventfd;
	u32 len;		/* 0: a write of any length */
	bool pio;		/* I/O port space, else MMIO */
	bool wildcard;		/* no KVM_IOEVENTFD_FLAG_DATAMATCH */
};

/*
 * The flags hvx honours: port I/O exists only on x86; the virtio-ccw
 * subchannel notification is s390's (KVM on other architectures accepts
 * it and never signals it).
 */
#define HVX_IOEVENTFD_FLAGS	(KVM_IOEVENTFD_FLAG_DATAMATCH | \
				 KVM_IOEVENTFD_FLAG_DEASSIGN | \
				 (IS_ENABLED(CONFIG_X86) ? \
				  KVM_IOEVENTFD_FLAG_PIO : 0))

static bool hvx_ioeventfd_len_valid(u32 len)
{
	return len == 0 || len == 1 || len == 2 || len == 4 || len == 8;
}

/* Whether @a and @b could both match one guest write (KVM's rule). */
static bool hvx_ioeventfd_collide(const struct hvx_ioeventfd *a,
				  const struct hvx_ioeventfd *b)
{
	if (a->pio != b->pio || a->addr != b->addr)
		return false;
	if (!a->len || !b->len)
		return true;
	return a->len == b->len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

/* Whether @p is what a KVM_IOEVENTFD_FLAG_DEASSIGN request @args names. */
static bool hvx_ioeventfd_same(const struct hvx_ioeventfd *p,
			       const struct kvm_ioeventfd *args,
			       struct eventfd_ctx *eventfd)
{
	bool pio = args->flags & KVM_IOEVENTFD_FLAG_PIO;
	bool wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);

	return p->eventfd == eventfd && p->pio == pio &&
	       p->addr == args->addr && p->len == args->len &&
	       p->wildcard == wildcard &&
	       (wildcard || p->datamatch == args->datamatch);
}

static int hvx_ioeventfd_assign(struct hvx_vm *vm,
				const struct kvm_ioeventfd *args)
{
	struct hvx_ioeventfd *p, *q;
	struct eventfd_ctx *eventfd;
	int r;

	if (!hvx_ioeventfd_len_valid(args->len) ||
	    args->addr + args->len < args->addr ||
	    (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH)))
		return -EINVAL;
	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	p = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		eventfd_ctx_put(eventfd);
		return -ENOMEM;
	}
	*p = (struct hvx_ioeventfd) {
		.addr = args->addr,
		.len = args->len,
		.eventfd = eventfd,
		.pio = args->flags & KVM_IOEVENTFD_FLAG_PIO,
		.wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH),
	};
	if (!p->wildcard)
		p->datamatch = args->datamatch;

	mutex_lock(&vm->lock);
	r = vm->nr_ioeventfds < HVX_MAX_IOEVENTFDS ? 0 : -ENOSPC;
	list_for_each_entry(q, &vm->ioeventfds, list)
		if (!r && hvx_ioeventfd_collide(p, q))
			r = -EEXIST;
	if (!r) {
		list_add_tail_rcu(&p->list, &vm->ioeventfds);
		vm->nr_ioeventfds++;
	}
	mutex_unlock(&vm->lock);
	if (r) {
		eventfd_ctx_put(eventfd);
		kfree(p);
	}
	return r;
}

static int hvx_ioeventfd_deassign(struct hvx_vm *vm,
				  const struct kvm_ioeventfd *args)
{
	struct hvx_ioeventfd *p, *found = NULL;
	struct eventfd_ctx *eventfd;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	mutex_lock(&vm->lock);
	list_for_each_entry(p, &vm->ioeventfds, list) {
		if (hvx_ioeventfd_same(p, args, eventfd)) {
			list_del_rcu(&p->list);
			vm->nr_ioeventfds--;
			found = p;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(eventfd);
	if (!found)
		return -ENOENT;
	/* An exit may still be looking at it: wait for it to finish. */
	synchronize_rcu();
	eventfd_ctx_put(found->eventfd);
	kfree(found);
	return 0;
}

/* KVM_IOEVENTFD on a VM fd.  @pad is not looked at, as in KVM. */
long hvx_ioeventfd_ioctl(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_ioeventfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~HVX_IOEVENTFD_FLAGS)
		return -EINVAL;
	if (args.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return hvx_ioeventfd_deassign(vm, &args);
	return hvx_ioeventfd_assign(vm, &args);
}

static bool hvx_ioeventfd_match(const struct hvx_ioeventfd *p, bool pio,
				u64 addr, unsigned int len, u64 val)
{
	if (p->pio != pio || p->addr != addr)
		return false;
	if (!p->len)
		return true;
	return p->len == len && (p->wildcard || p->datamatch == val);
}

/*
 * A guest write of @len bytes of @val (little-endian, the low @len bytes
 * count) to @addr: signal the ioeventfd that takes it.  Returns true if
 * one did, and the write is then complete.  Called on the exit path, in
 * process context; takes no lock that sleeps.
 */
bool hvx_ioeventfd_write(struct hvx_vm *vm, bool pio, u64 addr,
			 unsigned int len, u64 val)
{
	struct hvx_ioeventfd *p;
	bool hit = false;

	if (list_empty(&vm->ioeventfds))	/* a racy peek is fine */
		return false;
	if (len < 8)
		val &= BIT_ULL(len * 8) - 1;
	rcu_read_lock();
	list_for_each_entry_rcu(p, &vm->ioeventfds, list) {
		if (hvx_ioeventfd_match(p, pio, addr, len, val)) {
			eventfd_signal(p->eventfd, 1);
			hit = true;
			break;
		}
	}
	rcu_read_unlock();
	return hit;
}

/* The VM is going away: no vCPU can run, nothing else can see the list. */
void hvx_ioeventfd_free(struct hvx_vm *vm)
{
	struct hvx_ioeventfd *p, *n;

	list_for_each_entry_safe(p, n, &vm->ioeventfds, list) {
		list_del(&p->list);
		eventfd_ctx_put(p->eventfd);
		kfree(p);
	}
	vm->nr_ioeventfds = 0;
}

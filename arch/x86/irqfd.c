// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: KVM_IRQFD (api.rst 4.75), an eventfd whose signal is an
 * interrupt: each write to it sends an edge on its GSI through the
 * routing table (irqchip.c), as KVM_IRQ_LINE 1 then 0 would, without a
 * system call into hvx.  A device model in another thread or process (a
 * vhost worker, a virtio back end) raises guest interrupts this way.
 *
 * hvx listens on the eventfd's wait queue: the eventfd's write wakes it,
 * with the wait queue's lock held, and the edge is sent right there (the
 * chip's lock is a spinlock, never held while an eventfd is signalled).
 * When the eventfd's last file reference goes, its EPOLLHUP wake-up
 * takes the irqfd off the queue and frees it.  Whoever takes an irqfd off
 * the VM's list frees it: the wake-up on EPOLLHUP, KVM_IRQFD with
 * KVM_IRQFD_FLAG_DEASSIGN, or the VM's release.
 *
 * Not offered: KVM_IRQFD_FLAG_RESAMPLE (level-triggered irqfds, for
 * VFIO's INTx): -EINVAL, and KVM_CAP_IRQFD_RESAMPLE says 0.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "x86.h"

struct x86_irqfd {
	struct list_head link;		/* x86_vm.irqfds, its lock */
	struct hvx_vm *vm;
	struct eventfd_ctx *ev;
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
};

/* Off the VM's list: true if the caller took it off, and so frees it. */
static bool irqfd_unlink(struct x86_vm *xvm, struct x86_irqfd *f)
{
	unsigned long flags;
	bool mine;

	spin_lock_irqsave(&xvm->irqfd_lock, flags);
	mine = !list_empty(&f->link);
	list_del_init(&f->link);
	spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
	return mine;
}

static void irqfd_free(struct x86_irqfd *f)
{
	eventfd_ctx_put(f->ev);
	kfree(f);
}

/* The eventfd's wake-up: its wait queue's lock is held, interrupts off. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct x86_irqfd *f = container_of(wait, struct x86_irqfd, wait);
	__poll_t events = key_to_poll(key);
	u64 cnt;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(f->ev, &cnt);
		x86_irqchip_pulse(f->vm, f->gsi);
	}
	if (events & EPOLLHUP) {
		/* Its own entry: the waker's loop allows that (autoremove). */
		list_del_init(&wait->entry);
		if (irqfd_unlink(f->vm->arch, f))
			irqfd_free(f);
	}
	return 0;
}

static void irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			poll_table *pt)
{
	struct x86_irqfd *f = container_of(pt, struct x86_irqfd, pt);

	add_wait_queue(wqh, &f->wait);
}

/* Off the eventfd's queue (waiting out a wake-up running now), then freed. */
static void irqfd_detach(struct x86_irqfd *f)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ev, &f->wait, &cnt);
	irqfd_free(f);
}

static int irqfd_assign(struct hvx_vm *vm, const struct kvm_irqfd *args)
{
	struct x86_vm *xvm = vm->arch;
	struct fd file = fdget(args->fd);
	struct x86_irqfd *f, *o;
	unsigned long flags;
	__poll_t events;
	int r = -EBADF;

	if (!file.file)
		return r;
	r = -ENOMEM;
	f = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out;
	f->ev = eventfd_ctx_fileget(file.file);
	r = PTR_ERR_OR_ZERO(f->ev);
	if (r) {
		kfree(f);
		goto out;
	}
	f->vm = vm;
	f->gsi = args->gsi;
	INIT_LIST_HEAD(&f->link);
	init_waitqueue_func_entry(&f->wait, irqfd_wakeup);
	INIT_LIST_HEAD(&f->wait.entry);
	init_poll_funcptr(&f->pt, irqfd_queue);
	spin_lock_irqsave(&xvm->irqfd_lock, flags);
	list_for_each_entry(o, &xvm->irqfds, link) {
		if (o->ev == f->ev) {
			spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
			irqfd_free(f);
			r = -EBUSY;
			goto out;
		}
	}
	list_add_tail(&f->link, &xvm->irqfds);
	spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
	/*
	 * Queued on the eventfd; a count already there is an edge now.  The
	 * count stays (reading it needs the queue's lock): the next wake-up
	 * takes it all, as KVM's.
	 */
	events = vfs_poll(file.file, &f->pt);
	if (events & EPOLLIN)
		x86_irqchip_pulse(vm, f->gsi);
out:
	fdput(file);
	return r;
}

static int irqfd_deassign(struct hvx_vm *vm, const struct kvm_irqfd *args)
{
	struct eventfd_ctx *ev = eventfd_ctx_fdget(args->fd);
	struct x86_vm *xvm = vm->arch;
	struct x86_irqfd *f, *found;
	unsigned long flags;

	if (IS_ERR(ev))
		return PTR_ERR(ev);
	do {
		found = NULL;
		spin_lock_irqsave(&xvm->irqfd_lock, flags);
		list_for_each_entry(f, &xvm->irqfds, link) {
			if (f->ev == ev && f->gsi == args->gsi) {
				list_del_init(&f->link);
				found = f;
				break;
			}
		}
		spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
		if (found)
			irqfd_detach(found);
	} while (found);
	eventfd_ctx_put(ev);
	return 0;
}

/*
 * KVM_IRQFD: as KVM, only with an irqchip in the kernel (-EINVAL),
 * -EBUSY for an eventfd already assigned in this VM, and a deassign of
 * what is not there succeeds.  Assigns and deassigns take vm->lock, so
 * that one is never taken off the list before it is on the eventfd's
 * queue.
 */
long x86_irqfd_ioctl(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_irqfd args;
	long r;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~KVM_IRQFD_FLAG_DEASSIGN)
		return -EINVAL;
	if (!(args.flags & KVM_IRQFD_FLAG_DEASSIGN) && !x86_irqchip(vm))
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (args.flags & KVM_IRQFD_FLAG_DEASSIGN)
		r = irqfd_deassign(vm, &args);
	else
		r = irqfd_assign(vm, &args);
	mutex_unlock(&vm->lock);
	return r;
}

void x86_irqfd_init(struct x86_vm *xvm)
{
	INIT_LIST_HEAD(&xvm->irqfds);
	spin_lock_init(&xvm->irqfd_lock);
}

/* Before the irqchip goes: a wake-up running now ends before this does. */
void x86_irqfd_free(struct hvx_vm *vm)
{
	struct x86_vm *xvm = vm->arch;
	struct x86_irqfd *f;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&xvm->irqfd_lock, flags);
		f = list_first_entry_or_null(&xvm->irqfds, struct x86_irqfd,
					     link);
		if (f)
			list_del_init(&f->link);
		spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
		if (!f)
			return;
		irqfd_detach(f);
	}
}

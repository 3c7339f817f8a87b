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
 * With KVM_IRQFD_FLAG_RESAMPLE the irqfd is level-triggered (VFIO's INTx
 * is the user): a signal raises the GSI and leaves it high.  When the
 * guest ends the interrupt (the I/O APIC's EOI of its level vector, or
 * the PIC's EOI of the pin), the GSI goes low, before the I/O APIC could
 * send it again, and the resamplefd is signalled: the device model then
 * signals the irqfd again if the device still wants service.  As in KVM
 * 6.1, only with the whole irqchip in the kernel (not split).  KVM keeps
 * a level per source and GSI and ORs them; hvx keeps one per pin, so a
 * GSI of a resampling irqfd should not also be driven with KVM_IRQ_LINE.
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
	struct file *resample;		/* KVM_IRQFD_FLAG_RESAMPLE's eventfd */
	bool resample_due;		/* the GSI was lowered: signal it */
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
	if (f->resample)
		fput(f->resample);
	eventfd_ctx_put(f->ev);
	kfree(f);
}

/* An assigned irqfd goes: a resampling one leaves its GSI low. */
static void irqfd_release(struct x86_irqfd *f)
{
	if (f->resample)
		x86_irqchip_set_gsi(f->vm, f->gsi, 0);
	irqfd_free(f);
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
		if (f->resample)
			x86_irqchip_set_gsi(f->vm, f->gsi, 1);
		else
			x86_irqchip_pulse(f->vm, f->gsi);
	}
	if (events & EPOLLHUP) {
		/* Its own entry: the waker's loop allows that (autoremove). */
		list_del_init(&wait->entry);
		if (irqfd_unlink(f->vm->arch, f))
			irqfd_release(f);
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
	irqfd_release(f);
}

/* The resamplefd: a reference to its file, if it is an eventfd. */
static int irqfd_get_resample(struct x86_irqfd *f, int fd)
{
	struct file *file = fget(fd);
	struct eventfd_ctx *ev;

	if (!file)
		return -EBADF;
	ev = eventfd_ctx_fileget(file);
	if (IS_ERR(ev)) {
		fput(file);
		return PTR_ERR(ev);
	}
	eventfd_ctx_put(ev);
	f->resample = file;
	return 0;
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
	if (args->flags & KVM_IRQFD_FLAG_RESAMPLE) {
		r = irqfd_get_resample(f, args->resamplefd);
		if (r) {
			irqfd_free(f);
			goto out;
		}
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
	if ((events & EPOLLIN) && f->resample)
		x86_irqchip_set_gsi(vm, f->gsi, 1);
	else if (events & EPOLLIN)
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
 * Whether KVM_IRQFD may assign with @flags: an irqchip in the kernel, and
 * the whole of it for a resampling irqfd (KVM 6.1's
 * kvm_arch_irqfd_allowed()).
 */
static bool irqfd_allowed(struct hvx_vm *vm, u32 flags)
{
	struct x86_irqchip *c = x86_irqchip(vm);

	return c && (!(flags & KVM_IRQFD_FLAG_RESAMPLE) || !c->split);
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
	if (args.flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (!(args.flags & KVM_IRQFD_FLAG_DEASSIGN) &&
	    !irqfd_allowed(vm, args.flags))
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

/*
 * The guest ended the interrupt of @pins (a bit per pin) of controller
 * @chip (KVM_IRQCHIP_*): lower the GSI of each resampling irqfd routed
 * there, and mark it for x86_irqfd_notify().  The chip's lock held.
 */
void x86_irqfd_resample(struct x86_irqchip *c, u32 chip, u32 pins)
{
	struct x86_vm *xvm = c->vm->arch;
	struct x86_irqfd *f;

	if (!pins)
		return;
	spin_lock(&xvm->irqfd_lock);
	list_for_each_entry(f, &xvm->irqfds, link) {
		if (!f->resample || !x86_irqchip_routed(c, f->gsi, chip, pins))
			continue;
		x86_irqchip_lower(c, f->gsi);
		f->resample_due = true;
		xvm->resample_due = true;
	}
	spin_unlock(&xvm->irqfd_lock);
}

/*
 * Signal the resamplefds x86_irqfd_resample() marked, with no lock held:
 * a resamplefd may itself be another irqfd's eventfd, whose wake-up
 * takes the chip's lock.  A reference to each file keeps its eventfd
 * while the list's lock is dropped.
 */
void x86_irqfd_notify(struct hvx_vm *vm)
{
	struct eventfd_ctx *ev;
	struct file *due[8];
	struct x86_vm *xvm = vm->arch;
	struct x86_irqfd *f;
	unsigned long flags;
	int i, n;

	while (READ_ONCE(xvm->resample_due)) {
		n = 0;
		spin_lock_irqsave(&xvm->irqfd_lock, flags);
		list_for_each_entry(f, &xvm->irqfds, link) {
			if (!f->resample_due)
				continue;
			if (n == ARRAY_SIZE(due))
				break;
			f->resample_due = false;
			due[n++] = get_file(f->resample);
		}
		if (n < ARRAY_SIZE(due))
			xvm->resample_due = false;
		spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
		for (i = 0; i < n; i++) {
			ev = eventfd_ctx_fileget(due[i]);
			if (!IS_ERR(ev)) {
				eventfd_signal(ev, 1);
				eventfd_ctx_put(ev);
			}
			fput(due[i]);
		}
	}
}

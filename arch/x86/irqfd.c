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

/*
 * Take the irqfd of @ev and @gsi (the first, with @ev NULL) off the VM's
 * list: whoever does frees it.  An eventfd is assigned once per VM.
 */
static struct x86_irqfd *irqfd_take(struct x86_vm *xvm,
				    struct eventfd_ctx *ev, u32 gsi)
{
	struct x86_irqfd *f, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&xvm->irqfd_lock, flags);
	list_for_each_entry(f, &xvm->irqfds, link) {
		if (!ev || (f->ev == ev && f->gsi == gsi)) {
			list_del_init(&f->link);
			found = f;
			break;
		}
	}
	spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
	return found;
}

static void irqfd_free(struct x86_irqfd *f)
{
	if (f->resample)
		fput(f->resample);
	if (!IS_ERR_OR_NULL(f->ev))
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

/* What a signal does: an edge, or, for a resampling irqfd, the level. */
static int irqfd_level(const struct x86_irqfd *f)
{
	return f->resample ? 1 : X86_GSI_EDGE;
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
		x86_irqchip_set_gsi(f->vm, f->gsi, irqfd_level(f));
	}
	if (events & EPOLLHUP) {
		/* Its own entry: the waker's loop allows that (autoremove). */
		list_del_init(&wait->entry);
		if (irqfd_take(f->vm->arch, f->ev, f->gsi))
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
	struct eventfd_ctx *ev;

	f->resample = fget(fd);
	if (!f->resample)
		return -EBADF;
	ev = eventfd_ctx_fileget(f->resample);
	if (IS_ERR(ev))
		return PTR_ERR(ev);	/* irqfd_free() puts the file */
	eventfd_ctx_put(ev);
	return 0;
}

/* On the VM's list, unless its eventfd is there already (-EBUSY). */
static int irqfd_add(struct x86_vm *xvm, struct x86_irqfd *f)
{
	struct x86_irqfd *o;
	unsigned long flags;
	int r = 0;

	spin_lock_irqsave(&xvm->irqfd_lock, flags);
	list_for_each_entry(o, &xvm->irqfds, link)
		if (o->ev == f->ev)
			r = -EBUSY;
	if (!r)
		list_add_tail(&f->link, &xvm->irqfds);
	spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
	return r;
}

static int irqfd_assign(struct hvx_vm *vm, const struct kvm_irqfd *args)
{
	struct fd file = fdget(args->fd);
	struct x86_irqfd *f;
	__poll_t events;
	int r = -EBADF;

	if (!file.file)
		return r;
	r = -ENOMEM;
	f = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out;
	f->vm = vm;
	f->gsi = args->gsi;
	INIT_LIST_HEAD(&f->link);
	init_waitqueue_func_entry(&f->wait, irqfd_wakeup);
	INIT_LIST_HEAD(&f->wait.entry);
	init_poll_funcptr(&f->pt, irqfd_queue);
	f->ev = eventfd_ctx_fileget(file.file);
	r = PTR_ERR_OR_ZERO(f->ev);
	if (!r && (args->flags & KVM_IRQFD_FLAG_RESAMPLE))
		r = irqfd_get_resample(f, args->resamplefd);
	if (!r)
		r = irqfd_add(vm->arch, f);
	if (r) {
		irqfd_free(f);
		goto out;
	}
	/*
	 * Queued on the eventfd; a count already there is an edge now.  The
	 * count stays (reading it needs the queue's lock): the next wake-up
	 * takes it all, as KVM's.
	 */
	events = vfs_poll(file.file, &f->pt);
	if (events & EPOLLIN)
		x86_irqchip_set_gsi(vm, f->gsi, irqfd_level(f));
out:
	fdput(file);
	return r;
}

static int irqfd_deassign(struct hvx_vm *vm, const struct kvm_irqfd *args)
{
	struct eventfd_ctx *ev = eventfd_ctx_fdget(args->fd);
	struct x86_irqfd *f;

	if (IS_ERR(ev))
		return PTR_ERR(ev);
	while ((f = irqfd_take(vm->arch, ev, args->gsi)))
		irqfd_detach(f);
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
	struct x86_irqfd *f;

	while ((f = irqfd_take(vm->arch, NULL, 0)))
		irqfd_detach(f);
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
		x86_irqchip_set_irq(c, f->gsi, 0);
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
	struct x86_vm *xvm = vm->arch;
	struct eventfd_ctx *ev;
	struct x86_irqfd *f;
	unsigned long flags;
	struct file *due;

	while (READ_ONCE(xvm->resample_due)) {
		due = NULL;
		spin_lock_irqsave(&xvm->irqfd_lock, flags);
		list_for_each_entry(f, &xvm->irqfds, link) {
			if (f->resample_due) {
				f->resample_due = false;
				due = get_file(f->resample);
				break;
			}
		}
		xvm->resample_due = due != NULL;
		spin_unlock_irqrestore(&xvm->irqfd_lock, flags);
		if (!due)
			return;
		ev = eventfd_ctx_fileget(due);
		if (!IS_ERR(ev)) {
			eventfd_signal(ev, 1);
			eventfd_ctx_put(ev);
		}
		fput(due);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: interrupt and NMI injection, shared by SVM and VMX.
 *
 * Without KVM_CREATE_IRQCHIP, user space delivers an external interrupt
 * with KVM_INTERRUPT (the vector its PIC or APIC model chose) and an NMI
 * with KVM_NMI; with it, the in-kernel local APIC (lapic.c) supplies both.
 * An interrupt is injected when the guest can take it: RFLAGS.IF set, no
 * STI or MOV SS shadow, and the injection field free (Intel SDM Vol. 3A
 * 6.8.1, 6.8.3; AMD APM Vol. 2 8.5).  An NMI is injected unless the guest
 * is still handling the last one, which blocks NMIs until its IRET (SDM
 * Vol. 3A 6.7.1, APM Vol. 2 8.2.3); x86 holds at most one NMI besides the
 * one being handled, so at most two are kept.  Whatever has to wait arms
 * the backend's interrupt or NMI window, so the vCPU exits as soon as the
 * guest can take it.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "x86.h"

/* x86 has 256 interrupt vectors (SDM Vol. 3A 6.2). */
#define X86_NR_VECTORS	256

/*
 * KVM's ready_for_interrupt_injection: a KVM_INTERRUPT now would be taken
 * at the next entry, before the guest runs an instruction.
 */
static bool x86_irq_window_open(struct x86_vcpu *x)
{
	if (x->irq_queued || x86_vendor->event_queued(x) ||
	    x86_vendor->irq_blocked(x))
		return false;
	return !x86_irqchip_split(x86_vm(x)) || x86_split_window_open(x);
}

/*
 * Right before an entry, with the vCPU's control block current: move one
 * event from user space into the injection field, an interrupt before an
 * NMI as KVM does, and arm the windows for what has to wait.  An event
 * already in the field (an exception, or one whose delivery an exit cut
 * short, APM Vol. 2 15.7.2, SDM Vol. 3C 27.2.4) goes first.
 * Returns 1 to enter, 0 to return to user space: it asked for the
 * interrupt window and the window is open now, which KVM reports as
 * KVM_EXIT_IRQ_WINDOW_OPEN without the guest running an instruction.
 *
 * With the in-kernel APIC (lapic.c), the interrupt comes from it instead
 * of KVM_INTERRUPT: acknowledged once the guest can take it, and the
 * window armed while one waits.
 */
int x86_inject_events(struct x86_vcpu *x)
{
	const struct x86_vendor_ops *v = x86_vendor;
	bool want_window = READ_ONCE(x86_run(x)->request_interrupt_window);
	bool apic_waits = false;

	if (x86_split_eoi_exit(x))
		return 0;
	/*
	 * User space's interrupt window is for its PIC's interrupt: none
	 * with the in-kernel PIC, and with the split irqchip only while the
	 * APIC would take it (LINT0), as KVM (dm_request_for_irq_injection);
	 * a window armed while LVT0 is masked would exit before every guest
	 * instruction.
	 */
	if (want_window && x86_irqchip(x86_vm(x)) &&
	    !(x86_irqchip_split(x86_vm(x)) && x86_apic_takes_extint(x)))
		want_window = false;
	if (x86_irqchip(x86_vm(x)))
		apic_waits = x86_apic_inject_one(x, !x->irq_queued &&
						 !v->event_queued(x) &&
						 !v->irq_blocked(x));
	if (x->nmi_pending > 1 && v->nmi_masked(x))
		x->nmi_pending = 1;
	if (!v->event_queued(x)) {
		if (x->irq_queued && !v->irq_blocked(x)) {
			v->inject_irq(x, x->irq_vector);
			x->irq_queued = false;
		} else if (x->nmi_pending && !v->nmi_masked(x)) {
			v->inject_nmi(x);
			x->nmi_pending--;
		}
	}
	if (want_window && x86_irq_window_open(x)) {
		v->set_windows(x, false, x->nmi_pending);
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		x86_exit_to_user(x, KVM_EXIT_IRQ_WINDOW_OPEN);
		return 0;
	}
	v->set_windows(x, x->irq_queued || want_window || apic_waits,
		       x->nmi_pending);
	return 1;
}

/*
 * An exit cut the delivery of an external interrupt short: it goes back
 * to the queue it came from, where KVM_GET_SREGS reports it and the next
 * entry injects it again, once.
 */
void x86_requeue_irq(struct x86_vcpu *x, u8 vector)
{
	x->irq_queued = true;
	x->irq_vector = vector;
}

/* The kvm_run fields KVM refreshes on every return to user space. */
void x86_fill_run(struct x86_vcpu *x)
{
	struct kvm_run *run = x86_run(x);
	struct kvm_sregs *s = x86_sregs(x);

	run->if_flag = !!(x->rflags & X86_EFLAGS_IF);
	run->cr8 = s->cr8;
	run->apic_base = s->apic_base;
	run->ready_for_interrupt_injection = x86_irq_window_open(x);
}

/*
 * KVM_INTERRUPT (api.rst): @irq is a vector, not a pin.  One
 * interrupt can wait for injection; api.rst answers EEXIST for a second,
 * where KVM 6.1 without an irqchip replaces the first.  hvx keeps the
 * first: nothing user space has delivered is lost silently.  With the
 * in-kernel PIC, KVM refuses it (ENXIO); with the split irqchip it is
 * user space's PIC's ExtINT (split_irqchip.c).
 */
long x86_ioctl_interrupt(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= X86_NR_VECTORS)
		return -EINVAL;
	if (x86_irqchip_split(x86_vm(x)))
		return x86_split_interrupt(x, irq.irq);
	if (x86_irqchip(x86_vm(x)))
		return -ENXIO;
	if (x->irq_queued)
		return -EEXIST;
	x->irq_queued = true;
	x->irq_vector = irq.irq;
	return 0;
}

/* KVM_NMI (api.rst): one more NMI, two at most waiting. */
long x86_ioctl_nmi(struct x86_vcpu *x)
{
	if (x->nmi_pending < 2)
		x->nmi_pending++;
	return 0;
}

/*
 * kvm_sregs.interrupt_bitmap: the external interrupt waiting for
 * injection, one bit; KVM_SET_SREGS queues the lowest bit set, in place of
 * the one waiting, as KVM does, so a GET/SET round trip delivers it once.
 */
void x86_get_irq_bitmap(struct x86_vcpu *x, struct kvm_sregs *s)
{
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
	if (x->irq_queued)
		__set_bit(x->irq_vector,
			  (unsigned long *)s->interrupt_bitmap);
}

void x86_set_irq_bitmap(struct x86_vcpu *x, const struct kvm_sregs *s)
{
	unsigned long vec;

	vec = find_first_bit((const unsigned long *)s->interrupt_bitmap,
			     X86_NR_VECTORS);
	if (vec < X86_NR_VECTORS)
		x86_requeue_irq(x, vec);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx SVM: events into the guest (AMD APM Vol. 2 15.20, "Event
 * Injection"): exceptions and NMIs through EVENTINJ, external interrupts
 * through the virtual interrupt (V_IRQ, 15.21.4) so that the guest's
 * RFLAGS.IF and interrupt shadow are honoured by the processor, the
 * interrupt and NMI windows (VINTR and IRET intercepts), and the
 * KVM_GET/SET_VCPU_EVENTS view of them; DR6 and DR7, which live in the
 * VMCB.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/percpu.h>
#include <asm/debugreg.h>

#include "svm.h"
#include "hvx_trace.h"

void svm_inject_exception(struct x86_vcpu *x, u8 vector,
				 bool has_error, u32 error)
{
	struct vmcb_control_area *c = &to_svm(x)->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_EXCEPTION, vector,
			 has_error ? error : 0);
	c->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
		       (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = error;
}

bool svm_event_queued(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);

	return (svm->vmcb->control.event_inj & SVM_EVTINJ_VALID) ||
	       svm->virq_inflight;
}

/*
 * The interrupt shadow (VMCB INTERRUPT_SHADOW, APM 15.21.5) holds for the
 * instruction after STI or MOV SS only: once hvx has moved RIP past an
 * instruction it emulated, it is over.
 */
static bool svm_shadow(struct x86_vcpu *x)
{
	return (to_svm(x)->vmcb->control.int_state &
		SVM_INTERRUPT_SHADOW_MASK) && x->rip == x->exit_rip;
}

bool svm_irq_blocked(struct x86_vcpu *x)
{
	return !(x->rflags & X86_EFLAGS_IF) || svm_shadow(x);
}

bool svm_nmi_masked(struct x86_vcpu *x)
{
	return to_svm(x)->nmi_masked;
}

/*
 * An external interrupt goes in as a virtual interrupt (APM Vol. 2
 * 15.21.4): V_IRQ with the vector in V_INTR_VECTOR, the highest priority
 * and the TPR ignored, and no VINTR intercept.  hvx injects only when the
 * guest can take it (RFLAGS.IF set, no shadow), so the CPU takes it right
 * after VMRUN, before the first guest instruction, through the guest's
 * IDT like an INTR, and clears V_IRQ as it does.  A #VMEXIT before that
 * leaves V_IRQ set, and one in the middle of the delivery reports it in
 * EXITINTINFO: svm_settle_virq puts it back in the queue either way, so
 * it is delivered once.
 *
 * EVENTINJ with type INTR (APM 15.20) is the direct way, which real CPUs
 * handle well; V_IRQ in its place is a workaround for QEMU 7.2's SVM
 * emulation: its VMRUN delivers an INTR from EVENTINJ and also leaves
 * the vector as the CPU's pending exception (cs->exception_index in
 * helper_vmrun), so a TCG exit request before the next #VMEXIT delivers
 * it a second time, whatever the guest's RFLAGS.IF; a Linux guest then
 * runs its timer handler again inside itself and deadlocks on a lock it
 * holds.  QEMU takes a virtual interrupt through its ordinary interrupt
 * path, checking IF, and clears it.  Exceptions, NMIs and re-injected
 * events still use EVENTINJ (QEMU leaves the CPU loop at once for those).
 */
void svm_inject_irq(struct x86_vcpu *x, u8 vector)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_IRQ, vector, 0);
	svm_clr_intercept(svm->vmcb, INTERCEPT_VINTR);
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
		      (0xf << V_INTR_PRIO_SHIFT);
	c->int_vector = vector;
	svm->virq_inflight = true;
}

/*
 * After the #VMEXIT (or an entry that did not happen), the virtual
 * interrupt of svm_inject_irq is in one of three states (APM 15.21.4,
 * 15.7.2): taken, V_IRQ cleared; not taken, V_IRQ still set; or its
 * delivery cut short by an intercept (a nested page fault on the IDT or
 * the stack), EXITINTINFO holding it with type INTR.  The last two go
 * back to the queue, once, for the next entry.
 *
 * Workaround for QEMU 7.2: its EXITINTINFO for an interrupt cut short
 * has type EXCEPTION, not INTR, and V_IRQ stays set as well.  Re-injected
 * as an exception, VMRUN would refuse a vector of 32 or more (APM 15.20).
 * No exception can be on its way into the guest while V_IRQ is still
 * pending, since hvx injects nothing else beside it: an exception with
 * the interrupt's vector then is the interrupt.
 */
void svm_settle_virq(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	bool pending = c->int_ctl & V_IRQ_MASK;
	bool cut_short;

	if (!svm->virq_inflight)
		return;
	svm->virq_inflight = false;
	cut_short = (info & SVM_EXITINTINFO_VALID) &&
		    (info & SVM_EXITINTINFO_VEC_MASK) == c->int_vector &&
		    (type == SVM_EXITINTINFO_TYPE_INTR ||
		     (type == SVM_EXITINTINFO_TYPE_EXEPT && pending));
	if (cut_short)
		c->exit_int_info = 0;
	if (cut_short || pending)
		x86_requeue_irq(&svm->x, c->int_vector);
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
}

/* The guest's NMI handler runs with NMIs masked until IRET: watch for it. */
void svm_inject_nmi(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_NMI, X86_VEC_NMI, 0);
	c->event_inj = X86_VEC_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
	c->event_inj_err = 0;
	svm->nmi_masked = true;
	svm->nmi_iret = false;
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
}

/*
 * Interrupt window (APM 15.21.4): a virtual interrupt (V_IRQ) of the
 * highest priority, TPR ignored, whose acceptance is intercepted (VINTR):
 * the #VMEXIT comes as soon as RFLAGS.IF is set and no shadow holds.
 * While V_IRQ carries an interrupt (svm_inject_irq) it cannot be the
 * window as well: the window is armed at the entry after the next
 * #VMEXIT, once the interrupt has been taken.  The IRET intercept (APM
 * 15.9) brings that #VMEXIT when the guest's handler returns, so the
 * window exit comes when RFLAGS.IF is set again, as with an injection
 * through EVENTINJ; not while the IRET intercept tracks an NMI handler.
 */
void svm_set_irq_window(struct svm_vcpu *svm, bool on)
{
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_control_area *c = &vmcb->control;

	if (svm->virq_inflight) {
		if (on && !svm->nmi_masked)
			svm_set_intercept(vmcb, INTERCEPT_IRET);
		return;
	}
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	if (!on)
		return;
	c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
		      (0xf << V_INTR_PRIO_SHIFT);
	c->int_vector = 0;
	svm_set_intercept(vmcb, INTERCEPT_VINTR);
}

/*
 * NMI window.  Before the guest's IRET, its intercept will exit.  Once
 * the IRET has been intercepted it still has to run: single-step over it
 * with RFLAGS.TF and intercept the #DB trap that follows it (a trap is
 * raised after an instruction that starts with TF set, even one that
 * clears TF, SDM Vol. 3B 18.3.1.4).  An NMI waiting behind another event
 * goes in at the next exit.
 */
void svm_set_windows(struct x86_vcpu *x, bool irq, bool nmi)
{
	struct svm_vcpu *svm = to_svm(x);

	svm_set_irq_window(svm, irq);
	if (!nmi || !svm->nmi_masked || !svm->nmi_iret || svm->nmi_singlestep)
		return;
	svm->nmi_singlestep = true;
	svm->nmi_guest_tf = x->rflags & X86_EFLAGS_TF;
	svm->nmi_dr6_bs = svm->vmcb->save.dr6 & X86_DR6_BS;
	x->rflags |= X86_EFLAGS_TF;
}

/*
 * KVM_GET_VCPU_EVENTS from the VMCB: EVENTINJ (APM Vol. 2 15.20), the
 * interrupt shadow, which SVM does not say came from STI or MOV SS (both
 * bits, as KVM reports it), and hvx's NMI blocking (svm->nmi_masked).
 */
void svm_get_events(struct x86_vcpu *x, struct x86_events *ev)
{
	struct svm_vcpu *svm = to_svm(x);
	const struct vmcb_control_area *c = &svm->vmcb->control;
	u32 inj = c->event_inj;

	*ev = (struct x86_events) {
		.vector = inj & SVM_EVTINJ_VEC_MASK,
		.has_error = inj & SVM_EVTINJ_VALID_ERR,
		.error = c->event_inj_err,
		.nmi_masked = svm->nmi_masked,
	};
	if (svm_shadow(x))
		ev->shadow = KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS;
	if (!(inj & SVM_EVTINJ_VALID))
		return;
	switch (inj & SVM_EVTINJ_TYPE_MASK) {
	case SVM_EVTINJ_TYPE_EXEPT:
		ev->type = X86_EVENT_EXCEPTION;
		break;
	case SVM_EVTINJ_TYPE_NMI:
		ev->type = X86_EVENT_NMI;
		break;
	case SVM_EVTINJ_TYPE_INTR:
		ev->type = X86_EVENT_IRQ;
		break;
	}
}

/*
 * KVM_SET_VCPU_EVENTS into the VMCB.  NMI blocking while masked is
 * tracked with the IRET intercept, as after svm_inject_nmi(); an injected
 * NMI blocks NMIs from its delivery on.
 */
void svm_set_events(struct x86_vcpu *x, const struct x86_events *ev)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (ev->shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	svm->nmi_masked = ev->nmi_masked;
	svm->nmi_iret = false;
	if (ev->nmi_masked)
		svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
	c->event_inj = 0;
	c->event_inj_err = 0;
	if (ev->type == X86_EVENT_EXCEPTION)
		svm_inject_exception(x, ev->vector, ev->has_error, ev->error);
	else if (ev->type == X86_EVENT_NMI)
		svm_inject_nmi(x);
}

void svm_get_dr67(struct x86_vcpu *x, u64 *dr6, u64 *dr7)
{
	*dr6 = to_svm(x)->vmcb->save.dr6;
	*dr7 = to_svm(x)->vmcb->save.dr7;
}

/* DR6 and DR7 are in the VMCB, loaded by VMRUN (APM Vol. 2 15.5.1). */
void svm_set_dr67(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live)
{
	struct svm_vcpu *svm = to_svm(x);

	svm->vmcb->save.dr6 = dr6;
	svm->vmcb->save.dr7 = dr7;
	if (live) {
		x->dr_live = true;
		svm->vmcb->control.intercepts[INTERCEPT_DR] = 0;
	}
}


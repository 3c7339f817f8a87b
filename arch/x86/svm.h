/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx SVM backend: what svm.c (set-up, VMRUN), svm_event.c (event
 * injection, AMD APM Vol. 2 15.20) and svm_exit.c (#VMEXIT handling,
 * APM Vol. 2 15.6 and Appendix C) share.
 */
#ifndef HVX_SVM_H
#define HVX_SVM_H

#include <asm/svm.h>

#include "x86.h"

struct svm_vcpu {
	struct x86_vcpu x;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid;
	u64 asid_gen;
	int asid_cpu;
	s64 tlb_gen;
	struct vmcb_save_area saved;	/* guest state as entered */
	u32 saved_event_inj, saved_event_inj_err, saved_int_ctl;
	/*
	 * An external interrupt from KVM_INTERRUPT is in V_IRQ for this
	 * entry (svm_inject_irq); settled after the #VMEXIT by
	 * svm_settle_virq.
	 */
	bool virq_inflight;
	/*
	 * NMI blocking, which SVM leaves to the hypervisor (APM Vol. 2
	 * 15.20): set when an NMI is injected, until the guest's IRET has
	 * run.  The IRET intercept comes before the IRET executes; it counts
	 * as done once RIP has moved on from it.
	 */
	bool nmi_masked;
	bool nmi_iret;		/* IRET intercepted, at @nmi_iret_rip */
	u64 nmi_iret_rip;
	bool nmi_singlestep;	/* TF set by hvx to exit after the IRET */
	bool nmi_guest_tf;	/* the guest's own TF then */
	u64 nmi_dr6_bs;		/* and its DR6.BS, to put back after */
};

static inline struct svm_vcpu *to_svm(struct x86_vcpu *x)
{
	return container_of(x, struct svm_vcpu, x);
}

/* The intercept vectors of the VMCB control area (APM Vol. 2 Appendix B.1). */
static inline void svm_set_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static inline void svm_clr_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

extern bool svm_has_nrips;

/* svm_event.c */
void svm_inject_exception(struct x86_vcpu *x, u8 vector, bool has_error,
			  u32 error);
bool svm_event_queued(struct x86_vcpu *x);
bool svm_irq_blocked(struct x86_vcpu *x);
bool svm_nmi_masked(struct x86_vcpu *x);
void svm_inject_irq(struct x86_vcpu *x, u8 vector);
void svm_settle_virq(struct svm_vcpu *svm);
void svm_inject_nmi(struct x86_vcpu *x);
void svm_set_irq_window(struct svm_vcpu *svm, bool on);
void svm_set_windows(struct x86_vcpu *x, bool irq, bool nmi);
void svm_get_events(struct x86_vcpu *x, struct x86_events *ev);
void svm_set_events(struct x86_vcpu *x, const struct x86_events *ev);
void svm_get_dr67(struct x86_vcpu *x, u64 *dr6, u64 *dr7);
void svm_set_dr67(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live);

/* svm_exit.c */
int svm_handle_exit(struct svm_vcpu *svm);
int svm_exit_invalid(struct svm_vcpu *svm);

#endif /* HVX_SVM_H */

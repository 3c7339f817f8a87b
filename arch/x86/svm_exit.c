// SPDX-License-Identifier: GPL-2.0
/*
 * hvx SVM: the #VMEXIT handlers (AMD APM Vol. 2 15.6; exit codes in
 * Appendix C).  svm_handle_exit() returns 1 to enter the guest again, 0
 * to return to user space with kvm_run filled in, or a negative errno.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/percpu.h>
#include <asm/debugreg.h>

#include "svm.h"
#include "hvx_trace.h"

/*
 * An exit in the middle of delivering an event (for example a nested page
 * fault on the guest's IDT) leaves it in EXITINTINFO: inject it again
 * (APM 15.7.2).  Software interrupts, INT3 and INTO are not re-injected:
 * RIP still points at the instruction, which simply runs again.
 */
static void svm_requeue_event(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u32 vec = info & SVM_EXITINTINFO_VEC_MASK;

	c->event_inj = 0;
	if (!(info & SVM_EXITINTINFO_VALID) ||
	    type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vec == BP_VECTOR || vec == OF_VECTOR)))
		return;
	if (type == SVM_EXITINTINFO_TYPE_INTR) {
		x86_requeue_irq(&svm->x, vec);
		return;
	}
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

static void svm_skip(struct svm_vcpu *svm, unsigned int len)
{
	svm->x.next_rip = svm_has_nrips ? svm->vmcb->control.next_rip :
					  svm->x.rip + len;
}

/* IOIO EXITINFO1 (APM 15.10.2): type, string, rep, size, address size. */
static int svm_exit_io(struct svm_vcpu *svm)
{
	const struct vmcb_control_area *c = &svm->vmcb->control;
	u64 info = c->exit_info_1;
	struct x86_pio pio = {
		.port = info >> 16,
		.in = info & SVM_IOIO_TYPE_MASK,
		.string = info & SVM_IOIO_STR_MASK,
		.rep = info & SVM_IOIO_REP_MASK,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		.addr_size = ((info & SVM_IOIO_ASIZE_MASK) >>
			      SVM_IOIO_ASIZE_SHIFT) * 2,
		.next_rip = c->exit_info_2,
	};

	return x86_emulate_pio(&svm->x, &pio);
}

static int svm_exit_hlt(struct svm_vcpu *svm)
{
	svm_skip(svm, 1);
	svm->x.rip = svm->x.next_rip;
	if (x86_irqchip(x86_vm(&svm->x)))
		return x86_apic_halt(&svm->x);	/* waits in the kernel */
	hvx_stat(svm->x.vcpu, HVX_STAT_HLT);
	x86_exit_to_user(&svm->x, KVM_EXIT_HLT);
	return 0;
}

/*
 * The VMCB is undefined after a shutdown intercept (APM 15.12): reset.
 * The state the guest was entered with is still known, so the log names
 * where the triple fault started from.
 */
static int svm_exit_shutdown(struct svm_vcpu *svm)
{
	const struct vmcb_save_area *v = &svm->saved;

	pr_info_ratelimited("vCPU %u: triple fault (entered at rip %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx); vCPU reset\n",
			    svm->x.vcpu->id, v->rip, v->cr0, v->cr3, v->cr4,
			    v->efer);
	hvx_stat(svm->x.vcpu, HVX_STAT_SHUTDOWN);
	x86_reset(&svm->x);
	x86_exit_to_user(&svm->x, KVM_EXIT_SHUTDOWN);
	return 0;
}

/* VMRUN refused the state (VMEXIT_INVALID); svm_refuse_entry() logged why. */
int svm_exit_invalid(struct svm_vcpu *svm)
{
	struct kvm_run *run = x86_run(&svm->x);

	hvx_stat(svm->x.vcpu, HVX_STAT_FAIL_ENTRY);
	x86_exit_to_user(&svm->x, KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason =
		svm->vmcb->control.exit_code;
	run->fail_entry.cpu = svm->x.vcpu->cpu;
	return 0;
}

/*
 * First guest access to a debug register: stop intercepting them and
 * switch DR0-3 on every entry from now on; the access runs again.
 */
static int svm_exit_dr(struct svm_vcpu *svm)
{
	svm->x.dr_live = true;
	svm->vmcb->control.intercepts[INTERCEPT_DR] = 0;
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	return 1;
}

/* The guest's IRET, about to run: NMIs stay masked until it has. */
static int svm_exit_iret(struct svm_vcpu *svm)
{
	svm_clr_intercept(svm->vmcb, INTERCEPT_IRET);
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	if (!svm->nmi_masked)		/* for the interrupt window only */
		return 1;
	svm->nmi_iret = true;
	svm->nmi_iret_rip = svm->x.rip;
	return 1;
}

/*
 * #DB, always intercepted (svm_init_vmcb() says why).  The processor has
 * already recorded the cause in the guest's DR6, in the VMCB (APM Vol. 2
 * 15.12, 13.1.1.3): the exception goes back to the guest as it came, and
 * each delivery that raises #DB again exits again, where the run loop can
 * see a signal.  The single-step trap after the IRET that hvx steps over
 * (svm_set_windows()) is hvx's own: it ends the stepping, with the
 * guest's TF and DR6.BS as they were, and reaches the guest only if the
 * guest's own TF asked for it too.
 */
static int svm_exit_db(struct svm_vcpu *svm)
{
	struct x86_vcpu *x = &svm->x;
	struct vmcb_save_area *v = &svm->vmcb->save;

	if (svm->nmi_singlestep && (v->dr6 & X86_DR6_BS)) {
		svm->nmi_singlestep = false;
		if (!svm->nmi_guest_tf) {
			x->rflags &= ~X86_EFLAGS_TF;
			v->dr6 = (v->dr6 & ~X86_DR6_BS) | svm->nmi_dr6_bs;
			hvx_stat(x->vcpu, HVX_STAT_OTHER);
			return 1;
		}
	}
	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	svm_inject_exception(x, DB_VECTOR, false, 0);
	return 1;
}

/*
 * ICEBP (INT1, the one byte F1), intercepted before it runs (APM Vol. 2
 * 15.9): it raises a trap-class #DB that records nothing in DR6 (Intel
 * SDM Vol. 3B 18.2.3), so the guest gets #DB with RIP past the
 * instruction.
 */
static int svm_exit_icebp(struct svm_vcpu *svm)
{
	struct x86_vcpu *x = &svm->x;

	/* The trap's return address follows the whole instruction, prefixes too. */
	x->rip = svm_has_nrips && svm->vmcb->control.next_rip ?
		 svm->vmcb->control.next_rip : x->rip + 1;
	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	svm_inject_exception(x, DB_VECTOR, false, 0);
	return 1;
}

/*
 * The guest's RDPMC: hvx has no virtual PMU, so the counters do not exist
 * for the guest (#GP, Intel SDM Vol. 2B RDPMC), whatever the host's hold.
 */
static int svm_exit_rdpmc(struct svm_vcpu *svm)
{
	hvx_stat(svm->x.vcpu, HVX_STAT_EXCEPTION);
	x86_inject_gp(&svm->x);
	return 1;
}

/*
 * WBINVD and WBNOINVD share the intercept (APM Vol. 2 15.9).  With no
 * device of its own a guest has no cache to write back that the host's
 * coherence does not already handle: a no-op, as in KVM without assigned
 * devices.  Without NRIPS the length is WBINVD's (0F 09).
 */
static int svm_exit_wbinvd(struct svm_vcpu *svm)
{
	svm_skip(svm, 2);
	svm->x.rip = svm->x.next_rip;
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	return 1;
}

static int svm_exit_unexpected(struct svm_vcpu *svm)
{
	u32 code = svm->vmcb->control.exit_code;

	pr_info_ratelimited("vCPU %u: unexpected #VMEXIT code %#x\n",
			    svm->x.vcpu->id, code);
	return x86_internal_error(&svm->x,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  code, svm->x.vcpu->cpu);
}

int svm_handle_exit(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct x86_vcpu *x = &svm->x;

	svm_settle_virq(svm);
	svm_requeue_event(svm);
	if (svm->nmi_iret && x->rip != svm->nmi_iret_rip)
		svm->nmi_masked = svm->nmi_iret = false;
	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		hvx_stat(x->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	case SVM_EXIT_NPF:
		/*
		 * EXITINFO1 (APM Vol. 2 15.25.6): bit 1 a write access, bit
		 * 33 a fault during the guest's own table walk.
		 */
		return x86_stage2_fault(x, c->exit_info_2,
					c->exit_info_1 & BIT_ULL(1),
					c->exit_info_1 & BIT_ULL(33));
	case SVM_EXIT_IOIO:
		return svm_exit_io(svm);
	case SVM_EXIT_CPUID:
		svm_skip(svm, 2);
		return x86_emulate_cpuid(x);
	case SVM_EXIT_HLT:
		return svm_exit_hlt(svm);
	case SVM_EXIT_MSR:
		svm_skip(svm, 2);
		return c->exit_info_1 ? x86_emulate_wrmsr(x) :
					x86_emulate_rdmsr(x);
	case SVM_EXIT_XSETBV:
		svm_skip(svm, 3);
		return x86_emulate_xsetbv(x);
	case SVM_EXIT_INVD:		/* caches are the host's: a no-op */
		svm_skip(svm, 2);
		x->rip = x->next_rip;
		return 1;
	case SVM_EXIT_SHUTDOWN:
		return svm_exit_shutdown(svm);
	case SVM_EXIT_ERR:
		pr_info_ratelimited("vCPU %u: VMRUN refused the guest state (APM Vol. 2 15.5.1)\n",
				    x->vcpu->id);
		x->vcpu->entry_failure =
			"a VMRUN consistency check hvx does not make itself (AMD APM Vol. 2 15.5.1)";
		x->vcpu->entry_failure_ref =
			"AMD APM Vol. 2 15.5.1, Canonicalization and Consistency Checks";
		return svm_exit_invalid(svm);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		return svm_exit_dr(svm);
	case SVM_EXIT_EXCP_BASE + AC_VECTOR:
		svm_inject_exception(x, AC_VECTOR, true, 0);
		return 1;
	case SVM_EXIT_EXCP_BASE + DB_VECTOR:
		return svm_exit_db(svm);
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		/* svm_enter() has called the host's handler */
		hvx_stat(x->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	case SVM_EXIT_ICEBP:
		return svm_exit_icebp(svm);
	case SVM_EXIT_RDPMC:
		return svm_exit_rdpmc(svm);
	case SVM_EXIT_WBINVD:
		return svm_exit_wbinvd(svm);
	case SVM_EXIT_VINTR:
		svm_set_irq_window(svm, false);
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		return 1;
	case SVM_EXIT_IRET:
		return svm_exit_iret(svm);
	case SVM_EXIT_VMRUN ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RSM:
	case SVM_EXIT_RDPRU:
		x86_inject_ud(x);
		return 1;
	default:
		return svm_exit_unexpected(svm);
	}
}

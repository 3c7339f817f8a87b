// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the vCPU state ioctls a VMM uses to save a vCPU and restore it
 * in another (Documentation/virt/kvm/api.rst): KVM_GET/SET_MP_STATE,
 * KVM_GET/SET_FPU, KVM_GET/SET_XSAVE, KVM_GET/SET_XCRS,
 * KVM_GET/SET_VCPU_EVENTS and KVM_GET/SET_DEBUGREGS, with KVM's
 * semantics.  What the VMCB or the VMCS holds (the injection field, the
 * interrupt shadow, NMI blocking, DR6 and DR7) goes through the vendor's
 * get_events/set_events and get_dr67/set_dr67; the rest is hvx's own.
 *
 * Every ioctl runs with vcpu->lock held, so never inside KVM_RUN: the
 * guest's FPU state is then in x->fpu's memory, not in the registers
 * (fpu_swap_kvm_fpstate() moves it only inside KVM_RUN).  Each SET
 * checks everything it was given before it changes anything.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "x86.h"

/*
 * KVM_GET/SET_MP_STATE.  With the in-kernel APIC (lapic.c): UNINITIALIZED
 * (an AP before its first INIT), INIT_RECEIVED (waiting for SIPI), HALTED,
 * RUNNABLE; SIPI_RECEIVED sets INIT_RECEIVED with the SIPI pending, as
 * KVM; any other state is -EINVAL (KVM 6.1 stores whatever it gets).
 * Without it no INIT or SIPI reaches a vCPU and HLT is a KVM_EXIT_HLT: the
 * halted state is user space's to keep (api.rst: on x86 the ioctl "is
 * only useful after KVM_CREATE_IRQCHIP").  As KVM without one does, the
 * vCPU reads RUNNABLE and KVM_SET_MP_STATE takes RUNNABLE only: the other
 * states would need the in-kernel APIC to leave them again.
 */
static long x86_ioctl_mp_state(struct x86_vcpu *x, bool set,
			       void __user *argp)
{
	bool apic = x86_irqchip(x86_vm(x));
	struct kvm_mp_state mp = {
		.mp_state = apic ? x->mp_state : KVM_MP_STATE_RUNNABLE };

	if (!set)
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	switch (apic ? mp.mp_state : ~0U) {
	case KVM_MP_STATE_SIPI_RECEIVED:
		x->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		set_bit(X86_APIC_EV_SIPI, &x->apic->events);
		return 0;
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_HALTED:
		x->mp_state = mp.mp_state;
		return 0;
	}
	return mp.mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
}

/*
 * The guest's FPU state in the layout of KVM_GET_XSAVE: the standard
 * (non-compacted) XSAVE format, each component at its CPUID.(0xD,i):EBX
 * offset (Intel SDM Vol. 1 13.4, 13.5), the components the guest's CPUID
 * offers, PKRU from x->pkru.
 */
static struct kvm_xsave *x86_xsave_get(struct x86_vcpu *x)
{
	struct kvm_xsave *xs = hvx_fault_alloc() ? NULL :
				kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);

	if (xs)
		fpu_copy_guest_fpstate_to_uabi(&x->fpu, xs->region,
					       sizeof(xs->region),
					       x->xcr0_allowed |
					       XFEATURE_MASK_FPSSE, x->pkru);
	return xs;
}

/*
 * Back into the guest's FPU state.  The kernel refuses (-EINVAL) an
 * XSTATE_BV with a feature hvx cannot hold, a compacted header
 * (XCOMP_BV), non-zero reserved header bytes, and MXCSR bits this CPU
 * reserves (MXCSR_MASK, SDM Vol. 1 11.6.6): XRSTOR of any of them would
 * fault.  PKRU is taken only when XSTATE_BV has it, as on KVM.
 */
static int x86_xsave_set(struct x86_vcpu *x, const struct kvm_xsave *xs)
{
	return fpu_copy_uabi_to_guest_fpstate(&x->fpu, xs->region,
					      x86_supported_xcr0 |
					      XFEATURE_MASK_FPSSE, &x->pkru);
}

/* KVM_GET_XSAVE: -EINVAL if the state does not fit in 4 KiB (AMX, XSAVE2). */
static long x86_ioctl_get_xsave(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_xsave *xs;
	long r = 0;

	if (x->fpu.uabi_size > sizeof(xs->region))
		return -EINVAL;
	xs = x86_xsave_get(x);
	if (!xs)
		return -ENOMEM;
	if (copy_to_user(argp, xs, sizeof(*xs)))
		r = -EFAULT;
	kfree(xs);
	return r;
}

static long x86_ioctl_set_xsave(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_xsave *xs = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
				memdup_user(argp, sizeof(*xs));
	long r;

	if (IS_ERR(xs))
		return PTR_ERR(xs);
	r = x86_xsave_set(x, xs);
	kfree(xs);
	return r;
}

static struct fxregs_state *x86_fxsave(struct kvm_xsave *xs)
{
	return (struct fxregs_state *)xs->region;
}

/*
 * KVM_GET_FPU: the legacy region of the XSAVE area (the FXSAVE layout, SDM
 * Vol. 1 10.5.1): x87 registers, control, status, abridged tag word, last
 * opcode and pointers, XMM0-15 and MXCSR.  KVM 6.1 leaves MXCSR out (it
 * reads 0 there); hvx reports it, since kvm_fpu has the field.
 */
static long x86_ioctl_get_fpu(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_xsave *xs = x86_xsave_get(x);
	struct fxregs_state *fx;
	struct kvm_fpu f = {};

	if (!xs)
		return -ENOMEM;
	fx = x86_fxsave(xs);
	memcpy(f.fpr, fx->st_space, sizeof(f.fpr));
	f.fcw = fx->cwd;
	f.fsw = fx->swd;
	f.ftwx = fx->twd;
	f.last_opcode = fx->fop;
	f.last_ip = fx->rip;
	f.last_dp = fx->rdp;
	memcpy(f.xmm, fx->xmm_space, sizeof(f.xmm));
	f.mxcsr = fx->mxcsr;
	kfree(xs);
	return copy_to_user(argp, &f, sizeof(f)) ? -EFAULT : 0;
}

/*
 * KVM_SET_FPU: the legacy region replaced, the rest of the XSAVE state
 * kept.  XSTATE_BV gets x87 and SSE, or XRSTOR would put their initial
 * values in place of these (SDM Vol. 1 13.8.1).  A reserved MXCSR bit is
 * EINVAL (KVM 6.1 ignores MXCSR here).
 */
static long x86_ioctl_set_fpu(struct x86_vcpu *x, void __user *argp)
{
	struct fxregs_state *fx;
	struct kvm_xsave *xs;
	struct kvm_fpu f;
	long r;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	xs = x86_xsave_get(x);
	if (!xs)
		return -ENOMEM;
	fx = x86_fxsave(xs);
	memcpy(fx->st_space, f.fpr, sizeof(f.fpr));
	fx->cwd = f.fcw;
	fx->swd = f.fsw;
	fx->twd = f.ftwx;
	fx->fop = f.last_opcode;
	fx->rip = f.last_ip;
	fx->rdp = f.last_dp;
	memcpy(fx->xmm_space, f.xmm, sizeof(f.xmm));
	fx->mxcsr = f.mxcsr;
	((union fpregs_state *)xs->region)->xsave.header.xfeatures |=
		XFEATURE_MASK_FPSSE;
	r = x86_xsave_set(x, xs);
	kfree(xs);
	return r;
}

/* KVM_GET_XCRS: XCR0, the only XCR (SDM Vol. 1 13.3); none without XSAVE. */
static long x86_ioctl_get_xcrs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_xcrs xcrs = {};

	if (x86_host_xcr0) {
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
		xcrs.xcrs[0].value = x->xcr0;
	}
	return copy_to_user(argp, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
}

/*
 * KVM_SET_XCRS: at most KVM_MAX_XCRS entries and no flags; the first
 * entry for XCR0 counts, others are skipped, as in KVM.  XCR0 must be a
 * value XSETBV would take (x86_xcr0_valid()).
 */
static long x86_ioctl_set_xcrs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_xcrs xcrs;
	unsigned int i;

	if (copy_from_user(&xcrs, argp, sizeof(xcrs)))
		return -EFAULT;
	if (!x86_host_xcr0 || xcrs.nr_xcrs > KVM_MAX_XCRS || xcrs.flags)
		return -EINVAL;
	for (i = 0; i < xcrs.nr_xcrs; i++) {
		if (xcrs.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		if (!x86_xcr0_valid(x, xcrs.xcrs[i].value))
			return -EINVAL;
		x->xcr0 = xcrs.xcrs[i].value;
		break;
	}
	return 0;
}

/*
 * KVM_GET_VCPU_EVENTS, as KVM reports without KVM_CAP_EXCEPTION_PAYLOAD:
 * an exception in the injection field is "injected" (hvx has no pending,
 * not yet delivered stage for exceptions); the interrupt from
 * KVM_INTERRUPT (or whose delivery an exit cut short) is the injected
 * interrupt; an NMI in the injection field is the injected NMI and one
 * from KVM_NMI that waits is "pending", a boolean (a second one waiting
 * is not reported, as on KVM).  Soft interrupts and exceptions are never
 * reported: RIP still points at their instruction, which runs again.
 */
static long x86_ioctl_get_events(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_vcpu_events e = {};
	struct x86_events ev;

	x86_vendor->get_events(x, &ev);
	if (ev.type == X86_EVENT_EXCEPTION) {
		e.exception.injected = 1;
		e.exception.nr = ev.vector;
		e.exception.has_error_code = ev.has_error;
		e.exception.error_code = ev.error;
	}
	if (ev.type == X86_EVENT_IRQ) {
		e.interrupt.injected = 1;
		e.interrupt.nr = ev.vector;
	} else if (x->irq_queued) {
		e.interrupt.injected = 1;
		e.interrupt.nr = x->irq_vector;
	}
	e.interrupt.shadow = ev.shadow;
	e.nmi.injected = ev.type == X86_EVENT_NMI;
	e.nmi.pending = x->nmi_pending != 0;
	e.nmi.masked = ev.nmi_masked;
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	return copy_to_user(argp, &e, sizeof(e)) ? -EFAULT : 0;
}

#define X86_EVENTS_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING | \
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
				 KVM_VCPUEVENT_VALID_SHADOW | \
				 KVM_VCPUEVENT_VALID_SMM)

/*
 * What KVM_SET_VCPU_EVENTS refuses: flags KVM does not define, or whose
 * capability hvx does not offer (KVM_VCPUEVENT_VALID_PAYLOAD,
 * _TRIPLE_FAULT: KVM too says EINVAL until they are enabled); an
 * exception vector above 31 or 2, the NMI's (a VMRUN or VM entry with
 * such an exception fails, APM Vol. 2 15.20, SDM Vol. 3C 26.2.1.3); SMM,
 * which hvx does not have (KVM_VCPUEVENT_VALID_SMM is taken only saying
 * "not in SMM, no SMI pending"); an injected soft interrupt (hvx restarts
 * INT n rather than re-injecting it, and has no instruction length to
 * inject one with); and an injected exception with an injected NMI, which
 * the one injection field of the VMCB or VMCS cannot hold together.
 * Reserved bytes are ignored, as on KVM.
 */
static bool x86_events_valid(const struct kvm_vcpu_events *e)
{
	if (e->flags & ~X86_EVENTS_FLAGS)
		return false;
	if ((e->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (e->smi.smm || e->smi.pending))
		return false;
	if (e->exception.injected &&
	    (e->exception.nr > 31 || e->exception.nr == X86_VEC_NMI))
		return false;
	if (e->interrupt.injected && e->interrupt.soft)
		return false;
	return !(e->exception.injected && e->nmi.injected);
}

/*
 * KVM_SET_VCPU_EVENTS.  The shadow changes only with
 * KVM_VCPUEVENT_VALID_SHADOW and the waiting NMIs only with
 * KVM_VCPUEVENT_VALID_NMI_PENDING (at most two: x86 holds one NMI besides
 * the one being handled); the SIPI vector means nothing without an
 * in-kernel APIC and is ignored, as on KVM without an irqchip.  A shadow
 * belongs to the instruction at RIP now (x->exit_rip, see irq.c).
 */
static long x86_ioctl_set_events(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_vcpu_events e;
	struct x86_events ev;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	if (!x86_events_valid(&e))
		return -EINVAL;
	x86_vendor->get_events(x, &ev);
	if (e.flags & KVM_VCPUEVENT_VALID_SHADOW)
		ev.shadow = e.interrupt.shadow &
			    (KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI);
	ev.nmi_masked = e.nmi.masked;
	ev.type = X86_EVENT_NONE;
	if (e.exception.injected) {
		ev.type = X86_EVENT_EXCEPTION;
		ev.vector = e.exception.nr;
		ev.has_error = e.exception.has_error_code;
		ev.error = e.exception.error_code;
	} else if (e.nmi.injected) {
		ev.type = X86_EVENT_NMI;
	}
	x86_vendor->set_events(x, &ev);
	x->irq_queued = e.interrupt.injected;
	x->irq_vector = e.interrupt.nr;
	if (e.flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		x->nmi_pending = min_t(u8, e.nmi.pending, 2);
	if (ev.shadow)
		x->exit_rip = x->rip;
	return 0;
}

/* DR7 bits that make DR0-3 matter to the guest: L0-G3 and GD (SDM 18.2.4). */
#define X86_DR7_ARMED	(0xffULL | BIT_ULL(13))

/* KVM_GET_DEBUGREGS: DR0-3, DR6, DR7; flags and reserved read as 0. */
static long x86_ioctl_get_debugregs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_debugregs d = {};

	memcpy(d.db, x->dr, sizeof(d.db));
	x86_vendor->get_dr67(x, &d.dr6, &d.dr7);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * KVM_SET_DEBUGREGS: flags must be 0, and DR6 and DR7 bits 63:32 are
 * reserved (a MOV to either with one set raises #GP, SDM Vol. 2B "MOV -
 * Move to/from Debug Registers"; VM entry and VMRUN refuse them), the
 * checks KVM makes; the reserved words are ignored, as on KVM.  Once DR7
 * arms a breakpoint DR0-3 are the guest's at every entry.
 */
static long x86_ioctl_set_debugregs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_debugregs d;
	bool live;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	memcpy(x->dr, d.db, sizeof(x->dr));
	live = x->dr_live || (d.dr7 & X86_DR7_ARMED);
	x86_vendor->set_dr67(x, d.dr6, d.dr7, live);
	return 0;
}

long x86_state_ioctl(struct x86_vcpu *x, unsigned int ioctl,
		     void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_MP_STATE:
		return x86_ioctl_mp_state(x, false, argp);
	case KVM_SET_MP_STATE:
		return x86_ioctl_mp_state(x, true, argp);
	case KVM_GET_FPU:
		return x86_ioctl_get_fpu(x, argp);
	case KVM_SET_FPU:
		return x86_ioctl_set_fpu(x, argp);
	case KVM_GET_XSAVE:
		return x86_ioctl_get_xsave(x, argp);
	case KVM_SET_XSAVE:
		return x86_ioctl_set_xsave(x, argp);
	case KVM_GET_XCRS:
		return x86_ioctl_get_xcrs(x, argp);
	case KVM_SET_XCRS:
		return x86_ioctl_set_xcrs(x, argp);
	case KVM_GET_VCPU_EVENTS:
		return x86_ioctl_get_events(x, argp);
	case KVM_SET_VCPU_EVENTS:
		return x86_ioctl_set_events(x, argp);
	case KVM_GET_DEBUGREGS:
		return x86_ioctl_get_debugregs(x, argp);
	case KVM_SET_DEBUGREGS:
		return x86_ioctl_set_debugregs(x, argp);
	default:
		return -ENOTTY;
	}
}

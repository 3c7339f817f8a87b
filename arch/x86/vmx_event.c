// SPDX-License-Identifier: GPL-2.0
/*
 * hvx VMX events: injection through the VM-entry interruption-information
 * field, re-injection of an event an exit cut short, interrupt and NMI
 * blocking, and the interrupt- and NMI-window exits (Intel SDM Vol. 3C
 * 24.4.2, 24.8.3, 26.6, 27.2.4).  irq.c decides what goes in; this file
 * only speaks VMCS.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <asm/vmx.h>

#include "vmx.h"
#include "hvx_trace.h"

/*
 * An exit in the middle of delivering an event leaves it in the
 * IDT-vectoring information (SDM 27.2.4): deliver it again (SDM 28.2.1.1,
 * 26.6).  Software interrupts and exceptions (INT n, INT3, INTO) are not
 * re-injected: RIP still points at the instruction, which runs again.  An
 * external interrupt goes back to hvx's queue (irq.c); an NMI is injected
 * again with virtual-NMI blocking clear, as VM entry requires (26.3.1.5).
 */
void vmx_requeue_event(struct vmx_vcpu *vmx, u32 info)
{
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	if (!(info & INTR_INFO_VALID_MASK) || type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		return;
	if (type == INTR_TYPE_EXT_INTR) {
		x86_requeue_irq(&vmx->x, info & INTR_INFO_VECTOR_MASK);
		return;
	}
	if (type == INTR_TYPE_NMI_INTR)
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
			  ~GUEST_INTR_STATE_NMI);
	vmx_inject_event(info & ~INTR_INFO_RESVD_BITS_MASK,
			 vmx_read(IDT_VECTORING_ERROR_CODE), 0);
}

/*
 * An IRET that unblocked virtual NMIs and then faulted into an exit
 * (bit 12 of the exit interruption information or of an EPT violation's
 * qualification, SDM 27.2.3) will run again: block NMIs again, as before
 * it ran.  The bit means nothing when the exit also vectored an event.
 */
void vmx_recover_nmi_blocking(struct vmx_exit *e, u32 idt_info)
{
	bool unblocked = false;

	if (idt_info & INTR_INFO_VALID_MASK)
		return;
	if ((u16)e->reason == EXIT_REASON_EXCEPTION_NMI)
		unblocked = (e->intr_info & INTR_INFO_VALID_MASK) &&
			    (e->intr_info & INTR_INFO_UNBLOCK_NMI) &&
			    (e->intr_info & INTR_INFO_VECTOR_MASK) != DF_VECTOR;
	else if ((u16)e->reason == EXIT_REASON_EPT_VIOLATION)
		unblocked = e->qual & INTR_INFO_UNBLOCK_NMI;
	if (unblocked)
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  vmx_read(GUEST_INTERRUPTIBILITY_INFO) |
			  GUEST_INTR_STATE_NMI);
}

/*
 * Event injection through the VM-entry interruption-information field
 * (SDM 24.8.3, 26.6): @info as in that field, @len for software events.
 * A real-mode guest takes exceptions without an error code, and VM entry
 * refuses "deliver error code" with CR0.PE clear (26.2.1.3).
 */
void vmx_inject_event(u32 info, u32 error, u32 len)
{
	if (!(vmx_read(GUEST_CR0) & X86_CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE_MASK;
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, info);
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmx_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmx_write(VM_ENTRY_INSTRUCTION_LEN, len);
}

/*
 * Right before an entry, the VMCS current: an exception to inject with an
 * error code while CR0.PE is clear (put there by KVM_SET_VCPU_EVENTS
 * before KVM_SET_SREGS cleared PE) goes without it, as real mode delivers
 * it; VM entry would refuse it (SDM 26.2.1.3).
 */
void vmx_fix_error_code(void)
{
	u32 info = vmx_read(VM_ENTRY_INTR_INFO_FIELD);

	if ((info & INTR_INFO_DELIVER_CODE_MASK) &&
	    !(vmx_read(GUEST_CR0) & X86_CR0_PE))
		vmx_write(VM_ENTRY_INTR_INFO_FIELD,
			  info & ~INTR_INFO_DELIVER_CODE_MASK);
}

void __vmx_inject_exception(struct x86_vcpu *x, u8 vector, bool has_error,
			    u32 error)
{
	trace_hvx_inject(x->vcpu->id, HVX_INJECT_EXCEPTION, vector,
			 has_error ? error : 0);
	vmx_inject_event(vector | INTR_TYPE_HARD_EXCEPTION |
			 INTR_INFO_VALID_MASK |
			 (has_error ? INTR_INFO_DELIVER_CODE_MASK : 0),
			 error, 0);
}

bool vmx_event_queued(struct x86_vcpu *x)
{
	bool queued;

	vmx_get(to_vmx(x));
	queued = vmx_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK;
	vmx_put();
	return queued;
}

/*
 * Blocking by STI or MOV SS (SDM 24.4.2, 6.8.3) holds for one
 * instruction: once hvx has moved RIP past an instruction it emulated, it
 * is over (and vmx_enter() clears it).
 */
bool vmx_irq_blocked(struct x86_vcpu *x)
{
	u32 state;

	if (!(x->rflags & X86_EFLAGS_IF))
		return true;
	if (x->rip != x->exit_rip)
		return false;
	vmx_get(to_vmx(x));
	state = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
	vmx_put();
	return state & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

/*
 * Virtual-NMI blocking (SDM 24.4.2, 25.3): set by the delivery of an
 * injected NMI, cleared by the guest's IRET.  An NMI still in the
 * injection field counts as being handled.
 */
bool vmx_nmi_masked(struct x86_vcpu *x)
{
	u32 state, info;

	vmx_get(to_vmx(x));
	state = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
	info = vmx_read(VM_ENTRY_INTR_INFO_FIELD);
	vmx_put();
	return (state & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS)) ||
	       ((info & INTR_INFO_VALID_MASK) &&
		(info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR);
}

void vmx_inject_irq(struct x86_vcpu *x, u8 vector)
{
	trace_hvx_inject(x->vcpu->id, HVX_INJECT_IRQ, vector, 0);
	vmx_get(to_vmx(x));
	vmx_inject_event(vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK,
			 0, 0);
	vmx_put();
}

/*
 * Some processors refuse to inject an NMI in an STI shadow (SDM 26.3.1.5);
 * the shadow is dropped, as if the NMI had come after the next
 * instruction's start.
 */
void vmx_inject_nmi(struct x86_vcpu *x)
{
	trace_hvx_inject(x->vcpu->id, HVX_INJECT_NMI, X86_VEC_NMI, 0);
	vmx_get(to_vmx(x));
	vmx_write(GUEST_INTERRUPTIBILITY_INFO,
		  vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
		  ~GUEST_INTR_STATE_STI);
	vmx_inject_event(X86_VEC_NMI | INTR_TYPE_NMI_INTR |
			 INTR_INFO_VALID_MASK, 0, 0);
	vmx_put();
}

/*
 * "Interrupt-window exiting" exits before any instruction once RFLAGS.IF
 * is set and no STI/MOV SS blocking holds, "NMI-window exiting" once no
 * virtual-NMI blocking holds (SDM 25.2, 26.7.5, 26.7.6); both after any
 * event the entry injects.
 */
void vmx_set_windows(struct x86_vcpu *x, bool irq, bool nmi)
{
	struct vmx_vcpu *vmx = to_vmx(x);
	u32 ctls = vmx->proc_ctls & ~(CPU_BASED_INTR_WINDOW_EXITING |
				      CPU_BASED_NMI_WINDOW_EXITING);

	if (irq)
		ctls |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi)
		ctls |= CPU_BASED_NMI_WINDOW_EXITING;
	if (ctls == vmx->proc_ctls)
		return;
	vmx->proc_ctls = ctls;
	vmx_get(vmx);
	vmx_write(CPU_BASED_VM_EXEC_CONTROL, ctls);
	vmx_put();
}

/*
 * KVM_GET_VCPU_EVENTS from the VMCS: the VM-entry interruption-information
 * field (SDM 24.8.3), blocking by STI and by MOV SS, which hold only
 * while RIP is where the exit left it (vmx_irq_blocked()), and blocking
 * by NMI (24.4.2).
 */
void vmx_get_events(struct x86_vcpu *x, struct x86_events *ev)
{
	u32 info, state, error;

	vmx_get(to_vmx(x));
	info = vmx_read(VM_ENTRY_INTR_INFO_FIELD);
	error = vmx_read(VM_ENTRY_EXCEPTION_ERROR_CODE);
	state = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
	vmx_put();
	*ev = (struct x86_events) {
		.vector = info & INTR_INFO_VECTOR_MASK,
		.has_error = info & INTR_INFO_DELIVER_CODE_MASK,
		.error = error | (u32)to_vmx(x)->set_error_hi << 16,
		.nmi_masked = state & GUEST_INTR_STATE_NMI,
	};
	if (x->rip == x->exit_rip) {
		if (state & GUEST_INTR_STATE_STI)
			ev->shadow |= KVM_X86_SHADOW_INT_STI;
		if (state & GUEST_INTR_STATE_MOV_SS)
			ev->shadow |= KVM_X86_SHADOW_INT_MOV_SS;
	}
	if (!(info & INTR_INFO_VALID_MASK))
		return;
	switch (info & INTR_INFO_INTR_TYPE_MASK) {
	case INTR_TYPE_HARD_EXCEPTION:
		ev->type = X86_EVENT_EXCEPTION;
		break;
	case INTR_TYPE_NMI_INTR:
		ev->type = X86_EVENT_NMI;
		break;
	case INTR_TYPE_EXT_INTR:
		ev->type = X86_EVENT_IRQ;
		break;
	}
}

/*
 * KVM_SET_VCPU_EVENTS into the VMCS, within what VM entry accepts (SDM
 * 26.3.1.5): STI and MOV SS blocking never both (MOV SS kept, the
 * stronger), neither with an NMI to inject, and no blocking by NMI with
 * one (its delivery sets it, 26.6.1.2).
 */
void vmx_set_events(struct x86_vcpu *x, const struct x86_events *ev)
{
	u32 state;

	vmx_get(to_vmx(x));
	state = vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
		~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		  GUEST_INTR_STATE_NMI);
	if (ev->type != X86_EVENT_NMI) {
		if (ev->shadow & KVM_X86_SHADOW_INT_MOV_SS)
			state |= GUEST_INTR_STATE_MOV_SS;
		else if (ev->shadow & KVM_X86_SHADOW_INT_STI)
			state |= GUEST_INTR_STATE_STI;
		if (ev->nmi_masked)
			state |= GUEST_INTR_STATE_NMI;
	}
	vmx_write(GUEST_INTERRUPTIBILITY_INFO, state);
	/*
	 * Written as given: KVM_SET_SREGS reaches the VMCS only at the next
	 * entry, which drops a real-mode error code (vmx_fix_error_code()).
	 */
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	/*
	 * VM entry refuses an error code with bits 31:16 set (26.2.1.3), which
	 * KVM's ABI lets user space give (AMD CPUs push 32 bits): the low 16
	 * go in, as KVM does, and KVM_GET_VCPU_EVENTS returns all 32 until the
	 * next entry delivers them (vmx_enter()).
	 */
	vmx_write(VM_ENTRY_EXCEPTION_ERROR_CODE, (u16)ev->error);
	to_vmx(x)->set_error_hi = ev->error >> 16;
	vmx_write(VM_ENTRY_INSTRUCTION_LEN, 0);
	if (ev->type == X86_EVENT_EXCEPTION)
		vmx_write(VM_ENTRY_INTR_INFO_FIELD, ev->vector |
			  INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK |
			  (ev->has_error ? INTR_INFO_DELIVER_CODE_MASK : 0));
	else if (ev->type == X86_EVENT_NMI)
		vmx_write(VM_ENTRY_INTR_INFO_FIELD, X86_VEC_NMI |
			  INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
	vmx_put();
}

void vmx_get_dr67(struct x86_vcpu *x, u64 *dr6, u64 *dr7)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	*dr6 = vmx->dr6;
	vmx_get(vmx);
	*dr7 = vmx_read(GUEST_DR7);
	vmx_put();
}

/*
 * DR7 is in the VMCS, loaded by every entry ("load debug controls", SDM
 * 26.3.2.1); DR6 is not, and is loaded by hand while the guest's debug
 * registers are live (vmx_load_guest_dr()).
 */
void vmx_set_dr67(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	vmx->dr6 = dr6;
	if (live) {
		x->dr_live = true;
		vmx->proc_ctls &= ~CPU_BASED_MOV_DR_EXITING;
	}
	vmx_get(vmx);
	vmx_write(GUEST_DR7, dr7);
	vmx_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctls);
	vmx_put();
}

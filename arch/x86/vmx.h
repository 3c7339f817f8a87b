/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx Intel VMX backend (Intel SDM Vol. 3C, chapters 24-29): what vmx.c,
 * vmx_exit.c and vmx_run.S share.
 */
#ifndef HVX_VMX_H
#define HVX_VMX_H

#include <asm/vmx.h>

#include "x86.h"

/* The exit's information fields (SDM 24.9). */
struct vmx_exit {
	u32 reason;
	u64 qual;
	u64 gpa;
	u32 len;
	u32 info;
	u32 intr_info;
};

struct vmx_vcpu {
	struct x86_vcpu x;
	struct page *vmcs;
	int cpu;		/* where the VMCS is active; -1: clear */
	struct list_head loaded_link;	/* in that CPU's vmx_cpu.loaded */
	bool launched;		/* VMLAUNCH done since the last VMCLEAR */
	u16 vpid;
	s64 tlb_gen;
	u64 cr0_shadow;		/* the CR0 and CR4 the guest sees */
	u64 cr4_shadow;
	/* MSRs the VMCS does not hold, switched by hand (SDM 27.3, 28.5). */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u32 entry_ctls;		/* VM-entry controls as last written */
	u32 proc_ctls;
	u64 dr6;		/* guest DR6 once the guest uses DRs */
	u64 cr8;		/* the guest's TPR: MOV CR8 exits */
	u64 cr2;		/* not in the VMCS: loaded by hand (SDM 27.3) */
	u16 set_error_hi;	/* error code bits 31:16 from KVM_SET_VCPU_EVENTS */
	struct vmx_exit exit;
};

static inline struct vmx_vcpu *to_vmx(struct x86_vcpu *x)
{
	return container_of(x, struct vmx_vcpu, x);
}

/* VMREAD and VMWRITE (SDM 30.3); a failure is a bug in hvx, logged once. */
/* What the capability MSRs allow, settled once at load (SDM Appendix A). */
struct vmx_caps {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	bool vpid;
	u32 slice;	/* VMX-preemption timer start value, 0: off */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

extern struct vmx_caps vmx_caps;

/* vmx_state.c */
u64 vmx_cr0_owned(void);
u64 vmx_cr4_owned(void);
void vmx_write_sregs(struct x86_vcpu *x, const struct kvm_sregs *s);
void vmx_read_sregs(struct x86_vcpu *x, struct kvm_sregs *s);
int vmx_get_msr(struct x86_vcpu *x, u32 index, u64 *data);
int vmx_set_msr(struct x86_vcpu *x, u32 index, u64 data);

u64 vmx_read(unsigned long field);
void vmx_write(unsigned long field, u64 value);

/* vmx.c */
void vmx_get(struct vmx_vcpu *vmx);
void vmx_put(void);
void vmx_inject_event(u32 info, u32 error, u32 len);

/* vmx_slice.c */
u32 vmx_slice_pin_control(void);
void vmx_slice_setup(void);
void vmx_slice_arm(void);

/* vmx_event.c */
void vmx_requeue_event(struct vmx_vcpu *vmx, u32 info);
void vmx_recover_nmi_blocking(struct vmx_exit *e, u32 idt_info);
void __vmx_inject_exception(struct x86_vcpu *x, u8 vector, bool has_error,
			    u32 error);
bool vmx_event_queued(struct x86_vcpu *x);
bool vmx_irq_blocked(struct x86_vcpu *x);
bool vmx_nmi_masked(struct x86_vcpu *x);
void vmx_inject_irq(struct x86_vcpu *x, u8 vector);
void vmx_inject_nmi(struct x86_vcpu *x);
void vmx_set_windows(struct x86_vcpu *x, bool irq, bool nmi);
void vmx_fix_error_code(void);
void vmx_get_events(struct x86_vcpu *x, struct x86_events *ev);
void vmx_set_events(struct x86_vcpu *x, const struct x86_events *ev);
void vmx_get_dr67(struct x86_vcpu *x, u64 *dr6, u64 *dr7);
void vmx_set_dr67(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live);
u64 vmx_guest_cr0(struct vmx_vcpu *vmx);
void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
u64 vmx_cr4_fixed1(void);

/* vmx_exit.c */
int vmx_handle_exit(struct vmx_vcpu *vmx);
int vmx_entry_failed(struct vmx_vcpu *vmx, u32 reason, bool instr_error);

/*
 * A machine check made this exit (SDM Vol. 3C 27.1): #MC in the guest,
 * with #MC in the exception bitmap, or one during VM entry (reason 41).
 */
static inline bool vmx_exit_is_mce(const struct vmx_exit *e)
{
	u32 info = e->intr_info & (INTR_INFO_VALID_MASK |
				   INTR_INFO_INTR_TYPE_MASK |
				   INTR_INFO_VECTOR_MASK);

	if ((u16)e->reason == EXIT_REASON_MCE_DURING_VMENTRY)
		return true;
	return (u16)e->reason == EXIT_REASON_EXCEPTION_NMI &&
	       info == (INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION |
			X86_VEC_MC);
}

/* vmx_run.S: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed. */
int __vmx_vcpu_run(u64 *gprs, bool launched);
void __vmx_vmexit(void);

#endif /* HVX_VMX_H */

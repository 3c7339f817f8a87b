// SPDX-License-Identifier: GPL-2.0
/*
 * hvx VMX exits: basic exit reasons (Intel SDM Vol. 3C, Appendix C) and
 * their exit qualifications (27.2.1).  The vendor-neutral work (CPUID,
 * MSRs, port I/O, MMIO) is arch/x86's; here only the decoding.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <asm/vmx.h>

#include "vmx.h"

static void vmx_skip(struct vmx_vcpu *vmx)
{
	vmx->x.next_rip = vmx->x.rip + vmx->exit.len;
}

/*
 * I/O instruction qualification (SDM Table 27-5): size - 1 in bits 2:0,
 * IN in bit 3, string in bit 4, REP in bit 5, the port in 31:16; the
 * address size of a string instruction is in the instruction-information
 * field, bits 9:7 (27.2.5).
 */
static int vmx_exit_io(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit.qual;
	struct x86_pio pio = {
		.port = q >> 16,
		.size = (q & 7) + 1,
		.in = q & BIT(3),
		.string = q & BIT(4),
		.rep = q & BIT(5),
		.addr_size = 2 << ((vmx->exit.info >> 7) & 7),
		.next_rip = vmx->x.rip + vmx->exit.len,
	};

	return x86_emulate_pio(&vmx->x, &pio);
}

static int vmx_exit_hlt(struct vmx_vcpu *vmx)
{
	vmx->x.rip += vmx->exit.len;
	if (x86_irqchip(x86_vm(&vmx->x)))
		return x86_apic_halt(&vmx->x);	/* waits in the kernel */
	hvx_stat(vmx->x.vcpu, HVX_STAT_HLT);
	x86_exit_to_user(&vmx->x, KVM_EXIT_HLT);
	return 0;
}

/* The VMCS is still good after a triple fault; the vCPU is reset (KVM). */
static int vmx_exit_triple_fault(struct vmx_vcpu *vmx)
{
	pr_info_ratelimited("vCPU %u: triple fault at rip %#llx; vCPU reset\n",
			    vmx->x.vcpu->id, vmx->x.rip);
	hvx_stat(vmx->x.vcpu, HVX_STAT_SHUTDOWN);
	x86_reset(&vmx->x);
	x86_exit_to_user(&vmx->x, KVM_EXIT_SHUTDOWN);
	return 0;
}

/*
 * A MOV to CR0 or CR4 that exits must fault where the CPU would have
 * faulted had it not exited (#GP(0), Intel SDM Vol. 2B "MOV - Move to/from
 * Control Registers", Vol. 3A 2.5): the combinations VM entry would refuse
 * (26.3.1.1, the same rules as KVM_SET_SREGS), CR0.PG cleared in 64-bit
 * mode, CR4.PAE cleared in IA-32e mode, CR4.PCIDE set outside IA-32e mode
 * or with CR3[11:0] not zero, and a CR4 bit this CPU lacks (CR4_FIXED1) or
 * the guest has no CPUID bit for (VMX, SMX).
 */
static bool vmx_cr_write_faults(struct vmx_vcpu *vmx, unsigned int cr,
				u64 val)
{
	struct kvm_sregs *s = x86_sregs(&vmx->x);
	u64 cr0 = cr == 0 ? val : s->cr0, cr4 = cr == 4 ? val : s->cr4;
	bool lma = s->efer & EFER_LMA;

	if (x86_check_state(cr0, cr4, s->efer, s->cs.l, s->cs.db))
		return true;
	if (cr == 0)
		return lma && s->cs.l && !(val & X86_CR0_PG);
	if (val & ~(vmx_cr4_fixed1() & ~(X86_CR4_VMXE | X86_CR4_SMXE)))
		return true;
	if (lma && !(val & X86_CR4_PAE))
		return true;
	return (val & X86_CR4_PCIDE) && !(s->cr4 & X86_CR4_PCIDE) &&
	       (!lma || (s->cr3 & 0xfff));
}

/*
 * CR0.PG set or cleared with EFER.LME set enters or leaves IA-32e mode
 * (SDM Vol. 3A 10.8.5): the CPU would have updated EFER.LMA, and VM entry
 * wants "IA-32e mode guest" to match it (26.3.1.1).
 */
static void vmx_update_lma(struct vmx_vcpu *vmx, u64 old_cr0, u64 cr0)
{
	u64 efer = vmx_read(GUEST_IA32_EFER);

	if (!(efer & EFER_LME) || !((old_cr0 ^ cr0) & X86_CR0_PG))
		return;
	if (cr0 & X86_CR0_PG) {
		efer |= EFER_LMA;
		vmx->entry_ctls |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
		vmx->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	}
	vmx_write(GUEST_IA32_EFER, efer);
	vmx_write(VM_ENTRY_CONTROLS, vmx->entry_ctls);
}

/*
 * MOV to and from CR8, the task-priority register (SDM 10.8.6.1), which
 * hvx keeps for user space's APIC model: bits 63:4 are reserved (#GP).
 */
static int vmx_exit_cr8(struct vmx_vcpu *vmx, bool to_cr, unsigned int reg)
{
	struct x86_vcpu *x = &vmx->x;

	if (to_cr && (x->gpr[reg] & ~0xfULL)) {
		x86_inject_gp(x);
		return 1;
	}
	if (to_cr) {
		vmx->cr8 = x->gpr[reg];
		x->sregs_stale = true;
	} else {
		x->gpr[reg] = vmx->cr8;
	}
	x->rip += vmx->exit.len;
	return 1;
}

/*
 * MOV to CR0 or CR4 that would change a bit VMX owns (the guest/host
 * masks), or any MOV to or from CR8: qualification bits 3:0 the CR, 5:4
 * the access type, 11:8 the register (SDM Table 27-3).  The guest gets the
 * value it wrote in the read shadow; the CR itself keeps the bits VMX
 * operation needs.
 */
static int vmx_exit_cr(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;
	u64 q = vmx->exit.qual;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	u64 val = x->gpr[reg];

	if (cr == 8 && type <= 1)
		return vmx_exit_cr8(vmx, type == 0, reg);
	if (type != 0 || (cr != 0 && cr != 4))
		return x86_internal_error(x, KVM_INTERNAL_ERROR_EMULATION,
					  q, x->rip);
	if (vmx_cr_write_faults(vmx, cr, val)) {
		x86_inject_gp(x);
		return 1;
	}
	vmx_get(vmx);
	if (cr == 0) {
		vmx_update_lma(vmx, vmx_guest_cr0(vmx), val);
		vmx_set_cr0(vmx, val);
	} else {
		vmx_set_cr4(vmx, val);
	}
	vmx_put();
	x->sregs_stale = true;
	x->rip += vmx->exit.len;
	return 1;
}

/*
 * First guest access to a debug register: stop exiting on them and switch
 * DR0-3 and DR6 on every entry from now on; the access runs again.
 */
static int vmx_exit_dr(struct vmx_vcpu *vmx)
{
	vmx->x.dr_live = true;
	vmx->proc_ctls &= ~CPU_BASED_MOV_DR_EXITING;
	vmx_get(vmx);
	vmx_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctls);
	vmx_put();
	hvx_stat(vmx->x.vcpu, HVX_STAT_OTHER);
	return 1;
}

/*
 * A #DB exit (SDM Vol. 3C 27.1: the exception did not update DR6; the exit
 * qualification holds what it would have recorded, Table 27-1: B0-B3 in
 * bits 3:0, BD 13, BS 14, and bit 16 for RTM, which DR6 shows active low).
 * The guest's DR6 (vmx->dr6, in the register only while the guest uses its
 * debug registers) gets it as the processor would have set it (Vol. 3B
 * 18.2.3), and the #DB goes back to the guest; each delivery that raises
 * #DB again exits again, where the run loop can see a signal.
 *
 * INT1 (ICEBP) exits as a privileged software exception on the
 * instruction itself, with its length (27.1, 27.2.5); it records nothing
 * in DR6 and is delivered again as what it is, so that the frame holds
 * the RIP after it (26.6.1.1).
 *
 * With RFLAGS.TF set and blocking by STI or MOV SS, VM entry wants BS in
 * the pending debug exceptions (26.3.1.5), which this kind of exit does
 * not set (27.3.4).
 */
static int vmx_exit_db(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;
	u64 q = vmx->exit.qual;
	u32 state;

	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	vmx_get(vmx);
	if ((vmx->exit.intr_info & INTR_INFO_INTR_TYPE_MASK) ==
	    INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmx_inject_event(X86_VEC_DB | INTR_TYPE_PRIV_SW_EXCEPTION |
				 INTR_INFO_VALID_MASK, 0, vmx->exit.len);
		vmx_put();
		return 1;
	}
	vmx->dr6 = (vmx->dr6 & ~X86_DR6_TRAP_BITS) | X86_DR6_INIT |
		   (q & (X86_DR6_TRAP_BITS | X86_DR6_BD | X86_DR6_BS));
	if (q & X86_DR6_RTM)
		vmx->dr6 &= ~X86_DR6_RTM;
	state = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
	if ((x->rflags & X86_EFLAGS_TF) &&
	    (state & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmx_write(GUEST_PENDING_DBG_EXCEPTIONS,
			  vmx_read(GUEST_PENDING_DBG_EXCEPTIONS) | X86_DR6_BS);
	vmx_inject_event(X86_VEC_DB | INTR_TYPE_HARD_EXCEPTION |
			 INTR_INFO_VALID_MASK, 0, 0);
	vmx_put();
	return 1;
}

/*
 * Exception or NMI (SDM 27.2.2): a host NMI, or one of the exceptions in
 * the bitmap: #AC and #DB go back to the guest, #MC was the host's and
 * its handler has run (vmx_read_exit()).
 */
static int vmx_exit_exception(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.intr_info;

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		hvx_stat(vmx->x.vcpu, HVX_STAT_HOST_INTR);
		return 1;	/* handled by the host right after the exit */
	}
	if (vmx_exit_is_mce(&vmx->exit)) {
		hvx_stat(vmx->x.vcpu, HVX_STAT_HOST_INTR);
		return 1;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == DB_VECTOR)
		return vmx_exit_db(vmx);
	if ((info & INTR_INFO_VECTOR_MASK) == AC_VECTOR) {
		vmx_get(vmx);
		vmx_inject_event(AC_VECTOR | INTR_TYPE_HARD_EXCEPTION |
				 INTR_INFO_DELIVER_CODE_MASK |
				 INTR_INFO_VALID_MASK, 0, 0);
		vmx_put();
		return 1;
	}
	return x86_internal_error(&vmx->x,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  EXIT_REASON_EXCEPTION_NMI, info);
}

/*
 * EPT violation (SDM 27.2.1, Table 27-7): bit 1 says the access was a
 * write, bit 7 that the guest-linear address is valid, bit 8 that the
 * access was to the translated address rather than to one of the
 * guest's own paging structures.
 */
static int vmx_exit_ept_violation(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit.qual;

	return x86_stage2_fault(&vmx->x, vmx->exit.gpa, q & BIT(1),
				(q & BIT(7)) && !(q & BIT(8)));
}

static int vmx_exit_unexpected(struct vmx_vcpu *vmx)
{
	u32 reason = vmx->exit.reason;

	pr_info_ratelimited("vCPU %u: unexpected VM exit, reason %u\n",
			    vmx->x.vcpu->id, reason);
	return x86_internal_error(&vmx->x,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  reason, vmx->x.vcpu->cpu);
}

/*
 * VM entry failed.  Either VMLAUNCH/VMRESUME itself refused (@instr_error:
 * a VM-instruction error number, SDM 30.4), or the entry started and
 * failed on the guest state (exit reason 33) or on MSR loading (34) with
 * bit 31 of the exit reason set (26.8).  KVM_EXIT_FAIL_ENTRY carries the
 * hardware's number; for invalid guest state the log names the first rule
 * of SDM 26.3.1 that the state breaks, as hvx's own checks see it.
 */
int vmx_entry_failed(struct vmx_vcpu *vmx, u32 reason, bool instr_error)
{
	struct x86_vcpu *x = &vmx->x;
	struct kvm_run *run = x86_run(x);
	const char *why = NULL;

	if (!instr_error && (u16)reason == EXIT_REASON_INVALID_STATE)
		why = x86_check_sregs(x86_sregs(x));
	if (!instr_error && (u16)reason == EXIT_REASON_MCE_DURING_VMENTRY)
		why = "a machine check during VM entry, handed to the host";
	if (!why)
		why = instr_error ?
			"VMLAUNCH/VMRESUME failed: a VM-instruction error (SDM 30.4)" :
			"a guest-state rule hvx does not check itself (SDM 26.3.1)";
	x->vcpu->entry_failure = why;
	x->vcpu->entry_failure_ref = instr_error ?
		"Intel SDM Vol. 3C 30.4, VM Instruction Error Numbers" :
		"Intel SDM Vol. 3C 26.3.1, Checks on the Guest State Area";
	if (instr_error)	/* 7: a control field, the event's most likely */
		pr_info_ratelimited("vCPU %u: VM entry failed: VM-instruction error %u (SDM 30.4; entry event %#llx, error code %#llx)\n",
				    x->vcpu->id, reason,
				    vmx_read(VM_ENTRY_INTR_INFO_FIELD),
				    vmx_read(VM_ENTRY_EXCEPTION_ERROR_CODE));
	else
		pr_info_ratelimited("vCPU %u: VM entry refused: %s (exit reason %u, qualification %llu; SDM 26.3)\n",
				    x->vcpu->id, why,
				    (u16)reason, vmx->exit.qual);
	hvx_stat(x->vcpu, HVX_STAT_FAIL_ENTRY);
	x86_exit_to_user(x, KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = x->vcpu->cpu;
	return 0;
}

int vmx_handle_exit(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;
	u32 reason = vmx->exit.reason;

	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return vmx_entry_failed(vmx, reason, false);
	switch ((u16)reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		hvx_stat(x->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	case EXIT_REASON_PREEMPTION_TIMER:	/* vmx_slice.c: a slice ran out */
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		return 1;
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
		/* irq.c injects, or disarms, before the next entry */
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		return 1;
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_exit_exception(vmx);
	case EXIT_REASON_TRIPLE_FAULT:
		return vmx_exit_triple_fault(vmx);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_exit_ept_violation(vmx);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_exit_io(vmx);
	case EXIT_REASON_CPUID:
		vmx_skip(vmx);
		return x86_emulate_cpuid(x);
	case EXIT_REASON_HLT:
		return vmx_exit_hlt(vmx);
	case EXIT_REASON_MSR_READ:
		vmx_skip(vmx);
		return x86_emulate_rdmsr(x);
	case EXIT_REASON_MSR_WRITE:
		vmx_skip(vmx);
		return x86_emulate_wrmsr(x);
	case EXIT_REASON_XSETBV:
		vmx_skip(vmx);
		return x86_emulate_xsetbv(x);
	case EXIT_REASON_CR_ACCESS:
		return vmx_exit_cr(vmx);
	case EXIT_REASON_DR_ACCESS:
		return vmx_exit_dr(vmx);
	case EXIT_REASON_INVD:		/* caches are the host's: a no-op */
		x->rip += vmx->exit.len;
		return 1;
	case EXIT_REASON_WBINVD:
		/* WBINVD, WBNOINVD: no device of the guest's own to flush for */
		x->rip += vmx->exit.len;
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		return 1;
	case EXIT_REASON_RDPMC:		/* no virtual PMU: no counters */
		hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
		x86_inject_gp(x);
		return 1;
	case EXIT_REASON_VMCALL ... EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		x86_inject_ud(x);
		return 1;
	default:
		return vmx_exit_unexpected(vmx);
	}
}

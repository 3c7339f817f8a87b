/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx SVM world switch.
 *
 * VMRUN (AMD APM Vol. 2 15.5) saves part of the host state in the
 * VM_HSAVE_PA area and restores it on #VMEXIT: RAX, RSP, RIP, RFLAGS,
 * CR0/CR3/CR4, EFER, GDTR/IDTR and ES/CS/SS/DS.  It neither loads nor saves
 * the other general registers, nor the state VMLOAD/VMSAVE move (FS, GS,
 * TR and LDTR with their hidden parts, KernelGSBase, STAR/LSTAR/CSTAR/
 * SFMASK, SYSENTER_*; APM 15.5.2): those are switched here, around VMRUN.
 *
 * Called with GIF clear (CLGI) and interrupts disabled.  STI before
 * VMRUN sets the host's RFLAGS.IF that VMRUN saves: with
 * V_INTR_MASKING set, it is the host IF that unmasks physical interrupts
 * while the guest runs (APM 15.21.1), so that they cause #VMEXIT; GIF,
 * still clear, keeps them pending until the caller's STGI.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

#define GPR(n)	((n) * 8)

/*
 * void __svm_vcpu_run(u64 *gprs, u64 vmcb_pa, u64 host_save_pa)
 * @gprs: the guest's 16 general registers in encoding order (RAX and RSP
 * are in the VMCB and ignored here).
 */
SYM_FUNC_START(__svm_vcpu_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 8(%rsp): gprs */
	push	%rdx			/* 0(%rsp): host save area */

	mov	%rdx, %rax
	vmsave	%rax
	/*
	 * Set IF here, not just before VMRUN: GIF is clear so nothing is
	 * taken yet, and VMRUN does not start in an STI interrupt shadow.
	 */
	sti
	mov	%rsi, %rax
	vmload	%rax

	mov	GPR(1)(%rdi), %rcx
	mov	GPR(2)(%rdi), %rdx
	mov	GPR(3)(%rdi), %rbx
	mov	GPR(5)(%rdi), %rbp
	mov	GPR(6)(%rdi), %rsi
	mov	GPR(8)(%rdi), %r8
	mov	GPR(9)(%rdi), %r9
	mov	GPR(10)(%rdi), %r10
	mov	GPR(11)(%rdi), %r11
	mov	GPR(12)(%rdi), %r12
	mov	GPR(13)(%rdi), %r13
	mov	GPR(14)(%rdi), %r14
	mov	GPR(15)(%rdi), %r15
	mov	GPR(7)(%rdi), %rdi

	/*
	 * Transient scheduler attacks (TSA): VERW empties the CPU's
	 * buffers of host data where the host asks for it before VMRUN
	 * (X86_FEATURE_CLEAR_CPU_BUF_VM).
	 */
	VM_CLEAR_CPU_BUFFERS
	vmrun	%rax
	cli

	/* #VMEXIT restored RAX: it is the VMCB's address again. */
	vmsave	%rax
	mov	8(%rsp), %rax
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)

	mov	0(%rsp), %rax
	vmload	%rax

	/*
	 * Before the first RET that has no CALL here, as the host's
	 * mitigations ask: refill the return stack buffer (retpolines,
	 * SpectreRSB), untrain the return predictor (Retbleed, SRSO), IBPB
	 * where the host does one on every exit (SRSO IBPB_ON_VMEXIT).
	 * These clobber RAX, RCX and RDX.  The guest runs with the host's
	 * IA32_SPEC_CTRL: hvx offers it no MSR of its own to change.
	 */
#ifdef CONFIG_RETPOLINE
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* Leave no guest value in a register the caller may clobber. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$16, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__svm_vcpu_run)

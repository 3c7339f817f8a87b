/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx VMX world switch.
 *
 * VM entry loads the guest's RSP, RIP and RFLAGS from the VMCS and a VM
 * exit loads the host's RSP and RIP from it (Intel SDM Vol. 3C 27.5.3):
 * every other general register is the caller's job.  HOST_RSP is written
 * here, just before entry, so that the exit lands on this very stack
 * with the gprs pointer on top.  HOST_RIP is __vmx_vmexit.
 */
#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/unwind_hints.h>

#define GPR(n)		((n) * 8)
#define VMCS_HOST_RSP	0x6c14

/* int __vmx_vcpu_run(u64 *gprs, bool launched) */
SYM_FUNC_START(__vmx_vcpu_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 0(%rsp): gprs */

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lfail

	/*
	 * CF says which instruction; MOV leaves the flags alone and VERW
	 * only changes ZF.
	 */
	bt	$0, %esi
	mov	GPR(0)(%rdi), %rax
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
	 * MDS and its kin: VERW with the microcode's side effect empties
	 * the CPU's buffers of host data, where the host does so on its
	 * own return to user space (X86_FEATURE_CLEAR_CPU_BUF).
	 */
	CLEAR_CPU_BUFFERS
	/* The exit arrives at __vmx_vmexit with this very stack frame. */
	UNWIND_HINT_SAVE
	jc	1f
	vmlaunch
	jmp	.Lfail
1:	vmresume
	/* Falling through: the entry failed (CF or ZF set, SDM 30.2). */
.Lfail:
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(__vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
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
	popq	GPR(0)(%rax)

	/*
	 * Before the first RET that has no CALL here (this function's own),
	 * as the host's mitigations ask: refill the return stack buffer so
	 * that no return is predicted from the guest's entries
	 * (X86_FEATURE_RSB_VMEXIT, or one CALL with enhanced IBRS); with
	 * IBRS used in the kernel, write IA32_SPEC_CTRL again (legacy IBRS
	 * protects only from the write on, after a less privileged
	 * predictor mode: the guest's); clear the branch history on CPUs
	 * that need the software sequence (BHI).  The guest runs with the
	 * host's IA32_SPEC_CTRL: hvx offers it no MSR of its own to change.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	movl	PER_CPU_VAR(x86_spec_ctrl_current), %eax
	xor	%edx, %edx
	wrmsr
	lfence
.Lspec_ctrl_done:
	CLEAR_BRANCH_HISTORY_VMEXIT
	xor	%eax, %eax

.Lout:
	/* Leave no guest value in a register the caller may clobber. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__vmx_vcpu_run)

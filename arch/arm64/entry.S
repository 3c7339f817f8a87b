/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx arm64 world switch: enter a guest at EL1 with ERET and come back
 * through hvx's own EL2 vector table.
 *
 * The caller has masked every exception in PSTATE.DAIF (local_daif_mask()),
 * loaded every guest system register and set ELR_EL2 and SPSR_EL2 to the
 * guest's PC and PSTATE.  The guest's interrupts still reach EL2: an
 * exception taken to a higher EL is not masked by that EL's PSTATE (Arm
 * ARM D1.3.6).  Here the host's callee-saved registers, X18 (the platform
 * register of AAPCS64: the shadow call stack pointer of a kernel built
 * with CONFIG_SHADOW_CALL_STACK, which the guest owns while it runs),
 * SP_EL0 (the kernel's `current`) and VBAR_EL2 are saved on the host
 * stack, which stays SP_EL2 while the guest runs: an exception from a
 * lower EL taken to EL2 uses SP_EL2 (Arm ARM D1.3.2, SPSel is 1), so the
 * vector finds the frame where it was left.
 */
#include <linux/linkage.h>
#include <asm/alternative.h>
#include <asm/assembler.h>
#include <asm/sysreg.h>

/* struct a64_gprs: x0-x30, then SP_EL0. */
#define GPRS_X(n)	((n) * 8)
#define GPRS_SP_EL0	(31 * 8)

/* The host frame, from SP after the prologue. */
#define FRAME_X29	0
#define FRAME_X19	16
#define FRAME_GUEST	96	/* struct a64_gprs * */
#define FRAME_SP_EL0	104
#define FRAME_VBAR	112
#define FRAME_X18	120
#define FRAME_SIZE	128

	.text

/* u64 __hvx_el2_run(struct a64_gprs *guest): returns an A64_EXIT_* code. */
SYM_FUNC_START(__hvx_el2_run)
	stp	x29, x30, [sp, #-FRAME_SIZE]!
	mov	x29, sp
	stp	x19, x20, [sp, #FRAME_X19]
	stp	x21, x22, [sp, #FRAME_X19 + 16]
	stp	x23, x24, [sp, #FRAME_X19 + 32]
	stp	x25, x26, [sp, #FRAME_X19 + 48]
	stp	x27, x28, [sp, #FRAME_X19 + 64]
	str	x18, [sp, #FRAME_X18]
	mrs	x1, sp_el0
	stp	x0, x1, [sp, #FRAME_GUEST]
	mrs	x1, vbar_el2
	str	x1, [sp, #FRAME_VBAR]
	adr_l	x1, hvx_el2_vectors
	msr	vbar_el2, x1

	ldr	x1, [x0, #GPRS_SP_EL0]
	msr	sp_el0, x1
	isb
	ldp	x2, x3, [x0, #GPRS_X(2)]
	ldp	x4, x5, [x0, #GPRS_X(4)]
	ldp	x6, x7, [x0, #GPRS_X(6)]
	ldp	x8, x9, [x0, #GPRS_X(8)]
	ldp	x10, x11, [x0, #GPRS_X(10)]
	ldp	x12, x13, [x0, #GPRS_X(12)]
	ldp	x14, x15, [x0, #GPRS_X(14)]
	ldp	x16, x17, [x0, #GPRS_X(16)]
	ldp	x18, x19, [x0, #GPRS_X(18)]
	ldp	x20, x21, [x0, #GPRS_X(20)]
	ldp	x22, x23, [x0, #GPRS_X(22)]
	ldp	x24, x25, [x0, #GPRS_X(24)]
	ldp	x26, x27, [x0, #GPRS_X(26)]
	ldp	x28, x29, [x0, #GPRS_X(28)]
	ldr	x30, [x0, #GPRS_X(30)]
	ldp	x0, x1, [x0, #GPRS_X(0)]
	eret
	sb
SYM_FUNC_END(__hvx_el2_run)

/*
 * u64 __hvx_el2_run_x18(struct a64_gprs *guest, u64 x18[2]): calls
 * __hvx_el2_run() and records the caller's X18 just before the call in
 * x18[0] and just after the return in x18[1].  X18 is the platform
 * register of AAPCS64, which a kernel with CONFIG_SHADOW_CALL_STACK
 * reserves for its shadow stack pointer: the world switch must give it
 * back unchanged, and a64_world_switch() checks that it did.  Done here
 * because C code built without -ffixed-x18 may use X18 as a scratch
 * register around a call.
 */
SYM_FUNC_START(__hvx_el2_run_x18)
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	str	x19, [sp, #16]
	mov	x19, x1
	str	x18, [x19]
	bl	__hvx_el2_run
	str	x18, [x19, #8]
	ldr	x19, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
SYM_FUNC_END(__hvx_el2_run_x18)

/*
 * The guest took an exception to EL2.  On entry x0 and x1 are on the
 * stack and x1 holds the exit code; SP is the frame's address less 16.
 * PSTATE.PAN is still the guest's (an exception to EL2 with HCR_EL2.TGE
 * clear does not set it, Arm ARM AArch64.TakeException()): set it first,
 * where the host uses PAN.
 */
SYM_CODE_START_LOCAL(hvx_guest_exit)
	ALTERNATIVE(nop, SET_PSTATE_PAN(1), ARM64_HAS_PAN, CONFIG_ARM64_PAN)
	ldr	x0, [sp, #16 + FRAME_GUEST]
	stp	x2, x3, [x0, #GPRS_X(2)]
	stp	x4, x5, [x0, #GPRS_X(4)]
	stp	x6, x7, [x0, #GPRS_X(6)]
	stp	x8, x9, [x0, #GPRS_X(8)]
	stp	x10, x11, [x0, #GPRS_X(10)]
	stp	x12, x13, [x0, #GPRS_X(12)]
	stp	x14, x15, [x0, #GPRS_X(14)]
	stp	x16, x17, [x0, #GPRS_X(16)]
	stp	x18, x19, [x0, #GPRS_X(18)]
	stp	x20, x21, [x0, #GPRS_X(20)]
	stp	x22, x23, [x0, #GPRS_X(22)]
	stp	x24, x25, [x0, #GPRS_X(24)]
	stp	x26, x27, [x0, #GPRS_X(26)]
	stp	x28, x29, [x0, #GPRS_X(28)]
	str	x30, [x0, #GPRS_X(30)]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #GPRS_X(0)]
	mrs	x2, sp_el0
	str	x2, [x0, #GPRS_SP_EL0]

	ldr	x18, [sp, #FRAME_X18]
	ldr	x2, [sp, #FRAME_SP_EL0]
	msr	sp_el0, x2
	ldr	x2, [sp, #FRAME_VBAR]
	msr	vbar_el2, x2
	isb
	mov	x0, x1
	ldp	x19, x20, [sp, #FRAME_X19]
	ldp	x21, x22, [sp, #FRAME_X19 + 16]
	ldp	x23, x24, [sp, #FRAME_X19 + 32]
	ldp	x25, x26, [sp, #FRAME_X19 + 48]
	ldp	x27, x28, [sp, #FRAME_X19 + 64]
	ldp	x29, x30, [sp], #FRAME_SIZE
	ret
SYM_CODE_END(hvx_guest_exit)

/*
 * An exception taken from EL2 itself while hvx's vectors are installed:
 * only possible through a bug in the few instructions above.  Put the
 * host's vectors back and return to the instruction, which then raises
 * the exception again into the kernel's own handlers (an Oops with a
 * backtrace, not a silent hang).
 */
SYM_CODE_START_LOCAL(hvx_el2_reflect)
	stp	x0, x1, [sp, #-16]!
	adr_l	x0, hvx_host_vbar
	ldr	x0, [x0]
	msr	vbar_el2, x0
	isb
	ldp	x0, x1, [sp], #16
	eret
	sb
SYM_CODE_END(hvx_el2_reflect)

	.macro	el2_reflect
	.align	7
	b	hvx_el2_reflect
	.endm

/*
 * ESB first (a NOP without FEAT_RAS): an SError the guest left pending is
 * deferred into DISR_EL1 (PSTATE.A is set by the exception), where
 * a64_save_guest_errors() finds it, rather than taken by the host later.
 */
	.macro	guest_exit code
	.align	7
	esb
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\code
	b	hvx_guest_exit
	.endm

/*
 * VBAR_EL2 layout (Arm ARM D1.10.2): four groups of four 128-byte entries
 * (synchronous, IRQ, FIQ, SError) for the current EL with SP_EL0, the
 * current EL with SP_ELx, a lower EL in AArch64, a lower EL in AArch32.
 * Guests are AArch64 only (HCR_EL2.RW is set), so the last group is
 * unreachable too.
 */
	.align	11
SYM_CODE_START(hvx_el2_vectors)
	el2_reflect
	el2_reflect
	el2_reflect
	el2_reflect

	el2_reflect
	el2_reflect
	el2_reflect
	el2_reflect

	guest_exit 0		/* A64_EXIT_SYNC */
	guest_exit 1		/* A64_EXIT_IRQ */
	guest_exit 2		/* A64_EXIT_FIQ */
	guest_exit 3		/* A64_EXIT_SERROR */

	el2_reflect
	el2_reflect
	el2_reflect
	el2_reflect
SYM_CODE_END(hvx_el2_vectors)

/* struct user_fpsimd_state: V0-V31, then FPSR and FPCR (32 bits each). */
SYM_FUNC_START(__hvx_fpsimd_save)
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	str	w1, [x0, #512]
	mrs	x1, fpcr
	str	w1, [x0, #516]
	ret
SYM_FUNC_END(__hvx_fpsimd_save)

SYM_FUNC_START(__hvx_fpsimd_load)
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	ldr	w1, [x0, #512]
	msr	fpsr, x1
	ldr	w1, [x0, #516]
	msr	fpcr, x1
	ret
SYM_FUNC_END(__hvx_fpsimd_load)

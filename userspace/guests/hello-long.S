/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit long-mode hello world for `hvx run` (ELF64: identity-mapped
 * first GiB).  Prints on COM1 with REP OUTSB, CPUID vendor, exit status 0.
 */
	.code64
	.text
	.globl	_start
_start:
	mov	$0x8000, %rsp
	lea	hello(%rip), %rsi
	call	puts
	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor(%rip)
	mov	%edx, vendor + 4(%rip)
	mov	%ecx, vendor + 8(%rip)
	lea	cpu(%rip), %rsi
	call	puts
	lea	vendor(%rip), %rsi
	call	puts
	lea	nl(%rip), %rsi
	call	puts
	xor	%al, %al
	out	%al, $0xf4
	hlt

/* Print the string at RSI: its length, then one REP OUTSB. */
puts:
	mov	%rsi, %rdi
	xor	%al, %al
	mov	$-1, %rcx
	repne scasb
	not	%rcx
	dec	%rcx
	mov	$0x3f8, %dx
	rep outsb
	ret

	.data
hello:	.asciz	"Hello from 64-bit long mode!\n"
cpu:	.asciz	"CPUID vendor: "
nl:	.asciz	"\n"
vendor:	.fill	13, 1, 0

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit protected-mode hello world for `hvx run` (ELF32: flat segments,
 * paging off).  Prints on COM1, CPUID vendor, exit status 0 on port 0xf4.
 */
	.code32
	.text
	.globl	_start
_start:
	mov	$0x8000, %esp
	mov	$hello, %esi
	call	puts
	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	$cpu, %esi
	call	puts
	mov	$vendor, %esi
	call	puts
	mov	$nl, %esi
	call	puts
	xor	%al, %al
	out	%al, $0xf4
	hlt

puts:
	mov	$0x3fd, %dx
1:	in	(%dx), %al
	test	$0x20, %al
	jz	1b
	lodsb
	test	%al, %al
	jz	2f
	mov	$0x3f8, %dx
	out	%al, (%dx)
	jmp	puts
2:	ret

	.data
hello:	.asciz	"Hello from 32-bit protected mode!\n"
cpu:	.asciz	"CPUID vendor: "
nl:	.asciz	"\n"
vendor:	.fill	13, 1, 0

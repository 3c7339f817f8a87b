/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode hello world for `hvx run`: a flat binary entered at 0x8000
 * with CS = DS = SS = 0 and SP = 0x8000.
 *
 * It prints a greeting on COM1 one byte at a time, polling the line status
 * register first as a driver for a real 8250 must (so every byte costs an
 * IN and an OUT exit), then the result of CPUID leaf 0, and stops with
 * HLT, which `hvx run` reads as exit status 0.
 */
#define COM1		0x3f8
#define COM1_LSR	0x3fd
#define LSR_THRE	0x20	/* transmit holding register empty */

	.code16
	.text
	.globl	_start
_start:
	mov	$hello, %si
	call	puts

	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor		/* the vendor string is EBX, EDX, ECX */
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	%eax, max_leaf		/* puts clobbers AL */
	mov	$leaf0, %si
	call	puts
	mov	max_leaf, %eax		/* the highest standard leaf */
	call	puthex32
	mov	$vendor_is, %si
	call	puts
	mov	$vendor, %si
	call	puts
	mov	$nl, %si
	call	puts
	hlt
	jmp	.

/* Print the NUL-terminated string at DS:SI. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* Print EAX as 8 hex digits, most significant first. */
puthex32:
	mov	$8, %cx
1:	rol	$4, %eax
	push	%eax
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '0' - 10), %al
2:	call	putc
	pop	%eax
	loop	1b
	ret

/* Send AL to COM1 once the transmitter can take it. */
putc:
	push	%dx
	push	%ax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	pop	%ax
	mov	$COM1, %dx
	out	%al, %dx
	pop	%dx
	ret

hello:		.asciz	"Hello from real mode!\n"
leaf0:		.asciz	"CPUID.0: max leaf 0x"
vendor_is:	.asciz	", vendor "
nl:		.asciz	"\n"
vendor:		.fill	13, 1, 0
		.balign	4
max_leaf:	.long	0

	.section .note.GNU-stack, "", @progbits

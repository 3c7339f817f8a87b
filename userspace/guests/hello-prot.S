/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit protected-mode hello world for `hvx run`: an ELF32 file linked at
 * 1 MiB, entered with flat 4 GiB segments, paging off and ESP = 0x8000
 * (or paging on, identity-mapped, with --mode paged).
 *
 * It prints a greeting on COM1 one byte at a time, polling the line status
 * register first, then the result of CPUID leaf 0, and stops by writing
 * its exit status, 0, to port 0xf4.
 */
#define COM1		0x3f8
#define COM1_LSR	0x3fd
#define LSR_THRE	0x20	/* transmit holding register empty */
#define EXIT_PORT	0xf4

	.code32
	.text
	.globl	_start
_start:
	mov	$hello, %esi
	call	puts

	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor		/* the vendor string is EBX, EDX, ECX */
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	%eax, max_leaf		/* puts clobbers AL */
	mov	$leaf0, %esi
	call	puts
	mov	max_leaf, %eax		/* the highest standard leaf */
	call	puthex32
	mov	$vendor_is, %esi
	call	puts
	mov	$vendor, %esi
	call	puts
	mov	$nl, %esi
	call	puts

	xor	%al, %al
	out	%al, $EXIT_PORT
	hlt				/* not reached under hvx run */
	jmp	.

/* Print the NUL-terminated string at ESI. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* Print EAX as 8 hex digits, most significant first. */
puthex32:
	mov	$8, %ecx
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
	push	%edx
	push	%eax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	pop	%eax
	mov	$COM1, %dx
	out	%al, %dx
	pop	%edx
	ret

	.data
hello:		.asciz	"Hello from 32-bit protected mode!\n"
leaf0:		.asciz	"CPUID.0: max leaf 0x"
vendor_is:	.asciz	", vendor "
nl:		.asciz	"\n"
vendor:		.fill	13, 1, 0
		.balign	4
max_leaf:	.long	0

	.section .note.GNU-stack, "", @progbits

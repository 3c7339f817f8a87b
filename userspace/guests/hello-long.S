/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit long-mode hello world for `hvx run`: an ELF64 file linked at
 * 1 MiB, entered in 64-bit mode with the first GiB identity-mapped and
 * RSP = 0x8000.
 *
 * Unlike the real- and protected-mode guests it does not poll the line
 * status register: it formats its whole report in memory and sends each
 * line with one REP OUTSB, which reaches user space as a single string
 * I/O exit (KVM_EXIT_IO with count > 1).  It stops by writing its exit
 * status, 0, to port 0xf4.
 */
#define COM1		0x3f8
#define EXIT_PORT	0xf4

	.code64
	.text
	.globl	_start
_start:
	lea	hello(%rip), %rsi
	mov	$(hello_end - hello), %ecx
	call	write

	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor(%rip)	/* the vendor string is EBX, EDX, ECX */
	mov	%edx, vendor + 4(%rip)
	mov	%ecx, vendor + 8(%rip)
	lea	max_leaf(%rip), %rdi
	call	fmthex32		/* EAX: the highest standard leaf */
	lea	report(%rip), %rsi
	mov	$(report_end - report), %ecx
	call	write

	xor	%al, %al
	out	%al, $EXIT_PORT
	hlt				/* not reached under hvx run */
	jmp	.

/* Send ECX bytes from RSI to COM1 in one string I/O instruction. */
write:
	mov	$COM1, %dx
	rep outsb
	ret

/* Store EAX as 8 hex digits at RDI, most significant first. */
fmthex32:
	mov	$8, %ecx
1:	rol	$4, %eax
	mov	%al, %dl
	and	$0xf, %dl
	add	$'0', %dl
	cmp	$'9', %dl
	jbe	2f
	add	$('a' - '0' - 10), %dl
2:	mov	%dl, (%rdi)
	inc	%rdi
	loop	1b
	ret

	.data
hello:		.ascii	"Hello from 64-bit long mode!\n"
hello_end:
report:		.ascii	"CPUID.0: max leaf 0x"
max_leaf:	.ascii	"????????"
		.ascii	", vendor "
vendor:		.ascii	"????????????"
		.ascii	"\n"
report_end:

	.section .note.GNU-stack, "", @progbits

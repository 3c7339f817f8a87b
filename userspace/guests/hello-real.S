/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode hello world for `hvx run`: a flat binary entered at 0x8000
 * with CS = DS = 0.  Prints on COM1, asks CPUID for the vendor, exits
 * with status 0 through port 0xf4.
 */
	.code16
	.text
	.globl	_start
_start:
	mov	$hello, %si
	call	puts
	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	$cpu, %si
	call	puts
	mov	$vendor, %si
	call	puts
	mov	$nl, %si
	call	puts
	xor	%al, %al
	out	%al, $0xf4
	hlt

/* Print the NUL-terminated string at DS:SI on COM1 (8250 THR). */
puts:
	mov	$0x3fd, %dx
1:	in	(%dx), %al		/* wait for the transmitter */
	test	$0x20, %al
	jz	1b
	lodsb
	test	%al, %al
	jz	2f
	mov	$0x3f8, %dx
	out	%al, (%dx)
	jmp	puts
2:	ret

hello:	.asciz	"Hello from real mode!\n"
cpu:	.asciz	"CPUID vendor: "
nl:	.asciz	"\n"
vendor:	.fill	13, 1, 0

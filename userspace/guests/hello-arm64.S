/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AArch64 hello world for `hvx run` on arm64, which gives it the outline
 * of QEMU's virt board: a PL011 UART at 0x09000000, RAM at 0x40000000,
 * PSCI by HVC.  Linked at 0x40080000, as an ELF64 file and as a flat
 * image; entered at EL1 with the MMU off, so every access is to Device
 * memory (aligned, as byte accesses always are).
 *
 * It polls the UART's flag register before each byte (PL011 TRM:
 * UARTFR.TXFF, bit 5, transmit FIFO full), asks PSCI for its version
 * (PSCI_VERSION, 0x84000000: major in bits 31:16, minor in 15:0, Arm
 * DEN0022) and reads its exception level from CurrentEL, prints both,
 * and powers off with PSCI SYSTEM_OFF (0x84000008).  It uses no stack.
 */
#define UART		0x09000000
#define UARTFR		0x18
#define UARTFR_TXFF	5

	.text
	.globl	_start
_start:
	adr	x0, hello
	bl	puts

	movz	w0, #0x0000
	movk	w0, #0x8400, lsl #16	/* PSCI_VERSION */
	hvc	#0
	mov	w19, w0
	adr	x0, psci
	bl	puts
	lsr	w0, w19, #16
	bl	putdec
	mov	w0, #'.'
	bl	putc
	and	w0, w19, #0xffff
	bl	putdec

	adr	x0, el
	bl	puts
	mrs	x0, CurrentEL
	ubfx	x0, x0, #2, #2		/* CurrentEL.EL, bits 3:2 */
	bl	putdec
	mov	w0, #'\n'
	bl	putc

	movz	w0, #0x0008
	movk	w0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
	b	.			/* not reached under hvx run */

/* Send the byte in W0 once the transmit FIFO has room. Uses x9, x10. */
putc:
	movz	x9, #(UART >> 16), lsl #16
1:	ldr	w10, [x9, #UARTFR]
	tbnz	w10, #UARTFR_TXFF, 1b
	strb	w0, [x9]
	ret

/* Send the NUL-terminated string at X0. Uses x9-x12. */
puts:
	mov	x11, x30
	mov	x12, x0
1:	ldrb	w0, [x12], #1
	cbz	w0, 2f
	bl	putc
	b	1b
2:	mov	x30, x11
	ret

/* Send W0 in decimal, built backwards in numbuf. Uses x9-x17. */
putdec:
	mov	x13, x30
	mov	w14, w0
	mov	w15, #10
	adr	x17, numbuf_end
1:	udiv	w16, w14, w15
	msub	w0, w16, w15, w14	/* the last digit */
	add	w0, w0, #'0'
	strb	w0, [x17, #-1]!
	mov	w14, w16
	cbnz	w14, 1b
	mov	x0, x17
	bl	puts
	mov	x30, x13
	ret

	.data
hello:		.asciz	"Hello from AArch64 under hvx run!\n"
psci:		.asciz	"PSCI version "
el:		.asciz	", running at EL"
numbuf:		.space	11
numbuf_end:	.byte	0

	.section .note.GNU-stack, "", @progbits

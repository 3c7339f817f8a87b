/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvxboot, part 1: the boot sector and the real-mode steps of the Bochs
 * test machine's loader (see loader.c for the whole story).
 *
 * The BIOS loads sector 0 of the disk at 0x7c00 and jumps there with the
 * drive number in DL. This code loads the rest of the loader (sectors 1 to
 * HVXBOOT_SECTORS - 1) right behind itself with INT 13h AH=42h (LBA), asks
 * the BIOS for the memory map (INT 15h EAX=E820h), opens the A20 gate,
 * switches to 32-bit protected mode with flat segments and calls
 * loader_main(). Nothing here returns to real mode, so the BIOS is not
 * needed afterwards: loader.c reads the disk itself, through the ATA ports.
 */

#include "hvxboot.h"

	.code16
	.section .boot, "ax"
	.globl	_start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7c00, %sp
	ljmp	$0, $1f			/* CS:IP = 0:7c00-based, whatever the BIOS used */
1:	sti
	cld
	movb	%dl, boot_drive

	/* The rest of the loader, with one extended read. */
	movw	$dap, %si
	movb	$0x42, %ah
	movb	boot_drive, %dl
	int	$0x13
	jc	read_failed

	/* The E820 memory map, into e820_map[] (struct e820_entry). */
	xorl	%ebx, %ebx
	movw	$e820_map, %di
	xorw	%bp, %bp
e820_next:
	movl	$0xe820, %eax
	movl	$24, %ecx
	movl	$0x534d4150, %edx	/* "SMAP" */
	movl	$1, %es:20(%di)		/* ACPI 3.0 extended attributes: valid */
	int	$0x15
	jc	e820_done
	cmpl	$0x534d4150, %eax
	jne	e820_done
	jcxz	e820_skip
	addw	$24, %di
	incw	%bp
	cmpw	$E820_MAX, %bp
	je	e820_done
e820_skip:
	testl	%ebx, %ebx
	jnz	e820_next
e820_done:
	movw	%bp, e820_count

	/* A20 through port 0x92 ("fast A20"), which Bochs's chipset has. */
	inb	$0x92, %al
	orb	$2, %al
	andb	$0xfe, %al
	outb	%al, $0x92

	cli
	lgdtl	gdt_desc
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$BOOT_CS, $pm_entry

read_failed:
	movw	$msg_read, %si
1:	lodsb
	testb	%al, %al
	jz	2f
	movb	$0x0e, %ah		/* teletype output (the VGA screen) */
	int	$0x10
	jmp	1b
2:	hlt
	jmp	2b

msg_read:
	.asciz	"hvxboot: INT 13h read failed\r\n"

	.balign	4
dap:					/* INT 13h AH=42h disk address packet */
	.byte	16, 0
	.word	HVXBOOT_SECTORS - 1	/* sectors */
	.word	0x7e00, 0		/* buffer (offset, segment) */
	.quad	1			/* first LBA */

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* BOOT_CS: 32-bit code, base 0, 4 GiB */
	.quad	0x00cf92000000ffff	/* BOOT_DS: data, base 0, 4 GiB */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	.globl	boot_drive
boot_drive:
	.byte	0

	.org	510
	.byte	0x55, 0xaa

	.code32
	.section .text
pm_entry:
	movw	$BOOT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$0x7c00, %esp
	call	loader_main
3:	cli
	hlt
	jmp	3b

	/* In .data, not .bss: loader_main() clears .bss. */
	.section .data
	.balign	8
	.globl	e820_map, e820_count
e820_map:
	.space	E820_MAX * 24
e820_count:
	.word	0

	.section .note.GNU-stack, "", @progbits

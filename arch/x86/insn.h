/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx x86: one instruction as emulate.c decodes it for an MMIO exit,
 * shared with the string-instruction emulation (emulate_string.c).
 */
#ifndef HVX_X86_INSN_H
#define HVX_X86_INSN_H

#include <linux/types.h>

struct x86_vcpu;

/* Segment register numbers, in the order of the prefix table and SREG. */
enum x86_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

struct x86_insn {
	u8 bytes[15];
	int nbytes;
	int len;		/* decoded so far */
	int opsize;
	int addrsize;
	u8 rex;
	u8 rep;			/* 0xf2 (REPNE), 0xf3 (REP/REPE) or 0 */
	int seg;		/* segment override, or -1 */
	u8 modrm;
};

int x86_code_size(struct x86_vcpu *x);
int x86_emulate_string_mmio(struct x86_vcpu *x, const struct x86_insn *in,
			    u8 op);

#endif /* HVX_X86_INSN_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest of stats_test and trace_test: NR_OUTS one-byte writes to
 * port 0x80 (on arm64 its MMIO slot), of the values NR_OUTS down to 1,
 * then the DONE ucall.
 */
#ifndef HVX_OUTS_GUEST_H
#define HVX_OUTS_GUEST_H

#define NR_OUTS		5

GUEST_CODE_X86(outs, GUEST_REAL, ".code16",
	"mov $" TEST_STR(NR_OUTS) ", %cx\n"
	"1: mov %cl, %al\n out %al, $0x80\n loop 1b\n"
	GUEST_DONE);
GUEST_CODE_ARM64(outs, GUEST_EL1,
	"mov x5, #" TEST_STR(NR_OUTS) "\n"
	"1:" GUEST_OUT(0x80, "strb", "w5") "subs x5, x5, #1\n b.ne 1b\n"
	GUEST_DONE);

#endif /* HVX_OUTS_GUEST_H */

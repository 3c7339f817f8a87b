/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx selftests, arm64 half: guest code blobs, the port window, the
 * ucall macros, exception vectors, PSCI.  Included by test.h.
 *
 * arm64 has no I/O ports, so the tests give it a window of them: port P
 * is the 8 bytes at ARM64_PORT_GPA + 8 * P, an address outside every
 * memory slot, so that a guest's store there is a KVM_EXIT_MMIO write
 * and a load a KVM_EXIT_MMIO read.  Each port is 8-byte aligned, so a
 * store or load of any size is aligned, as Device memory needs.  The
 * window lies in the device region of GUEST_EL1_MMU's map (vmlib-arm64.h).
 *
 * Registers x25 to x28 belong to the macros below: guest code must not
 * keep anything there across a ucall, a GUEST_OUT or an assertion.
 */
#ifndef HVX_TEST_ARM64_H
#define HVX_TEST_ARM64_H

#include <linux/psci.h>

#define ARM64_PORT_GPA		0x0ff00000	/* no suffix: also for gas */
#define ARM64_PORT_ADDR(p)	(ARM64_PORT_GPA + 8 * (uint64_t)(p))

/*
 * A label of the inline assembly, seen from C.  Hidden, so that C takes
 * its address PC-relative (ADRP + ADD): through the GOT, which the
 * compiler's default PIE code would use for an extern symbol, labels
 * local to the assembly all share their section's one GOT entry, and
 * every blob would start at the same address.
 */
#define GUEST_ASM_SYMBOL	__attribute__((visibility("hidden")))

/*
 * Guest code as an aarch64 assembly blob in the test binary, copied to
 * GUEST_CODE_GPA.  Use PC-relative addressing (ADR, B) or constant
 * addresses; "LDR Xn, =constant" works too, since the blob ends with its
 * own literal pool.  Avoid the local labels 97 and 98 (assertions).
 */
#define GUEST_CODE(name, body)						\
	extern const unsigned char name##_start[] GUEST_ASM_SYMBOL,	\
		name##_end[] GUEST_ASM_SYMBOL;				\
	__asm__(".pushsection .rodata\n .balign 4\n"			\
		#name "_start:\n" body "\n .ltorg\n"			\
		#name "_end:\n.popsection\n")

/* A label inside a guest blob, such as an exception handler's entry. */
#define GUEST_LABEL(name)	extern const unsigned char name[] GUEST_ASM_SYMBOL

/* x28 = the port window; a store/load of @reg there with @insn. */
#define GUEST_PORT_BASE							\
	"movz x28, #(" TEST_STR(ARM64_PORT_GPA) " >> 16), lsl #16\n"
#define GUEST_OUT(port, insn, reg)					\
	GUEST_PORT_BASE							\
	insn " " reg ", [x28, #(8 * " TEST_STR(port) ")]\n"
#define GUEST_IN(port, insn, reg)	GUEST_OUT(port, insn, reg)

/*
 * The ucall: one 8-byte store to port UCALL_PORT of the UCALL_* code
 * (low half) and its argument (high half).  @arg may be any constant
 * expression of 32 bits, __LINE__ included.
 */
#define GUEST_UCALL(code, arg)						\
	"movz x26, #" TEST_STR(code) "\n"				\
	"movk x26, #((" TEST_STR(arg) ") & 0xffff), lsl #32\n"		\
	"movk x26, #(((" TEST_STR(arg) ") >> 16) & 0xffff), lsl #48\n"	\
	GUEST_OUT(UCALL_PORT, "str", "x26")
#define GUEST_SYNC(n)	GUEST_UCALL(UCALL_SYNC, n)
#define GUEST_HALT	GUEST_OUT(HALT_PORT, "str", "xzr") "b .\n"
#define GUEST_DONE	GUEST_UCALL(UCALL_DONE, 0) GUEST_HALT

/* After a CMP or TST: unless condition @cc ("eq", "hi"...) holds, fail. */
#define GUEST_ASSERT(cc)						\
	"b." cc " 97f\n"						\
	GUEST_UCALL(UCALL_ASSERT, __LINE__)				\
	"98: b 98b\n"							\
	"97:\n"
/* X register @xreg must hold @val, any 64-bit constant. */
#define GUEST_ASSERT_EQ(xreg, val)					\
	"ldr x25, =" TEST_STR(val) "\n"					\
	"cmp " xreg ", x25\n" GUEST_ASSERT("eq")

/*
 * An SMCCC call through HVC #0 (SMC Calling Convention, DEN0028): the
 * function id in w0, arguments in x1-x3, results in x0-x3.
 */
#define GUEST_HVC(fn)	"ldr x0, =" TEST_STR(fn) "\n hvc #0\n"
#define GUEST_SMC(fn)	"ldr x0, =" TEST_STR(fn) "\n smc #0\n"

/*
 * PSCI function ids (Arm Power State Coordination Interface, DEN0022,
 * "Function IDs"): plain numbers, for the assembler; test-arm64.c checks
 * them against <linux/psci.h>.
 */
#define PSCI_FN_VERSION		0x84000000
#define PSCI_FN_CPU_OFF		0x84000002
#define PSCI_FN_SYSTEM_OFF		0x84000008
#define PSCI_FN_SYSTEM_RESET	0x84000009
#define PSCI_FN_FEATURES		0x8400000a
#define GUEST_SYSTEM_OFF	GUEST_HVC(PSCI_FN_SYSTEM_OFF) "b .\n"

/*
 * Exception vectors (Arm ARM, "Exception vectors"): sixteen entries of
 * 0x80 bytes at VBAR_EL1; the guest runs at EL1h, so its own synchronous
 * exceptions take VECTOR_EL1H_SYNC, those of EL0 VECTOR_EL0_SYNC.
 * guest_create() loads a table at GUEST_VECTORS_GPA whose entries all
 * report UCALL_EXCEPTION with the entry's number, and points VBAR_EL1
 * at it; guest_set_vector() sends one entry to a handler in the blob.
 */
#define VECTOR_EL1T_SYNC	0
#define VECTOR_EL1H_SYNC	4
#define VECTOR_EL1H_IRQ		5
#define VECTOR_EL0_SYNC		8

/* ESR_ELx.EC, the exception class (Arm ARM, "ESR_EL1") */
#define ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define EC_UNKNOWN		0x00
#define EC_SVC64		0x15
#define EC_IABT_LOW		0x20
#define EC_IABT_CUR		0x21
#define EC_DABT_LOW		0x24
#define EC_DABT_CUR		0x25

int guest_set_vector(struct guest *g, int vector,
		     const unsigned char *handler);
/* Register @id of the guest's vCPU, or a poison value after a message. */
uint64_t guest_reg(struct guest *g, uint64_t id);

/*
 * KVM_{SET,GET,HAS}_DEVICE_ATTR (@nr) on a device or vCPU fd: @group and
 * @attr of api.rst's "DEVICE ATTRIBUTES", @val the value's address.
 */
int test_device_attr(int fd, unsigned long nr, uint32_t group, uint64_t attr,
		     void *val);

#endif /* HVX_TEST_ARM64_H */

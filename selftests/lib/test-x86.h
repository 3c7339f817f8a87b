/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx selftests, x86 half: guest code blobs, the ucall macros, port I/O
 * and exception handlers.  Included by test.h.
 */
#ifndef HVX_TEST_X86_H
#define HVX_TEST_X86_H

/*
 * Guest code as an assembly blob in the test binary: @mode is ".code16",
 * ".code32" or ".code64".  Only relative jumps and constant addresses may
 * be used: the bytes are copied to GUEST_CODE_GPA.
 */
#define GUEST_CODE(name, mode, body)					\
	extern const unsigned char name##_start[], name##_end[];	\
	__asm__(".pushsection .rodata\n"				\
		#name "_start:\n" mode "\n" body "\n"			\
		#name "_end:\n.code64\n.popsection\n")

/*
 * The x86 ucall: a 4-byte OUT of EAX to port UCALL_PORT, which works the
 * same in every mode; EAX holds a UCALL_* code, EBX its argument.  Guest
 * code must not use the local labels 97 and 98, which the macros below
 * take.
 */
#define GUEST_UCALL(code, arg)						\
	"mov $" TEST_STR(code) ", %eax\n"				\
	"mov $" TEST_STR(arg) ", %ebx\n"					\
	"out %eax, $" TEST_STR(UCALL_PORT) "\n"
#define GUEST_SYNC(n)	GUEST_UCALL(UCALL_SYNC, n)
#define GUEST_DONE	GUEST_UCALL(UCALL_DONE, 0) "hlt\n"
#define GUEST_HALT	"hlt\n"

/* After a CMP or TEST: unless @jcc's condition holds, fail at this line. */
#define GUEST_ASSERT(jcc)						\
	jcc " 97f\n"							\
	GUEST_UCALL(UCALL_ASSERT, __LINE__)				\
	"98: hlt\n jmp 98b\n"						\
	"97:\n"
/* @reg, a register of any width, must hold the immediate @val. */
#define GUEST_ASSERT_EQ(reg, val)					\
	"cmp $" TEST_STR(val) ", " reg "\n" GUEST_ASSERT("je")

/* A label inside a guest blob, such as an exception handler's entry. */
#define GUEST_LABEL(name)	extern const unsigned char name[]

int guest_expect_io(struct guest *g, int dir, int port, int size);
int guest_set_handler(struct guest *g, int vector,
		      const unsigned char *handler);

#endif /* HVX_TEST_X86_H */

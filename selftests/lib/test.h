/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx selftest harness: every case runs once per device named in
 * HVX_TEST_DEVICES (default "/dev/hvx /dev/kvm"), so KVM is the oracle for
 * each behaviour.  Each run is a forked child with a time limit (60 s, or
 * HVX_TEST_TIMEOUT seconds) and reports one TAP line.  A device that is
 * absent, or a case that does not apply to it, is a SKIP, never a pass.
 */
#ifndef HVX_TEST_H
#define HVX_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../userspace/lib/vmlib.h"

#define TEST_PASS	0
#define TEST_FAIL	1
#define TEST_SKIP	2

#define TEST_HVX_ONLY	1	/* uses hvx's own ioctls */

struct test_case {
	const char *name;
	int (*fn)(const char *dev);
	unsigned int flags;
};

int test_main(const struct test_case *cases, int nr);
int test_is_hvx(const char *dev);
void test_diag(const char *file, int line, const char *what);
void test_arm_timer(long usec);

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		test_diag(__FILE__, __LINE__, #cond);			\
		return TEST_FAIL;					\
	}								\
} while (0)

/* An ioctl that must fail with @err. */
#define EXPECT_ERRNO(call, err) do {					\
	errno = 0;							\
	EXPECT((call) == -1 && errno == (err));				\
} while (0)

#define TEST_MAIN(cases)						\
int main(void)								\
{									\
	return test_main(cases, ARRAY_SIZE(cases));			\
}

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

#define __TEST_STR(x)	#x
#define TEST_STR(x)	__TEST_STR(x)

/*
 * ucall: how guest code reports to the host.  The guest writes EAX to
 * port UCALL_PORT with a 4-byte OUT, which works the same in every mode:
 * EAX holds a UCALL_* code, EBX its argument.  A guest assertion sends
 * UCALL_ASSERT with its source line in EBX and halts for good; the host
 * prints it as file:line, since a guest blob and the host code that runs
 * it live in the same file.  Guest code must not use the local labels
 * 97 and 98, which the macros below take.
 */
#define UCALL_PORT	0xf0
#define UCALL_SYNC	0x5c
#define UCALL_DONE	0x600d
#define UCALL_ASSERT	0xa55e

#define GUEST_UCALL(code, arg)						\
	"mov $" TEST_STR(code) ", %eax\n"				\
	"mov $" TEST_STR(arg) ", %ebx\n"					\
	"out %eax, $" TEST_STR(UCALL_PORT) "\n"
#define GUEST_SYNC(n)	GUEST_UCALL(UCALL_SYNC, n)
#define GUEST_DONE	GUEST_UCALL(UCALL_DONE, 0) "hlt\n"

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

struct guest {
	struct vm vm;
	struct vcpu vcpu;
	enum guest_mode mode;
	const unsigned char *code;	/* the blob loaded at GUEST_CODE_GPA */
	uint32_t ucall_arg;		/* EBX of the last ucall */
};

int guest_create(struct guest *g, const char *dev, enum guest_mode mode,
		 const unsigned char *start, const unsigned char *end);
void guest_destroy(struct guest *g);
int guest_run(struct guest *g);
int guest_expect_io(struct guest *g, int dir, int port, int size);
int guest_expect_exit(struct guest *g, int reason);
int guest_ucall(struct guest *g, const char *file);
int guest_expect_ucall(struct guest *g, int code, uint32_t arg,
		       const char *file);
int guest_set_handler(struct guest *g, int vector,
		      const unsigned char *handler);

/* The next KVM_RUN ends with exit @reason (or -errno); else say what. */
#define EXPECT_EXIT(g, reason) do {					\
	if (!guest_expect_exit(g, reason)) {				\
		test_diag(__FILE__, __LINE__, "exit " #reason);		\
		return TEST_FAIL;					\
	}								\
} while (0)

/* The guest's next ucall is @code with argument @arg. */
#define EXPECT_UCALL(g, code, arg) do {					\
	if (!guest_expect_ucall(g, code, arg, __FILE__)) {		\
		test_diag(__FILE__, __LINE__, "ucall " #code " " #arg);	\
		return TEST_FAIL;					\
	}								\
} while (0)
#define EXPECT_DONE(g)	EXPECT_UCALL(g, UCALL_DONE, 0)

#define GUEST(g, dev, mode, name) do {					\
	int __r = guest_create(g, dev, mode, name##_start, name##_end);	\
	if (__r) {							\
		errno = -__r;						\
		test_diag(__FILE__, __LINE__, "guest_create");		\
		return TEST_FAIL;					\
	}								\
} while (0)

#endif /* HVX_TEST_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx selftest harness: every case runs once per device named in
 * HVX_TEST_DEVICES (default "/dev/hvx /dev/kvm"), so KVM is the oracle for
 * each behaviour.  Each run is a forked child with a time limit, and
 * reports one TAP line.  A device that is absent, or a case that does not
 * apply to it, is a SKIP, never a pass.
 */
#ifndef HVX_TEST_H
#define HVX_TEST_H

#include <errno.h>
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
	return test_main(cases, sizeof(cases) / sizeof(cases[0]));	\
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

struct guest {
	struct vm vm;
	struct vcpu vcpu;
};

int guest_create(struct guest *g, const char *dev, enum guest_mode mode,
		 const unsigned char *start, const unsigned char *end);
void guest_destroy(struct guest *g);
int guest_run(struct guest *g);
int guest_expect_io(struct guest *g, int dir, int port, int size);

#define GUEST(g, dev, mode, name) do {					\
	int __r = guest_create(g, dev, mode, name##_start, name##_end);	\
	if (__r) {							\
		errno = -__r;						\
		test_diag(__FILE__, __LINE__, "guest_create");		\
		return TEST_FAIL;					\
	}								\
} while (0)

#endif /* HVX_TEST_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx selftest harness: every case runs once per device named in
 * HVX_TEST_DEVICES (default "/dev/hvx /dev/kvm"), so KVM is the oracle for
 * each behaviour.  Each run is a forked child with a time limit (60 s, or
 * HVX_TEST_TIMEOUT seconds) and reports one TAP line.  A device that is
 * absent, or a case that does not apply to it, is a SKIP, never a pass.
 *
 * This header is what every architecture shares; test-x86.h and
 * test-arm64.h, included at the end, hold the guest side (GUEST_CODE,
 * the ucall macros) and the host helpers that only make sense there.
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

/*
 * Runs @cases on each device: test_main() all of them, test_main_args()
 * those its command line names (--case NAME, --list, --help).  The exit
 * status is 1 if a case failed.
 */
int test_main(const struct test_case *cases, int nr);
int test_main_args(const struct test_case *cases, int nr, int argc,
		   char **argv);
int test_is_hvx(const char *dev);
void test_diag(const char *file, int line, const char *what);
void test_arm_timer(long usec);
void test_arm_timer_every(long usec);
/* Skip this case, saying why on its SKIP line: returns TEST_SKIP. */
int test_skip(const char *why);
/*
 * hvx only: every VM, vCPU, pinned page and stage-2 table page is gone
 * (HVX_GET_INFO's counters at 0), as a program's last case checks.
 */
int test_hvx_no_leaks(const char *dev);

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
int main(int argc, char **argv)						\
{									\
	return test_main_args(cases, ARRAY_SIZE(cases), argc, argv);	\
}

/*
 * A program whose cases are shared by every architecture lives in
 * selftests/common/ and ends with TEST_MAIN_SHARED(cases).  Its
 * architecture's file of the same name, if there is one, adds its own
 * cases with TEST_ARCH_CASES(cases); they run after the shared ones.
 */
extern const struct test_case *const test_arch_cases;
extern const int test_nr_arch_cases;

int test_main_shared(const struct test_case *cases, int nr, int argc,
		     char **argv);

#define TEST_MAIN_SHARED(cases)						\
int main(int argc, char **argv)						\
{									\
	return test_main_shared(cases, ARRAY_SIZE(cases), argc, argv);	\
}

#define TEST_ARCH_CASES(cases)						\
const struct test_case *const test_arch_cases = cases;			\
const int test_nr_arch_cases = ARRAY_SIZE(cases)

#define __TEST_STR(x)	#x
#define TEST_STR(x)	__TEST_STR(x)

/*
 * ucall: how guest code reports to the host, with a code and a 32-bit
 * argument: on x86 a 4-byte OUT to port UCALL_PORT, on arm64 an 8-byte
 * store to that port's MMIO address (test-arm64.h).  A guest assertion
 * sends UCALL_ASSERT with its source line and stops for good; the host
 * prints it as file:line, since a guest blob and the host code that runs
 * it live in the same file.
 */
#define UCALL_PORT	0xf0
#define UCALL_SYNC	0x5c
#define UCALL_DONE	0x600d
#define UCALL_ASSERT	0xa55e
#define UCALL_EXCEPTION	0xec	/* arm64: an exception nobody handled */

/* The direction of a port access: a store or a load on arm64. */
#define PORT_OUT	KVM_EXIT_IO_OUT
#define PORT_IN		KVM_EXIT_IO_IN

struct guest {
	struct vm vm;
	struct vcpu vcpu;
	enum guest_mode mode;
	const unsigned char *code;	/* the blob loaded at GUEST_CODE_GPA */
	uint32_t ucall_arg;		/* argument of the last ucall */
};

int guest_create(struct guest *g, const char *dev, enum guest_mode mode,
		 const unsigned char *start, const unsigned char *end);
/*
 * guest_create() in two steps, for a test that must change the VM before
 * its vCPU exists (KVM_CREATE_IRQCHIP): the VM, then vCPU 0 and the code.
 */
int guest_open(struct guest *g, const char *dev, enum guest_mode mode,
	       const unsigned char *start);
int guest_start(struct guest *g, const unsigned char *end);
void guest_destroy(struct guest *g);
int guest_run(struct guest *g);
int guest_expect_exit(struct guest *g, int reason);
int guest_ucall(struct guest *g, const char *file);
int guest_expect_ucall(struct guest *g, int code, uint32_t arg,
		       const char *file);
/*
 * Run to the next exit and check it is an MMIO access of @len bytes at
 * @gpa; a write must carry @data, a read is answered with @data.
 */
int guest_expect_mmio(struct guest *g, uint64_t gpa, int write, int len,
		      uint64_t data);
/* Say what the exit @r (or -errno) of the last KVM_RUN was. */
void guest_describe_exit(struct guest *g, int r, const char *wanted);

/*
 * Ports, on every architecture: x86 port I/O, or on arm64 an MMIO window
 * with one 8-byte slot per port (test-arm64.h).  guest_expect_port() runs
 * to the next exit and checks it is an access of @size bytes to @port in
 * direction @dir (PORT_OUT, PORT_IN); guest_port_data() is where the data
 * is, to read after an OUT, to fill in before the next run after an IN.
 */
int guest_expect_port(struct guest *g, int dir, int port, int size);
uint8_t *guest_port_data(struct guest *g);
/* Whether KVM_RUN's @r is an access to @port in direction @dir. */
int vcpu_exit_is_port(struct vcpu *vcpu, int r, int dir, int port);

/*
 * The guest stopping for good, GUEST_HALT: HLT on x86 (KVM_EXIT_HLT), a
 * store to HALT_PORT on arm64, whose WFI stays in the kernel.
 */
#define HALT_PORT	0xf4
int guest_expect_halt(struct guest *g);
int vcpu_exit_is_halt(struct vcpu *vcpu, int r);

/* The vCPU's first argument register: RDI on x86, X0 on arm64. */
int vcpu_set_arg0(struct vcpu *vcpu, uint64_t val);
/* An eventfd's count since the last read (0 if none: EFD_NONBLOCK). */
uint64_t eventfd_count(int efd);

/* Set up by the architecture: its part of guest_create(). */
int guest_arch_setup(struct guest *g);

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

/* The guest's next exit is its GUEST_HALT. */
#define EXPECT_HALT(g) do {						\
	if (!guest_expect_halt(g)) {					\
		test_diag(__FILE__, __LINE__, "the guest's halt");	\
		return TEST_FAIL;					\
	}								\
} while (0)

#define GUEST(g, dev, mode, name) do {					\
	int __r = guest_create(g, dev, mode, name##_start, name##_end);	\
	if (__r) {							\
		errno = -__r;						\
		test_diag(__FILE__, __LINE__, "guest_create");		\
		return TEST_FAIL;					\
	}								\
} while (0)

/*
 * The guests of a shared case, one per architecture, side by side:
 *
 *   GUEST_CODE_X86(name, GUEST_REAL, ".code16", "...x86 assembly...");
 *   GUEST_CODE_ARM64(name, GUEST_EL1, "...aarch64 assembly...");
 *
 * Each becomes the GUEST_CODE blob @name on its own architecture only,
 * with its mode; GUEST_START(g, dev, name) creates the guest in it.
 */
#if defined(__x86_64__)
#define GUEST_CODE_X86(name, mode, code16_32_64, body)			\
	static const enum guest_mode name##_mode = mode;	\
	GUEST_CODE(name, code16_32_64, body)
#define GUEST_CODE_ARM64(name, mode, body)				\
	extern const unsigned char name##_unused_arm64[]
#elif defined(__aarch64__)
#define GUEST_CODE_X86(name, mode, code16_32_64, body)			\
	extern const unsigned char name##_unused_x86[]
#define GUEST_CODE_ARM64(name, mode, body)				\
	static const enum guest_mode name##_mode = mode;	\
	GUEST_CODE(name, body)
#endif

#define GUEST_START(g, dev, name)	GUEST(g, dev, name##_mode, name)

#if defined(__aarch64__)
#include "test-arm64.h"
#else
#include "test-x86.h"
#endif

#endif /* HVX_TEST_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests of the in-kernel interrupt controllers' tests (irqchip_test,
 * split_irqchip_test, irqfd_test, pit_test): protected mode with flat
 * segments, so that the local APIC's page at 0xfee00000 is in reach, and
 * a value reported with a 4-byte OUT to VAL_PORT.  The controllers exist
 * before the vCPU, as KVM requires (api.rst 4.24 KVM_CREATE_IRQCHIP, 7.14
 * KVM_CAP_SPLIT_IRQCHIP, 4.49 KVM_CREATE_PIT2).
 */
#ifndef HVX_SELFTESTS_CHIP_GUEST_H
#define HVX_SELFTESTS_CHIP_GUEST_H

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

#define VAL_PORT	0x10
#define OUT_EAX		"out %eax, $" TEST_STR(VAL_PORT) "\n"
#define CHIP_PINS	24	/* the split irqchip's routes, as QEMU's */

/* What chip_guest() creates, in this order. */
#define CHIP_FULL	1	/* KVM_CREATE_IRQCHIP: PIC, I/O APIC, APICs */
#define CHIP_SPLIT	2	/* KVM_CAP_SPLIT_IRQCHIP: the APICs alone */
#define CHIP_PIT	4	/* KVM_CREATE_PIT2, speaker at port 0x61 */

static inline int chip_create(struct vm *vm, unsigned int chips)
{
	struct kvm_enable_cap split = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = CHIP_PINS,
	};
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if ((chips & CHIP_FULL) && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	if ((chips & CHIP_SPLIT) && ioctl(vm->fd, KVM_ENABLE_CAP, &split) < 0)
		return -errno;
	if ((chips & CHIP_PIT) && ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return -errno;
	return 0;
}

/* A protected-mode guest of [@start, @end) whose VM has @chips. */
static inline int chip_guest(struct guest *g, const char *dev,
			     unsigned int chips, const unsigned char *start,
			     const unsigned char *end)
{
	int r = guest_open(g, dev, GUEST_PROT, start);

	if (!r)
		r = chip_create(&g->vm, chips);
	return r ? r : guest_start(g, end);
}

#define CHIP_GUEST(g, dev, chips, name) do {				\
	int __r = chip_guest(g, dev, chips, name##_start, name##_end);	\
	if (__r) {							\
		errno = -__r;						\
		test_diag(__FILE__, __LINE__, "chip_guest");		\
		return TEST_FAIL;					\
	}								\
} while (0)

/* The guest's next exit is its OUT of a 32-bit value; *val gets it. */
static inline int expect_val(struct guest *g, uint32_t *val)
{
	if (!guest_expect_io(g, KVM_EXIT_IO_OUT, VAL_PORT, 4))
		return 0;
	memcpy(val, vcpu_io_data(&g->vcpu), 4);
	return 1;
}

/* The same, and the value is @want. */
static inline int expect_eq(struct guest *g, uint32_t want)
{
	uint32_t v = 0;

	if (!expect_val(g, &v))
		return 0;
	if (v != want)
		printf("# value %#x, wanted %#x\n", v, want);
	return v == want;
}

#define EXPECT_VAL(g, want)	EXPECT(expect_eq(g, (uint32_t)(want)))

#endif

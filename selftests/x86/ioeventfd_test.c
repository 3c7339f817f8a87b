// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd_test, x86 cases: KVM_IOEVENTFD_FLAG_PIO, ioeventfds on I/O
 * ports (the shared cases in common/ioeventfd_test.c use MMIO).
 */
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

static int ioev_pio(struct vm *vm, uint64_t port, uint32_t len, int fd,
		    uint32_t flags, uint64_t datamatch)
{
	struct kvm_ioeventfd args = {
		.datamatch = datamatch, .addr = port, .len = len, .fd = fd,
		.flags = flags | KVM_IOEVENTFD_FLAG_PIO,
	};

	return ioctl(vm->fd, KVM_IOEVENTFD, &args);
}

GUEST_CODE(pio, ".code16",
	"mov $0x300, %dx\n mov $0x12, %al\n out %al, %dx\n"	/* hit */
	"mov $0x1234, %ax\n out %ax, %dx\n"			/* exit */
	"mov $0x302, %dx\n mov $0xabcd, %ax\n out %ax, %dx\n"	/* hit */
	"mov $0xabce, %ax\n out %ax, %dx\n"			/* exit */
	"mov $0x304, %dx\n out %al, %dx\n out %ax, %dx\n"
	"out %eax, %dx\n"					/* 3 hits */
	"in %dx, %al\n"						/* exit */
	"mov $0x306, %dx\n out %al, %dx\n"			/* exit */
	GUEST_DONE);

/*
 * OUT to a registered port signals without an exit: a 1-byte wildcard
 * (a 2-byte OUT there exits), a 2-byte datamatch (another value exits),
 * length 0 (any size); IN still exits; an MMIO registration at a
 * number does not take an OUT to the port of that number.
 */
static int test_pio(const char *dev)
{
	int efd[3], mmio = eventfd(0, EFD_NONBLOCK), i;
	struct kvm_ioeventfd args = { .addr = 0x306, .len = 1, .fd = mmio };
	struct guest g;

	for (i = 0; i < 3; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		EXPECT(efd[i] >= 0);
	}
	EXPECT(mmio >= 0);
	GUEST(&g, dev, GUEST_REAL, pio);
	EXPECT(ioev_pio(&g.vm, 0x300, 1, efd[0], 0, 0) == 0);
	EXPECT(ioev_pio(&g.vm, 0x302, 2, efd[1],
			KVM_IOEVENTFD_FLAG_DATAMATCH, 0xabcd) == 0);
	EXPECT(ioev_pio(&g.vm, 0x304, 0, efd[2], 0, 0) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_IOEVENTFD, &args) == 0);
	/* Port and MMIO registrations at one number do not collide. */
	args.addr = 0x300;
	EXPECT(ioctl(g.vm.fd, KVM_IOEVENTFD, &args) == 0);
	EXPECT_ERRNO(ioev_pio(&g.vm, 0x300, 1, mmio, 0, 0), EEXIST);

	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x300, 2));
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x302, 2));
	EXPECT(*(uint16_t *)guest_port_data(&g) == 0xabce);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_IN, 0x304, 1));
	*guest_port_data(&g) = 0;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x306, 1));
	EXPECT_DONE(&g);
	EXPECT(eventfd_count(efd[0]) == 1);
	EXPECT(eventfd_count(efd[1]) == 1);
	EXPECT(eventfd_count(efd[2]) == 3);
	EXPECT(eventfd_count(mmio) == 0);
	guest_destroy(&g);
	for (i = 0; i < 3; i++)
		close(efd[i]);
	close(mmio);
	return TEST_PASS;
}

static const struct test_case x86_cases[] = {
	{ "pio_signal", test_pio },
};

TEST_ARCH_CASES(x86_cases);

// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd_test: KVM_IRQFD (api.rst 4.75), an eventfd whose write is an
 * interrupt on a GSI of the in-kernel irqchip: its errors, an MSI route
 * and a pin of the 8259A reached by writes from user space (one already
 * counted before the assign included), the deassign, and the eventfd
 * closed while assigned (the VM's fd closed after it, and the other way
 * round); a level-triggered irqfd (KVM_IRQFD_FLAG_RESAMPLE) on a pin of
 * the I/O APIC, its line lowered and its resamplefd signalled at the
 * guest's EOI.
 *
 * The guests run in protected mode; the handler reports its vector with
 * a 4-byte OUT to port 0x10.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <unistd.h>

#include "chip_guest.h"

#define MSI_GSI		40
#define MSI_VECTOR	0x50
#define PIC_VECTOR	0x23		/* IR3 at base 0x20 */
#define LEVEL_GSI	5		/* the I/O APIC's pin 5 */
#define LEVEL_VECTOR	0x45

static int irqfd(struct vm *vm, int fd, uint32_t gsi, uint32_t flags)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = gsi, .flags = flags };

	return ioctl(vm->fd, KVM_IRQFD, &a);
}

static int irqfd_resample(struct vm *vm, int fd, uint32_t gsi, int rfd)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = gsi, .resamplefd = rfd,
			       .flags = KVM_IRQFD_FLAG_RESAMPLE };

	return ioctl(vm->fd, KVM_IRQFD, &a);
}

/* The count in the non-blocking eventfd @fd, read (0: none). */
static uint64_t drain(int fd)
{
	uint64_t n = 0;

	return read(fd, &n, 8) == 8 ? n : 0;
}

static int kick(int efd)
{
	uint64_t one = 1;

	return write(efd, &one, 8) == 8 ? 0 : -1;
}

/*
 * The errors, as KVM's: no irqchip EINVAL; then a bad fd EBADF, a file
 * that is not an eventfd EINVAL, an unknown flag EINVAL, an eventfd twice
 * EBUSY (also on another GSI), a deassign of what is not there 0; with
 * KVM_IRQFD_FLAG_RESAMPLE a resamplefd that is no file EBADF, or no
 * eventfd EINVAL, and EINVAL with a split irqchip (KVM 6.1 resamples
 * only with the whole irqchip in the kernel).
 */
static int test_irqfd_errors(const char *dev)
{
	int efd = eventfd(0, EFD_CLOEXEC), nfd = open("/dev/null", O_RDONLY);
	struct vm vm;

	EXPECT(efd >= 0 && nfd >= 0);
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) == 1);
	EXPECT_ERRNO(irqfd(&vm, efd, 5, 0), EINVAL);
	EXPECT(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0) == 0);
	EXPECT_ERRNO(irqfd(&vm, -1, 5, 0), EBADF);
	EXPECT_ERRNO(irqfd(&vm, nfd, 5, 0), EINVAL);
	EXPECT_ERRNO(irqfd(&vm, efd, 5, 4), EINVAL);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_IRQFD, NULL), EFAULT);
	EXPECT(irqfd(&vm, efd, 5, 0) == 0);
	EXPECT_ERRNO(irqfd(&vm, efd, 5, 0), EBUSY);
	EXPECT_ERRNO(irqfd(&vm, efd, 6, 0), EBUSY);
	EXPECT(irqfd(&vm, efd, 6, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT(irqfd(&vm, efd, 5, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT(irqfd(&vm, efd, 5, 0) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE) == 1);
	EXPECT(irqfd(&vm, efd, 5, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT_ERRNO(irqfd_resample(&vm, efd, 7, -1), EBADF);
	EXPECT_ERRNO(irqfd_resample(&vm, efd, 7, nfd), EINVAL);
	vm_close(&vm);
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(chip_create(&vm, CHIP_SPLIT) == 0);
	EXPECT(irqfd(&vm, efd, 5, 0) == 0);
	EXPECT(irqfd(&vm, efd, 5, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT_ERRNO(irqfd_resample(&vm, efd, 5, efd), EINVAL);
	vm_close(&vm);
	close(efd);
	close(nfd);
	return TEST_PASS;
}

/*
 * GSI 40 routed to an MSI (vector 0x50, APIC 0), once the guest has
 * enabled its APIC (KVM drops a fixed interrupt to a software-disabled
 * one): a count the eventfd already had at the assign is one interrupt
 * at once; each write after
 * it is one more; after the deassign a write is none (the guest's next
 * report comes from KVM_SIGNAL_MSI).  Then the eventfd is closed while
 * assigned, before the VM is.
 */
GUEST_CODE(irqfd_msi32, ".code32",
	"movl $0x1ff, 0xfee000f0\n"
	"sti\n"
	GUEST_SYNC(1)
	"1: hlt\n jmp 1b\n"
	"irqfd_msi32_handler:\n"
	"mov $" TEST_STR(MSI_VECTOR) ", %eax\n" OUT_EAX
	"movl $0, 0xfee000b0\n iret\n");
GUEST_LABEL(irqfd_msi32_handler);

static int test_irqfd_msi(const char *dev)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} t = { .r.nr = 1 };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = MSI_VECTOR };
	int efd = eventfd(0, EFD_CLOEXEC);
	struct guest g;
	int i;

	EXPECT(efd >= 0);
	EXPECT(guest_open(&g, dev, GUEST_PROT, irqfd_msi32_start) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_CREATE_IRQCHIP, 0) == 0);
	EXPECT(guest_start(&g, irqfd_msi32_end) == 0);
	EXPECT(guest_set_handler(&g, MSI_VECTOR, irqfd_msi32_handler) == 0);
	t.e[0] = (struct kvm_irq_routing_entry) { .gsi = MSI_GSI,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = MSI_VECTOR } };
	EXPECT(ioctl(g.vm.fd, KVM_SET_GSI_ROUTING, &t) == 0);
	test_arm_timer(5000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(kick(efd) == 0);
	EXPECT(irqfd(&g.vm, efd, MSI_GSI, 0) == 0);
	EXPECT_VAL(&g, MSI_VECTOR);
	for (i = 0; i < 3; i++) {
		EXPECT(kick(efd) == 0);
		EXPECT_VAL(&g, MSI_VECTOR);
	}
	EXPECT(irqfd(&g.vm, efd, MSI_GSI, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT(kick(efd) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi) == 1);
	EXPECT_VAL(&g, MSI_VECTOR);
	/* The count the deassigned irqfd left stays in the eventfd. */
	{
		uint64_t n = 0;

		EXPECT(read(efd, &n, 8) == 8 && n == 1);
	}
	EXPECT(irqfd(&g.vm, efd, MSI_GSI, 0) == 0);
	close(efd);
	test_arm_timer(0);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * GSI 3 through the default routes to the 8259A's IR3 (the guest sets
 * it up as irqchip_test's pic case does) and the I/O APIC's masked pin 3:
 * one write, one vector 0x23.  The VM is closed first, the eventfd after.
 */
GUEST_CODE(irqfd_pic32, ".code32",
	"movl $0x1ff, 0xfee000f0\n movl $0x700, 0xfee00350\n"
	"mov $0x11, %al\n out %al, $0x20\n"
	"mov $0x20, %al\n out %al, $0x21\n"
	"mov $0x04, %al\n out %al, $0x21\n"
	"mov $0x01, %al\n out %al, $0x21\n"
	"mov $0xf7, %al\n out %al, $0x21\n"
	"sti\n"
	GUEST_SYNC(1)
	"1: hlt\n jmp 1b\n"
	"irqfd_pic32_handler:\n"
	"mov $" TEST_STR(PIC_VECTOR) ", %eax\n" OUT_EAX
	"mov $0x20, %al\n out %al, $0x20\n iret\n");
GUEST_LABEL(irqfd_pic32_handler);

static int test_irqfd_pic(const char *dev)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct guest g;

	EXPECT(efd >= 0);
	EXPECT(guest_open(&g, dev, GUEST_PROT, irqfd_pic32_start) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_CREATE_IRQCHIP, 0) == 0);
	EXPECT(guest_start(&g, irqfd_pic32_end) == 0);
	EXPECT(guest_set_handler(&g, PIC_VECTOR, irqfd_pic32_handler) == 0);
	test_arm_timer(5000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(irqfd(&g.vm, efd, 3, 0) == 0);
	EXPECT(kick(efd) == 0);
	EXPECT_VAL(&g, PIC_VECTOR);
	EXPECT(kick(efd) == 0);
	EXPECT_VAL(&g, PIC_VECTOR);
	test_arm_timer(0);
	guest_destroy(&g);
	EXPECT(kick(efd) == 0);		/* no VM behind it any more */
	close(efd);
	return TEST_PASS;
}

/*
 * A level-triggered irqfd on GSI 5, the I/O APIC's pin 5 programmed
 * level-triggered, vector 0x45, to APIC 0: the handler reports 0x45,
 * EOIs, then reports 0x46.  A write to the eventfd raises the line; the
 * resamplefd stays quiet until the EOI, then has a count of 1, and the
 * line is low (the I/O APIC's IRR bit and remote IRR clear), so no second
 * interrupt comes until the next write.  After the deassign a write
 * raises nothing.
 */
GUEST_CODE(irqfd_level32, ".code32",
	"movl $0x1ff, 0xfee000f0\n movl $0x10700, 0xfee00350\n"
	"movl $0x1a, 0xfec00000\n movl $0x8045, 0xfec00010\n"
	"movl $0x1b, 0xfec00000\n movl $0, 0xfec00010\n"
	"sti\n"
	GUEST_SYNC(1)
	"1: hlt\n jmp 1b\n"
	"irqfd_level32_handler:\n"
	"mov $" TEST_STR(LEVEL_VECTOR) ", %eax\n" OUT_EAX
	"movl $0, 0xfee000b0\n"
	"mov $" TEST_STR(LEVEL_VECTOR + 1) ", %eax\n" OUT_EAX
	"iret\n");
GUEST_LABEL(irqfd_level32_handler);

/* Pin 5 of the I/O APIC: its line (IRR bit) and remote IRR both low. */
static int pin5_idle(struct vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_IOAPIC };

	if (ioctl(vm->fd, KVM_GET_IRQCHIP, &c))
		return 0;
	return !(c.chip.ioapic.irr & (1u << LEVEL_GSI)) &&
	       !c.chip.ioapic.redirtbl[LEVEL_GSI].fields.remote_irr;
}

static int test_irqfd_resample(const char *dev)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct guest g;
	int i;

	EXPECT(efd >= 0 && rfd >= 0);
	CHIP_GUEST(&g, dev, CHIP_FULL, irqfd_level32);
	EXPECT(guest_set_handler(&g, LEVEL_VECTOR, irqfd_level32_handler) ==
	       0);
	test_arm_timer(5000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(irqfd_resample(&g.vm, efd, LEVEL_GSI, rfd) == 0);
	for (i = 0; i < 2; i++) {
		EXPECT(kick(efd) == 0);
		EXPECT_VAL(&g, LEVEL_VECTOR);
		EXPECT(drain(rfd) == 0);
		EXPECT_VAL(&g, LEVEL_VECTOR + 1);
		EXPECT(drain(rfd) == 1);
		EXPECT(pin5_idle(&g.vm));
	}
	EXPECT(irqfd(&g.vm, efd, LEVEL_GSI, KVM_IRQFD_FLAG_DEASSIGN) == 0);
	EXPECT(kick(efd) == 0);
	EXPECT(pin5_idle(&g.vm));
	test_arm_timer(0);
	guest_destroy(&g);
	close(efd);
	close(rfd);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "irqfd_errors", test_irqfd_errors },
	{ "irqfd_msi", test_irqfd_msi },
	{ "irqfd_pic", test_irqfd_pic },
	{ "irqfd_resample", test_irqfd_resample },
};

TEST_MAIN(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * pit_test: the in-kernel 8254 of KVM_CREATE_PIT2 (api.rst 4.49; Intel
 * 82C54 data sheet): its ioctls and their errors, a counter read through
 * the latch and the read-back command with port 0x61's gate, and counter
 * 0 as IRQ 0 through the in-kernel 8259A, periodic (mode 2, still ticking
 * while the vCPU is out in user space, and after a KVM_SET_PIT2 of the
 * state KVM_GET_PIT2 gave) and one-shot (mode 0, exactly one interrupt).
 *
 * The guests run in protected mode; each reports with a 4-byte OUT to
 * port 0x10.
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "chip_guest.h"

#define COUNT_GPA	0x3000
#define PIT_10MS	11932		/* 10 ms of 1.193182 MHz clocks */

#define OUT_AL		"movzbl %al, %eax\n" OUT_EAX
/* Halt until the handler counted @n interrupts (STI; HLT: no gap). */
#define WAIT_COUNT(n)							\
	"1: cli\n cmpl $" #n ", " TEST_STR(COUNT_GPA) "\n jae 2f\n"	\
	"sti\n hlt\n jmp 1b\n 2: sti\n"
/*
 * The master 8259A at vector 0x20 with IR0 alone unmasked, and LVT0 as
 * ExtINT (SDM 11.5.1) so that its INTR reaches the CPU.
 */
#define PIC_IR0_ONLY							\
	"movl $0x1ff, 0xfee000f0\n movl $0x700, 0xfee00350\n"		\
	"mov $0x11, %al\n out %al, $0x20\n"				\
	"mov $0x20, %al\n out %al, $0x21\n"				\
	"mov $0x04, %al\n out %al, $0x21\n"				\
	"mov $0x01, %al\n out %al, $0x21\n"				\
	"mov $0xfe, %al\n out %al, $0x21\n"
/* Counter 0, LSB then MSB, in @mode, loaded with @count. */
#define PIT0(mode, count)						\
	"mov $" #mode ", %al\n out %al, $0x43\n"			\
	"mov $(" #count " & 0xff), %al\n out %al, $0x40\n"		\
	"mov $(" #count " >> 8), %al\n out %al, $0x40\n"
#define IRQ0_HANDLER(name)						\
	#name ":\n incl " TEST_STR(COUNT_GPA) "\n"			\
	"push %eax\n mov $0x20, %al\n out %al, $0x20\n pop %eax\n iret\n"

static int pit_get(struct vm *vm, struct kvm_pit_state2 *s)
{
	return ioctl(vm->fd, KVM_GET_PIT2, s);
}

/*
 * The ioctls: the capabilities; KVM_GET/SET_PIT(2) ENXIO before
 * KVM_CREATE_PIT2, EEXIST for a second; after reset every counter has
 * the largest count (0x10000) and no mode (0xff), GATE high but on
 * counter 2; KVM_SET_PIT2 then KVM_GET_PIT2 gives back mode, count,
 * access and flags, and so does the older KVM_SET/GET_PIT.
 */
static int test_pit_create(const char *dev)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_pit_state2 s;
	struct kvm_pit_state old;
	struct vm vm;
	int i;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2) == 1);
	EXPECT_ERRNO(pit_get(&vm, &s), ENXIO);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_GET_PIT, &old), ENXIO);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_PIT2, NULL), EFAULT);
	EXPECT(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg) == 0);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), EEXIST);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_PIT, 0), EEXIST);
	EXPECT(pit_get(&vm, &s) == 0);
	for (i = 0; i < 3; i++) {
		EXPECT(s.channels[i].count == 0x10000);
		EXPECT(s.channels[i].mode == 0xff);
		EXPECT(s.channels[i].gate == (i != 2));
	}
	EXPECT(s.flags == 0);
	s.channels[1].mode = 2;
	s.channels[1].count = 1000;
	s.channels[1].rw_mode = 3;
	s.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	EXPECT(ioctl(vm.fd, KVM_SET_PIT2, &s) == 0);
	memset(&s, 0, sizeof(s));
	EXPECT(pit_get(&vm, &s) == 0);
	EXPECT(s.channels[1].mode == 2 && s.channels[1].count == 1000);
	EXPECT(s.channels[1].rw_mode == 3);
	EXPECT(s.flags == KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	EXPECT(ioctl(vm.fd, KVM_GET_PIT, &old) == 0);
	EXPECT(old.channels[1].count == 1000);
	old.channels[1].count = 0;		/* 0 loads 0x10000 */
	EXPECT(ioctl(vm.fd, KVM_SET_PIT, &old) == 0);
	EXPECT(pit_get(&vm, &s) == 0);
	EXPECT(s.channels[1].count == 0x10000);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * Counter 2 in mode 2 (control word 0xb4), GATE raised through port 0x61
 * (which reads it back in bit 0): two latched counts (control word 0x80)
 * a loop apart differ; the read-back command 0xe8 (SC 3, no count, the
 * status of counter 2) gives access 3, mode 2, binary.
 */
GUEST_CODE(pit_count32, ".code32",
	"mov $0xb4, %al\n out %al, $0x43\n"
	"mov $0xff, %al\n out %al, $0x42\n out %al, $0x42\n"
	"mov $0x01, %al\n out %al, $0x61\n"
	"in $0x61, %al\n and $0x03, %al\n" OUT_AL
	"mov $0x80, %al\n out %al, $0x43\n"
	"in $0x42, %al\n mov %al, %bl\n in $0x42, %al\n mov %al, %bh\n"
	"movzwl %bx, %eax\n" OUT_EAX
	"mov $20000, %ecx\n 1: pause\n loop 1b\n"
	"mov $0x80, %al\n out %al, $0x43\n"
	"in $0x42, %al\n mov %al, %bl\n in $0x42, %al\n mov %al, %bh\n"
	"movzwl %bx, %eax\n" OUT_EAX
	"mov $0xe8, %al\n out %al, $0x43\n in $0x42, %al\n" OUT_AL
	GUEST_DONE);

static int test_pit_counter(const char *dev)
{
	uint32_t gate = 0, c1 = 0, c2 = 0, status = 0;
	struct guest g;

	CHIP_GUEST(&g, dev, CHIP_PIT, pit_count32);
	test_arm_timer(5000000);
	EXPECT(expect_val(&g, &gate));
	EXPECT(expect_val(&g, &c1));
	EXPECT(expect_val(&g, &c2));
	EXPECT(expect_val(&g, &status));
	printf("# gate %#x, counts %#x then %#x, status %#x\n", gate, c1, c2,
	       status);
	EXPECT(gate == 1);
	EXPECT(c1 && c2 && c1 != c2);
	EXPECT((status & 0x3f) == 0x34);
	EXPECT_DONE(&g);
	test_arm_timer(0);
	return TEST_PASS;
}

/*
 * Mode 2 every 10 ms on IRQ 0: five interrupts; then, after 50 ms in
 * user space, more have come (the counter runs while no vCPU does); the
 * state round-trips through KVM_GET/SET_PIT2 and three more follow.
 */
GUEST_CODE(pit_periodic32, ".code32",
	PIC_IR0_ONLY
	PIT0(0x34, 11932)
	"sti\n"
	WAIT_COUNT(5)
	GUEST_SYNC(1)
	"mov " TEST_STR(COUNT_GPA) ", %eax\n" OUT_EAX
	"movl $0, " TEST_STR(COUNT_GPA) "\n"
	WAIT_COUNT(3)
	GUEST_DONE
	IRQ0_HANDLER(pit_periodic32_irq0));
GUEST_LABEL(pit_periodic32_irq0);

static int test_pit_periodic(const char *dev)
{
	struct kvm_pit_state2 s;
	struct guest g;
	uint32_t n = 0;

	CHIP_GUEST(&g, dev, CHIP_FULL | CHIP_PIT, pit_periodic32);
	EXPECT(guest_set_handler(&g, 0x20, pit_periodic32_irq0) == 0);
	test_arm_timer(10000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(pit_get(&g.vm, &s) == 0);
	EXPECT(s.channels[0].mode == 2 && s.channels[0].count == PIT_10MS);
	usleep(50000);
	EXPECT(expect_val(&g, &n));
	printf("# %u interrupts by the time the vCPU ran again\n", n);
	EXPECT(n > 5);
	EXPECT(pit_get(&g.vm, &s) == 0);
	EXPECT(ioctl(g.vm.fd, KVM_SET_PIT2, &s) == 0);
	EXPECT_DONE(&g);
	test_arm_timer(0);
	return TEST_PASS;
}

/* Mode 0 (interrupt on terminal count): one interrupt, never another. */
GUEST_CODE(pit_oneshot32, ".code32",
	PIC_IR0_ONLY
	PIT0(0x30, 1193)
	"sti\n"
	WAIT_COUNT(1)
	GUEST_SYNC(1)
	"mov " TEST_STR(COUNT_GPA) ", %eax\n" OUT_EAX
	GUEST_DONE
	IRQ0_HANDLER(pit_oneshot32_irq0));
GUEST_LABEL(pit_oneshot32_irq0);

static int test_pit_oneshot(const char *dev)
{
	struct guest g;
	uint32_t n = 0;

	CHIP_GUEST(&g, dev, CHIP_FULL | CHIP_PIT, pit_oneshot32);
	EXPECT(guest_set_handler(&g, 0x20, pit_oneshot32_irq0) == 0);
	test_arm_timer(10000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	usleep(30000);
	EXPECT(expect_val(&g, &n));
	EXPECT(n == 1);
	EXPECT_DONE(&g);
	test_arm_timer(0);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "pit_create", test_pit_create },
	{ "pit_counter", test_pit_counter },
	{ "pit_periodic", test_pit_periodic },
	{ "pit_oneshot", test_pit_oneshot },
};

TEST_MAIN(cases)

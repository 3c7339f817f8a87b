// SPDX-License-Identifier: GPL-2.0
/*
 * irq_test: interrupts with the interrupt controller in user space, as
 * with KVM without KVM_CREATE_IRQCHIP (Documentation/virt/kvm/api.rst:
 * KVM_INTERRUPT, KVM_NMI, request_interrupt_window,
 * ready_for_interrupt_injection, if_flag, cr8, apic_base).
 *
 * The guests take their interrupts on a stack page nothing has touched
 * yet, so the delivery itself meets a stage-2 fault: the exit cuts it
 * short and the interrupt must be delivered again, once (exit_int_info,
 * IDT-vectoring information).
 *
 * Handlers report first and check after: QEMU 7.2 delivers an EVENTINJ
 * external interrupt inside VMRUN but leaves it as the CPU's pending
 * exception, so a TCG exit request before the guest's next exit delivers
 * it a second time (kvm-amd injects the same way).  The sooner the
 * handler exits, the smaller that window; a frame that is not the one
 * expected is printed (RDX) to tell that case apart.
 */
#include <sys/ioctl.h>

#include "../lib/test.h"

static int irq_inject(struct guest *g, uint32_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return ioctl(g->vcpu.fd, KVM_INTERRUPT, &irq);
}

static int get_sregs(struct guest *g, struct kvm_sregs *s)
{
	return ioctl(g->vcpu.fd, KVM_GET_SREGS, s);
}

static int set_sregs(struct guest *g, const struct kvm_sregs *s)
{
	return ioctl(g->vcpu.fd, KVM_SET_SREGS, s);
}

/* The vectors set in interrupt_bitmap: how many, and the last one. */
static int bitmap_count(const struct kvm_sregs *s, int *vector)
{
	int i, n = 0;

	for (i = 0; i < 256; i++) {
		if (s->interrupt_bitmap[i / 64] & (1ULL << (i % 64))) {
			*vector = i;
			n++;
		}
	}
	return n;
}

/* Let the guest take interrupts from its first instruction. */
static int set_if(struct guest *g)
{
	struct kvm_regs r;

	if (vcpu_get_regs(&g->vcpu, &r))
		return -1;
	r.rflags |= 0x200;
	return vcpu_set_regs(&g->vcpu, &r);
}

static uint64_t guest_rip(struct guest *g)
{
	struct kvm_regs r;

	return vcpu_get_regs(&g->vcpu, &r) ? 0 : r.rip;
}

/*
 * Real mode: STI; HLT stops with interrupts enabled (KVM_EXIT_HLT, the
 * shadow over once HLT is done), KVM_INTERRUPT delivers the vector
 * through the IVT, with the return address past the HLT, and the handler
 * runs with IF clear.
 */
GUEST_CODE(irq16, ".code16",
	"mov $0x5000, %sp\n"
	"sti\n hlt\n"
	"irq16_ret:\n"
	"mov (0x3000), %cx\n"
	GUEST_ASSERT_EQ("%cx", 1)
	GUEST_DONE
	"irq16_handler:\n"
	GUEST_SYNC(0x21)
	"incw (0x3000)\n"
	"pop %dx\n push %dx\n"
	GUEST_ASSERT_EQ("%dx", irq16_ret - irq16_start + GUEST_CODE_GPA)
	"iret\n");
GUEST_LABEL(irq16_handler);

static int test_irq_real(const char *dev)
{
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, irq16);
	run = g.vcpu.run;
	EXPECT(guest_set_handler(&g, 0x21, irq16_handler) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	EXPECT(run->if_flag == 1);
	EXPECT(run->ready_for_interrupt_injection == 1);
	EXPECT(irq_inject(&g, 0x21) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 0x21);
	EXPECT(run->if_flag == 0);
	EXPECT(run->ready_for_interrupt_injection == 0);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * Long mode: the same through a 64-bit interrupt gate; the frame holds
 * the return RIP and RFLAGS with IF set, and no error code.
 */
GUEST_CODE(irq64, ".code64",
	"mov $0x5000, %rsp\n"
	"sti\n hlt\n"
	"irq64_ret:\n"
	"cmpl $1, (0x3000)\n"
	GUEST_ASSERT("je")
	GUEST_DONE
	"irq64_handler:\n"
	GUEST_SYNC(0x40)
	"incl (0x3000)\n"
	"lea irq64_ret(%rip), %rcx\n"
	"mov (%rsp), %rdx\n"
	"cmp %rcx, %rdx\n"
	GUEST_ASSERT("je")
	"testl $0x200, 16(%rsp)\n"
	GUEST_ASSERT("jnz")
	"iretq\n");
GUEST_LABEL(irq64_handler);

static int test_irq_long(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, irq64);
	EXPECT(guest_set_handler(&g, 0x40, irq64_handler) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	EXPECT(g.vcpu.run->ready_for_interrupt_injection == 1);
	EXPECT(irq_inject(&g, 0x40) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 0x40);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * request_interrupt_window with IF clear: the guest runs on, and the vCPU
 * exits with KVM_EXIT_IRQ_WINDOW_OPEN once STI and the instruction in its
 * shadow are done, before the next one.
 */
GUEST_CODE(win16, ".code16",
	"mov $0x5000, %sp\n"
	"cli\n"
	"out %al, $0x10\n"
	"mov $100, %cx\n 1: loop 1b\n"
	"sti\n nop\n"
	"win16_open:\n"
	"out %al, $0x11\n"
	"hlt\n"
	"win16_handler:\n"
	GUEST_SYNC(0x22)
	"iret\n");
GUEST_LABEL(win16_handler);
GUEST_LABEL(win16_open);

static int test_irq_window(const char *dev)
{
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, win16);
	run = g.vcpu.run;
	EXPECT(guest_set_handler(&g, 0x22, win16_handler) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 1));
	EXPECT(run->if_flag == 0);
	EXPECT(run->ready_for_interrupt_injection == 0);
	run->request_interrupt_window = 1;
	EXPECT_EXIT(&g, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT(run->if_flag == 1);
	EXPECT(run->ready_for_interrupt_injection == 1);
	EXPECT(guest_rip(&g) == GUEST_CODE_GPA + (uint64_t)(win16_open -
							   win16_start));
	EXPECT(irq_inject(&g, 0x22) == 0);
	run->request_interrupt_window = 0;
	EXPECT_UCALL(&g, UCALL_SYNC, 0x22);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x11, 1));
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

/*
 * request_interrupt_window when the guest can take an interrupt already:
 * KVM_EXIT_IRQ_WINDOW_OPEN before the guest runs an instruction.
 */
GUEST_CODE(now16, ".code16",
	"sti\n hlt\n"
	"out %al, $0x12\n"
	"hlt\n");

static int test_irq_window_now(const char *dev)
{
	struct kvm_run *run;
	struct guest g;
	uint64_t rip;

	GUEST(&g, dev, GUEST_REAL, now16);
	run = g.vcpu.run;
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	rip = guest_rip(&g);
	run->request_interrupt_window = 1;
	EXPECT_EXIT(&g, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT(guest_rip(&g) == rip);
	EXPECT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1);
	run->request_interrupt_window = 0;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x12, 1));
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

/*
 * KVM_INTERRUPT and request_interrupt_window in the same KVM_RUN, as a
 * user-space PIC does with a second interrupt pending: the interrupt is
 * delivered, and KVM_EXIT_IRQ_WINDOW_OPEN comes once its handler's IRET
 * has set IF again, before the next instruction, though the handler
 * itself never exits.  The guest touches the IVT entry, its stack and
 * its counter first, so that no nested page fault exits on the way.
 */
GUEST_CODE(both16, ".code16",
	"mov $0x5000, %sp\n"
	"mov (0x23 * 4), %ax\n"
	"movw $0, (0x3000)\n"
	"push %ax\n pop %ax\n"
	"sti\n hlt\n"
	"both16_ret:\n"
	"mov $100, %cx\n 1: loop 1b\n"
	"mov (0x3000), %ax\n"
	"out %ax, $0x13\n"
	"hlt\n"
	"both16_handler:\n"
	"incw (0x3000)\n"
	"iret\n");
GUEST_LABEL(both16_handler);
GUEST_LABEL(both16_ret);

static int test_irq_and_window(const char *dev)
{
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, both16);
	run = g.vcpu.run;
	EXPECT(guest_set_handler(&g, 0x23, both16_handler) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	EXPECT(run->ready_for_interrupt_injection == 1);
	EXPECT(irq_inject(&g, 0x23) == 0);
	run->request_interrupt_window = 1;
	EXPECT_EXIT(&g, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1);
	EXPECT(guest_rip(&g) == GUEST_CODE_GPA + (uint64_t)(both16_ret -
							   both16_start));
	run->request_interrupt_window = 0;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x13, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 1);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	return TEST_PASS;
}

/* Each handler reports its vector; the guest counts deliveries. */
GUEST_CODE(two16, ".code16",
	"mov $0x5000, %sp\n"
	"nop\n"
	"mov (0x3000), %cx\n"
	GUEST_ASSERT_EQ("%cx", 1)
	GUEST_DONE
	"two16_a:\n"
	GUEST_SYNC(0x30)
	"incw (0x3000)\n"
	"iret\n"
	"two16_b:\n"
	GUEST_SYNC(0x31)
	"incw (0x3000)\n"
	"iret\n");
GUEST_LABEL(two16_a);
GUEST_LABEL(two16_b);

/*
 * Bad requests, and a second KVM_INTERRUPT while one waits.  api.rst
 * documents EEXIST for that, which hvx answers, keeping the first; KVM
 * 6.1 without an irqchip replaces the first and answers 0.  Either way
 * one interrupt is delivered, the one the device kept, and
 * interrupt_bitmap shows it while it waits.
 */
static int test_irq_errors(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;
	int vec = -1, r;

	GUEST(&g, dev, GUEST_REAL, two16);
	EXPECT(ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI) == 1);
	EXPECT_ERRNO(irq_inject(&g, 256), EINVAL);
	EXPECT_ERRNO(irq_inject(&g, 0xffffffff), EINVAL);
	EXPECT(get_sregs(&g, &s) == 0 && bitmap_count(&s, &vec) == 0);
	EXPECT(guest_set_handler(&g, 0x30, two16_a) == 0);
	EXPECT(guest_set_handler(&g, 0x31, two16_b) == 0);
	EXPECT(set_if(&g) == 0);
	EXPECT(irq_inject(&g, 0x30) == 0);
	EXPECT(get_sregs(&g, &s) == 0);
	EXPECT(bitmap_count(&s, &vec) == 1 && vec == 0x30);
	errno = 0;
	r = irq_inject(&g, 0x31);
	if (test_is_hvx(dev)) {
		EXPECT(r == -1 && errno == EEXIST);
		vec = 0x30;
	} else {
		EXPECT(r == 0);
		vec = 0x31;
	}
	EXPECT_UCALL(&g, UCALL_SYNC, vec);
	EXPECT(get_sregs(&g, &s) == 0 && bitmap_count(&s, &vec) == 0);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * KVM_SET_SREGS queues the vector of interrupt_bitmap; a GET/SET round
 * trip with one waiting delivers it once, not twice.
 */
static int test_irq_sregs_bitmap(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;
	int vec = -1;

	GUEST(&g, dev, GUEST_REAL, two16);
	EXPECT(guest_set_handler(&g, 0x31, two16_b) == 0);
	EXPECT(set_if(&g) == 0);
	EXPECT(get_sregs(&g, &s) == 0);
	s.interrupt_bitmap[0x31 / 64] |= 1ULL << (0x31 % 64);
	EXPECT(set_sregs(&g, &s) == 0);
	EXPECT(get_sregs(&g, &s) == 0);
	EXPECT(bitmap_count(&s, &vec) == 1 && vec == 0x31);
	EXPECT(set_sregs(&g, &s) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 0x31);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * NMIs: delivered with IF clear, blocked from the handler's start until
 * its IRET (an NMI that comes meanwhile is taken right after the IRET,
 * never nested), and at most two kept: three KVM_NMI in a row give two.
 * The handler reports the running count on port 0x12; it asserts that no
 * NMI arrives while it runs.
 */
GUEST_CODE(nmi16, ".code16",
	"mov $0x5000, %sp\n"
	"cli\n"
	"out %al, $0x10\n"
	"mov (0x3000), %cx\n"
	GUEST_ASSERT_EQ("%cx", 2)
	"out %al, $0x13\n"
	"mov (0x3000), %cx\n"
	GUEST_ASSERT_EQ("%cx", 4)
	"mov $1000, %cx\n 1: loop 1b\n"
	"mov (0x3000), %ax\n"
	"out %ax, $0x14\n"
	GUEST_DONE
	"nmi16_handler:\n"
	"cmpb $0, (0x3002)\n"
	GUEST_ASSERT("je")
	"movb $1, (0x3002)\n"
	"incw (0x3000)\n"
	"mov (0x3000), %ax\n"
	"out %ax, $0x12\n"
	"movb $0, (0x3002)\n"
	"iret\n");
GUEST_LABEL(nmi16_handler);

static int expect_nmi_count(struct guest *g, int port, uint16_t count)
{
	if (!guest_expect_io(g, KVM_EXIT_IO_OUT, port, 2))
		return 0;
	if (*(uint16_t *)vcpu_io_data(&g->vcpu) != count) {
		printf("# NMI count %u, wanted %u\n",
		       *(uint16_t *)vcpu_io_data(&g->vcpu), count);
		return 0;
	}
	return 1;
}

static int test_nmi(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, nmi16);
	EXPECT(guest_set_handler(&g, 2, nmi16_handler) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 1));
	EXPECT(ioctl(g.vcpu.fd, KVM_NMI) == 0);
	EXPECT(expect_nmi_count(&g, 0x12, 1));
	EXPECT(g.vcpu.run->if_flag == 0);
	/* In the handler: this one waits for its IRET. */
	EXPECT(ioctl(g.vcpu.fd, KVM_NMI) == 0);
	EXPECT(expect_nmi_count(&g, 0x12, 2));
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x13, 1));
	EXPECT(ioctl(g.vcpu.fd, KVM_NMI) == 0);
	EXPECT(ioctl(g.vcpu.fd, KVM_NMI) == 0);
	EXPECT(ioctl(g.vcpu.fd, KVM_NMI) == 0);
	EXPECT(expect_nmi_count(&g, 0x12, 3));
	EXPECT(expect_nmi_count(&g, 0x12, 4));
	EXPECT(expect_nmi_count(&g, 0x14, 4));
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * kvm_run.cr8 and apic_base on each exit: CR8 as the guest wrote it (each
 * write a raise, which KVM keeps in the kernel; a lower one would be
 * KVM_EXIT_SET_TPR there), the APIC base as KVM_SET_SREGS set it.  Not
 * tested: the guest's view of a CR8 set by KVM_SET_SREGS, which kvm-amd
 * 6.1 without an irqchip loses (the guest reads its own last value).
 */
GUEST_CODE(cr8, ".code64",
	"mov $5, %eax\n mov %rax, %cr8\n"
	"out %al, $0x10\n"
	"mov %cr8, %rax\n"
	"out %al, $0x11\n"
	"mov $7, %eax\n mov %rax, %cr8\n"
	"hlt\n");

static int test_cr8_apic_base(const char *dev)
{
	struct kvm_run *run;
	struct kvm_sregs s;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, cr8);
	run = g.vcpu.run;
	EXPECT(get_sregs(&g, &s) == 0);
	s.apic_base = 0xfee00900;
	EXPECT(set_sregs(&g, &s) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 1));
	EXPECT(run->cr8 == 5);
	EXPECT(run->apic_base == 0xfee00900);
	EXPECT(get_sregs(&g, &s) == 0 && s.cr8 == 5);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x11, 1));
	EXPECT(*vcpu_io_data(&g.vcpu) == 5);
	EXPECT_EXIT(&g, KVM_EXIT_HLT);
	EXPECT(run->cr8 == 7 && run->apic_base == 0xfee00900);
	EXPECT(get_sregs(&g, &s) == 0 && s.cr8 == 7);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "irq_real_mode", test_irq_real },
	{ "irq_long_mode", test_irq_long },
	{ "irq_window", test_irq_window },
	{ "irq_window_open_now", test_irq_window_now },
	{ "irq_and_window", test_irq_and_window },
	{ "irq_errors", test_irq_errors },
	{ "irq_sregs_bitmap", test_irq_sregs_bitmap },
	{ "nmi_blocking", test_nmi },
	{ "cr8_apic_base", test_cr8_apic_base },
};

TEST_MAIN(cases)

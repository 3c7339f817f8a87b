// SPDX-License-Identifier: GPL-2.0
/*
 * timer_test: the guest's EL1 physical timer (Arm ARM D11.2, CNTP_CTL_EL0,
 * CNTP_CVAL_EL0, CNTP_TVAL_EL0), its PPI 30 through the in-kernel GICv3,
 * and the vCPU attributes KVM_ARM_VCPU_TIMER_CTRL
 * (Documentation/virt/kvm/devices/vcpu.rst) with KVM_CAP_VCPU_ATTRIBUTES.
 */
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../lib/test.h"

#define DIST_GPA	0x08000000ull
#define REDIST_GPA	0x080a0000ull
#define PTIMER_PPI	30

/* A GIC at QEMU virt's addresses, initialised: its fd, or -1. */
static int gic_setup(struct guest *g)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = DIST_GPA, redist = REDIST_GPA;

	if (ioctl(g->vm.fd, KVM_CREATE_DEVICE, &cd) ||
	    test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
	    test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return -1;
	return cd.fd;
}

/*
 * The registers (D11.2.4): CVAL reads back; TVAL reads CVAL - CNTPCT
 * (here between 0 and the 10^6 ticks just written); ISTATUS reads one
 * once CNTPCT >= CVAL with the timer enabled, masked or not; IMASK and
 * ENABLE read back (with ENABLE clear ISTATUS is UNKNOWN).
 */
GUEST_CODE(ptimer_regs,
	"mov x0, #0x1234\n msr cntp_cval_el0, x0\n isb\n"
	"mrs x1, cntp_cval_el0\n"
	"ldr x0, =1000000\n msr cntp_tval_el0, x0\n isb\n"
	"mrs x2, cntp_tval_el0\n"
	"msr cntp_cval_el0, xzr\n"
	"mov x0, #3\n msr cntp_ctl_el0, x0\n isb\n"	/* ENABLE, IMASK */
	"mrs x3, cntp_ctl_el0\n"
	"msr cntp_ctl_el0, xzr\n isb\n"
	"mrs x4, cntp_ctl_el0\n"
	GUEST_DONE);

static int test_ptimer_regs(const char *dev)
{
	struct guest g;
	uint64_t tval;

	GUEST(&g, dev, GUEST_EL1, ptimer_regs);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(1)) == 0x1234);
	tval = guest_reg(&g, REG_X(2));
	EXPECT(tval > 0 && tval <= 1000000);
	EXPECT(guest_reg(&g, REG_X(3)) == 7);	/* ISTATUS, IMASK, ENABLE */
	EXPECT((guest_reg(&g, REG_X(4)) & 3) == 0);	/* ISTATUS: UNKNOWN */
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * PPI 30 enabled, the timer 2 ms ahead: the guest's handler takes it
 * (ICC_IAR1_EL1 reads 30), masks the timer and ends it.  @wfi: the guest
 * waits in WFI (the vCPU sleeps in the kernel until the deadline), else
 * it spins.
 */
#define PTIMER_GUEST(wait)						\
	"ldr x20, =" TEST_STR(DIST_GPA) "\n"				\
	"ldr x21, =" TEST_STR(REDIST_GPA) "\n"				\
	"add x22, x21, #0x10000\n"					\
	"mov x0, #0xff\n msr S3_0_C4_C6_0, x0\n"			\
	"mov x0, #1\n msr S3_0_C12_C12_7, x0\n isb\n"			\
	"mov w0, #2\n str w0, [x20]\n"					\
	"mov w0, #(1 << 30)\n str w0, [x22, #0x100]\n"			\
	"mov x18, #0\n mov x19, #0\n"					\
	"mrs x0, cntfrq_el0\n mov x1, #500\n udiv x0, x0, x1\n"	\
	"msr cntp_tval_el0, x0\n"					\
	"mov x0, #1\n msr cntp_ctl_el0, x0\n isb\n"			\
	"msr daifclr, #2\n"						\
	"1: " wait "cbz x18, 1b\n"					\
	"msr daifset, #2\n"						\
	GUEST_DONE

#define PTIMER_HANDLER(name)						\
	#name ":\n"							\
	"mrs x19, S3_0_C12_C12_0\n"					\
	"mov x0, #3\n msr cntp_ctl_el0, x0\n isb\n"			\
	"msr S3_0_C12_C12_1, x19\n isb\n"				\
	"add x18, x18, #1\n"						\
	"eret\n"

GUEST_LABEL(ptimer_spin_handler);
GUEST_CODE(ptimer_spin, PTIMER_GUEST("")
	PTIMER_HANDLER(ptimer_spin_handler));
GUEST_LABEL(ptimer_wfi_handler);
GUEST_CODE(ptimer_wfi, PTIMER_GUEST("wfi\n")
	PTIMER_HANDLER(ptimer_wfi_handler));

static int run_ptimer_irq(const char *dev, const unsigned char *start,
			  const unsigned char *end,
			  const unsigned char *handler)
{
	struct guest g;
	int fd;

	EXPECT(guest_create(&g, dev, GUEST_EL1, start, end) == 0);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(19)) == PTIMER_PPI);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_ptimer_irq(const char *dev)
{
	EXPECT(run_ptimer_irq(dev, ptimer_spin_start, ptimer_spin_end,
			      ptimer_spin_handler) == TEST_PASS);
	EXPECT(run_ptimer_irq(dev, ptimer_wfi_start, ptimer_wfi_end,
			      ptimer_wfi_handler) == TEST_PASS);
	return TEST_PASS;
}

GUEST_CODE(timer_idle, GUEST_DONE);

/*
 * KVM_ARM_VCPU_TIMER_CTRL: the PPIs read 27 and 30 by default; another
 * PPI may be set before the first run with an in-kernel GIC (EINVAL
 * without one, or for an SGI or SPI), not after it (EBUSY); other
 * attributes and groups ENXIO.
 */
static int test_timer_attrs(const char *dev)
{
	struct guest g;
	int irq, fd;

	GUEST(&g, dev, GUEST_EL1, timer_idle);
	EXPECT(ioctl(g.vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_ATTRIBUTES) ==
	       1);
	EXPECT(test_device_attr(g.vcpu.fd, KVM_HAS_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL,
			KVM_ARM_VCPU_TIMER_IRQ_PTIMER, NULL) == 0);
	EXPECT_ERRNO(test_device_attr(g.vcpu.fd, KVM_HAS_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL, 7, NULL), ENXIO);
	EXPECT_ERRNO(test_device_attr(g.vcpu.fd, KVM_HAS_DEVICE_ATTR, 0x77, 0, NULL),
		     ENXIO);
	EXPECT(test_device_attr(g.vcpu.fd, KVM_GET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL,
			KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &irq) == 0);
	EXPECT(irq == 27);
	EXPECT(test_device_attr(g.vcpu.fd, KVM_GET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL,
			KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq) == 0);
	EXPECT(irq == PTIMER_PPI);
	irq = 29;
	EXPECT_ERRNO(test_device_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL,
			      KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq), EINVAL);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	irq = 40;
	EXPECT_ERRNO(test_device_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL,
			      KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq), EINVAL);
	irq = 29;
	EXPECT(test_device_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL,
			KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq) == 0);
	irq = 0;
	EXPECT(test_device_attr(g.vcpu.fd, KVM_GET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL,
			KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq) == 0);
	EXPECT(irq == 29);
	EXPECT_DONE(&g);
	irq = 28;
	EXPECT_ERRNO(test_device_attr(g.vcpu.fd, KVM_SET_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL,
			      KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &irq), EBUSY);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "timer_ptimer_regs", test_ptimer_regs },
	{ "timer_ptimer_irq", test_ptimer_irq },
	{ "timer_attrs", test_timer_attrs },
};

TEST_MAIN(cases);

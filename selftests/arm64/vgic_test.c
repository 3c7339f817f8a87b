// SPDX-License-Identifier: GPL-2.0
/*
 * vgic_test: the in-kernel virtual GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3,
 * Documentation/virt/kvm/devices/arm-vgic-v3.rst; Arm GIC Architecture
 * Specification IHI 0069).
 *
 * The device and its attributes with KVM's errors; the distributor and
 * redistributor registers as a guest sees them; interrupts taken by a
 * guest's handler, which acknowledges them with ICC_IAR1_EL1 and ends them
 * with ICC_EOIR1_EL1 on the virtual CPU interface: an SPI raised with
 * KVM_IRQ_LINE by another thread while the guest spins, the virtual
 * timer's PPI 27 interrupting a spinning guest, an SGI the guest sends
 * itself through ICC_SGI1R_EL1.
 *
 * The windows sit where QEMU's virt machine puts them: the distributor at
 * 0x08000000, the redistributors at 0x080a0000.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../lib/test.h"

#define DIST_GPA	0x08000000ull
#define REDIST_GPA	0x080a0000ull
#define SPI_INTID	40

static int gic_create(struct guest *g, uint32_t flags)
{
	struct kvm_create_device cd = {
		.type = KVM_DEV_TYPE_ARM_VGIC_V3,
		.flags = flags,
	};

	if (ioctl(g->vm.fd, KVM_CREATE_DEVICE, &cd))
		return -1;
	return cd.fd;
}

static int gic_set_addr(int fd, uint64_t type, uint64_t addr)
{
	return test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			type, &addr);
}

/* A GIC at the usual place, initialised: its fd, or -1. */
static int gic_setup(struct guest *g)
{
	int fd = gic_create(g, 0);

	if (fd < 0 ||
	    gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_GPA) ||
	    gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, REDIST_GPA) ||
	    test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return -1;
	return fd;
}

GUEST_CODE(vgic_idle, GUEST_DONE);

/*
 * KVM_CREATE_DEVICE: the capabilities, KVM_CREATE_DEVICE_TEST, a type
 * the host cannot emulate (GICv2 on a GICv3 without its compatibility
 * interface: ENODEV), one GIC per VM (EEXIST), none once a vCPU ran
 * (EBUSY).  KVM ignores unknown flag bits (kvm_ioctl_create_device()
 * looks only at KVM_CREATE_DEVICE_TEST); hvx refuses them with EINVAL.
 */
static int test_create(const char *dev)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V2 };
	struct guest g, g2;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_idle);
	EXPECT(ioctl(g.vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL) == 1);
	EXPECT(ioctl(g.vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) == 1);
	EXPECT(gic_create(&g, KVM_CREATE_DEVICE_TEST) == 0);
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_CREATE_DEVICE, &cd), ENODEV);
	cd.type = 0x7fff;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_CREATE_DEVICE, &cd), ENODEV);
	if (test_is_hvx(dev))
		EXPECT_ERRNO(gic_create(&g, KVM_CREATE_DEVICE_TEST | 2),
			     EINVAL);
	else
		EXPECT(gic_create(&g, KVM_CREATE_DEVICE_TEST | 2) == 0);
	fd = gic_create(&g, 0);
	EXPECT(fd >= 0);
	EXPECT_ERRNO(gic_create(&g, 0), EEXIST);
	EXPECT(gic_create(&g, KVM_CREATE_DEVICE_TEST) == 0);
	close(fd);

	GUEST(&g2, dev, GUEST_EL1, vgic_idle);
	EXPECT_DONE(&g2);
	EXPECT_ERRNO(gic_create(&g2, 0), EBUSY);
	guest_destroy(&g2);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * KVM_DEV_ARM_VGIC_GRP_ADDR: 64 KiB aligned (EINVAL), inside the IPA
 * space (E2BIG), once (EEXIST), the redistributors not over the
 * distributor (EINVAL); read back.  NR_IRQS: 64 to 1023, a multiple of
 * 32 (EINVAL), once (EBUSY).  Unknown groups and attributes: ENXIO.
 * A vCPU after CTRL_INIT: EBUSY.
 */
static int test_attrs(const char *dev)
{
	uint64_t addr, big = 1ull << 40;	/* the default IPA size */
	uint32_t n;
	struct guest g;
	struct vcpu vcpu2;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_idle);
	fd = gic_create(&g, 0);
	EXPECT(fd >= 0);
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_DIST, &addr) == 0);
	EXPECT(addr == ~0ull);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST,
				  DIST_GPA + 0x1000), EINVAL);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, big), E2BIG);
	EXPECT(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_GPA) == 0);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_GPA),
		     EEXIST);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, DIST_GPA),
		     EINVAL);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				  REDIST_GPA + 0x8000), EINVAL);
	EXPECT(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, REDIST_GPA) == 0);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				  REDIST_GPA + 0x100000), EEXIST);
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_REDIST, &addr) == 0);
	EXPECT(addr == REDIST_GPA);
	EXPECT_ERRNO(gic_set_addr(fd, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_GPA),
		     ENXIO);
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_DIST, NULL) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR, 99, NULL), ENXIO);
	EXPECT_ERRNO(test_device_attr(fd, KVM_HAS_DEVICE_ATTR, 0x7777, 0, NULL),
		     ENXIO);
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_CTRL, 99, NULL), ENXIO);
	EXPECT_ERRNO(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_DIST, (void *)8), EFAULT);

	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
			0, &n) == 0);
	EXPECT(n == 32);
	n = 48;
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	n = 100;
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	n = 1024;
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	n = 128;
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
			0, &n) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EBUSY);
	n = 0;
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
			0, &n) == 0);
	EXPECT(n == 128);

	/* KVM does not look at kvm_device_attr.flags; hvx wants zero. */
	{
		struct kvm_device_attr a = {
			.flags = 1, .group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
		};

		if (test_is_hvx(dev))
			EXPECT_ERRNO(ioctl(fd, KVM_HAS_DEVICE_ATTR, &a),
				     EINVAL);
		else
			EXPECT(ioctl(fd, KVM_HAS_DEVICE_ATTR, &a) == 0);
	}
	EXPECT_ERRNO(ioctl(fd, KVM_RUN, 0), ENOTTY);

	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) == 0);
	EXPECT(vcpu_create(&g.vm, &vcpu2, 1) == -EBUSY);
	EXPECT_DONE(&g);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The first KVM_RUN checks the GIC as KVM's kvm_vgic_map_resources():
 * no addresses ENXIO, not initialised EBUSY.  KVM_IRQ_LINE before INIT:
 * EBUSY; an SPI below 32, a PPI outside 16-31, a vCPU that is not there:
 * EINVAL; an SPI beyond the GIC's: EINVAL; type 0 (the vCPU's own IRQ
 * line) with an in-kernel GIC: ENXIO.
 */
static int test_run_checks(const char *dev)
{
	struct kvm_irq_level il = { .irq = (1 << 24) | SPI_INTID, .level = 1 };
	struct guest g;
	int fd;

	/* KVM makes the VM dead after a failed check: one VM for each. */
	GUEST(&g, dev, GUEST_EL1, vgic_idle);
	fd = gic_create(&g, 0);
	EXPECT(fd >= 0);
	EXPECT(guest_run(&g) == -ENXIO);
	close(fd);
	guest_destroy(&g);

	GUEST(&g, dev, GUEST_EL1, vgic_idle);
	fd = gic_create(&g, 0);
	EXPECT(fd >= 0);
	EXPECT(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_GPA) == 0);
	EXPECT(gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, REDIST_GPA) == 0);
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), EBUSY);
	EXPECT(guest_run(&g) == -EBUSY);
	close(fd);
	guest_destroy(&g);

	GUEST(&g, dev, GUEST_EL1, vgic_idle);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT(ioctl(g.vm.fd, KVM_IRQ_LINE, &il) == 0);
	il.irq = (1 << 24) | 5;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), EINVAL);
	il.irq = (1 << 24) | 300;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), EINVAL);
	il.irq = (2 << 24) | 40;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), EINVAL);
	il.irq = (2 << 24) | (1 << 16) | 20;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), EINVAL);
	il.irq = (2 << 24) | 20;
	EXPECT(ioctl(g.vm.fd, KVM_IRQ_LINE, &il) == 0);
	il.irq = 0;
	EXPECT_ERRNO(ioctl(g.vm.fd, KVM_IRQ_LINE, &il), ENXIO);
	EXPECT_DONE(&g);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The guest reads and writes the registers: x1 GICD_CTLR after writing
 * EnableGrp1A, x2 GICD_TYPER, x3 GICD_PIDR2, x4 GICR_TYPER (64-bit),
 * x5 GICR_PIDR2, x6 GICD_ISENABLER1 after setting bits 0 and 8 and
 * clearing bit 0 through ICENABLER1, x7 the byte of IPRIORITYR for INTID
 * 40 after writing 0xa5, x8 GICD_ICFGR2 after making INTID 40 edge-
 * triggered, x9 GICD_IROUTER40 after writing Aff1 1, x10 GICR_ICFGR0,
 * x11 GICD_ISENABLER0 (the distributor's private INTIDs: zero).
 */
GUEST_CODE(vgic_regs,
	"ldr x20, =" TEST_STR(DIST_GPA) "\n"
	"ldr x21, =" TEST_STR(REDIST_GPA) "\n"
	"mov w0, #2\n str w0, [x20]\n ldr w1, [x20]\n"
	"ldr w2, [x20, #4]\n"
	"mov x22, #0xffe8\n ldr w3, [x20, x22]\n"
	"ldr x4, [x21, #8]\n"
	"ldr w5, [x21, x22]\n"
	"mov w0, #0x101\n str w0, [x20, #0x104]\n"
	"mov w0, #1\n str w0, [x20, #0x184]\n ldr w6, [x20, #0x104]\n"
	"mov w0, #0xa5\n add x23, x20, #0x400\n strb w0, [x23, #40]\n"
	"ldrb w7, [x23, #40]\n"
	"mov w0, #0x20000\n str w0, [x20, #0xc08]\n ldr w8, [x20, #0xc08]\n"
	"mov x0, #0x100\n add x23, x20, #0x6000\n str x0, [x23, #(8 * 40)]\n"
	"ldr x9, [x23, #(8 * 40)]\n"
	"add x23, x21, #0x10000\n ldr w10, [x23, #0xc00]\n"
	"ldr w11, [x20, #0x100]\n"
	GUEST_DONE);

static int test_registers(const char *dev)
{
	struct guest g;
	uint64_t typer;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_regs);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_DONE(&g);
	/* EnableGrp1A as written; ARE_NS and DS (one Security state). */
	EXPECT((guest_reg(&g, REG_X(1)) & 0x52) == 0x52);
	/* ITLinesNumber: 256 INTIDs (the default), 8 * 32. */
	EXPECT((guest_reg(&g, REG_X(2)) & 0x1f) == 7);
	/* PIDR2.ArchRev 3: GICv3 (IHI 0069 12.1.4). */
	EXPECT((guest_reg(&g, REG_X(3)) & 0xf0) == 0x30);
	typer = guest_reg(&g, REG_X(4));
	EXPECT((typer >> 32) == 0);		/* vCPU 0's affinity */
	EXPECT(typer & (1 << 4));		/* Last: the only one */
	EXPECT((guest_reg(&g, REG_X(5)) & 0xf0) == 0x30);
	EXPECT(guest_reg(&g, REG_X(6)) == 0x100);
	EXPECT(guest_reg(&g, REG_X(7)) == 0xa0);	/* 5 priority bits */
	EXPECT(guest_reg(&g, REG_X(8)) == 0x20000);
	EXPECT(guest_reg(&g, REG_X(9)) == 0x100);
	EXPECT(guest_reg(&g, REG_X(10)) == 0xaaaaaaaa);	/* SGIs: edge */
	EXPECT(guest_reg(&g, REG_X(11)) == 0);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * Guest side of the interrupt cases: x20/x21 the windows; PMR open,
 * Group 1 on at the CPU interface (ICC_PMR_EL1 S3_0_C4_C6_0,
 * ICC_IGRPEN1_EL1 S3_0_C12_C12_7) and at the distributor; the handler
 * at VECTOR_EL1H_IRQ acknowledges (ICC_IAR1_EL1 S3_0_C12_C12_0) into
 * x19, runs @body, ends the interrupt (ICC_EOIR1_EL1 S3_0_C12_C12_1) and
 * counts it in x18.
 */
#define GIC_GUEST_SETUP							\
	"ldr x20, =" TEST_STR(DIST_GPA) "\n"				\
	"ldr x21, =" TEST_STR(REDIST_GPA) "\n"				\
	"add x22, x21, #0x10000\n"					\
	"mov x0, #0xff\n msr S3_0_C4_C6_0, x0\n"			\
	"mov x0, #1\n msr S3_0_C12_C12_7, x0\n isb\n"			\
	"mov w0, #2\n str w0, [x20]\n"					\
	"mov x18, #0\n mov x19, #0\n"

#define GIC_GUEST_HANDLER(name, body)					\
	#name ":\n"							\
	"mrs x19, S3_0_C12_C12_0\n"					\
	body								\
	"msr S3_0_C12_C12_1, x19\n isb\n"				\
	"add x18, x18, #1\n"						\
	"eret\n"

GUEST_LABEL(spi_handler);
GUEST_CODE(vgic_spi,
	GIC_GUEST_SETUP
	/* SPI 40: edge-triggered (ICFGR2 bit 17), enabled. */
	"mov w0, #0x20000\n str w0, [x20, #0xc08]\n"
	"mov w0, #0x100\n str w0, [x20, #0x104]\n"
	"msr daifclr, #2\n"
	GUEST_SYNC(1)
	"1: cbz x18, 1b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	GIC_GUEST_HANDLER(spi_handler, ""));

struct line_arg {
	int vm_fd;
	uint32_t irq;
};

/* Another thread raises the line 20 ms after the guest began to spin. */
static void *raise_line(void *p)
{
	struct line_arg *a = p;
	struct kvm_irq_level il = { .irq = a->irq, .level = 1 };

	usleep(20000);
	if (ioctl(a->vm_fd, KVM_IRQ_LINE, &il))
		return (void *)1;
	il.level = 0;
	return (void *)(long)ioctl(a->vm_fd, KVM_IRQ_LINE, &il);
}

static int test_spi(const char *dev)
{
	struct line_arg a;
	struct guest g;
	pthread_t t;
	void *ret;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_spi);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, spi_handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	a.vm_fd = g.vm.fd;
	a.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | SPI_INTID;
	EXPECT(pthread_create(&t, NULL, raise_line, &a) == 0);
	EXPECT_DONE(&g);
	EXPECT(pthread_join(t, &ret) == 0 && ret == NULL);
	EXPECT(guest_reg(&g, REG_X(19)) == SPI_INTID);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * The virtual timer, 2 ms ahead, interrupts a guest spinning with
 * interrupts unmasked: PPI 27 (enabled in GICR_ISENABLER0); the handler
 * turns the timer off (CNTV_CTL_EL0 = 0), so that its level drops.
 */
GUEST_LABEL(timer_handler);
GUEST_CODE(vgic_timer,
	GIC_GUEST_SETUP
	"mov w0, #(1 << 27)\n str w0, [x22, #0x100]\n"
	"mrs x0, cntfrq_el0\n mov x1, #500\n udiv x0, x0, x1\n"
	"mrs x1, cntvct_el0\n add x0, x0, x1\n msr cntv_cval_el0, x0\n"
	"mov x0, #1\n msr cntv_ctl_el0, x0\n isb\n"
	"msr daifclr, #2\n"
	"1: cbz x18, 1b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	GIC_GUEST_HANDLER(timer_handler,
		"msr cntv_ctl_el0, xzr\n isb\n"));

static int test_vtimer(const char *dev)
{
	struct guest g;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_timer);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, timer_handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(19)) == 27);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * An SGI the guest sends itself: ICC_SGI1R_EL1 (S3_0_C12_C11_5) with
 * INTID 3 (bits 27:24) and TargetList bit 0 (Aff0 0, this vCPU), after
 * enabling SGI 3 in GICR_ISENABLER0.
 */
GUEST_LABEL(sgi_handler);
GUEST_CODE(vgic_sgi,
	GIC_GUEST_SETUP
	"mov w0, #(1 << 3)\n str w0, [x22, #0x100]\n"
	"msr daifclr, #2\n"
	"mov x0, #(3 << 24)\n orr x0, x0, #1\n msr S3_0_C12_C11_5, x0\n isb\n"
	"1: cbz x18, 1b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	GIC_GUEST_HANDLER(sgi_handler, ""));

static int test_sgi_self(const char *dev)
{
	struct guest g;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_sgi);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, sgi_handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(19)) == 3);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * A level-sensitive SPI (the default, GICD_ICFGR): the guest takes it,
 * sees it active in GICD_ISACTIVER1 (x16) from its handler, which then
 * stops (GUEST_SYNC 2) so that the host lowers the line before the EOI;
 * after the EOI it is neither active (x15) nor taken again.
 */
GUEST_LABEL(level_handler);
GUEST_CODE(vgic_level,
	GIC_GUEST_SETUP
	"mov w0, #0x100\n str w0, [x20, #0x104]\n"
	"msr daifclr, #2\n"
	GUEST_SYNC(1)
	"1: cbz x18, 1b\n"
	"mov x1, #0x10000\n 3: subs x1, x1, #1\n b.ne 3b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	"level_handler:\n"
	"mrs x19, S3_0_C12_C12_0\n"
	"ldr w16, [x20, #0x304]\n"
	GUEST_SYNC(2)
	"msr S3_0_C12_C12_1, x19\n isb\n"
	"ldr w15, [x20, #0x304]\n"
	"add x18, x18, #1\n"
	"eret\n");

static int spi_line(struct guest *g, int intid, int level)
{
	struct kvm_irq_level il = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | intid,
		.level = level,
	};

	return ioctl(g->vm.fd, KVM_IRQ_LINE, &il);
}

static int test_level(const char *dev)
{
	struct guest g;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_level);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, level_handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(spi_line(&g, SPI_INTID, 1) == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 2);
	EXPECT(spi_line(&g, SPI_INTID, 0) == 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(19)) == SPI_INTID);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	EXPECT(guest_reg(&g, REG_X(16)) == 1u << (SPI_INTID - 32));
	EXPECT(guest_reg(&g, REG_X(15)) == 0);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * Two edge-triggered SPIs pending at once are taken highest priority
 * (lowest value) first (IHI 0069 4.8): INTID 41 at 0x40 before INTID 40
 * at 0x80, whatever their numbers; x17 records the order.
 */
GUEST_LABEL(prio_handler);
GUEST_CODE(vgic_prio,
	GIC_GUEST_SETUP
	"mov x17, #0\n"
	"mov w0, #0x4080\n str w0, [x20, #0x428]\n"
	"mov w0, #0xa0000\n str w0, [x20, #0xc08]\n"
	"mov w0, #0x300\n str w0, [x20, #0x104]\n"
	GUEST_SYNC(1)
	"msr daifclr, #2\n"
	"1: cmp x18, #2\n b.ne 1b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	GIC_GUEST_HANDLER(prio_handler,
		"lsl x17, x17, #8\n orr x17, x17, x19\n"));

static int test_priority(const char *dev)
{
	struct guest g;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_prio);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, prio_handler) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(spi_line(&g, 40, 1) == 0 && spi_line(&g, 40, 0) == 0);
	EXPECT(spi_line(&g, 41, 1) == 0 && spi_line(&g, 41, 0) == 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(17)) == ((41 << 8) | 40));
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * An SGI between two vCPUs: vCPU 1 (x0 = 1) enables SGI 5 in its own
 * redistributor (the second, 128 KiB on) and spins with interrupts
 * unmasked; vCPU 0 sends SGI 5 to Aff0 1 (ICC_SGI1R_EL1 TargetList bit
 * 1) 20 ms later.  vCPU 1 halts once its handler ran.
 */
GUEST_LABEL(sgi2_handler);
GUEST_CODE(vgic_sgi2,
	"mov x24, x0\n"
	GIC_GUEST_SETUP
	"cbnz x24, 2f\n"
	"mov x1, #(5 << 24)\n orr x1, x1, #2\n msr S3_0_C12_C11_5, x1\n isb\n"
	GUEST_DONE
	"2: add x22, x22, #0x20000\n"
	"mov w1, #(1 << 5)\n str w1, [x22, #0x100]\n"
	"msr daifclr, #2\n"
	"1: cbz x18, 1b\n"
	GUEST_HALT
	GIC_GUEST_HANDLER(sgi2_handler, ""));

static void *run_to_halt(void *arg)
{
	struct vcpu *v = arg;

	return (void *)(long)!vcpu_exit_is_halt(v, vcpu_run(v));
}

static int test_sgi_vcpus(const char *dev)
{
	struct vcpu v1;
	struct guest g;
	uint64_t x19 = 0;
	pthread_t t;
	void *ret;
	int fd;

	GUEST(&g, dev, GUEST_EL1, vgic_sgi2);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, sgi2_handler) == 0);
	EXPECT(vcpu_create(&g.vm, &v1, 1) == 0);
	EXPECT(vcpu_setup_mode(&v1, GUEST_EL1, GUEST_CODE_GPA,
			       GUEST_STACK_TOP - 0x100) == 0);
	EXPECT(vcpu_set_arg0(&v1, 1) == 0);
	EXPECT(vcpu_set_reg(&v1, REG_VBAR_EL1, GUEST_VECTORS_GPA) == 0);
	EXPECT(vcpu_set_arg0(&g.vcpu, 0) == 0);
	fd = gic_setup(&g);
	EXPECT(fd >= 0);
	EXPECT(pthread_create(&t, NULL, run_to_halt, &v1) == 0);
	usleep(20000);
	EXPECT_DONE(&g);
	EXPECT(pthread_join(t, &ret) == 0 && ret == NULL);
	EXPECT(vcpu_get_reg(&v1, REG_X(19), &x19) == 0);
	EXPECT(x19 == 5);
	vcpu_close(&v1);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "vgic_create", test_create },
	{ "vgic_attrs", test_attrs },
	{ "vgic_run_checks", test_run_checks },
	{ "vgic_registers", test_registers },
	{ "vgic_spi", test_spi },
	{ "vgic_vtimer", test_vtimer },
	{ "vgic_sgi_self", test_sgi_self },
	{ "vgic_level", test_level },
	{ "vgic_priority", test_priority },
	{ "vgic_sgi_vcpus", test_sgi_vcpus },
};

TEST_MAIN(cases);

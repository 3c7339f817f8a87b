// SPDX-License-Identifier: GPL-2.0
/*
 * vgic_state_test: the virtual GICv3's state from user space, the
 * attribute groups KVM's save and restore use
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst):
 * KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GRP_REDIST_REGS (the vCPU named by its
 * MPIDR affinity in attr bits 63:32), GRP_LEVEL_INFO, GRP_CPU_SYSREGS, and the
 * redistributors placed with KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION.  The
 * errors are KVM's; what user space writes, a guest reads and takes.
 */
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../lib/test.h"

#define DIST_GPA	0x08000000ull
#define REDIST_GPA	0x080a0000ull
#define SPI_INTID	40

/* Distributor offsets (IHI 0069 12.9); SGI_base is RD_base + 64 KiB. */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_ISENABLER	0x0100
#define GICD_ISPENDR	0x0200
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICR_TYPER	0x0008
#define GICR_SGI	0x10000

/* A GIC, its redistributors as one counted region; INIT if @init. */
static int gic_region_setup(struct guest *g, int init)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = DIST_GPA, region = REDIST_GPA | (1ull << 52);

	if (ioctl(g->vm.fd, KVM_CREATE_DEVICE, &cd) ||
	    test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region))
		return -1;
	if (init && test_device_attr(cd.fd, KVM_SET_DEVICE_ATTR,
			     KVM_DEV_ARM_VGIC_GRP_CTRL,
			     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return -1;
	return cd.fd;
}

static int dist_get(int fd, uint32_t off, uint32_t *val)
{
	return test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
			off, val);
}

static int dist_set(int fd, uint32_t off, uint32_t val)
{
	return test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
			off, &val);
}

/* vCPU 0's redistributor: MPIDR affinity 0 in attr bits 63:32. */
static int redist_get(int fd, uint32_t off, uint32_t *val)
{
	return test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, off, val);
}

static int redist_set(int fd, uint32_t off, uint32_t val)
{
	return test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, off, &val);
}

GUEST_CODE(state_idle, GUEST_DONE);

/*
 * REDIST_REGION's rules (index 0 first, a count, no flags, not mixed with
 * the legacy REDIST base, ENOENT for a region not set) and the register
 * groups' errors: EBUSY before CTRL_INIT, ENXIO from KVM_HAS_DEVICE_ATTR
 * for an offset that names no register (which GET and SET treat as RAZ/WI),
 * EINVAL for a vCPU that does not exist or a LEVEL_INFO INTID that is not
 * a multiple of 32.
 */
static int test_errors(const char *dev)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t region, addr = REDIST_GPA;
	uint32_t val;
	struct guest g;
	int fd;

	GUEST(&g, dev, GUEST_EL1, state_idle);
	EXPECT(ioctl(g.vm.fd, KVM_CREATE_DEVICE, &cd) == 0);
	fd = cd.fd;
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, NULL) == 0);
	region = 0;
	EXPECT_ERRNO(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region),
		     ENOENT);
	region = REDIST_GPA | (1ull << 52) | 1;		/* index 1 first */
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region),
		     EINVAL);
	region = REDIST_GPA;				/* no count */
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region),
		     EINVAL);
	region = REDIST_GPA | (1ull << 52) | (1 << 12);	/* a flag */
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region),
		     EINVAL);
	region = REDIST_GPA | (1ull << 52);
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region) == 0);
	region = 0;
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &region) == 0);
	EXPECT(region == (REDIST_GPA | (1ull << 52)));
	EXPECT_ERRNO(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR,
			      KVM_VGIC_V3_ADDR_TYPE_REDIST, &addr), EINVAL);

	EXPECT_ERRNO(dist_get(fd, GICD_CTLR, &val), EBUSY);
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
			GICD_CTLR, NULL) == 0);
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
			GICR_SGI + GICD_ISENABLER, NULL) == 0);
	EXPECT(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32, NULL) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x5000, NULL),
		     ENXIO);
	EXPECT_ERRNO(test_device_attr(fd, KVM_HAS_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 1 << 10, NULL),
		     ENXIO);
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) == 0);
	EXPECT(dist_get(fd, GICD_CTLR, &val) == 0);
	/* KVM_HAS_DEVICE_ATTR's ENXIO, but RAZ/WI for GET and SET. */
	val = 1;
	EXPECT(dist_get(fd, 0x5000, &val) == 0 && val == 0);
	EXPECT(dist_set(fd, 0x5000, 1) == 0);
	EXPECT_ERRNO(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
			      (1ull << 32) | GICR_TYPER, &val), EINVAL);
	EXPECT_ERRNO(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 33, &val),
		     EINVAL);
	EXPECT_ERRNO(dist_get(fd, GICD_CTLR, (void *)8), EFAULT);
	addr = DIST_GPA;
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			KVM_VGIC_V3_ADDR_TYPE_DIST, &addr) == 0);
	EXPECT_DONE(&g);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * Registers written from user space before the first run and read by
 * the guest: the distributor enabled, SPI 40 enabled, pending (ISPENDR)
 * and at priority 0xa0, PPI 27's enable bit in vCPU 0's redistributor;
 * the guest reads them and takes SPI 40 in its handler.  GICR_TYPER
 * reads the Last bit of the region's only redistributor.
 */
GUEST_LABEL(state_handler);
GUEST_CODE(state_regs,
	"ldr x20, =" TEST_STR(DIST_GPA) "\n"
	"ldr x21, =" TEST_STR(REDIST_GPA) "\n"
	"add x22, x21, #0x10000\n"
	"mov x0, #0xff\n msr S3_0_C4_C6_0, x0\n"	/* ICC_PMR_EL1 */
	"mov x0, #1\n msr S3_0_C12_C12_7, x0\n isb\n"	/* ICC_IGRPEN1_EL1 */
	"ldr w1, [x20, #0x104]\n"
	"ldr w2, [x22, #0x100]\n"
	"add x23, x20, #0x400\n ldrb w3, [x23, #40]\n"
	"mov x18, #0\n"
	"msr daifclr, #2\n"
	"1: cbz x18, 1b\n"
	"msr daifset, #2\n"
	GUEST_DONE
	"state_handler:\n"
	"mrs x19, S3_0_C12_C12_0\n"			/* ICC_IAR1_EL1 */
	"msr S3_0_C12_C12_1, x19\n isb\n"		/* ICC_EOIR1_EL1 */
	"add x18, x18, #1\n"
	"eret\n");

static int test_registers(const char *dev)
{
	struct guest g;
	uint32_t val;
	int fd;

	GUEST(&g, dev, GUEST_EL1, state_regs);
	EXPECT(guest_set_vector(&g, VECTOR_EL1H_IRQ, state_handler) == 0);
	fd = gic_region_setup(&g, 1);
	EXPECT(fd >= 0);
	EXPECT(dist_get(fd, GICD_TYPER, &val) == 0);
	EXPECT((val & 0x1f) == 7);		/* 256 INTIDs, the default */
	EXPECT(dist_set(fd, GICD_CTLR, 2) == 0);	/* EnableGrp1A */
	EXPECT(dist_set(fd, GICD_ISENABLER + 4, 1 << (SPI_INTID - 32)) == 0);
	EXPECT(dist_set(fd, GICD_IPRIORITYR + SPI_INTID - SPI_INTID % 4,
			0xa0u << 8 * (SPI_INTID % 4)) == 0);
	EXPECT(dist_set(fd, GICD_ISPENDR + 4, 1 << (SPI_INTID - 32)) == 0);
	EXPECT(dist_get(fd, GICD_ISPENDR + 4, &val) == 0);
	EXPECT(val == 1 << (SPI_INTID - 32));
	EXPECT(redist_set(fd, GICR_SGI + GICD_ISENABLER, 1 << 27) == 0);
	EXPECT(redist_get(fd, GICR_SGI + GICD_ISENABLER, &val) == 0);
	EXPECT(val & (1 << 27));
	EXPECT(redist_get(fd, GICR_TYPER, &val) == 0);
	EXPECT(val & (1 << 4));			/* Last */
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(1)) == 1 << (SPI_INTID - 32));
	EXPECT(guest_reg(&g, REG_X(2)) & (1 << 27));
	EXPECT(guest_reg(&g, REG_X(3)) == 0xa0);
	EXPECT(guest_reg(&g, REG_X(19)) == SPI_INTID);
	EXPECT(guest_reg(&g, REG_X(18)) == 1);
	EXPECT(dist_get(fd, GICD_ISPENDR + 4, &val) == 0);
	EXPECT(val == 0);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * GRP_LEVEL_INFO: a level set for level-sensitive SPI 40 reads back and
 * makes it pending for the guest (GICD_ISPENDR) without a latch user
 * space would see in ISPENDR; an edge-triggered SPI 41 (ICFGR) takes no
 * level.  Cleared, the guest sees nothing pending.
 */
GUEST_CODE(state_level,
	"ldr x20, =" TEST_STR(DIST_GPA) "\n"
	"ldr w1, [x20, #0x204]\n"
	GUEST_SYNC(1)
	"ldr w2, [x20, #0x204]\n"
	GUEST_DONE);

static int test_level_info(const char *dev)
{
	uint32_t spis = 1 << (SPI_INTID - 32) | 1 << (SPI_INTID + 1 - 32);
	struct guest g;
	uint32_t val;
	int fd;

	GUEST(&g, dev, GUEST_EL1, state_level);
	fd = gic_region_setup(&g, 1);
	EXPECT(fd >= 0);
	/* SPI 41 edge-triggered: ICFGR2's bit for it, 2 * 9 + 1. */
	EXPECT(dist_set(fd, GICD_ICFGR + 8, 1 << 19) == 0);
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32, &spis) == 0);
	val = 0;
	EXPECT(test_device_attr(fd, KVM_GET_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32, &val) == 0);
	EXPECT(val == 1 << (SPI_INTID - 32));
	EXPECT(dist_get(fd, GICD_ISPENDR + 4, &val) == 0);
	EXPECT(val == 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(guest_reg(&g, REG_X(1)) == 1 << (SPI_INTID - 32));
	val = 0;
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR,
			KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32, &val) == 0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(2)) == 0);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

/* GRP_CPU_SYSREGS attr bits 15:0: op0, op1, CRn, CRm, op2 (vCPU 0). */
#define ICC(crn, crm, op2)	(3 << 14 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR		ICC(4, 6, 0)
#define ICC_BPR0	ICC(12, 8, 3)
#define ICC_AP0R(n)	ICC(12, 8, 4 + (n))
#define ICC_AP1R(n)	ICC(12, 9, (n))
#define ICC_BPR1	ICC(12, 12, 3)
#define ICC_CTLR	ICC(12, 12, 4)
#define ICC_SRE		ICC(12, 12, 5)
#define ICC_IGRPEN0	ICC(12, 12, 6)
#define ICC_IGRPEN1	ICC(12, 12, 7)
#define ICC_IAR1	ICC(12, 12, 0)
#define CTLR_SEIS	(1u << 14)

static int icc(int fd, unsigned long nr, uint64_t reg, uint64_t *val)
{
	return test_device_attr(fd, nr, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, reg,
				val);
}

GUEST_CODE(state_icc,
	"mrs x1, S3_0_C4_C6_0\n"		/* ICC_PMR_EL1 */
	"mrs x2, S3_0_C12_C12_7\n"		/* ICC_IGRPEN1_EL1 */
	"mov x3, #0x80\n"
	"msr S3_0_C4_C6_0, x3\n"
	"isb\n"
	GUEST_DONE);

/*
 * GRP_CPU_SYSREGS, the vCPU's GIC CPU interface (QEMU saves and restores
 * it at every reset of its GICv3): the 15 registers exist (HAS), no other
 * (ICC_IAR1_EL1: ENXIO), nor an unknown vCPU (EINVAL); EBUSY before
 * CTRL_INIT; ICC_SRE_EL1 reads SRE, DFB, DIB and refuses a write without
 * SRE; ICC_CTLR_EL1 takes back what it reads but not another SEIS;
 * active-priority registers beyond those its PRIbits need are EINVAL.
 * The priority mask and group 1 enable set here are what the guest
 * reads, and the mask the guest writes is what user space reads after.
 */
static int test_cpu_sysregs(const char *dev)
{
	static const uint64_t regs[] = {
		ICC_PMR, ICC_BPR0, ICC_AP0R(0), ICC_AP0R(1), ICC_AP0R(2),
		ICC_AP0R(3), ICC_AP1R(0), ICC_AP1R(1), ICC_AP1R(2),
		ICC_AP1R(3), ICC_BPR1, ICC_CTLR, ICC_SRE, ICC_IGRPEN0,
		ICC_IGRPEN1,
	};
	uint64_t val, ctlr, naprs;
	struct guest g;
	unsigned int i;
	int fd;

	GUEST(&g, dev, GUEST_EL1, state_icc);
	fd = gic_region_setup(&g, 0);
	EXPECT(fd >= 0);
	EXPECT_ERRNO(icc(fd, KVM_GET_DEVICE_ATTR, ICC_CTLR, &val), EBUSY);
	EXPECT(test_device_attr(fd, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
				KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) == 0);
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		EXPECT(icc(fd, KVM_HAS_DEVICE_ATTR, regs[i], NULL) == 0);
	EXPECT_ERRNO(icc(fd, KVM_HAS_DEVICE_ATTR, ICC_IAR1, NULL), ENXIO);
	EXPECT_ERRNO(icc(fd, KVM_GET_DEVICE_ATTR, ICC_CTLR | 5ull << 32, &val),
		     EINVAL);
	EXPECT(icc(fd, KVM_GET_DEVICE_ATTR, ICC_SRE, &val) == 0 && val == 7);
	val = 0;
	EXPECT_ERRNO(icc(fd, KVM_SET_DEVICE_ATTR, ICC_SRE, &val), EINVAL);
	EXPECT(icc(fd, KVM_GET_DEVICE_ATTR, ICC_CTLR, &ctlr) == 0);
	printf("# ICC_CTLR_EL1 %#llx\n", (unsigned long long)ctlr);
	EXPECT(icc(fd, KVM_SET_DEVICE_ATTR, ICC_CTLR, &ctlr) == 0);
	val = ctlr ^ CTLR_SEIS;
	EXPECT_ERRNO(icc(fd, KVM_SET_DEVICE_ATTR, ICC_CTLR, &val), EINVAL);
	naprs = 1ull << (((ctlr >> 8) & 7) + 1 - 5);	/* PRIbits + 1 */
	EXPECT(icc(fd, KVM_GET_DEVICE_ATTR, ICC_AP1R(0), &val) == 0);
	if (naprs < 4)
		EXPECT_ERRNO(icc(fd, KVM_GET_DEVICE_ATTR, ICC_AP1R(naprs), &val),
			     EINVAL);
	val = 0xf0;
	EXPECT(icc(fd, KVM_SET_DEVICE_ATTR, ICC_PMR, &val) == 0);
	val = 1;
	EXPECT(icc(fd, KVM_SET_DEVICE_ATTR, ICC_IGRPEN1, &val) == 0);
	EXPECT(icc(fd, KVM_GET_DEVICE_ATTR, ICC_PMR, &val) == 0 && val == 0xf0);
	EXPECT_DONE(&g);
	EXPECT(guest_reg(&g, REG_X(1)) == 0xf0);
	EXPECT(guest_reg(&g, REG_X(2)) == 1);
	EXPECT(icc(fd, KVM_GET_DEVICE_ATTR, ICC_PMR, &val) == 0 && val == 0x80);
	close(fd);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "vgic_state_errors", test_errors },
	{ "vgic_state_registers", test_registers },
	{ "vgic_state_level_info", test_level_info },
	{ "vgic_state_cpu_sysregs", test_cpu_sysregs },
};

TEST_MAIN(cases);

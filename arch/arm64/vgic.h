/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx arm64: the virtual GICv3 (Arm GIC Architecture Specification,
 * IHI 0069).  The distributor and one redistributor per vCPU are emulated
 * in the kernel on the guest's stage-2 faults in their windows; interrupts
 * reach the guest through the list registers of the GIC's virtual CPU
 * interface (ICH_LR<n>_EL2, IHI 0069 ch. 11), whose acknowledge, priority
 * drop and deactivation the guest then does in hardware.
 *
 * One lock (a64_vgic.lock) covers every interrupt's state.
 */
#ifndef HVX_ARM64_VGIC_H
#define HVX_ARM64_VGIC_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "hvx.h"

#define A64_GIC_SGIS		16
#define A64_GIC_PRIVATE		32	/* SGIs and PPIs, per vCPU */
#define A64_GIC_DEFAULT_IRQS	256	/* without KVM_DEV_ARM_VGIC_GRP_NR_IRQS */
#define A64_GIC_MAX_IRQS	1024	/* INTIDs 1020-1023 are special */
#define A64_GIC_DIST_SIZE	0x10000ULL
#define A64_GIC_REDIST_SIZE	0x20000ULL	/* RD_base and SGI_base frames */
#define A64_GIC_UNDEF		(~0ULL)
#define A64_GIC_MAX_LRS		16
#define A64_GIC_VTIMER_PPI	27
#define A64_GIC_PTIMER_PPI	30

/* One interrupt (IHI 0069 4.1.2: its state machine; 12.9 its fields). */
struct a64_irq {
	u8 priority;		/* GICD_IPRIORITYR, GICR_IPRIORITYR */
	bool enabled;
	bool latch;		/* edge seen, or ISPENDR written */
	bool line;		/* level input (KVM_IRQ_LINE, the timer) */
	bool active;
	bool edge;		/* GICD_ICFGR: edge-triggered */
	bool in_lr;		/* in one of its vCPU's list registers now */
	u32 route;		/* GICD_IROUTER: Aff3.Aff2.Aff1.Aff0 of MPIDR */
};

struct a64_vgic {
	spinlock_t lock;
	bool initialised;	/* KVM_DEV_ARM_VGIC_CTRL_INIT done */
	bool ready;		/* checked by the first KVM_RUN */
	bool enabled;		/* GICD_CTLR.EnableGrp1A */
	u64 dist_base;
	u64 redist_base;	/* vCPU i's at + i * A64_GIC_REDIST_SIZE */
	u32 redist_count;	/* of a REDIST_REGION; 0: the legacy base */
	unsigned int nr_irqs;	/* 0 until set or frozen by INIT */
	unsigned int nr_vcpus;	/* frozen by INIT */
	struct a64_irq *spis;
	struct a64_irq priv[HVX_MAX_VCPUS][A64_GIC_PRIVATE];
};

/* The vCPU's side: what its list registers hold across an exit. */
struct a64_vgic_cpu {
	u64 lr[A64_GIC_MAX_LRS];
	unsigned int nr_used;
	bool latched[A64_GIC_MAX_LRS];	/* the latch moved into lr[i] */
	u64 vmcr;		/* ICH_VMCR_EL2 */
	u64 ap0r[4], ap1r[4];	/* ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2 */
};

struct a64_vcpu;
struct a64_vm;
struct kvm_device_attr;

/* vgic_dev.c */
long a64_vgic_create(struct hvx_vm *vm, void __user *argp);
int a64_vgic_precreate(struct hvx_vm *vm);
int a64_vgic_ready(struct a64_vcpu *v);
void a64_vgic_free(struct a64_vm *avm);
int a64_vgic_lock_vcpus(struct hvx_vm *vm);
void a64_vgic_unlock_vcpus(struct hvx_vm *vm, int n);

/* vgic_uaccess.c */
long a64_vgic_uaccess(struct hvx_vm *vm, struct a64_vgic *gic,
		      const struct kvm_device_attr *attr, unsigned int ioctl);
int a64_vgic_attr_vcpu(struct hvx_vm *vm, u64 attr);

/* vgic_sysregs.c */
long a64_vgic_cpu_sysregs(struct hvx_vm *vm, struct a64_vgic *gic,
			  const struct kvm_device_attr *attr,
			  unsigned int ioctl);

/* vgic.c */
extern unsigned int a64_gic_nr_lrs;
extern u64 a64_gic_vtr;
void a64_vgic_probe(void);
long a64_vgic_irq_line(struct hvx_vm *vm, void __user *argp);
struct a64_irq *a64_vgic_irq(struct a64_vgic *gic, unsigned int idx,
			     u32 intid);
void a64_vgic_kick(struct hvx_vm *vm, unsigned int idx);
void a64_vgic_kick_others(struct a64_vcpu *v);
bool a64_vgic_has_pending(struct a64_vcpu *v);
void a64_vgic_flush(struct a64_vcpu *v);
void a64_vgic_fold(struct a64_vcpu *v);
void a64_vgic_sgi(struct a64_vcpu *v, u64 val);
void a64_vgic_timer_line(struct a64_vcpu *v, bool level);
void a64_vgic_ppi_line(struct a64_vcpu *v, u32 intid, bool level);

/* vgic_mmio.c */
int a64_vgic_mmio(struct a64_vcpu *v, u64 ipa, bool write, unsigned int len,
		  u64 *val);
void a64_vgic_reg_uaccess(struct a64_vgic *gic, struct hvx_vm *vm, int idx,
			  u32 off, bool write, u64 *val);

#endif /* HVX_ARM64_VGIC_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx x86: the in-kernel interrupt controllers of KVM_CREATE_IRQCHIP.
 *
 * One local APIC per vCPU (lapic.c, Intel SDM Vol. 3A ch. 11), one I/O
 * APIC (ioapic.c, Intel 82093AA data sheet) and the 8259A pair (pic.c,
 * Intel 8259A data sheet), joined by the GSI routing table (irqchip.c).
 *
 * Locks: each local APIC has its own spinlock (taken from hrtimer
 * callbacks, so always with interrupts off); the PIC, the I/O APIC and
 * the routing table share the chip's spinlock.  The chip's lock may be
 * held while a local APIC's is taken, never the other way round.
 */
#ifndef HVX_X86_IRQCHIP_H
#define HVX_X86_IRQCHIP_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

struct x86_vcpu;
struct hvx_vm;

#define X86_IOAPIC_PINS		24	/* 82093AA: 24 redirection entries */
#define X86_PIC_PINS		16
#define X86_MAX_ROUTES		4096	/* KVM_MAX_IRQ_ROUTES */
#define X86_APIC_LVT_MASKED	BIT(16)		/* in every LVT entry */
#define X86_APIC_TIMER_MODE	(3 << 17)	/* LVT timer mode */

/* struct x86_lapic.events: what other contexts ask of the vCPU. */
#define X86_APIC_EV_NMI		0
#define X86_APIC_EV_INIT	1
#define X86_APIC_EV_SIPI	2

struct x86_lapic {
	struct x86_vcpu *x;
	spinlock_t lock;
	/* The register page as KVM_GET_LAPIC shows it (SDM table 11-1). */
	u8 regs[KVM_APIC_REG_SIZE];
	u64 base;		/* IA32_APIC_BASE, mirrored for other CPUs */
	struct hrtimer timer;
	ktime_t deadline;	/* one-shot and periodic: when it fires */
	u64 period_ns;		/* periodic: the period */
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE */
	unsigned long events;	/* X86_APIC_EV_* (atomic bit ops) */
	u8 sipi_vector;
	bool kicked;		/* an event since x86_apic_inject() looked */
	wait_queue_head_t wq;	/* HLT and wait-for-SIPI sleep here */
};

/* One GSI's routes: up to one per interrupt controller, or one MSI. */
struct x86_route {
	u32 type;		/* KVM_IRQ_ROUTING_IRQCHIP or _MSI; 0: none */
	u32 chip;		/* KVM_IRQCHIP_* */
	u32 pin;
	struct kvm_irq_routing_msi msi;
};

#define X86_ROUTES_PER_GSI	3	/* PIC master, PIC slave, I/O APIC */

struct x86_routes {
	u32 nr;			/* GSIs 0 .. nr - 1 */
	struct x86_route r[][X86_ROUTES_PER_GSI];
};

struct x86_irqchip {
	struct hvx_vm *vm;
	spinlock_t lock;
	struct kvm_pic_state pic[2];	/* master (chip 0), slave (chip 1) */
	bool pic_output;		/* the master's INT pin */
	struct kvm_ioapic_state ioapic;
	u32 ioapic_lines;		/* pins held high (level) */
	struct x86_routes *routes;	/* the lock's */
	/*
	 * KVM_CAP_SPLIT_IRQCHIP: only the local APICs are here; the PIC and
	 * the I/O APIC are user space's (split_irqchip.c), and the routes
	 * of GSIs below split_pins are its I/O APIC's pins.
	 */
	bool split;
	u32 split_pins;
};

/* irqchip.c */
struct x86_irqchip *x86_irqchip(struct hvx_vm *vm);
long x86_irqchip_create(struct hvx_vm *vm, bool split, u64 pins);
long x86_irqchip_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl,
			  void __user *argp);
void x86_irqchip_free(struct hvx_vm *vm);
int x86_irqchip_mmio(struct x86_vcpu *x, u64 gpa, int size, bool write,
		     u64 *val);
int x86_irqchip_pio(struct x86_vcpu *x, u16 port, bool in, int size);

#define X86_GSI_EDGE		(-1)	/* x86_irqchip_set_gsi(): up, then down */
int x86_irqchip_set_irq(struct x86_irqchip *c, u32 gsi, int level);
void x86_irqchip_set_gsi(struct hvx_vm *vm, u32 gsi, int level);
bool x86_irqchip_routed(struct x86_irqchip *c, u32 gsi, u32 chip, u32 pins);

/* irqfd.c */
struct x86_vm;
long x86_irqfd_ioctl(struct hvx_vm *vm, void __user *argp);
void x86_irqfd_init(struct x86_vm *xvm);
void x86_irqfd_free(struct hvx_vm *vm);
void x86_irqfd_resample(struct x86_irqchip *c, u32 chip, u32 pins);
void x86_irqfd_notify(struct hvx_vm *vm);

/* split_irqchip.c */
bool x86_irqchip_split(struct hvx_vm *vm);
long x86_split_interrupt(struct x86_vcpu *x, u8 vector);
bool x86_split_window_open(struct x86_vcpu *x);
void x86_split_eoi(struct x86_vcpu *x, u8 vector);
int x86_split_eoi_exit(struct x86_vcpu *x);

/* lapic.c */
static inline u32 x86_apic_reg(struct x86_lapic *a, u32 reg)
{
	return *(u32 *)(a->regs + reg);
}

void x86_apic_accept(struct x86_lapic *a, u32 mode, u8 vector, bool level);
int x86_apic_init(struct x86_vcpu *x);
void x86_apic_free(struct x86_vcpu *x);
void x86_apic_reset(struct x86_vcpu *x);
int x86_apic_mmio(struct x86_vcpu *x, u64 gpa, int size, bool write,
		  u64 *val);
int x86_apic_msr(struct x86_vcpu *x, u32 index, u64 *val, bool set,
		 bool host);
int x86_apic_set_base(struct x86_vcpu *x, u64 val, bool host);
void x86_apic_set_cr8(struct x86_vcpu *x, u64 cr8);
bool x86_apic_inject_one(struct x86_vcpu *x, bool open);
bool x86_apic_takes_extint(struct x86_vcpu *x);
bool x86_entry_cancelled(struct x86_vcpu *x);
int x86_apic_halt(struct x86_vcpu *x);
int x86_apic_block(struct x86_vcpu *x);
int x86_apic_deliver(struct hvx_vm *vm, u32 dest, bool logical, u32 mode,
		     u8 vector, bool level);
void x86_apic_kick(struct x86_vcpu *x);
long x86_apic_ioctl(struct x86_vcpu *x, bool set, void __user *argp);

/* lapic_timer.c */
u32 x86_apic_timer_mode(struct x86_lapic *a);
void x86_apic_timer_stop(struct x86_lapic *a);
void x86_apic_timer_start(struct x86_lapic *a, u32 first);
u32 x86_apic_timer_ccr(struct x86_lapic *a);
enum hrtimer_restart x86_apic_timer_fn(struct hrtimer *t);
int x86_apic_tsc_deadline(struct x86_vcpu *x, bool set, u64 *val);

/* ioapic.c */
void x86_ioapic_reset(struct x86_irqchip *c);
int x86_ioapic_set_irq(struct x86_irqchip *c, u32 pin, int level);
void x86_ioapic_eoi(struct x86_irqchip *c, u8 vector);
int x86_ioapic_mmio(struct x86_irqchip *c, u64 gpa, int size, bool write,
		    u64 *val);

/* pic.c */
void x86_pic_reset(struct x86_irqchip *c);
int x86_pic_set_irq(struct x86_irqchip *c, u32 pin, int level);
int x86_pic_ack(struct x86_irqchip *c);
int x86_pic_pio(struct x86_irqchip *c, u16 port, bool in, u8 *val);
void x86_pic_update(struct x86_irqchip *c);

#endif /* HVX_X86_IRQCHIP_H */

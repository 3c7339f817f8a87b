// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --irqchip=kernel: the PC's interrupt controllers in the kernel
 * (api.rst, KVM_CREATE_IRQCHIP): a local APIC per vCPU, the I/O APIC and
 * the 8259A pair.  The 8254 and the UART stay in user space and drive
 * their ISA IRQ lines with KVM_IRQ_LINE; the routes send GSI 0 to the
 * 8259A's IRQ0 and to I/O APIC pin 2, as the MP table says (mptable.c),
 * and every other ISA IRQ to the pin of its number.
 *
 * Power-off: with an in-kernel local APIC, HLT no longer exits to user
 * space (it waits in the kernel for an interrupt), so the end of Linux's
 * halt path (every CPU in stop_this_cpu(), halted with interrupts off) is
 * seen from here by asking each vCPU its state (pc_vcpu_off).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "linux.h"

#define ISA_IRQS		16
#define ISA_CASCADE		2
#define IOAPIC_PINS		24
#define IRQ0_IOAPIC_PIN		2
#define X86_EFLAGS_IF		(1u << 9)

static void pc_route(struct kvm_irq_routing *t, uint32_t gsi,
		     uint32_t chip, uint32_t pin)
{
	struct kvm_irq_routing_entry *e = &t->entries[t->nr++];

	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/*
 * The GSI routes: 0-15 to the 8259A pins (master 0-7, slave 8-15) and,
 * but for the cascade, to the I/O APIC, GSI 0 at pin 2; 16-23 to the
 * I/O APIC alone (KVM's default sends GSI 0 to pin 0).
 */
static int pc_set_routes(struct vm *vm)
{
	struct kvm_irq_routing *t;
	uint32_t gsi;
	int r;

	t = calloc(1, sizeof(*t) + 2 * IOAPIC_PINS * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	for (gsi = 0; gsi < IOAPIC_PINS; gsi++) {
		if (gsi < ISA_IRQS)
			pc_route(t, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
				 KVM_IRQCHIP_PIC_SLAVE, gsi % 8);
		if (gsi != ISA_CASCADE)
			pc_route(t, gsi, KVM_IRQCHIP_IOAPIC,
				 gsi ? gsi : IRQ0_IOAPIC_PIN);
	}
	r = ioctl(vm->fd, KVM_SET_GSI_ROUTING, t) < 0 ? -errno : 0;
	free(t);
	return r;
}

int pc_irqchip_create(struct vm *vm)
{
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	return pc_set_routes(vm);
}

int pc_irq_line(struct vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return ioctl(vm->fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

/*
 * An AP waits for INIT and SIPI from the BSP's local APIC (SDM Vol. 3A
 * 8.4.3); the in-kernel APIC runs that protocol.  KVM starts APs in this
 * state already; it is set for a device that does not.
 */
int pc_ap_wait_sipi(struct vcpu *v)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_UNINITIALIZED };

	return ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0 ? -errno : 0;
}

/*
 * Whether @v (out of KVM_RUN) has stopped for good: halted with RFLAGS.IF
 * clear (no interrupt wakes it, and nothing here sends NMIs), or never
 * started (waiting for INIT or SIPI).  1 stopped, 0 not, or -errno.
 */
int pc_vcpu_off(struct vcpu *v)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	int r;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	switch (mp.mp_state) {
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		return 1;
	case KVM_MP_STATE_HALTED:
		r = vcpu_get_regs(v, &regs);
		if (r)
			return r;
		return !(regs.rflags & X86_EFLAGS_IF);
	default:
		return 0;
	}
}

/* The I/O APIC as KVM_GET_IRQCHIP shows it, pins 2 and 4, on stderr. */
void pc_irqchip_dump(struct vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_ioapic_state *s = &c.chip.ioapic;

	if (ioctl(vm->fd, KVM_GET_IRQCHIP, &c) < 0) {
		fprintf(stderr, "  KVM_GET_IRQCHIP: %s\n", strerror(errno));
		return;
	}
	fprintf(stderr, "  I/O APIC irr %#x, pin 2 %#llx, pin 4 %#llx\n",
		s->irr, (unsigned long long)s->redirtbl[2].bits,
		(unsigned long long)s->redirtbl[4].bits);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the split irqchip (api.rst 7.14 KVM_CAP_SPLIT_IRQCHIP): the
 * local APICs in the kernel (lapic.c), the 8259A pair and the I/O APIC
 * in user space, as QEMU's kernel-irqchip=split has them.
 *
 * User space's I/O APIC sends its interrupts as MSIs (KVM_SIGNAL_MSI, or
 * the MSI routes of KVM_SET_GSI_ROUTING), whose data bit 15 says level
 * (SDM Vol. 3A 11.11.2); the APIC then sets the vector's TMR bit, and
 * the guest's EOI of it is sent back to user space as an exit,
 * KVM_EXIT_IOAPIC_EOI, so that its I/O APIC clears the pin's remote IRR
 * (82093AA 3.2.4).  Which vectors: those of the level-triggered MSI
 * routes of the GSIs below the pin count given to KVM_ENABLE_CAP (user
 * space mirrors its I/O APIC's redirection table there), as in KVM, but
 * without KVM's check that the route's destination is this vCPU.
 *
 * User space's PIC gives its interrupt with KVM_INTERRUPT, an ExtINT
 * (SDM 11.5.1) that the APIC takes through LINT0 when LVT0 lets it (or
 * the APIC is off), before its own interrupts; one waits at a time
 * (EEXIST), and ready_for_interrupt_injection says when another can come.
 */

#include "x86.h"


bool x86_irqchip_split(struct hvx_vm *vm)
{
	struct x86_irqchip *c = x86_irqchip(vm);

	return c && c->split;
}

/* KVM_INTERRUPT with the split irqchip: the ExtINT from user space's PIC. */
long x86_split_interrupt(struct x86_vcpu *x, u8 vector)
{
	if (x->ext_vector >= 0)
		return -EEXIST;
	x->ext_vector = vector;
	return 0;
}

/* ready_for_interrupt_injection's part that the split irqchip adds. */
bool x86_split_window_open(struct x86_vcpu *x)
{
	return x->ext_vector < 0 && x86_apic_takes_extint(x);
}

/* Whether @vector is one of user space's I/O APIC's level routes. */
static bool split_ioapic_vector(struct x86_irqchip *c, u8 vector)
{
	struct x86_routes *t = c->routes;
	struct x86_route *e;
	u32 gsi, n = min(t->nr, c->split_pins);

	/* A GSI with an MSI route has no other: it is in the first slot. */
	for (gsi = 0; gsi < n; gsi++) {
		e = &t->r[gsi][0];
		if (e->type == KVM_IRQ_ROUTING_MSI && (e->msi.data & BIT(15)) &&
		    (e->msi.data & 0xff) == vector)
			return true;
	}
	return false;
}

/* The guest's EOI of a level-triggered @vector (lapic.c). */
void x86_split_eoi(struct x86_vcpu *x, u8 vector)
{
	struct x86_irqchip *c = x86_irqchip(x86_vm(x));
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (split_ioapic_vector(c, vector))
		x->eoi_exit = vector;
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * Before an entry (irq.c): an EOI waiting for user space ends the run
 * with KVM_EXIT_IOAPIC_EOI first.  1 if it did.
 */
int x86_split_eoi_exit(struct x86_vcpu *x)
{
	struct kvm_run *run = x86_run(x);

	if (x->eoi_exit < 0)
		return 0;
	run->eoi.vector = x->eoi_exit;
	x->eoi_exit = -1;
	x86_exit_to_user(x, KVM_EXIT_IOAPIC_EOI);
	return 1;
}

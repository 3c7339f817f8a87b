// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the in-kernel I/O APIC, after the Intel 82093AA data sheet.
 *
 * 24 pins, each with a 64-bit redirection entry (82093AA 3.2.4): vector,
 * delivery mode, destination mode and destination, polarity, trigger
 * mode, mask, and the read-only delivery status and remote IRR.  The
 * guest reaches them through IOREGSEL (offset 0x00) and IOWIN (0x10) at
 * 0xfec00000.  State is struct kvm_ioapic_state, KVM_GET_IRQCHIP's view;
 * the chip's lock covers it.
 */
#include <asm/apicdef.h>

#include "x86.h"

#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_VERSION		(0x11 | ((X86_IOAPIC_PINS - 1) << 16))
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_TABLE	0x10
/* The entry's bits a guest cannot write: delivery status, remote IRR. */
#define IOAPIC_RO_BITS		(BIT(12) | BIT(14))

void x86_ioapic_reset(struct x86_irqchip *c)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	int i;

	memset(s, 0, sizeof(*s));
	s->base_address = IOAPIC_BASE;
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		s->redirtbl[i].fields.mask = 1;
	c->ioapic_lines = 0;
}

/*
 * Send pin @pin's message to the local APICs, unless it is masked or,
 * level-triggered, still waits for its EOI (remote IRR).  Returns how
 * many APICs took it, or -1 if it was not sent.
 */
static int ioapic_service(struct x86_irqchip *c, u32 pin)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	typeof(s->redirtbl[0]) *e = &s->redirtbl[pin];
	bool level = e->fields.trig_mode;
	int n;

	if (e->fields.mask || (level && e->fields.remote_irr))
		return -1;
	n = x86_apic_deliver(c->vm, e->fields.dest_id, e->fields.dest_mode,
			     e->fields.delivery_mode << 8, e->fields.vector,
			     level);
	if (level && n > 0)
		e->fields.remote_irr = 1;
	else if (!level)
		s->irr &= ~BIT(pin);
	return n;
}

/*
 * The line of @pin goes to @level (chip lock held).  An edge pin sends
 * on each rising edge; a level pin while the line is high and no EOI is
 * awaited.  KVM_IRQ_LINE_STATUS's answer: 1 or more sent, 0 coalesced
 * (an edge still pending), -1 masked.
 */
int x86_ioapic_set_irq(struct x86_irqchip *c, u32 pin, int level)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	u32 old = s->irr;

	if (!level) {
		s->irr &= ~BIT(pin);
		c->ioapic_lines &= ~BIT(pin);
		return 1;
	}
	c->ioapic_lines |= BIT(pin);
	s->irr |= BIT(pin);
	if (!s->redirtbl[pin].fields.trig_mode && old == s->irr)
		return 0;
	return ioapic_service(c, pin);
}

/*
 * The local APICs' EOI of a level-triggered @vector clears the remote IRR
 * of every pin with that vector; a line still high sends again.  The
 * resampling irqfds of those pins lower their lines first (irqfd.c), so
 * that only their device model's next signal sends again.
 */
void x86_ioapic_eoi(struct x86_irqchip *c, u8 vector)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < X86_IOAPIC_PINS; i++) {
		typeof(s->redirtbl[0]) *e = &s->redirtbl[i];

		if (e->fields.vector != vector || !e->fields.trig_mode)
			continue;
		x86_irqfd_resample(c, KVM_IRQCHIP_IOAPIC, BIT(i));
		e->fields.remote_irr = 0;
		if (s->irr & BIT(i))
			ioapic_service(c, i);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	x86_irqfd_notify(c->vm);
}

/* Registers 0x10-0x3f: each entry's low, then high 32 bits. */
static bool ioapic_table_reg(u32 reg)
{
	return reg >= IOAPIC_REG_TABLE &&
	       reg < IOAPIC_REG_TABLE + 2 * X86_IOAPIC_PINS;
}

static u32 ioapic_read(struct x86_irqchip *c)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	u32 reg = s->ioregsel;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return (s->id & 0xf) << 24;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION;
	}
	if (!ioapic_table_reg(reg))
		return 0;
	reg -= IOAPIC_REG_TABLE;
	return s->redirtbl[reg / 2].bits >> (32 * (reg & 1));
}

static void ioapic_write(struct x86_irqchip *c, u32 val)
{
	struct kvm_ioapic_state *s = &c->ioapic;
	u32 reg = s->ioregsel, pin;
	u64 *bits, mask;

	if (reg == IOAPIC_REG_ID) {
		s->id = (val >> 24) & 0xf;
		return;
	}
	if (!ioapic_table_reg(reg))
		return;		/* version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_TABLE) / 2;
	bits = &s->redirtbl[pin].bits;
	mask = (reg & 1) ? 0xffffffff00000000ULL : 0xffffffffULL & ~IOAPIC_RO_BITS;
	*bits = (*bits & ~mask) | (((u64)val << (32 * (reg & 1))) & mask);
	/* An edge pin has no EOI to wait for. */
	if (!s->redirtbl[pin].fields.trig_mode)
		s->redirtbl[pin].fields.remote_irr = 0;
	else if (c->ioapic_lines & BIT(pin))
		ioapic_service(c, pin);
}

/*
 * A guest access to the I/O APIC's page: 1 if it was one.  IOREGSEL and
 * IOWIN are 32-bit registers; other accesses read 0 and write nothing.
 */
int x86_ioapic_mmio(struct x86_irqchip *c, u64 gpa, int size, bool write,
		    u64 *val)
{
	u64 base = c->ioapic.base_address;
	unsigned long flags;
	u32 off = gpa - base;

	if (gpa < base || gpa >= base + 0x100)
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	if (write && off == 0x00)
		c->ioapic.ioregsel = *val & 0xff;
	else if (write && off == 0x10 && size == 4)
		ioapic_write(c, *val);
	else if (!write)
		*val = off == 0x00 ? c->ioapic.ioregsel :
		       off == 0x10 ? ioapic_read(c) : 0;
	spin_unlock_irqrestore(&c->lock, flags);
	return 1;
}

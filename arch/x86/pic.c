// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the in-kernel 8259A pair, after the Intel 8259A data sheet,
 * with the PC's wiring: the slave's INT on the master's IR2, the master's
 * INT on vCPU 0's LINT0 (ExtINT), and the EISA edge/level control
 * registers (ELCR) at ports 0x4d0 and 0x4d1.
 *
 * State is struct kvm_pic_state, KVM_GET_IRQCHIP's view, under the chip's
 * lock.  Priorities rotate: IRn has priority (n - priority_add) mod 8,
 * 0 the highest.
 */
#include "x86.h"

#define PIC_NONE	8

/* The highest-priority bit of @mask, as a priority 0-7, or PIC_NONE. */
static int pic_priority(const struct kvm_pic_state *s, u8 mask)
{
	int p;

	for (p = 0; p < 8; p++)
		if (mask & BIT((p + s->priority_add) & 7))
			return p;
	return PIC_NONE;
}

/*
 * The IR line the chip would raise INT for, or -1: the highest-priority
 * unmasked request above the highest in service (data sheet, "Interrupt
 * Sequence"; special mask mode ignores masked in-service levels, special
 * fully nested mode lets the cascade line through on the master).
 */
static int pic_pending(const struct kvm_pic_state *s, bool master)
{
	u8 isr = s->isr;
	int p = pic_priority(s, s->irr & ~s->imr);

	if (p == PIC_NONE)
		return -1;
	if (s->special_mask)
		isr &= ~s->imr;
	if (master && s->special_fully_nested_mode)
		isr &= ~BIT(2);
	if (p >= pic_priority(s, isr))
		return -1;
	return (p + s->priority_add) & 7;
}

/* Edge (ELCR bit clear): a rising edge latches IRR; level: IRR follows. */
static int pic_line(struct kvm_pic_state *s, int irq, int level)
{
	u8 bit = BIT(irq);
	int r = 1;

	if (level && ((s->elcr & bit) || !(s->last_irr & bit))) {
		r = !(s->irr & bit);
		s->irr |= bit;
	} else if (!level && (s->elcr & bit)) {
		s->irr &= ~bit;
	}
	s->last_irr = level ? s->last_irr | bit : s->last_irr & ~bit;
	return (s->imr & bit) ? -1 : r;
}

/*
 * Propagate: the slave's INT to the master's IR2, the master's INT to the
 * vCPU that takes ExtINT (kicked when it rises).  Chip lock held.
 */
void x86_pic_update(struct x86_irqchip *c)
{
	bool was = c->pic_output;
	int i;

	pic_line(&c->pic[0], 2, pic_pending(&c->pic[1], false) >= 0);
	WRITE_ONCE(c->pic_output, pic_pending(&c->pic[0], true) >= 0);
	if (!c->pic_output || was)
		return;
	for (i = 0; i < READ_ONCE(c->vm->nr_vcpus); i++)
		if (!c->vm->vcpus[i]->id)
			x86_apic_kick(c->vm->vcpus[i]->arch);
}

int x86_pic_set_irq(struct x86_irqchip *c, u32 pin, int level)
{
	int r = pic_line(&c->pic[pin >> 3], pin & 7, level);

	x86_pic_update(c);
	return r;
}

/*
 * The INTA cycle's effect on chip @chip (0 master, 1 slave) for line
 * @irq.  In auto-EOI mode that ends the interrupt too: a resampling
 * irqfd on the line is lowered (irqfd.c).
 */
static void pic_intack(struct x86_irqchip *c, int chip, int irq)
{
	struct kvm_pic_state *s = &c->pic[chip];

	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
		x86_irqfd_resample(c, chip, BIT(irq));
	} else {
		s->isr |= BIT(irq);
	}
	if (!(s->elcr & BIT(irq)))
		s->irr &= ~BIT(irq);
}

/*
 * The INTA cycle (data sheet, "Interrupt Sequence"): the vector of the
 * highest request, through the slave for IR2; a request gone meanwhile
 * gives the spurious IR7.
 */
int x86_pic_ack(struct x86_irqchip *c)
{
	struct kvm_pic_state *m = &c->pic[0], *sl = &c->pic[1];
	unsigned long flags;
	int irq, irq2, vec;

	spin_lock_irqsave(&c->lock, flags);
	irq = pic_pending(m, true);
	if (irq < 0) {
		vec = m->irq_base + 7;
	} else {
		pic_intack(c, 0, irq);
		vec = m->irq_base + irq;
		if (irq == 2) {
			irq2 = pic_pending(sl, false);
			if (irq2 >= 0)
				pic_intack(c, 1, irq2);
			else
				irq2 = 7;
			vec = sl->irq_base + irq2;
		}
	}
	x86_pic_update(c);
	spin_unlock_irqrestore(&c->lock, flags);
	x86_irqfd_notify(c->vm);
	return vec;
}

/*
 * OCW2 (data sheet, "Operation Command Words"): bit 7 R (rotate), 6 SL
 * (the level in bits 2:0 is specified), 5 EOI.  R and SL without EOI set
 * the lowest priority; R alone (or nothing) sets rotation in automatic
 * EOI mode; an EOI without SL ends the highest-priority in-service IR.
 */
static void pic_ocw2(struct kvm_pic_state *s, u8 val)
{
	bool rotate = val & 0x80, sl = val & 0x40, eoi = val & 0x20;
	int irq = val & 7, p;

	if (!sl && !eoi) {
		s->rotate_on_auto_eoi = rotate;
		return;
	}
	if (!sl) {
		p = pic_priority(s, s->isr);
		if (p == PIC_NONE)
			return;
		irq = (p + s->priority_add) & 7;
	}
	if (eoi)
		s->isr &= ~BIT(irq);
	if (rotate)
		s->priority_add = (irq + 1) & 7;
}

/* Command port: ICW1 (bit 4), OCW3 (bit 3), else OCW2. */
static void pic_write_cmd(struct kvm_pic_state *s, u8 val)
{
	if (val & 0x10) {
		/*
		 * ICW1 clears the mask, the edge latches, the in-service and
		 * the modes; the ICWs that follow set them again.
		 */
		*s = (struct kvm_pic_state) { .irr = s->irr & s->elcr,
			.irq_base = s->irq_base, .elcr = s->elcr,
			.elcr_mask = s->elcr_mask, .init4 = val & 1,
			.special_fully_nested_mode = s->special_fully_nested_mode,
			.rotate_on_auto_eoi = s->rotate_on_auto_eoi,
			.init_state = 1 };
	} else if (val & 0x08) {
		if (val & 0x04)
			s->poll = 1;
		if (val & 0x02)
			s->read_reg_select = val & 1;
		if (val & 0x40)
			s->special_mask = (val >> 5) & 1;
	} else {
		pic_ocw2(s, val);
	}
}

/* Data port: ICW2-ICW4 during initialization, else OCW1 (the mask). */
static void pic_write_data(struct kvm_pic_state *s, u8 val)
{
	switch (s->init_state) {
	case 1:
		s->irq_base = val & 0xf8;
		s->init_state = 2;
		return;
	case 2:		/* ICW3: the cascade wiring is fixed here */
		s->init_state = s->init4 ? 3 : 0;
		return;
	case 3:
		s->special_fully_nested_mode = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		return;
	}
	s->imr = val;
}

/* Poll command (OCW3 bit 2): the next read acknowledges. */
static u8 pic_poll(struct x86_irqchip *c, struct kvm_pic_state *s)
{
	int irq = pic_pending(s, s == &c->pic[0]);

	s->poll = 0;
	if (irq < 0)
		return 0;
	pic_intack(c, s != &c->pic[0], irq);
	return 0x80 | irq;
}

/*
 * Ports 0x20/0x21, 0xa0/0xa1 and the ELCRs 0x4d0/0x4d1 (byte accesses):
 * 1 if @port is the PIC's (*val read or written), else 0.
 */
int x86_pic_pio(struct x86_irqchip *c, u16 port, bool in, u8 *val)
{
	struct kvm_pic_state *s;
	unsigned long flags;
	bool data = port & 1;
	u8 isr;

	if (port == 0x4d0 || port == 0x4d1)
		s = &c->pic[port & 1];
	else if ((port & ~1) == 0x20 || (port & ~1) == 0xa0)
		s = &c->pic[port >= 0xa0];
	else
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	isr = s->isr;
	if (port >= 0x4d0 && in)
		*val = s->elcr;
	else if (port >= 0x4d0)
		s->elcr = *val & s->elcr_mask;
	else if (in && s->poll)
		*val = pic_poll(c, s);
	else if (in)
		*val = data ? s->imr : s->read_reg_select ? s->isr : s->irr;
	else if (data)
		pic_write_data(s, *val);
	else
		pic_write_cmd(s, *val);
	/* An EOI (OCW2) ends the interrupts it takes out of service. */
	if (!in && !data)
		x86_irqfd_resample(c, s != &c->pic[0], isr & ~s->isr);
	if (!in)
		x86_pic_update(c);
	spin_unlock_irqrestore(&c->lock, flags);
	x86_irqfd_notify(c->vm);
	return 1;
}

/* Power-on: the ELCR bits that exist (IRQ 0-2, 8 and 13 are edge only). */
void x86_pic_reset(struct x86_irqchip *c)
{
	memset(c->pic, 0, sizeof(c->pic));
	c->pic[0].elcr_mask = 0xf8;
	c->pic[1].elcr_mask = 0xde;
	c->pic_output = false;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A pair of 8259A programmable interrupt controllers, as in every PC: the
 * master at ports 0x20/0x21 takes IRQ0-7, the slave at 0xa0/0xa1 takes
 * IRQ8-15 and drives the master's IRQ2.  Edge-triggered inputs unless the
 * edge/level control registers (ELCR, ports 0x4d0/0x4d1, as on PIIX and
 * later chipsets) say level.
 *
 * What is modelled (Intel 8259A data sheet, "Programming the 8259A"):
 * the ICW1-ICW4 initialisation sequence, the mask register (OCW1),
 * specific and non-specific EOI and priority rotation (OCW2), IRR/ISR
 * reads and poll mode (OCW3), automatic EOI, special mask mode.  Not
 * modelled: special fully nested mode and buffered mode, which no PC
 * operating system relies on.
 */
#include <string.h>

#include "linux.h"

#define ICW1_INIT	0x10	/* bit 4 set: this is ICW1 */
#define ICW1_ICW4	0x01	/* ICW4 follows */
#define ICW1_SINGLE	0x02	/* no slave, no ICW3 */
#define OCW3_SEL	0x08	/* bit 3 set (bit 4 clear): OCW3 */
#define OCW3_POLL	0x04
#define OCW3_READ	0x02	/* RR: read register command */
#define OCW3_RIS	0x01	/* with RR: ISR rather than IRR */
#define OCW3_ESMM	0x40	/* with SMM: set/clear special mask */
#define OCW3_SMM	0x20
#define ICW4_AEOI	0x02

static void chip_reset(struct pic_chip *c)
{
	uint8_t elcr = c->elcr, mask = c->elcr_mask;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = mask;
}

void pic_init(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	/* IRQ0-2 of the master and IRQ8 and IRQ13 are always edge. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	p->chip[0].imr = p->chip[1].imr = 0xff;
}

/* The highest-priority bit of @bits, counting from c->lowest + 1; or 8. */
static int chip_priority(const struct pic_chip *c, uint8_t bits)
{
	int i;

	if (!bits)
		return 8;
	for (i = 0; i < 8; i++)
		if (bits & (1u << ((i + c->lowest + 1) & 7)))
			return i;
	return 8;
}

/*
 * The IRQ (0-7) this chip would present on INTA now, or -1: the
 * highest-priority unmasked request, provided no interrupt of higher
 * priority is in service (in special mask mode, only masked in-service
 * bits are ignored).
 */
static int chip_irq(const struct pic_chip *c)
{
	uint8_t in_service = c->isr;
	int req, serv;

	req = chip_priority(c, c->irr & ~c->imr);
	if (req == 8)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	serv = chip_priority(c, in_service);
	if (req >= serv)
		return -1;
	return (req + c->lowest + 1) & 7;
}

static void chip_set_line(struct pic_chip *c, int irq, int level)
{
	uint8_t bit = 1u << irq;

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* The slave's INT output is the master's IRQ2 input. */
static void pic_update_cascade(struct pic *p)
{
	chip_set_line(&p->chip[0], 2, chip_irq(&p->chip[1]) >= 0);
}

void pic_set_irq(struct pic *p, int irq, int level)
{
	if (irq < 0 || irq > 15)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	pic_update_cascade(p);
}

void pic_pulse_irq(struct pic *p, int irq)
{
	pic_set_irq(p, irq, 1);
	pic_set_irq(p, irq, 0);
}

int pic_pending(const struct pic *p)
{
	return chip_irq(&p->chip[0]) >= 0;
}

/* INTA on one chip for @irq: IRR to ISR (none with automatic EOI). */
static void chip_ack(struct pic_chip *c, int irq)
{
	uint8_t bit = 1u << irq;

	if (!(c->elcr & bit))
		c->irr &= ~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = irq;
}

/*
 * With no request left by the time of INTA, the 8259A answers IRQ7's
 * vector with no ISR bit set: the spurious interrupt operating systems
 * check for.
 */
int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_irq(m), irq2, vector;

	if (irq < 0)
		return m->base + 7;
	chip_ack(m, irq);
	if (irq != 2) {
		vector = m->base + irq;
	} else {
		irq2 = chip_irq(s);
		if (irq2 < 0) {
			vector = s->base + 7;
		} else {
			chip_ack(s, irq2);
			vector = s->base + irq2;
		}
	}
	pic_update_cascade(p);
	return vector;
}

/* OCW2: end of interrupt and priority commands (bits 7-5). */
static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
	int irq, prio;

	switch (val >> 5) {
	case 0:		/* clear rotate in automatic EOI mode */
	case 4:		/* set it */
		c->rotate_aeoi = val >> 7;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* ... and rotate */
		prio = chip_priority(c, c->isr);
		if (prio == 8)
			break;
		irq = (prio + c->lowest + 1) & 7;
		c->isr &= ~(1u << irq);
		if (val & 0x80)
			c->lowest = irq;
		break;
	case 3:		/* specific EOI */
		c->isr &= ~(1u << (val & 7));
		break;
	case 6:		/* set priority */
		c->lowest = val & 7;
		break;
	case 7:		/* rotate on specific EOI */
		c->isr &= ~(1u << (val & 7));
		c->lowest = val & 7;
		break;
	}
}

static void chip_write_cmd(struct pic_chip *c, uint8_t val)
{
	if (val & ICW1_INIT) {
		/* ICW1 clears the mask, the ISR and the edge detectors. */
		chip_reset(c);
		c->icw4 = val & ICW1_ICW4;
		c->single = val & ICW1_SINGLE;
		c->init_step = 1;
	} else if (val & OCW3_SEL) {
		c->poll = !!(val & OCW3_POLL);
		if (val & OCW3_READ)
			c->read_isr = val & OCW3_RIS;
		if (val & OCW3_ESMM)
			c->special_mask = !!(val & OCW3_SMM);
	} else {
		chip_ocw2(c, val);
	}
}

static void chip_write_data(struct pic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 1:		/* ICW2: vector base, bits 7-3 */
		c->base = val & 0xf8;
		c->init_step = !c->single ? 2 : c->icw4 ? 3 : 0;
		break;
	case 2:		/* ICW3: cascade wiring, fixed on a PC */
		c->init_step = c->icw4 ? 3 : 0;
		break;
	case 3:		/* ICW4 */
		c->auto_eoi = !!(val & ICW4_AEOI);
		c->init_step = 0;
		break;
	default:	/* OCW1 */
		c->imr = val;
		break;
	}
}

/* Poll mode: the read is the INTA, answering 0x80 | IRQ, or 0. */
static uint8_t pic_poll(struct pic *p, int slave)
{
	struct pic_chip *c = &p->chip[slave];
	int irq = chip_irq(c);

	c->poll = 0;
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	/* Polling the slave ends the master's IRQ2 cycle too. */
	if (slave && !(p->chip[0].elcr & 4))
		p->chip[0].irr &= ~4;
	pic_update_cascade(p);
	return 0x80 | irq;
}

int pic_io(struct pic *p, uint16_t port, int is_write, uint8_t *val)
{
	int slave;
	struct pic_chip *c;

	if (port == 0x4d0 || port == 0x4d1) {
		c = &p->chip[port & 1];
		if (is_write)
			c->elcr = *val & c->elcr_mask;
		else
			*val = c->elcr;
		return 1;
	}
	if ((port & ~0x81) != 0x20)
		return 0;
	slave = !!(port & 0x80);
	c = &p->chip[slave];
	if (is_write) {
		if (port & 1)
			chip_write_data(c, *val);
		else
			chip_write_cmd(c, *val);
		pic_update_cascade(p);
	} else if (c->poll) {
		*val = pic_poll(p, slave);
	} else if (port & 1) {
		*val = c->imr;
	} else {
		*val = c->read_isr ? c->isr : c->irr;
	}
	return 1;
}

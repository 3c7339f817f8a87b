// SPDX-License-Identifier: GPL-2.0
/*
 * An 8254 programmable interval timer at ports 0x40-0x43, clocked at
 * 1.193182 MHz, and the PC's port 0x61 ("system control port B").
 *
 * Channel 0's output is IRQ0; channel 2's gate is port 0x61 bit 0 and its
 * output reads back as port 0x61 bit 5, which is how Linux calibrates the
 * TSC against it.  Counts are not stored ticking: each read computes the
 * counter from the time elapsed since the count was loaded (host
 * CLOCK_MONOTONIC), and channel 0's next interrupt is published for the
 * machine's timer (pit.irq_at_ns, pit.period_ns).
 *
 * Modelled (Intel 82C54 data sheet): the control word (channel, access
 * mode LSB/MSB/both, mode 0-5), counter latch, read-back with status,
 * lo/hi byte flip-flops, modes 0 and 4 (one-shot at terminal count), 2
 * and 3 (periodic), 1 and 5 treated as one-shot from the load.  BCD
 * counting is not: the counter counts in binary whatever bit 0 says.
 */
#include <string.h>

#include "linux.h"

#define PIT_HZ		1193182ull
#define NS		1000000000ull

#define CTRL_CHANNEL(v)	(((v) >> 6) & 3)
#define CTRL_RW(v)	(((v) >> 4) & 3)
#define CTRL_MODE(v)	(((v) >> 1) & 7)
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_BOTH		3

#define PORT61_GATE2	0x01
#define PORT61_SPEAKER	0x02
#define PORT61_REFRESH	0x10	/* toggles every 15.085 us */
#define PORT61_OUT2	0x20

void pit_init(struct pit *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++) {
		p->ch[i].reload = 0x10000;
		p->ch[i].rw = RW_BOTH;
		/* Channels 0 and 1 have their gates tied high on a PC. */
		p->ch[i].gate = i != 2;
	}
}

/* Input clock ticks since the count was loaded. */
static uint64_t pit_ticks(const struct pit_channel *c, uint64_t now_ns)
{
	uint64_t ns = now_ns > c->start_ns ? now_ns - c->start_ns : 0;

	return (ns / NS) * PIT_HZ + (ns % NS) * PIT_HZ / NS;
}

/* Modes 6 and 7 are aliases of 2 and 3 (the data sheet's "X10", "X11"). */
static int pit_mode(const struct pit_channel *c)
{
	return c->mode > 5 ? c->mode - 4 : c->mode;
}

static uint16_t pit_count(const struct pit_channel *c, uint64_t now_ns)
{
	uint64_t t;

	if (!c->counting)
		return c->reload;
	t = pit_ticks(c, now_ns);
	switch (pit_mode(c)) {
	case 2:
		return c->reload - t % c->reload;
	case 3:
		/* Decrements by two, reloading each half period. */
		return c->reload - (2 * t) % c->reload;
	default:
		return (c->reload - t) & 0xffff;
	}
}

static int pit_out(const struct pit_channel *c, uint64_t now_ns)
{
	uint64_t t;

	if (!c->counting)
		return pit_mode(c) != 0;
	t = pit_ticks(c, now_ns);
	switch (pit_mode(c)) {
	case 0:
		return t >= c->reload;
	case 1:
		return t >= c->reload;
	case 2:
		return t % c->reload != c->reload - 1;
	case 3:
		return t % c->reload < (c->reload + 1) / 2;
	default:	/* 4, 5: a one-clock low strobe at terminal count */
		return t != c->reload;
	}
}

/* Publishes channel 0's next interrupt for the machine's timer. */
static void pit_update_irq0(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t period = c->reload * NS / PIT_HZ;

	p->changed = 1;
	p->irq_at_ns = 0;
	p->period_ns = 0;
	if (!c->counting)
		return;
	p->irq_at_ns = c->start_ns + (period ? period : 1);
	if (pit_mode(c) == 2 || pit_mode(c) == 3)
		p->period_ns = period ? period : 1;
}

static void pit_load(struct pit *p, int i, uint32_t count, uint64_t now_ns)
{
	struct pit_channel *c = &p->ch[i];

	c->reload = count ? count : 0x10000;
	c->start_ns = now_ns;
	c->counting = 1;
	if (i == 0)
		pit_update_irq0(p);
}

static void pit_latch(struct pit_channel *c, uint64_t now_ns)
{
	if (c->latched)
		return;
	c->latch = pit_count(c, now_ns);
	c->latched = 1;
	c->latch_msb = c->rw == RW_MSB;
}

static void pit_read_back(struct pit *p, uint8_t val, uint64_t now_ns)
{
	struct pit_channel *c;
	int i;

	for (i = 0; i < 3; i++) {
		if (!(val & (2u << i)))
			continue;
		c = &p->ch[i];
		if (!(val & 0x20))
			pit_latch(c, now_ns);
		if (!(val & 0x10) && !c->status_latched) {
			c->status = pit_out(c, now_ns) << 7 |
				    !c->counting << 6 | c->rw << 4 |
				    c->mode << 1 | c->bcd;
			c->status_latched = 1;
		}
	}
}

static void pit_control(struct pit *p, uint8_t val, uint64_t now_ns)
{
	struct pit_channel *c;

	if (CTRL_CHANNEL(val) == 3) {
		pit_read_back(p, val, now_ns);
		return;
	}
	c = &p->ch[CTRL_CHANNEL(val)];
	if (CTRL_RW(val) == RW_LATCH) {
		pit_latch(c, now_ns);
		return;
	}
	/* A new mode stops the count until the count is written. */
	c->rw = CTRL_RW(val);
	c->mode = CTRL_MODE(val);
	c->bcd = val & 1;
	c->write_msb = c->read_msb = 0;
	c->latched = 0;
	c->counting = 0;
	if (c == &p->ch[0])
		pit_update_irq0(p);
}

static void pit_write_count(struct pit *p, int i, uint8_t val,
			    uint64_t now_ns)
{
	struct pit_channel *c = &p->ch[i];

	switch (c->rw) {
	case RW_LSB:
		pit_load(p, i, val, now_ns);
		break;
	case RW_MSB:
		pit_load(p, i, (uint32_t)val << 8, now_ns);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = 1;
		} else {
			pit_load(p, i, c->write_lsb | (uint32_t)val << 8,
				 now_ns);
			c->write_msb = 0;
		}
		break;
	}
}

static uint8_t pit_read_count(struct pit_channel *c, uint64_t now_ns)
{
	uint16_t v;
	uint8_t r;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->latched) {
		r = c->latch_msb ? c->latch >> 8 : c->latch & 0xff;
		if (c->rw == RW_BOTH && !c->latch_msb)
			c->latch_msb = 1;
		else
			c->latched = 0;
		return r;
	}
	v = pit_count(c, now_ns);
	switch (c->rw) {
	case RW_LSB:
		return v & 0xff;
	case RW_MSB:
		return v >> 8;
	default:
		c->read_msb = !c->read_msb;
		return c->read_msb ? v & 0xff : v >> 8;
	}
}

static void pit_port61(struct pit *p, int is_write, uint8_t *val,
		       uint64_t now_ns)
{
	struct pit_channel *c = &p->ch[2];
	int gate;

	if (!is_write) {
		*val = p->port61 |
		       ((now_ns / 15085) & 1 ? PORT61_REFRESH : 0) |
		       (pit_out(c, now_ns) ? PORT61_OUT2 : 0);
		return;
	}
	p->port61 = *val & (PORT61_GATE2 | PORT61_SPEAKER);
	gate = *val & PORT61_GATE2;
	/* A rising gate (re)starts the count in every mode Linux uses. */
	if (gate && !c->gate && c->counting)
		c->start_ns = now_ns;
	c->gate = gate;
}

int pit_io(struct pit *p, uint16_t port, int is_write, uint8_t *val,
	   uint64_t now_ns)
{
	if (port == 0x61) {
		pit_port61(p, is_write, val, now_ns);
		return 1;
	}
	if (port < 0x40 || port > 0x43)
		return 0;
	if (port == 0x43) {
		if (is_write)
			pit_control(p, *val, now_ns);
		else
			*val = 0xff;	/* the control word is write-only */
	} else if (is_write) {
		pit_write_count(p, port - 0x40, *val, now_ns);
	} else {
		*val = pit_read_count(&p->ch[port - 0x40], now_ns);
	}
	return 1;
}

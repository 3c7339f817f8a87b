// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's MC146818 real-time clock and its CMOS RAM: an index written to
 * port 0x70 (bit 7 is the NMI mask, ignored here), the register read or
 * written at port 0x71.
 *
 * The clock reads the host's time (UTC) at every read: seconds, minutes,
 * hours, day of week, day, month, year at registers 0, 2, 4, 6-9 and the
 * century at 0x32, in BCD unless status register B selects binary (bit
 * 2), in 24-hour format.  Writes to the clock are ignored: the guest
 * cannot set the host's time.  Status A never shows an update in progress
 * (bit 7), status C has no interrupt flags (nothing raises IRQ8) and
 * status D says the battery is good (bit 7).  The other bytes are plain
 * RAM, zero at power-on.
 */
#include <string.h>
#include <time.h>

#include "linux.h"

#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32
#define B_BINARY	0x04
#define B_24H		0x02
#define D_VRT		0x80

void cmos_init(struct cmos *c)
{
	memset(c, 0, sizeof(*c));
	c->ram[REG_A] = 0x26;		/* 32.768 kHz time base, 1024 Hz */
	c->ram[REG_B] = B_24H;
}

static uint8_t cmos_encode(const struct cmos *c, int v)
{
	if (c->ram[REG_B] & B_BINARY)
		return v;
	return (v / 10) << 4 | v % 10;
}

/* A clock register (0-9 or the century), or -1 for any other index. */
static int cmos_clock(const struct cmos *c, uint8_t index)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		return -1;
	switch (index) {
	case 0:
		return cmos_encode(c, tm.tm_sec);
	case 2:
		return cmos_encode(c, tm.tm_min);
	case 4:
		return cmos_encode(c, tm.tm_hour);
	case 6:
		return cmos_encode(c, tm.tm_wday + 1);
	case 7:
		return cmos_encode(c, tm.tm_mday);
	case 8:
		return cmos_encode(c, tm.tm_mon + 1);
	case 9:
		return cmos_encode(c, tm.tm_year % 100);
	case REG_CENTURY:
		return cmos_encode(c, 19 + tm.tm_year / 100);
	}
	return -1;
}

static uint8_t cmos_read(struct cmos *c)
{
	int v = cmos_clock(c, c->index);

	if (v >= 0)
		return v;
	switch (c->index) {
	case REG_A:
		return c->ram[REG_A] & 0x7f;
	case REG_C:
		return 0;
	case REG_D:
		return D_VRT;
	}
	return c->ram[c->index];
}

static void cmos_write(struct cmos *c, uint8_t val)
{
	if (cmos_clock(c, c->index) >= 0 || c->index == REG_C ||
	    c->index == REG_D)
		return;			/* read-only here */
	c->ram[c->index] = val;
}

int cmos_io(struct cmos *c, uint16_t port, int is_write, uint8_t *val)
{
	if (port == 0x70) {
		if (is_write)
			c->index = *val & 0x7f;
		else
			*val = 0xff;	/* the index register is write-only */
		return 1;
	}
	if (port != 0x71)
		return 0;
	if (is_write)
		cmos_write(c, *val);
	else
		*val = cmos_read(c);
	return 1;
}

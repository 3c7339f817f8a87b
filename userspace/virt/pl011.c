// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --kernel on arm64: a PL011 UART (ARM PrimeCell UART (PL011)
 * Technical Reference Manual, DDI 0183, chapter 3 "Programmers Model"),
 * enough for Linux's amba-pl011 driver and its console.
 *
 * Transmission: every byte stored to UARTDR goes out at once, so the
 * transmit FIFO is always empty (UARTFR.TXFE, never TXFF or BUSY) and
 * below its trigger level: UARTRIS.TXRIS is set after each byte (3.4.3,
 * "the transmit interrupt ... asserted when the FIFO becomes equal to or
 * lower than the programmed trigger level"), until UARTICR clears it.
 * Reception: bytes from the machine (stdin) fill the receive FIFO and set
 * UARTRIS.RXRIS and RTRIS (receive timeout) until it is read empty; the
 * machine feeds it only once the driver has enabled receive interrupts
 * (pl011_rx_ready), so that input sent early is not lost to the driver's
 * start-up, which empties the FIFO.
 * The interrupt line is UARTINTR, the OR of UARTMIS (3.4.6).
 * No modem lines, DMA, IrDA or break; errors never happen.
 */
#include <string.h>

#include "virt.h"

#define UARTDR		0x000
#define UARTRSR		0x004
#define UARTFR		0x018
#define UARTILPR	0x020
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTDMACR	0x048
#define UARTPERIPHID0	0xfe0

#define FR_RXFE		(1u << 4)
#define FR_RXFF		(1u << 6)
#define FR_TXFE		(1u << 7)
#define INT_RX		(1u << 4)
#define INT_TX		(1u << 5)
#define INT_RT		(1u << 6)
#define INT_ALL		0x7ffu
#define CR_RESET	0x300u		/* TXE | RXE */
#define IFLS_RESET	0x12u		/* both FIFOs at 1/2 */

/* UARTPeriphID0-3 and UARTPCellID0-3 (3.3.14-3.3.21): a PL011 r1p5. */
static const uint8_t pl011_id[8] = {
	0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

void pl011_init(struct pl011 *u, void (*out)(void *, uint8_t), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	u->out = out;
	u->out_ctx = ctx;
}

static void tx_byte(struct pl011 *u, uint8_t b)
{
	u->out(u->out_ctx, b);
	u->ris |= INT_TX;
}

unsigned int pl011_rx_room(const struct pl011 *u)
{
	return PL011_FIFO - u->rx_count;
}

int pl011_rx_ready(const struct pl011 *u)
{
	return !!(u->imsc & (INT_RX | INT_RT));
}

void pl011_receive(struct pl011 *u, uint8_t byte)
{
	if (u->rx_count == PL011_FIFO)
		return;
	u->rx[(u->rx_head + u->rx_count++) % PL011_FIFO] = byte;
	u->ris |= INT_RX | INT_RT;
}

static uint32_t rx_byte(struct pl011 *u)
{
	uint32_t b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_FIFO;
	if (!--u->rx_count)
		u->ris &= ~(INT_RX | INT_RT);
	return b;
}

int pl011_irq(const struct pl011 *u)
{
	return !!(u->ris & u->imsc);
}

static uint32_t pl011_fr(const struct pl011 *u)
{
	uint32_t fr = FR_TXFE;

	if (!u->rx_count)
		fr |= FR_RXFE;
	if (u->rx_count == PL011_FIFO)
		fr |= FR_RXFF;
	return fr;
}

static uint32_t pl011_read(struct pl011 *u, uint64_t off)
{
	switch (off) {
	case UARTDR:
		return rx_byte(u);
	case UARTFR:
		return pl011_fr(u);
	case UARTIBRD:
		return u->ibrd;
	case UARTFBRD:
		return u->fbrd;
	case UARTLCR_H:
		return u->lcr_h;
	case UARTCR:
		return u->cr;
	case UARTIFLS:
		return u->ifls;
	case UARTIMSC:
		return u->imsc;
	case UARTRIS:
		return u->ris;
	case UARTMIS:
		return u->ris & u->imsc;
	case UARTDMACR:
		return u->dmacr;
	}
	if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 0x20 && !(off & 3))
		return pl011_id[(off - UARTPERIPHID0) / 4];
	return 0;
}

static void pl011_write(struct pl011 *u, uint64_t off, uint32_t val)
{
	switch (off) {
	case UARTDR:
		tx_byte(u, val);
		break;
	case UARTIBRD:
		u->ibrd = val & 0xffff;
		break;
	case UARTFBRD:
		u->fbrd = val & 0x3f;
		break;
	case UARTLCR_H:
		u->lcr_h = val & 0xff;
		break;
	case UARTCR:
		u->cr = val & 0xffff;
		break;
	case UARTIFLS:
		u->ifls = val & 0x3f;
		break;
	case UARTIMSC:
		u->imsc = val & INT_ALL;
		break;
	case UARTICR:
		u->ris &= ~val;
		break;
	case UARTDMACR:
		u->dmacr = val & 7;
		break;
	}
}

void pl011_mmio(struct pl011 *u, uint64_t off, int is_write, uint8_t *data,
		unsigned int len)
{
	uint32_t val = 0;

	if (len > sizeof(val))
		len = sizeof(val);
	if (is_write) {
		memcpy(&val, data, len);
		pl011_write(u, off, val);
		return;
	}
	val = pl011_read(u, off);
	memset(data, 0, 8);
	memcpy(data, &val, len);
}

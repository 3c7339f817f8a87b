// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART at COM1 (ports 0x3f8-0x3ff, IRQ4), the console of a PC
 * guest.  Registers as in the National Semiconductor PC16550D data sheet:
 *
 *   +0  RBR (read) / THR (write), or DLL with LCR.DLAB
 *   +1  IER, or DLM with LCR.DLAB
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR   +4  MCR   +5  LSR   +6  MSR   +7  SCR
 *
 * A byte written to THR is transmitted at once (handed to uart.out), so
 * the transmitter is always empty (LSR.THRE and LSR.TEMT) and the THR
 * empty interrupt, when enabled, is pending again after every write.
 * Received bytes wait in a 16-byte FIFO.  Baud rate, parity and FIFO
 * trigger levels are accepted and ignored.  In loopback (MCR bit 4) THR
 * feeds the receiver and the modem outputs read back as modem inputs;
 * otherwise the modem inputs say a terminal is attached (CTS, DSR, DCD).
 */
#include <string.h>

#include "linux.h"

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_MSI		0x08	/* modem status */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0	/* FIFOs enabled */
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

void uart_init(struct uart *u, void (*out)(void *, uint8_t), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->out_ctx = ctx;
}

unsigned int uart_rx_room(const struct uart *u)
{
	unsigned int size = u->fcr & FCR_ENABLE ? UART_FIFO : 1;

	return u->rx_count < size ? size - u->rx_count : 0;
}

void uart_receive(struct uart *u, uint8_t byte)
{
	if (!uart_rx_room(u))
		return;		/* overrun: the byte is lost */
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = byte;
	u->rx_count++;
}

static uint8_t uart_pop(struct uart *u)
{
	uint8_t b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO;
	u->rx_count--;
	return b;
}

/* The pending interrupt of highest priority, as IIR bits 3-0. */
static uint8_t uart_iir(const struct uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	return IIR_NO_INT;
}

int uart_irq(const struct uart *u)
{
	return uart_iir(u) != IIR_NO_INT;
}

static uint8_t uart_msr(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	return (u->mcr & 1 ? MSR_DSR : 0) | (u->mcr & 2 ? MSR_CTS : 0) |
	       (u->mcr & 4 ? MSR_RI : 0) | (u->mcr & 8 ? MSR_DCD : 0);
}

static void uart_write_ier(struct uart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f;
	/*
	 * Enabling the THR empty interrupt with the transmitter empty
	 * raises it at once; Linux's 8250 driver checks exactly this at
	 * start-up (its UART_BUG_THRE test).
	 */
	if ((u->ier & IER_THRI) && !(old & IER_THRI))
		u->thr_ipending = 1;
}

static void uart_write(struct uart *u, int reg, uint8_t val)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
		} else {
			if (u->mcr & MCR_LOOP)
				uart_receive(u, val);
			else if (u->out)
				u->out(u->out_ctx, val);
			u->thr_ipending = 1;
		}
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = val;
		else
			uart_write_ier(u, val);
		break;
	case 2:
		if ((val ^ u->fcr) & FCR_ENABLE || val & FCR_CLEAR_RX)
			u->rx_count = 0;
		u->fcr = val & (FCR_ENABLE | 0xc0);
		break;
	case 3:
		u->lcr = val;
		break;
	case 4:
		u->mcr = val & 0x1f;
		break;
	case 7:
		u->scr = val;
		break;
	}
}

static uint8_t uart_read(struct uart *u, int reg)
{
	uint8_t iir;

	switch (reg) {
	case 0:
		return u->lcr & LCR_DLAB ? u->dll : uart_pop(u);
	case 1:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		iir = uart_iir(u);
		/* Reading IIR that reports THR empty acknowledges it. */
		if (iir == IIR_THRI)
			u->thr_ipending = 0;
		return iir | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case 6:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

int uart_io(struct uart *u, uint16_t port, int is_write, uint8_t *val)
{
	if (port < 0x3f8 || port > 0x3ff)
		return 0;
	if (is_write)
		uart_write(u, port - 0x3f8, *val);
	else
		*val = uart_read(u, port - 0x3f8);
	return 1;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run --kernel: a PC just large enough for Linux/x86-64, emulated in
 * user space over KVM_EXIT_IO with KVM's user-space irqchip semantics
 * (no KVM_CREATE_IRQCHIP: interrupts go in with KVM_INTERRUPT).
 *
 *   boot-linux.c  the Linux/x86 boot protocol: bzImage, zero page, e820,
 *                 the 64-bit entry state; the CPUID table and MSRs
 *   run-linux.c   the machine: port map, interrupt delivery, HLT, the
 *                 timer/stdin thread, the run loop (hvx run, hvx bench)
 *   dev-pic.c     8259A pair (IRQ0-15, cascade on IRQ2, ELCR)
 *   dev-pit.c     8254 PIT and port 0x61 (speaker gate, OUT2)
 *   dev-uart.c    16550A at COM1 (0x3f8, IRQ4)
 *   dev-cmos.c    MC146818 RTC and CMOS RAM (0x70/0x71)
 *   pc/mptable.c  the MP table of --irqchip=kernel (Intel MP Spec 1.4)
 *   pc/smp.c      --irqchip=kernel: KVM_CREATE_IRQCHIP, GSI routes,
 *                 interrupt lines, the vCPUs' power-off census
 *
 * --irqchip=user (the default with one vCPU): no local APIC, the CPUID
 * table hides APIC and x2APIC, so the guest runs its interrupts through
 * the 8259A in user space (Linux's APIC_PIC mode).  --irqchip=kernel
 * (needed for --smp N > 1): KVM's in-kernel local APICs, I/O APIC and
 * 8259A; the 8254 and the UART stay here and drive their IRQ lines with
 * KVM_IRQ_LINE; an MP table tells Linux the CPUs and the I/O APIC.
 *
 * Locking: the devices belong to the machine and are touched with
 * linux_machine.lock held, by the vCPU thread (port I/O, injection) and
 * by the event thread (timer expiry, stdin).  The device files do no
 * locking of their own.
 */
#ifndef HVX_LINUX_H
#define HVX_LINUX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/vmlib.h"

/* ---------------------------------------------------------------- PIC */

struct pic_chip {
	uint8_t irr, isr, imr, elcr, elcr_mask;
	uint8_t lines;		/* input levels, for edge detection */
	uint8_t base;		/* ICW2: vector of IRQ0 of this chip */
	uint8_t init_step;	/* 0: ready; 1-3: waiting for ICW2-ICW4 */
	uint8_t icw4, single;
	uint8_t auto_eoi, read_isr, poll, special_mask, lowest;
	uint8_t rotate_aeoi;
};

struct pic {
	struct pic_chip chip[2];	/* master (0x20), slave (0xa0) */
};

void pic_init(struct pic *p);
/* Sets the level of input @irq (0-15). */
void pic_set_irq(struct pic *p, int irq, int level);
/* An edge on @irq: raise then lower, for pulse-like sources. */
void pic_pulse_irq(struct pic *p, int irq);
/* Whether the master's INT output is asserted. */
int pic_pending(const struct pic *p);
/* The INTA cycle: the vector to inject, and IRR/ISR updated. */
int pic_ack(struct pic *p);
int pic_io(struct pic *p, uint16_t port, int is_write, uint8_t *val);

/* ---------------------------------------------------------------- PIT */

struct pit_channel {
	uint32_t reload;		/* 1..65536 */
	uint8_t mode, rw, bcd;
	uint8_t write_msb, read_msb;	/* lo/hi byte flip-flops */
	uint8_t write_lsb;		/* the LSB, waiting for the MSB */
	uint8_t latched, latch_msb;	/* a latched count being read */
	uint16_t latch;
	uint8_t status_latched, status;
	uint8_t gate, counting;
	uint64_t start_ns;		/* when the count was loaded */
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port61;			/* bits 0-1 as written */
	/*
	 * Channel 0's next interrupt, for the machine's timer: 0 none,
	 * else absolute CLOCK_MONOTONIC ns, repeating every period_ns if
	 * that is non-zero.  Changed when the guest reprograms channel 0.
	 */
	uint64_t irq_at_ns, period_ns;
	int changed;
};

void pit_init(struct pit *p);
int pit_io(struct pit *p, uint16_t port, int is_write, uint8_t *val,
	   uint64_t now_ns);

/* --------------------------------------------------------------- UART */

#define UART_FIFO	16

struct uart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t thr_ipending;
	uint8_t rx[UART_FIFO];
	unsigned int rx_head, rx_count;
	/* Where transmitted bytes go. */
	void (*out)(void *ctx, uint8_t byte);
	void *out_ctx;
};

void uart_init(struct uart *u, void (*out)(void *, uint8_t), void *ctx);
int uart_io(struct uart *u, uint16_t port, int is_write, uint8_t *val);
/* Room in the receive FIFO, and a received byte into it. */
unsigned int uart_rx_room(const struct uart *u);
void uart_receive(struct uart *u, uint8_t byte);
/* The level of the UART's interrupt line (IRQ4). */
int uart_irq(const struct uart *u);

/* --------------------------------------------------------------- CMOS */

struct cmos {
	uint8_t index;
	uint8_t ram[128];
};

void cmos_init(struct cmos *c);
int cmos_io(struct cmos *c, uint16_t port, int is_write, uint8_t *val);

/* -------------------------------------------------------------- boot */

struct linux_opts {
	const char *device;
	const char *kernel, *initrd, *cmdline;
	uint64_t mem;
	int stats;
	int use_stdin;			/* feed stdin to the UART */
	/* Seconds after which the run is abandoned (0: never). */
	unsigned int timeout_s;
	unsigned int smp;		/* vCPUs, 1..LINUX_MAX_SMP (0: 1) */
	int kernel_irqchip;		/* --irqchip=kernel */
	/* Where the guest's console bytes go; NULL: stdout. */
	void (*out)(void *ctx, uint8_t byte);
	void *out_ctx;
};

/* What boot-linux.c placed in guest memory. */
struct linux_layout {
	uint64_t entry;			/* 64-bit entry point */
	uint64_t zero_page;		/* struct boot_params, for RSI */
	uint64_t kernel, kernel_end;	/* load address .. + init_size */
	uint64_t initrd, initrd_size;
};

#define LINUX_DEFAULT_MEM	(256ull << 20)
#define LINUX_MIN_MEM		(32ull << 20)
#define LINUX_MAX_MEM		(3ull << 30)	/* below the PCI hole */
#define LINUX_MAX_SMP		8

/* Loads kernel, initrd and command line into @vm; 0 or an exit status. */
int linux_load(struct vm *vm, const struct linux_opts *o,
	       struct linux_layout *l);
/*
 * The CPUID table and MSRs of @v (with a local APIC if @lapic), and with
 * @l the BSP's 64-bit boot state (an AP keeps its reset state); 0 or an
 * exit status.
 */
int linux_setup_vcpu(struct vcpu *v, const struct linux_layout *l,
		     int lapic);
/* The MP table for @ncpus CPUs with APIC IDs 0..@ncpus-1 (pc/mptable.c). */
void mptable_write(struct vm *vm, unsigned int ncpus);

/* --irqchip=kernel (pc/smp.c); each returns 0 or -errno. */
int pc_irqchip_create(struct vm *vm);
int pc_irq_line(struct vm *vm, uint32_t gsi, int level);
int pc_ap_wait_sipi(struct vcpu *v);
/* 1 if @v halted with interrupts off or never started, 0 if not. */
int pc_vcpu_off(struct vcpu *v);
void pc_irqchip_dump(struct vm *vm);

/*
 * Boots the guest and runs it until it stops; returns the exit status,
 * HVX_EXIT_TIMEOUT when o->timeout_s ran out.
 */
int linux_run(const struct linux_opts *o);

/* hvx bench --linux (bench-linux.c). */
int bench_linux_main(int argc, char **argv);

#endif /* HVX_LINUX_H */

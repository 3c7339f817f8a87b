/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run --kernel on arm64: the outline of QEMU's "virt" board, just
 * large enough for Linux/arm64, over KVM's in-kernel GICv3 and timer.
 *
 *   boot.c     the arm64 Linux boot protocol (Documentation/arch/arm64/
 *              booting.rst): Image header, placement, x0 = device tree
 *   fdt.c      the device tree, written with libfdt
 *   pl011.c    the PL011 UART, emulated on MMIO exits
 *   machine.c  the VM: vGICv3, vCPUs with PSCI 0.2, one thread per vCPU
 *              and an event thread (stdin, the run's deadline)
 *
 * Memory map, as QEMU's virt board (hw/arm/virt.c's memory map):
 *   0x08000000  GICv3 distributor, 64 KiB
 *   0x080a0000  GICv3 redistributors, 128 KiB per vCPU
 *   0x09000000  PL011, 4 KiB, SPI 1 (INTID 33)
 *   0x40000000  RAM
 *
 * Locking: the PL011 belongs to the machine and is touched with
 * virt_machine.lock held, by the vCPU threads (MMIO) and the event
 * thread (stdin).  pl011.c does no locking of its own.
 */
#ifndef HVX_VIRT_H
#define HVX_VIRT_H

#include <stdint.h>

#include "../linux.h"

#define VIRT_GIC_DIST		0x08000000ull
#define VIRT_GIC_DIST_SIZE	0x10000ull
#define VIRT_GIC_REDIST		0x080a0000ull
#define VIRT_GIC_REDIST_SIZE	0x20000ull	/* per vCPU: RD_base, SGI_base */
#define VIRT_UART		0x09000000ull
#define VIRT_UART_SIZE		0x1000ull
#define VIRT_UART_SPI		1		/* INTID 32 + 1 */
#define VIRT_RAM		0x40000000ull
#define VIRT_MAX_CPUS		8

/*
 * The architected timer's PPIs (Arm ARM D11.2.4), by the Server Base
 * System Architecture's numbers, which QEMU's virt board and KVM use.
 */
#define VIRT_PPI_SEC_PHYS	13
#define VIRT_PPI_PHYS		14
#define VIRT_PPI_VIRT		11
#define VIRT_PPI_HYP		10
#define VIRT_PPI_GIC_MAINT	9

/* --------------------------------------------------------------- PL011 */

#define PL011_FIFO	32

struct pl011 {
	uint32_t ris, imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr;
	uint8_t rx[PL011_FIFO];
	unsigned int rx_head, rx_count;
	void (*out)(void *ctx, uint8_t byte);
	void *out_ctx;
};

void pl011_init(struct pl011 *u, void (*out)(void *, uint8_t), void *ctx);
/* A load (@is_write 0) or store of @len bytes at @off in its page. */
void pl011_mmio(struct pl011 *u, uint64_t off, int is_write, uint8_t *data,
		unsigned int len);
unsigned int pl011_rx_room(const struct pl011 *u);
/* Whether the driver takes input: receive interrupts enabled. */
int pl011_rx_ready(const struct pl011 *u);
void pl011_receive(struct pl011 *u, uint8_t byte);
/* The level of the UART's interrupt line (UARTINTR). */
int pl011_irq(const struct pl011 *u);

/* ---------------------------------------------------------------- boot */

struct virt_layout {
	uint64_t entry;			/* the Image's first byte */
	uint64_t kernel_end;
	uint64_t dtb, dtb_size;
	uint64_t initrd, initrd_size;
};

/* Loads the Image and initrd into @vm; 0 or an exit status. */
int virt_load(struct vm *vm, const struct linux_opts *o,
	      struct virt_layout *l);
/* The boot CPU's registers (x0 = the device tree); 0 or -errno. */
int virt_setup_boot_cpu(struct vcpu *v, const struct virt_layout *l);

/* The device tree into @buf (@size bytes); 0, or -1 if it did not fit. */
int virt_fdt(void *buf, unsigned int size, const struct vm *vm,
	     unsigned int nr_cpus, const struct linux_opts *o,
	     const struct virt_layout *l);

/*
 * Boots the guest and runs it until it stops (run_arch.linux_run);
 * returns the exit status, HVX_EXIT_TIMEOUT when o->timeout_s ran out.
 */
int virt_run(const struct linux_opts *o);

#endif /* HVX_VIRT_H */

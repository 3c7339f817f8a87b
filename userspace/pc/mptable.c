// SPDX-License-Identifier: GPL-2.0
/*
 * The MP table of hvx run --irqchip=kernel (Intel MultiProcessor
 * Specification 1.4, chapter 4): how Linux learns, with acpi=off, how
 * many CPUs there are, their local APIC IDs, and where the I/O APIC is and
 * how the ISA IRQs reach its pins.
 *
 * The MP floating pointer structure (4.1) lies in the last KiB of base
 * memory, one of the places the spec (and Linux's smp_scan_config) looks
 * in, which the e820 map leaves out of RAM (boot-linux.c); the
 * configuration table (4.2) follows it.  Entries (4.3): one processor per
 * vCPU (APIC ID = vCPU index, vCPU 0 the bootstrap processor), bus 0 ISA,
 * the I/O APIC with the ID after the last CPU's, an I/O interrupt entry
 * per ISA IRQ 0-15 but the cascade (IRQ2): IRQ n to pin n, except IRQ0,
 * which the 8254 drives into pin 2 as on PCs (the ISA interrupt override
 * of ACPI); and the local interrupts, ExtINT on LINT0 and NMI on LINT1
 * of every local APIC (the default configuration's wiring, 5.1).
 */
#include <stdint.h>
#include <string.h>

#include "linux.h"

#define MP_FLOAT_GPA		(639 * 1024)	/* last KiB below 640 KiB */
#define MP_CONFIG_GPA		(MP_FLOAT_GPA + 16)
#define MP_SPEC_REV		4		/* 1.4 */
#define MP_LAPIC_BASE		0xfee00000
#define MP_IOAPIC_BASE		0xfec00000
#define MP_LAPIC_VERSION	0x14	/* xAPIC (SDM Vol. 3A 11.4.8) */
#define MP_IOAPIC_VERSION	0x11	/* 82093AA */

enum mp_entry { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IOINTR, MP_LINTR };
enum mp_int_type { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };
#define MP_CPU_EN		0x01
#define MP_CPU_BP		0x02
#define MP_ALL_LAPICS		0xff
#define ISA_IRQS		16
#define ISA_CASCADE		2
#define __packed		__attribute__((packed))

/* Table 4-2, Table 4-3, and the entries of 4.3, packed as in memory. */
struct mp_float {
	char sig[4];
	uint32_t config;
	uint8_t length, rev, checksum, features[5];
} __packed;

struct mp_config {
	char sig[4];
	uint16_t length;
	uint8_t rev, checksum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_size, entries;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __packed;

struct mp_cpu {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __packed;

struct mp_bus {
	uint8_t type, id;
	char name[6];
} __packed;

struct mp_ioapic {
	uint8_t type, id, ver, flags;
	uint32_t addr;
} __packed;

/* An I/O or local interrupt entry; flags 0: as the bus (ISA: edge, high). */
struct mp_intr {
	uint8_t type, int_type;
	uint16_t flags;
	uint8_t bus, bus_irq, apic_id, pin;
} __packed;

/* The bytes of a structure sum to 0 (4.1, 4.2). */
static uint8_t mp_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return -sum;
}

static void mp_add(uint8_t **at, struct mp_config *c, const void *e,
		   size_t n)
{
	memcpy(*at, e, n);
	*at += n;
	c->entries++;
}

static void mp_intr(uint8_t **at, struct mp_config *c, uint8_t type,
		    uint8_t int_type, uint8_t bus_irq, uint8_t apic_id,
		    uint8_t pin)
{
	struct mp_intr e = {
		.type = type, .int_type = int_type, .bus = 0,
		.bus_irq = bus_irq, .apic_id = apic_id, .pin = pin,
	};

	mp_add(at, c, &e, sizeof(e));
}

void mptable_write(struct vm *vm, unsigned int ncpus)
{
	struct mp_float *f = vm_gpa(vm, MP_FLOAT_GPA);
	struct mp_config *c = vm_gpa(vm, MP_CONFIG_GPA);
	uint8_t *at = (uint8_t *)(c + 1), ioapic_id = ncpus, irq;
	struct mp_bus bus = { .type = MP_BUS, .name = "ISA   " };
	struct mp_ioapic io = {
		.type = MP_IOAPIC, .id = ioapic_id, .ver = MP_IOAPIC_VERSION,
		.flags = MP_CPU_EN, .addr = MP_IOAPIC_BASE,
	};
	unsigned int i;

	memset(c, 0, sizeof(*c));
	memcpy(c->sig, "PCMP", 4);
	c->rev = MP_SPEC_REV;
	memcpy(c->oem, "HVX     ", 8);
	memcpy(c->product, "HVX RUN     ", 12);
	c->lapic = MP_LAPIC_BASE;
	for (i = 0; i < ncpus; i++) {
		struct mp_cpu e = {
			.type = MP_PROCESSOR, .apic_id = i,
			.apic_ver = MP_LAPIC_VERSION,
			.flags = MP_CPU_EN | (i ? 0 : MP_CPU_BP),
		};

		mp_add(&at, c, &e, sizeof(e));
	}
	mp_add(&at, c, &bus, sizeof(bus));
	mp_add(&at, c, &io, sizeof(io));
	for (irq = 0; irq < ISA_IRQS; irq++)
		if (irq != ISA_CASCADE)
			mp_intr(&at, c, MP_IOINTR, MP_INT, irq, ioapic_id,
				irq ? irq : ISA_CASCADE);
	mp_intr(&at, c, MP_LINTR, MP_EXTINT, 0, MP_ALL_LAPICS, 0);
	mp_intr(&at, c, MP_LINTR, MP_NMI, 0, MP_ALL_LAPICS, 1);
	c->length = at - (uint8_t *)c;
	c->checksum = mp_checksum(c, c->length);

	memset(f, 0, sizeof(*f));
	memcpy(f->sig, "_MP_", 4);
	f->config = MP_CONFIG_GPA;
	f->length = 1;			/* in 16-byte paragraphs */
	f->rev = MP_SPEC_REV;
	f->checksum = mp_checksum(f, sizeof(*f));
}

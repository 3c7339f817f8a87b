// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --kernel on arm64: the device tree the kernel finds in x0,
 * written with libfdt's sequential-write functions (Debian's libfdt-dev,
 * linked statically).  Bindings, from the kernel's
 * Documentation/devicetree/bindings/: memory (the Devicetree
 * Specification, 3.4), cpus with enable-method "psci" (arm/cpus.yaml),
 * arm/psci.yaml (0.2 and 1.0 function ids, conduit HVC),
 * interrupt-controller/arm,gic-v3.yaml, timer/arm,arch_timer.yaml,
 * serial/pl011.yaml with its fixed-clock, and chosen (bootargs,
 * linux,initrd-start/end, stdout-path).
 *
 * Interrupt specifiers are the GICv3 binding's three cells: 0 SPI or 1
 * PPI, the number within that class, and the trigger (4: level high).
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#include "virt.h"

#define GIC_SPI			0
#define GIC_PPI			1
#define IRQ_LEVEL_HIGH		4
#define PHANDLE_GIC		1
#define PHANDLE_CLK		2
#define UART_CLOCK_HZ		24000000

/* A device tree being written; the first error stops every later call. */
struct fdtw {
	void *fdt;
	int err;
};

static void begin(struct fdtw *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void end(struct fdtw *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void prop(struct fdtw *w, const char *name, const void *val, int len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, len);
}

static void prop_str(struct fdtw *w, const char *name, const char *s)
{
	prop(w, name, s, strlen(s) + 1);
}

static void prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	prop(w, name, &be, sizeof(be));
}

static void prop_u64(struct fdtw *w, const char *name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);

	prop(w, name, &be, sizeof(be));
}

/* A reg of @n (address, size) pairs, two cells each. */
static void prop_reg(struct fdtw *w, const uint64_t *pairs, int n)
{
	fdt64_t be[4];
	int i;

	for (i = 0; i < 2 * n && i < 4; i++)
		be[i] = cpu_to_fdt64(pairs[i]);
	prop(w, "reg", be, 2 * n * sizeof(be[0]));
}

/* Interrupt specifiers: @n triples of (class, number, trigger). */
static void prop_irqs(struct fdtw *w, const uint32_t *cells, int n)
{
	fdt32_t be[12];
	int i;

	for (i = 0; i < 3 * n && i < 12; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop(w, "interrupts", be, 3 * n * sizeof(be[0]));
}

static void node_chosen(struct fdtw *w, const struct linux_opts *o,
			const struct virt_layout *l)
{
	begin(w, "chosen");
	prop_str(w, "bootargs", o->cmdline ? o->cmdline : "");
	prop_str(w, "stdout-path", "/pl011@9000000");
	if (l->initrd_size) {
		prop_u64(w, "linux,initrd-start", l->initrd);
		prop_u64(w, "linux,initrd-end", l->initrd + l->initrd_size);
	}
	end(w);
}

static void node_cpus(struct fdtw *w, unsigned int nr_cpus)
{
	char name[16];
	unsigned int i;

	begin(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (i = 0; i < nr_cpus; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		begin(w, name);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,armv8");
		/* MPIDR_EL1's affinity as KVM gives vCPU i: Aff0 = i. */
		prop_u32(w, "reg", i);
		prop_str(w, "enable-method", "psci");
		end(w);
	}
	end(w);
}

static void node_psci(struct fdtw *w)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	begin(w, "psci");
	prop(w, "compatible", compat, sizeof(compat));
	prop_str(w, "method", "hvc");
	end(w);
}

static void node_gic(struct fdtw *w, unsigned int nr_cpus)
{
	const uint64_t reg[] = {
		VIRT_GIC_DIST, VIRT_GIC_DIST_SIZE,
		VIRT_GIC_REDIST, nr_cpus * VIRT_GIC_REDIST_SIZE,
	};
	const uint32_t maint[] = {
		GIC_PPI, VIRT_PPI_GIC_MAINT, IRQ_LEVEL_HIGH,
	};

	begin(w, "intc@8000000");
	prop_str(w, "compatible", "arm,gic-v3");
	prop_u32(w, "#interrupt-cells", 3);
	prop(w, "interrupt-controller", NULL, 0);
	prop_u32(w, "#redistributor-regions", 1);
	prop_reg(w, reg, 2);
	prop_irqs(w, maint, 1);
	prop_u32(w, "phandle", PHANDLE_GIC);
	end(w);
}

static void node_timer(struct fdtw *w)
{
	const uint32_t irqs[] = {
		GIC_PPI, VIRT_PPI_SEC_PHYS, IRQ_LEVEL_HIGH,
		GIC_PPI, VIRT_PPI_PHYS, IRQ_LEVEL_HIGH,
		GIC_PPI, VIRT_PPI_VIRT, IRQ_LEVEL_HIGH,
		GIC_PPI, VIRT_PPI_HYP, IRQ_LEVEL_HIGH,
	};

	begin(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_irqs(w, irqs, 4);
	end(w);
}

static void node_uart(struct fdtw *w)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const uint64_t reg[] = { VIRT_UART, VIRT_UART_SIZE };
	const uint32_t irq[] = { GIC_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH };
	const fdt32_t clocks[] = {
		cpu_to_fdt32(PHANDLE_CLK), cpu_to_fdt32(PHANDLE_CLK),
	};

	begin(w, "apb-pclk");
	prop_str(w, "compatible", "fixed-clock");
	prop_u32(w, "#clock-cells", 0);
	prop_u32(w, "clock-frequency", UART_CLOCK_HZ);
	prop_str(w, "clock-output-names", "clk24mhz");
	prop_u32(w, "phandle", PHANDLE_CLK);
	end(w);
	begin(w, "pl011@9000000");
	prop(w, "compatible", compat, sizeof(compat));
	prop_reg(w, reg, 1);
	prop_irqs(w, irq, 1);
	prop(w, "clocks", clocks, sizeof(clocks));
	prop(w, "clock-names", clock_names, sizeof(clock_names));
	end(w);
}

int virt_fdt(void *buf, unsigned int size, const struct vm *vm,
	     unsigned int nr_cpus, const struct linux_opts *o,
	     const struct virt_layout *l)
{
	const uint64_t mem[] = { vm->mem_gpa, vm->mem_size };
	struct fdtw w = { .fdt = buf };

	w.err = fdt_create(buf, size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	begin(&w, "");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	prop_str(&w, "compatible", "linux,dummy-virt");
	prop_str(&w, "model", "hvx run virt");
	prop_u32(&w, "interrupt-parent", PHANDLE_GIC);
	node_chosen(&w, o, l);
	begin(&w, "memory@40000000");
	prop_str(&w, "device_type", "memory");
	prop_reg(&w, mem, 1);
	end(&w);
	node_cpus(&w, nr_cpus);
	node_psci(&w);
	node_gic(&w, nr_cpus);
	node_timer(&w);
	node_uart(&w);
	end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	return w.err ? -1 : 0;
}

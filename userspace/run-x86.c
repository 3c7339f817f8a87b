// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run, x86 machine: RAM at guest-physical 0, a COM1 that is always
 * ready to transmit, a debug port (0xe9, as Bochs and QEMU's isa-debugcon
 * have it) and an exit port (0xf4, as QEMU's isa-debug-exit has it, though
 * here the byte is the status as it is).  Everything else reads as an
 * absent device.  HLT stops the guest with status 0.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "hvx.h"
#include "linux.h"
#include "run.h"

#define PORT_COM1		0x3f8	/* data (THR) when written */
#define PORT_COM1_LSR		0x3fd	/* line status register */
#define PORT_DEBUGCON		0xe9
#define PORT_EXIT		0xf4

/* LSR: THRE (bit 5) and TEMT (bit 6): the 8250 can take a byte now. */
#define LSR_TX_EMPTY		0x60

static const char help[] =
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--trace[=CLASSES]]\n"
"               [--mode MODE] GUEST\n"
"       hvx run [--device PATH] [--mem SIZE] [--stats] --kernel BZIMAGE\n"
"               [--initrd FILE] [--append CMDLINE] [--smp N]\n"
"               [--irqchip=kernel|user]\n"
"\n"
"Load GUEST into a new VM with one vCPU and run it until it stops.\n"
"GUEST is a flat binary (loaded and entered at 0x8000, real mode, CS=DS=0)\n"
"or an ELF file (ELF32: 32-bit protected mode, ELF64: long mode; PT_LOAD\n"
"segments are loaded at their physical addresses and the vCPU starts at\n"
"e_entry).  Protected and paged modes have flat 4 GiB segments; paged and\n"
"long modes identity-map the first GiB.  The stack pointer is 0x8000.\n"
"\n"
"The guest's bytes on port 0x3f8 (COM1) and port 0xe9 go to stdout; reading\n"
"port 0x3fd (COM1 line status) says the transmitter is empty.  A byte\n"
"written to port 0xf4 ends the run with that byte as exit status; HLT ends\n"
"it with status 0.\n"
"\n"
"  --device PATH  the KVM-compatible device (default /dev/hvx; /dev/kvm\n"
"                 runs the same guest on KVM)\n"
"  --mem SIZE     guest RAM at address 0, with an optional K, M or G\n"
"                 suffix (default 16M, at least 2M)\n"
"  --mode MODE    real, prot, paged or long, instead of the file's own\n"
"  --stats        when the guest stops, print its exits by reason on\n"
"                 stderr: those seen by hvx run and, on /dev/hvx, every\n"
"                 exit counted by the kernel (HVX_GET_VCPU_STATS)\n"
"  --trace[=CLASSES]  on /dev/hvx, every exit on stderr as it happens, one\n"
"                 line each: time, vCPU, class, what trapped, the PC and its\n"
"                 instruction, then \"= kernel\" or \"= user (KVM_EXIT_...)\";\n"
"                 CLASSES (default all): io, mmio, hlt, irq, cpuid, msr,\n"
"                 hypercall, fault, exception, other, all, comma-separated\n"
"\n"
"  --kernel BZIMAGE  boot Linux instead: see below\n"
"  --initrd FILE     with --kernel, the initial RAM disk\n"
"  --append CMDLINE  with --kernel, the kernel command line\n"
"  --smp N           with --kernel, N vCPUs (1 to 8; more than 1 needs\n"
"                    the in-kernel irqchip, the default then)\n"
"  --irqchip=kernel|user  with --kernel, the interrupt controllers: in\n"
"                    the kernel (KVM_CREATE_IRQCHIP) or emulated here\n"
"                    (the default with one vCPU)\n"
"\n"
"With --kernel, hvx run is a small PC for a Linux/x86-64 bzImage (boot\n"
"protocol 2.12 or later): the kernel is loaded at its preferred address,\n"
"the initrd at the top of RAM, and entered at its 64-bit entry point with\n"
"a zero page holding the e820 map (RAM below 640K and from 1M).  RAM\n"
"defaults to 256M (32M to 3G).  Devices, emulated here over I/O exits:\n"
"8259A PIC pair (0x20, 0xa0, ELCR 0x4d0), 8254 PIT (0x40-0x43, IRQ0; port\n"
"0x61), 16550A UART at 0x3f8 (IRQ4) on stdin and stdout, RTC/CMOS (0x70),\n"
"reset through 0x64 (0xfe) or 0xcf9.  Other ports read all ones, and so\n"
"does memory beyond RAM.  With --irqchip=user, one vCPU and no local APIC:\n"
"CPUID and IA32_APIC_BASE say there is none, and Linux runs on the 8259A.\n"
"With --irqchip=kernel, the local APICs, I/O APIC and 8259A are the\n"
"device's; the PIT and UART raise IRQ0 and IRQ4 with KVM_IRQ_LINE (IRQ0\n"
"reaches I/O APIC pin 2); an MP table (MP Spec 1.4, at 639K) lists the\n"
"CPUs, APIC IDs 0 to N-1, and the I/O APIC; APs wait for INIT and SIPI.\n"
"No PCI,\n"
"no ACPI: \"console=ttyS0 pci=off acpi=off\" suit it.  Unless CMDLINE has\n"
"tsc_early_khz=, hvx run measures the TSC and adds it, since calibrating\n"
"against the PIT fails when port I/O exits are slow.  The run ends with\n"
"status 0 when the guest halts with interrupts off (Linux's poweroff and\n"
"halt without ACPI), on every vCPU, or resets the machine; a triple fault\n"
"is status 4.\n"
"\n"
"Exit status: the guest's, or 2 bad usage or unreadable guest,\n"
"3 access outside guest RAM (MMIO), 4 triple fault (shutdown), 5 VM entry\n"
"failed, 6 internal error, 7 device or ioctl error, 8 unexpected exit.\n";


/* ELF32: 32-bit protected mode; ELF64: long mode. */
static int x86_elf_mode(int elf_class, int machine)
{
	if (elf_class == ELFCLASS32 && machine == EM_386)
		return GUEST_PROT;
	if (elf_class == ELFCLASS64 && machine == EM_X86_64)
		return GUEST_LONG;
	return -1;
}

/* What vcpu_setup_mode() writes into guest RAM (lib/vmlib-x86.h). */
static const struct run_reserved x86_reserved[] = {
	{ GUEST_GDT_GPA, GUEST_GDT_GPA + 0x1000,
	  1u << GUEST_PROT | 1u << GUEST_PAGED | 1u << GUEST_LONG, "GDT" },
	{ GUEST_PML4_GPA, GUEST_PML4_GPA + 0x3000,
	  1u << GUEST_LONG, "page tables" },
	{ GUEST_PD32_GPA, GUEST_PD32_GPA + 0x1000,
	  1u << GUEST_PAGED, "page directory" },
};

static void set_supported_cpuid(struct vcpu *v)
{
	int r = vcpu_set_supported_cpuid(v);

	if (r)
		fprintf(stderr, "hvx run: warning: cannot give %s a CPUID table (%s); the guest's CPUID may read zeros\n",
			v->vm->dev, strerror(-r));
}

static int x86_setup(struct vcpu *v, int mode, uint64_t entry)
{
	int r;

	if (mode == GUEST_REAL && entry > 0xffff) {
		/* vcpu_setup_mode() gives CS base 0: IP cannot reach it. */
		fprintf(stderr, "hvx run: entry point %#llx is out of reach of real mode (CS base 0, 64 KiB limit)\n",
			(unsigned long long)entry);
		return HVX_EXIT_USAGE;
	}
	set_supported_cpuid(v);
	r = vcpu_setup_mode(v, mode, entry, GUEST_STACK_TOP);
	if (r) {
		fprintf(stderr, "hvx run: cannot set up %s mode on %s: %s\n",
			guest_mode_name(mode), v->vm->dev, strerror(-r));
		return HVX_EXIT_DEVICE;
	}
	return 0;
}

/* What an IN from @port reads: a ready 8250 at COM1, nothing elsewhere. */
static uint8_t port_in_value(uint16_t port)
{
	if (port == PORT_COM1_LSR)
		return LSR_TX_EMPTY;
	if (port >= PORT_COM1 && port < PORT_COM1 + 8)
		return 0;
	if (port == PORT_DEBUGCON)
		return PORT_DEBUGCON;	/* how guests detect the port */
	return 0xff;			/* floating bus */
}

/* Returns 1 when the guest asked to stop, with its status in @status. */
static int handle_io(struct vcpu *v, struct counts *c, int *status)
{
	struct kvm_run *run = v->run;
	uint8_t *data = vcpu_io_data(v);
	uint16_t port = run->io.port;
	uint32_t i, size = run->io.size, n = size * run->io.count;

	/* A new hypervisor's bug should read as an error, not a crash. */
	if (!size || run->io.data_offset > (uint32_t)v->vm->run_size ||
	    n > v->vm->run_size - run->io.data_offset) {
		fflush(stdout);
		fprintf(stderr, "hvx run: KVM_EXIT_IO data (offset %llu, %u x %u bytes) lies outside the %d-byte kvm_run area\n",
			(unsigned long long)run->io.data_offset, run->io.count,
			size, v->vm->run_size);
		*status = HVX_EXIT_INTERNAL;
		return 1;
	}
	if (run->io.direction == KVM_EXIT_IO_IN) {
		for (i = 0; i < n; i += size)
			memset(data + i, port_in_value(port), size);
		return 0;
	}
	if (port == PORT_EXIT) {
		*status = data[0];
		return 1;
	}
	if (port == PORT_COM1 || port == PORT_DEBUGCON) {
		for (i = 0; i < n; i += size)
			putchar(data[i]);
		c->console_bytes += n / size;
	}
	return 0;
}

static int x86_exit(struct vcpu *v, int reason, struct counts *c,
		    int *status)
{
	if (reason == KVM_EXIT_IO)
		return handle_io(v, c, status);
	if (reason == KVM_EXIT_HLT) {
		*status = 0;
		return 1;
	}
	return -1;
}

static int x86_run_error(struct vcpu *v, int err)
{
	(void)v;
	fprintf(stderr, "hvx run: KVM_RUN failed: %s\n", strerror(-err));
	return HVX_EXIT_DEVICE;
}

const struct run_arch run_arch = {
	.help = help,
	.ram_gpa = 0,
	.flat_gpa = GUEST_CODE_GPA,
	.flat_mode = GUEST_REAL,
	.elf_what = "a little-endian i386 or x86-64 ELF file",
	.elf_mode = x86_elf_mode,
	.reserved = x86_reserved,
	.nr_reserved = ARRAY_SIZE(x86_reserved),
	.setup = x86_setup,
	.exit = x86_exit,
	.run_error = x86_run_error,
	.linux_run = linux_run,
	.linux_max_cpus = LINUX_MAX_SMP,
};

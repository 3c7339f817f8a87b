// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run, arm64 machine: the outline of QEMU's "virt" board, so that a
 * bare-metal program written for that board runs here unchanged.
 *
 *   0x09000000  a PL011 UART (ARM PrimeCell UART PL011 TRM, "Register
 *               descriptions"): a byte stored to UARTDR (+0x000) is
 *               output; UARTFR (+0x018) reads TXFE | RXFE, transmit FIFO
 *               empty, nothing received; the rest of its 4 KiB reads 0
 *               and ignores stores.
 *   0x40000000  RAM, --mem bytes of it.
 *   PSCI        by HVC (or SMC where the hypervisor takes it): SYSTEM_OFF
 *               ends the run with status 0, SYSTEM_RESET with
 *               HVX_EXIT_RESET.  Other SMCCC calls that reach user space
 *               (hvx's KVM_EXIT_HYPERCALL) are answered NOT_SUPPORTED.
 *
 * The vCPU starts at EL1h with the MMU off, SP_EL1 at the top of RAM and
 * X0 zero (no device tree).  Every other address is an absent device.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hvx.h"
#include "run.h"
#include "virt/virt.h"

#define RAM_GPA		0x40000000ull
#define FLAT_GPA	(RAM_GPA + 0x80000)	/* QEMU's place for a raw image */
#define UART_GPA	0x09000000ull
#define UART_SIZE	0x1000
#define UARTDR		0x000
#define UARTFR		0x018
#define UARTFR_RXFE	(1u << 4)
#define UARTFR_TXFE	(1u << 7)

/* SMCCC's "not supported" (DEN0028), for calls nobody answers. */
#define SMCCC_RET_NOT_SUPPORTED	(~0ull)

static const char help[] =
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--trace[=CLASSES]]\n"
"               [--mode MODE] GUEST\n"
"       hvx run [--device PATH] [--mem SIZE] [--stats] --kernel IMAGE\n"
"               [--initrd FILE] [--append CMDLINE] [--smp N]\n"
"\n"
"Load GUEST into a new VM with one vCPU and run it until it stops.\n"
"GUEST is a flat binary (loaded and entered at 0x40080000, where QEMU's\n"
"virt board puts a raw image) or an AArch64 ELF64 file (PT_LOAD segments\n"
"are loaded at their physical addresses and the vCPU starts at e_entry).\n"
"The vCPU starts at EL1h with the MMU off, every exception masked, SP_EL1\n"
"at the top of RAM and X0 = 0.  RAM starts at 0x40000000.\n"
"\n"
"The guest's bytes stored to the PL011 UART's data register at 0x09000000\n"
"go to stdout; its flag register (0x09000018) says the transmitter is\n"
"empty.  PSCI SYSTEM_OFF (HVC #0, W0 = 0x84000008) ends the run with\n"
"status 0; SYSTEM_RESET with status 9.\n"
"\n"
"  --device PATH  the KVM-compatible device (default /dev/hvx; /dev/kvm\n"
"                 runs the same guest on KVM)\n"
"  --mem SIZE     guest RAM at 0x40000000, with an optional K, M or G\n"
"                 suffix (default 16M, at least 2M)\n"
"  --mode MODE    el1 (the only mode for RAM at 0x40000000)\n"
"  --kernel IMAGE boot an arm64 Linux Image (booting.rst) instead, on a\n"
"                 machine shaped like QEMU's virt board: a device tree in\n"
"                 x0, GICv3 (in the kernel), the architected timer, a\n"
"                 PL011 at 0x09000000 (SPI 1) on stdin and stdout, PSCI\n"
"                 0.2 by HVC; the run ends at PSCI SYSTEM_OFF (status 0)\n"
"                 (default --mem 256M, 32M to 3G)\n"
"  --initrd FILE  an initramfs for --kernel\n"
"  --append S     the kernel command line (for example console=ttyAMA0)\n"
"  --smp N        vCPUs for --kernel, 1 to 8 (the others start powered\n"
"                 off; the guest brings them up with PSCI CPU_ON)\n"
"  --stats        when the guest stops, print its exits by reason on\n"
"                 stderr: those seen by hvx run and, on /dev/hvx, every\n"
"                 exit counted by the kernel (HVX_GET_VCPU_STATS)\n"
"  --trace[=CLASSES]  on /dev/hvx, every exit on stderr as it happens, one\n"
"                 line each: time, vCPU, class, what trapped, the PC and its\n"
"                 instruction, then \"= kernel\" or \"= user (KVM_EXIT_...)\";\n"
"                 CLASSES (default all): io, mmio, hlt, irq, cpuid, msr,\n"
"                 hypercall, fault, exception, other, all, comma-separated\n"
"\n"
"Exit status: 0 after SYSTEM_OFF, or 2 bad usage or unreadable guest,\n"
"3 access outside guest RAM (MMIO), 5 VM entry failed, 6 internal error\n"
"(an access the hypervisor cannot decode), 7 device or ioctl error,\n"
"8 unexpected exit, 9 SYSTEM_RESET.\n";

static int arm64_elf_mode(int elf_class, int machine)
{
	if (elf_class == ELFCLASS64 && machine == EM_AARCH64)
		return GUEST_EL1;
	return -1;
}

static int arm64_setup(struct vcpu *v, int mode, uint64_t entry)
{
	uint64_t top = v->vm->mem_gpa + v->vm->mem_size;
	int r;

	if (mode != GUEST_EL1) {
		fprintf(stderr, "hvx run: mode %s needs RAM at guest-physical 0; hvx run's is at %#llx\n",
			guest_mode_name(mode), RAM_GPA);
		return HVX_EXIT_USAGE;
	}
	r = vcpu_setup_mode(v, mode, entry, top);
	if (r) {
		fprintf(stderr, "hvx run: cannot set up %s mode on %s: %s\n",
			guest_mode_name(mode), v->vm->dev, strerror(-r));
		return HVX_EXIT_DEVICE;
	}
	return 0;
}

/* A load or store in the UART's page: what the guest sees of a PL011. */
static void uart_access(struct kvm_run *run, struct counts *c)
{
	uint64_t off = run->mmio.phys_addr - UART_GPA, val = 0;

	if (run->mmio.is_write) {
		if (off == UARTDR) {
			putchar(run->mmio.data[0]);
			c->console_bytes++;
		}
		return;
	}
	if (off == UARTFR)
		val = UARTFR_TXFE | UARTFR_RXFE;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, &val, run->mmio.len < 8 ? run->mmio.len : 8);
}

static int system_event(struct kvm_run *run, int *status)
{
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		*status = 0;
		return 1;
	case KVM_SYSTEM_EVENT_RESET:
		fflush(stdout);
		fprintf(stderr, "hvx run: the guest asked for a reset (PSCI SYSTEM_RESET)\n");
		*status = HVX_EXIT_RESET;
		return 1;
	}
	return -1;
}

static int arm64_exit(struct vcpu *v, int reason, struct counts *c,
		      int *status)
{
	struct kvm_run *run = v->run;

	switch (reason) {
	case KVM_EXIT_MMIO:
		if (run->mmio.phys_addr - UART_GPA >= UART_SIZE)
			return -1;
		uart_access(run, c);
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		return system_event(run, status);
	case KVM_EXIT_HYPERCALL:
		c->hypercalls++;
		if (vcpu_set_reg(v, REG_X(0), SMCCC_RET_NOT_SUPPORTED)) {
			*status = HVX_EXIT_DEVICE;
			return 1;
		}
		return 0;
	}
	return -1;
}

/*
 * KVM's own ways for KVM_RUN to fail on a guest's access (api.rst,
 * "KVM_RUN"): ENOSYS for a data abort outside RAM that the hardware gave
 * no syndrome for, ENOEXEC for instructions fetched from no memory.
 */
static int arm64_run_error(struct vcpu *v, int err)
{
	(void)v;
	if (err == -ENOSYS) {
		fprintf(stderr, "hvx run: KVM_RUN failed: %s: a load or store outside RAM without a syndrome to decode it by (LDP, STP, writeback)\n",
			strerror(-err));
		return HVX_EXIT_INTERNAL;
	}
	if (err == -ENOEXEC) {
		fprintf(stderr, "hvx run: KVM_RUN failed: %s: the guest fetched instructions from outside its RAM\n",
			strerror(-err));
		return HVX_EXIT_MMIO;
	}
	fprintf(stderr, "hvx run: KVM_RUN failed: %s\n", strerror(-err));
	return HVX_EXIT_DEVICE;
}

const struct run_arch run_arch = {
	.help = help,
	.ram_gpa = RAM_GPA,
	.flat_gpa = FLAT_GPA,
	.flat_mode = GUEST_EL1,
	.elf_what = "a little-endian AArch64 ELF64 file",
	.elf_mode = arm64_elf_mode,
	.setup = arm64_setup,
	.exit = arm64_exit,
	.run_error = arm64_run_error,
	.linux_run = virt_run,
	.linux_max_cpus = VIRT_MAX_CPUS,
};

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run: between the architecture-neutral part (run.c: options, image
 * files, ELF, the run loop, statistics) and the machine of each
 * architecture (run-x86.c: port I/O, COM1, HLT; run-arm64.c: a PL011
 * UART's data register, PSCI).  Each architecture file fills run_arch.
 */
#ifndef HVX_RUN_H
#define HVX_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/vmlib.h"

struct linux_opts;

/* Exits seen by the run loop, by KVM_EXIT_* reason. */
#define NR_COUNTED_EXITS	64

struct counts {
	unsigned long exits[NR_COUNTED_EXITS];
	unsigned long signals;
	unsigned long console_bytes;
	unsigned long hypercalls;	/* answered by hvx run itself */
};

/* Guest-physical bytes that vcpu_setup_mode() writes in some modes. */
struct run_reserved {
	uint64_t start, end;
	unsigned int modes;		/* bit per enum guest_mode */
	const char *what;
};

struct run_arch {
	const char *help;		/* hvx run --help */
	uint64_t ram_gpa;		/* where guest RAM starts */
	uint64_t flat_gpa;		/* where a flat binary goes and starts */
	int flat_mode;			/* and its mode */
	const char *elf_what;		/* "a little-endian ... ELF file" */
	/* The mode an ELF file of this class and e_machine runs in, or -1. */
	int (*elf_mode)(int elf_class, int machine);
	const struct run_reserved *reserved;
	size_t nr_reserved;
	/*
	 * Sets up @v to start at @entry in @mode; says why not on stderr
	 * and returns HVX_EXIT_USAGE or HVX_EXIT_DEVICE, else 0.
	 */
	int (*setup)(struct vcpu *v, int mode, uint64_t entry);
	/*
	 * An exit of @reason: 0 to run on, 1 to stop with *@status, -1 when
	 * it is not the machine's to handle (run.c reports it).
	 */
	int (*exit)(struct vcpu *v, int reason, struct counts *c,
		    int *status);
	/* KVM_RUN failed with @err (-errno): the tool's exit status. */
	int (*run_error)(struct vcpu *v, int err);
	/* hvx run --kernel (linux.h), NULL where there is none. */
	int (*linux_run)(const struct linux_opts *o);
	/* The most vCPUs linux_run takes (--smp); 0 means one. */
	unsigned int linux_max_cpus;
};

extern const struct run_arch run_arch;

/*
 * Says on stderr why an exit of @reason ends the run (MMIO outside RAM,
 * triple fault, failed entry, internal error, anything unexpected) and
 * returns the tool's exit status for it.
 */
int run_report_exit(struct vcpu *v, int reason);

#endif /* HVX_RUN_H */

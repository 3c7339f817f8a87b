// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: run guests on /dev/hvx (or /dev/kvm), and compare the two.
 *
 *   hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST
 *   hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvx.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST\n"
"       hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"\n"
"run    Load GUEST and run it on one vCPU until it stops.  GUEST is a flat\n"
"       binary (loaded and entered at 0x8000, real mode by default) or an\n"
"       ELF file (ELF32: 32-bit protected mode, ELF64: long mode; segments\n"
"       loaded at their physical addresses, entered at e_entry).\n"
"       The guest's output on COM1 (port 0x3f8) and port 0xe9 is printed.\n"
"       A byte written to port 0xf4 ends the run with that exit status;\n"
"       HLT ends it with status 0.\n"
"         --device PATH   /dev/hvx (default) or /dev/kvm\n"
"         --mem SIZE      guest RAM, with K, M or G suffix (default 16M)\n"
"         --mode MODE     real, prot, paged or long (overrides the default)\n"
"         --stats         print the exits by reason when the guest stops\n"
"       Exit status: the guest's, or 2 bad usage, 3 unexpected MMIO,\n"
"       4 triple fault, 5 failed VM entry, 6 internal error, 7 KVM_RUN error.\n"
"\n"
"bench  Time, on /dev/hvx and /dev/kvm alternately in this one process:\n"
"       a user-space I/O exit round trip, an exit handled in the kernel\n"
"       (CPUID), and VM + vCPU creation to the first exit.  Prints the\n"
"       median of each and the hvx/KVM ratio.\n"
"         --rounds N      rounds per metric (default 7)\n"
"         --hvx PATH      default /dev/hvx\n"
"         --kvm PATH      default /dev/kvm\n");
}

int hvx_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hvx: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'hvx --help')\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return hvx_usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return hvx_run_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return hvx_bench_main(argc - 1, argv + 1);
	return hvx_usage_error("unknown command '%s'", argv[1]);
}

void hvx_print_usage(void)
{
	usage(stdout);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: run guests on /dev/hvx (or /dev/kvm), and compare the two.
 *
 *   hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST
 *   hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]
 *   hvx info [--device PATH]
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvx.h"

static const char usage_run[] =
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST\n"
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
"\n"
"Exit status: the guest's, or 2 bad usage or unreadable guest,\n"
"3 access outside guest RAM (MMIO), 4 triple fault (shutdown), 5 VM entry\n"
"failed, 6 internal error, 7 device or ioctl error, 8 unexpected exit.\n";

static const char usage_bench[] =
"usage: hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"\n"
"Time hvx against KVM in this one process, alternating: each round measures\n"
"hvx then KVM, and the next round KVM then hvx.  Three metrics:\n"
"  io_exit_us               one guest OUT: a round trip to user space\n"
"  cpuid_exit_us            one guest CPUID: an exit handled in the kernel\n"
"  create_to_first_exit_us  open the device, create VM, RAM and vCPU, run\n"
"                           until the guest's first OUT\n"
"It prints the median of each on both devices and the ratio hvx/KVM, then\n"
"one line per metric for scripts:\n"
"  bench <metric> hvx=<us> kvm=<us> ratio=<hvx/kvm or unavailable>\n"
"A missing device is skipped and its figures read n/a.\n"
"\n"
"  --rounds N   rounds per metric, 1 to 64 (default 9)\n"
"  --hvx PATH   default /dev/hvx\n"
"  --kvm PATH   default /dev/kvm\n";

static const char usage_info[] =
"usage: hvx info [--device PATH]\n"
"\n"
"Print what the hvx module says of itself (HVX_GET_INFO): its version,\n"
"its backend, and the VMs, vCPUs and pinned guest pages alive now.\n"
"\n"
"  --device PATH  default /dev/hvx\n";

static const char usage_all[] =
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST\n"
"       hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"       hvx info [--device PATH]\n"
"       hvx COMMAND --help\n"
"\n"
"  run    run a guest (flat binary or ELF) on /dev/hvx or /dev/kvm, print\n"
"         its serial output, exit with its exit status\n"
"  bench  time exits and VM creation on /dev/hvx against /dev/kvm\n"
"  info   show the hvx module's version, backend and live objects\n";

void hvx_usage(const char *cmd)
{
	if (!strcmp(cmd, "run"))
		fputs(usage_run, stdout);
	else if (!strcmp(cmd, "bench"))
		fputs(usage_bench, stdout);
	else if (!strcmp(cmd, "info"))
		fputs(usage_info, stdout);
	else
		fputs(usage_all, stdout);
}

int hvx_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hvx%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'hvx %s%s--help')\n", cmd ? cmd : "",
		cmd ? " " : "");
	return HVX_EXIT_USAGE;
}

/*
 * getopt_long() runs with opterr = 0 and a leading ':' in its option
 * string, so it reports nothing itself and tells a missing value (':')
 * from an unknown option ('?').  The culprit is the last word it read.
 */
int hvx_bad_option(const char *cmd, char **argv, int c)
{
	const char *word = argv[optind - 1];

	if (c == ':')
		return hvx_usage_error(cmd, "option '%s' needs a value", word);
	if (optopt && strncmp(word, "--", 2))
		return hvx_usage_error(cmd, "unknown option '-%c'", optopt);
	return hvx_usage_error(cmd, "unknown option '%s'", word);
}

static int is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help");
}

int main(int argc, char **argv)
{
	opterr = 0;
	if (argc < 2)
		return hvx_usage_error(NULL, "missing command (run, bench, info)");
	if (is_help(argv[1])) {
		hvx_usage(argc > 2 ? argv[2] : "");
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return hvx_run_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return hvx_bench_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return hvx_info_main(argc - 1, argv + 1);
	return hvx_usage_error(NULL, "unknown command '%s' (run, bench, info)",
			       argv[1]);
}

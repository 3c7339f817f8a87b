// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: run guests on /dev/hvx (or /dev/kvm), and compare the two.
 *
 *   hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST
 *   hvx run [--device PATH] [--mem SIZE] --kernel BZIMAGE [--initrd FILE]
 *           [--append CMDLINE] [--smp N] [--irqchip=kernel|user]
 *   hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]
 *   hvx info [--device PATH]
 *   hvx stat [--interval SECONDS] [--count N] PID
 *
 * The machine `hvx run` gives its guest and the guests `hvx bench` times
 * are the architecture's: run-x86.c and bench-x86.c, run-arm64.c and
 * bench-arm64.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvx.h"
#include "run.h"

static const char usage_info[] =
"usage: hvx info [--device PATH] [--caps]\n"
"\n"
"Print what the hvx module says of itself (HVX_GET_INFO): its version,\n"
"its backend, and the VMs, vCPUs and pinned guest pages alive now.\n"
"\n"
"  --device PATH  default /dev/hvx\n"
"  --caps         instead, every KVM_CAP_* of <linux/kvm.h> and the device's\n"
"                 KVM_CHECK_EXTENSION answer on its system fd and on a VM fd\n"
"                 (works on /dev/kvm too: compare the two)\n";

static const char usage_inspect[] =
"usage: hvx inspect [--pid PID] [--vcpu N] [--dir PATH]\n"
"\n"
"Print every vCPU's hardware state as hvx sees it: the VMCB (AMD), the\n"
"VMCS (Intel) or the EL2 controls and the last exit's syndrome (Arm),\n"
"field by field, the guest's registers, and the rule the last refused VM\n"
"entry broke. Read from hvx's debugfs files, PATH/PID-N/vcpuM (root only;\n"
"a vCPU inside KVM_RUN cannot be read: stop its VMM at an exit first).\n"
"\n"
"  --pid PID   only the VMs of that process\n"
"  --vcpu N    only vCPU N\n"
"  --dir PATH  default /sys/kernel/debug/hvx\n";

static const char usage_all[] =
"usage: hvx run [--device PATH] [--mem SIZE] [--stats] [--mode MODE] GUEST\n"
"       hvx run [--device PATH] [--mem SIZE] --kernel BZIMAGE [--initrd FILE]\n"
"               [--append CMDLINE] [--smp N] [--irqchip=kernel|user]\n"
"       hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"       hvx info [--device PATH] [--caps]\n"
"       hvx inspect [--pid PID] [--vcpu N]\n"
"       hvx stat [--interval SECONDS] [--count N] PID\n"
"       hvx COMMAND --help\n"
"\n"
"  run    run a guest (flat binary or ELF) on /dev/hvx or /dev/kvm, print\n"
"         its serial output, exit with its exit status\n"
"  bench  time exits and VM creation on /dev/hvx against /dev/kvm\n"
"  info   show the hvx module's version, backend and live objects, or\n"
"         the device's capabilities\n"
"  inspect  print each vCPU's VMCB, VMCS or EL2 state, field by field\n"
"  stat   a live view of a running VM's exits and exit latencies\n";

void hvx_usage(const char *cmd)
{
	if (!strcmp(cmd, "run"))
		fputs(run_arch.help, stdout);
	else if (!strcmp(cmd, "bench"))
		fputs(hvx_bench_help, stdout);
	else if (!strcmp(cmd, "info"))
		fputs(usage_info, stdout);
	else if (!strcmp(cmd, "inspect"))
		fputs(usage_inspect, stdout);
	else if (!strcmp(cmd, "stat"))
		fputs(hvx_stat_help, stdout);
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
		return hvx_usage_error(NULL,
				       "missing command (run, bench, info, inspect, stat)");
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
	if (!strcmp(argv[1], "inspect"))
		return hvx_inspect_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat"))
		return hvx_stat_main(argc - 1, argv + 1);
	return hvx_usage_error(NULL,
			       "unknown command '%s' (run, bench, info, inspect, stat)",
			       argv[1]);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hvx tool: one binary, one file per command (run.c, bench.c, info.c,
 * inspect.c),
 * this header between them and the dispatcher in hvx.c.
 */
#ifndef HVX_TOOL_H
#define HVX_TOOL_H

/*
 * Exit status of `hvx run` when the run does not end the guest's way (on
 * x86 a byte on port 0xf4, or HLT for 0; on arm64 PSCI SYSTEM_OFF for 0).
 * Distinct from each other so that a script can tell a triple fault from
 * a failed VM entry; an x86 guest can of course pick the same numbers, so
 * guests meant for tests exit with 0.
 */
#define HVX_EXIT_USAGE		2	/* bad arguments, unreadable guest */
#define HVX_EXIT_MMIO		3	/* access outside guest RAM */
#define HVX_EXIT_SHUTDOWN	4	/* triple fault */
#define HVX_EXIT_FAIL_ENTRY	5	/* VM entry refused the guest state */
#define HVX_EXIT_INTERNAL	6	/* KVM_EXIT_INTERNAL_ERROR */
#define HVX_EXIT_DEVICE		7	/* device missing, an ioctl failed */
#define HVX_EXIT_UNEXPECTED	8	/* an exit reason hvx run has no use for */
#define HVX_EXIT_RESET		9	/* arm64: PSCI SYSTEM_RESET */
#define HVX_EXIT_TIMEOUT	10	/* hvx bench --linux: boot too long */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* hvx bench --help, the architecture's (bench-x86.c, bench-arm64.c) */
extern const char hvx_bench_help[];

int hvx_run_main(int argc, char **argv);
int hvx_bench_main(int argc, char **argv);
int hvx_info_main(int argc, char **argv);
int hvx_inspect_main(int argc, char **argv);
int hvx_stat_main(int argc, char **argv);

/* hvx stat --help (stat.c) */
extern const char hvx_stat_help[];

/* Help for "hvx", "run", "bench", "info", "inspect" or "stat", on stdout. */
void hvx_usage(const char *cmd);

/* One line on stderr, naming the command and pointing at --help. */
int hvx_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The error getopt_long() saw, reported with hvx_usage_error(). */
int hvx_bad_option(const char *cmd, char **argv, int c);

#endif /* HVX_TOOL_H */

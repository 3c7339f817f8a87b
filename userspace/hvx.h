/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVX_TOOL_H
#define HVX_TOOL_H

int hvx_run_main(int argc, char **argv);
int hvx_bench_main(int argc, char **argv);
int hvx_usage_error(const char *fmt, const char *arg);
void hvx_print_usage(void);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx inspect: print what hvx's debugfs files say of each vCPU (module/
 * debugfs.c): the VMCB, VMCS or EL2 context by field name, and the rule
 * of the last VM entry hvx refused.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvx.h"

#define HVX_DEBUGFS	"/sys/kernel/debug/hvx"

struct inspect_filter {
	const char *dir;	/* the debugfs directory of hvx */
	long pid;		/* -1: every process */
	long vcpu;		/* -1: every vCPU */
};

/* Copy one vCPU's file to stdout; 1 if it could not be read. */
static int inspect_vcpu(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "hvx inspect: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	if (ferror(f)) {
		fprintf(stderr, "hvx inspect: %s: %s%s\n", path, strerror(errno),
			errno == EBUSY ?
			" (the vCPU is in KVM_RUN or an ioctl: inspect it while its VMM is stopped at an exit)" :
			"");
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

/* Every vCPU file of one VM directory (PID-N) that the filter lets by. */
static int inspect_vm(const struct inspect_filter *flt, const char *vm,
		      int *found)
{
	char path[512];
	struct dirent *e;
	int bad = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", flt->dir, vm);
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		char *end;
		long id;

		if (strncmp(e->d_name, "vcpu", 4))
			continue;
		id = strtol(e->d_name + 4, &end, 10);
		if (*end || (flt->vcpu >= 0 && id != flt->vcpu))
			continue;
		printf("== VM %s (process-sequence), %s ==\n", vm, e->d_name);
		snprintf(path, sizeof(path), "%s/%s/%s", flt->dir, vm,
			 e->d_name);
		bad |= inspect_vcpu(path);
		(*found)++;
	}
	closedir(d);
	return bad;
}

static int inspect_all(const struct inspect_filter *flt)
{
	struct dirent *e;
	int bad = 0, found = 0;
	DIR *d = opendir(flt->dir);

	if (!d) {
		fprintf(stderr, "hvx inspect: %s: %s (is hvx loaded, and debugfs mounted: mount -t debugfs none /sys/kernel/debug?)\n",
			flt->dir, strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (flt->pid >= 0 && strtol(e->d_name, NULL, 10) != flt->pid)
			continue;
		bad |= inspect_vm(flt, e->d_name, &found);
	}
	closedir(d);
	if (!found)
		fprintf(stderr, "hvx inspect: no vCPU%s\n",
			flt->pid >= 0 ? " of that process" : " on hvx now");
	return bad || !found ? 1 : 0;
}

static int parse_number(const char *s, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return *s && !*end && *v >= 0;
}

int hvx_inspect_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "vcpu", required_argument, NULL, 'v' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct inspect_filter flt = { HVX_DEBUGFS, -1, -1 };
	int c;

	while ((c = getopt_long(argc, argv, ":p:v:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_number(optarg, &flt.pid))
				return hvx_usage_error("inspect", "bad --pid '%s'", optarg);
			break;
		case 'v':
			if (!parse_number(optarg, &flt.vcpu))
				return hvx_usage_error("inspect", "bad --vcpu '%s'", optarg);
			break;
		case 'd':
			flt.dir = optarg;
			break;
		case 'h':
			hvx_usage("inspect");
			return 0;
		default:
			return hvx_bad_option("inspect", argv, c);
		}
	}
	if (optind != argc)
		return hvx_usage_error("inspect", "unexpected argument '%s'",
				       argv[optind]);
	return inspect_all(&flt);
}

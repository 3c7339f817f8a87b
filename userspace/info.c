// SPDX-License-Identifier: GPL-2.0
/*
 * hvx info: what the module reports of itself through HVX_GET_INFO, or
 * (--caps) what any KVM-compatible device answers to KVM_CHECK_EXTENSION.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/hvx.h>
#include <linux/kvm.h>

#include "hvx.h"

struct kvm_cap_name {
	const char *name;
	int cap;
};

/* Generated from <linux/kvm.h> by the Makefile. */
static const struct kvm_cap_name kvm_caps[] = {
#include "kvm-caps.h"
};

static const char *backend_name(__u32 backend)
{
	switch (backend) {
	case HVX_BACKEND_NONE:
		return "none (no usable virtualization extension)";
	case HVX_BACKEND_SVM:
		return "svm (AMD-V)";
	case HVX_BACKEND_VMX:
		return "vmx (Intel VT-x)";
	case HVX_BACKEND_EL2:
		return "el2 (Arm)";
	}
	return "unknown";
}

static int print_info(const char *dev)
{
	struct hvx_info info;
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "hvx info: cannot open %s: %s\n", dev,
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	if (ioctl(fd, HVX_GET_INFO, &info) < 0) {
		fprintf(stderr, "hvx info: %s does not answer HVX_GET_INFO (%s): not hvx?\n",
			dev, strerror(errno));
		close(fd);
		return HVX_EXIT_DEVICE;
	}
	printf("device        %s\n", dev);
	printf("api version   %d\n", ioctl(fd, KVM_GET_API_VERSION, 0));
	printf("hvx version   %u\n", info.version);
	printf("backend       %s\n", backend_name(info.backend));
	printf("vms           %llu\n", (unsigned long long)info.vms);
	printf("vcpus         %llu\n", (unsigned long long)info.vcpus);
	printf("pinned pages  %llu\n", (unsigned long long)info.pinned_pages);
	if (info.version >= 2)
		printf("table pages   %llu\n",
		       (unsigned long long)info.table_pages);
	close(fd);
	return 0;
}

/*
 * One line per capability: its name, number, and the answer on the
 * system fd and on a VM fd (a VM-wide answer may differ, api.rst 4.4).
 */
static int print_caps(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC), vm;
	size_t i;

	if (fd < 0) {
		fprintf(stderr, "hvx info: cannot open %s: %s\n", dev,
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		fprintf(stderr, "hvx info: KVM_CREATE_VM on %s: %s (no VM column)\n",
			dev, strerror(errno));
	printf("%-40s %4s %6s %6s\n", "# capability", "nr", "system", "vm");
	for (i = 0; i < sizeof(kvm_caps) / sizeof(kvm_caps[0]); i++) {
		int cap = kvm_caps[i].cap;
		int sys = ioctl(fd, KVM_CHECK_EXTENSION, cap);

		printf("%-40s %4d %6d", kvm_caps[i].name, cap, sys);
		if (vm >= 0)
			printf(" %6d", ioctl(vm, KVM_CHECK_EXTENSION, cap));
		printf("\n");
	}
	if (vm >= 0)
		close(vm);
	close(fd);
	return 0;
}

int hvx_info_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "caps", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dev = "/dev/hvx";
	int c, caps = 0;

	while ((c = getopt_long(argc, argv, ":d:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'c':
			caps = 1;
			break;
		case 'h':
			hvx_usage("info");
			return 0;
		default:
			return hvx_bad_option("info", argv, c);
		}
	}
	if (optind != argc)
		return hvx_usage_error("info", "unexpected argument '%s'",
				       argv[optind]);
	return caps ? print_caps(dev) : print_info(dev);
}

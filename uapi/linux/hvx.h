/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvx extensions to the KVM ioctl subset.
 *
 * /dev/hvx answers the ioctls of <linux/kvm.h> (API version 12).  The few
 * things KVM has no ioctl for live here, under their own ioctl type so that
 * they can never be mistaken for a KVM request (0xB8 is unassigned in
 * Documentation/userspace-api/ioctl/ioctl-number.rst).
 */
#ifndef _UAPI_LINUX_HVX_H
#define _UAPI_LINUX_HVX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVX_IO			0xB8
#define HVX_VERSION		2	/* 2: hvx_info.table_pages */

#define HVX_BACKEND_NONE	0
#define HVX_BACKEND_SVM		1
#define HVX_BACKEND_VMX		2
#define HVX_BACKEND_EL2		3

/*
 * HVX_GET_INFO, on /dev/hvx: what the module is and what it holds now.
 * The counters let a test prove that nothing leaked once every file
 * descriptor it opened is closed.
 */
struct hvx_info {
	__u32 version;		/* HVX_VERSION */
	__u32 backend;		/* HVX_BACKEND_* */
	__u64 vms;		/* VMs alive (fd or vCPU still open) */
	__u64 vcpus;		/* vCPUs alive */
	__u64 pinned_pages;	/* guest pages pinned in stage-2 tables */
	__u64 table_pages;	/* stage-2 table pages, roots included */
	__u64 reserved[3];
};

/*
 * Exit counters of one vCPU, indexed by HVX_STAT_*.  Exits handled in the
 * kernel are counted too, so `hvx run --stats` shows the whole picture.
 * KVM_GET_STATS_FD's vCPU file has the same counters by name ("io_exits",
 * "mmio_exits", ...; module/stats.c), with the latency histograms.
 */
#define HVX_STAT_IO		0	/* KVM_EXIT_IO to user space */
#define HVX_STAT_MMIO		1	/* KVM_EXIT_MMIO to user space */
#define HVX_STAT_HLT		2	/* KVM_EXIT_HLT */
#define HVX_STAT_SHUTDOWN	3	/* KVM_EXIT_SHUTDOWN */
#define HVX_STAT_FAIL_ENTRY	4	/* KVM_EXIT_FAIL_ENTRY */
#define HVX_STAT_INTERNAL	5	/* KVM_EXIT_INTERNAL_ERROR */
#define HVX_STAT_SIGNAL		6	/* KVM_RUN ended with -EINTR */
#define HVX_STAT_CPUID		7	/* CPUID answered in the kernel */
#define HVX_STAT_NPF		8	/* stage-2 fault filled in the kernel */
#define HVX_STAT_HOST_INTR	9	/* host interrupt while the guest ran */
#define HVX_STAT_MSR		10	/* RDMSR/WRMSR handled in the kernel */
#define HVX_STAT_MSR_GP		11	/* unmodelled MSR: #GP injected */
#define HVX_STAT_EXCEPTION	12	/* other exception injected (#UD...) */
#define HVX_STAT_OTHER		13	/* any other exit handled in kernel */
#define HVX_STAT_IOEVENTFD	14	/* guest write signalled an ioeventfd */
#define HVX_STAT_NR		32

struct hvx_vcpu_stats {
	__u64 exits[HVX_STAT_NR];
};

#define HVX_GET_INFO		_IOR(HVX_IO, 0x00, struct hvx_info)
#define HVX_GET_VCPU_STATS	_IOR(HVX_IO, 0x01, struct hvx_vcpu_stats)

#endif /* _UAPI_LINUX_HVX_H */

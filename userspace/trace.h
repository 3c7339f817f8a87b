/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run --trace: every exit of the guest as it happens, one line each,
 * read from hvx's tracepoints (module/hvx_trace.h) in a tracefs instance
 * of the tool's own.  trace.c reads and orders the events; trace-x86.c
 * and trace-arm64.c name the hardware's exit reasons and fetch the
 * instruction.
 */
#ifndef HVX_RUN_TRACE_H
#define HVX_RUN_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* Classes of exits, for --trace=CLASS,... */
#define TRACE_IO		(1u << 0)	/* port I/O */
#define TRACE_MMIO		(1u << 1)	/* MMIO handed to user space */
#define TRACE_HLT		(1u << 2)	/* HLT, WFI, WFE */
#define TRACE_IRQ		(1u << 3)	/* host interrupts, injections */
#define TRACE_CPUID		(1u << 4)
#define TRACE_MSR		(1u << 5)	/* MSRs, arm64 system registers */
#define TRACE_HYPERCALL		(1u << 6)	/* VMCALL, VMMCALL, HVC, SMC */
#define TRACE_FAULT		(1u << 7)	/* nested/EPT/stage-2 faults */
#define TRACE_EXCEPTION		(1u << 8)	/* intercepted guest exceptions */
#define TRACE_OTHER		(1u << 9)	/* everything else, signals */
#define TRACE_ALL		((1u << 10) - 1)

/* One hvx_exit event, as the backend's hardware reported it. */
struct trace_exit {
	uint64_t reason, pc, info, gpa;
};

/* What the architecture makes of it. */
struct trace_decoded {
	unsigned int class;	/* TRACE_* */
	uint64_t pc;		/* of the instruction that exited */
	char what[96];		/* "io out port 0x3f8 size 1", "hlt", ... */
};

/* HVX_BACKEND_* of the device, for the architecture's decoder. */
void trace_arch_decode(unsigned int backend, const struct trace_exit *e,
		       struct trace_decoded *d);
/*
 * The instruction at @pc, as text ("[ee]", "insn 0xd4000002"), from
 * guest memory as the vCPU's current translation sees it; "" if unknown.
 */
void trace_arch_insn(struct vcpu *v, const struct trace_decoded *d,
		     uint64_t pc, char *buf, size_t size);

/* "all" or "io,mmio,...": 0 and *@mask, or -1. */
int trace_parse_classes(const char *s, unsigned int *mask);
/* The names --trace takes, for messages. */
extern const char trace_class_names[];

/*
 * Opens the tracefs instance and turns hvx's events on for this process;
 * returns 0, or the tool's exit status after saying why not.
 */
int trace_start(const char *dev, unsigned int classes);
/* After each KVM_RUN: print the events it produced. */
void trace_drain(struct vcpu *v);
/* Removes the instance (also at exit). */
void trace_stop(void);

/*
 * The rule the vCPU's last refused VM entry broke, as hvx's debugfs file
 * says it (module/debugfs.c), in @buf; NULL if there is none to read.
 */
const char *trace_entry_failure(int vcpu_id, char *buf, size_t size);

#endif /* HVX_RUN_TRACE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx tracepoints, system "hvx": see them with
 *   echo 1 > /sys/kernel/tracing/events/hvx/enable; cat /sys/kernel/tracing/trace
 * or perf record -e 'hvx:*', trace-cmd record -e hvx.
 *
 * The exit's fields are the hardware's own, on each backend:
 *   @reason SVM: EXITCODE (AMD APM Vol. 2 15.6, appendix C; -1 is
 *		VMEXIT_INVALID); VMX: the exit reason, bit 31 set for a failed
 *		entry (Intel SDM Vol. 3C 28.2.1, appendix C); EL2: the vector
 *		taken (0 synchronous, 1 IRQ, 2 FIQ, 3 SError; Arm ARM D1.10.2).
 *   @info	SVM: EXITINFO1; VMX: the exit qualification; EL2: ESR_EL2
 *		(the exception class in bits 31:26; Arm ARM D17.2.37).
 *   @gpa	the faulting guest-physical address of a nested page fault
 *		(SVM EXITINFO2), an EPT violation or misconfiguration (VMX),
 *		or a stage-2 abort (EL2, from HPFAR_EL2 and FAR_EL2);
 *		HVX_TRACE_NO_GPA otherwise.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvx

#if !defined(HVX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HVX_TRACE_H

#include <linux/tracepoint.h>

#define HVX_TRACE_NO_GPA	(~0ULL)

/* trace_hvx_inject()'s @kind */
#define HVX_INJECT_IRQ		0	/* external interrupt (x86) */
#define HVX_INJECT_NMI		1	/* NMI (x86) */
#define HVX_INJECT_EXCEPTION	2	/* exception, or arm64 synchronous */
#define HVX_INJECT_SERROR	3	/* arm64 virtual SError */

TRACE_EVENT(hvx_entry,
	TP_PROTO(u32 vcpu),
	TP_ARGS(vcpu),
	TP_STRUCT__entry(
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
	),
	TP_printk("vcpu %u", __entry->vcpu)
);

TRACE_EVENT(hvx_exit,
	TP_PROTO(u32 vcpu, u64 reason, u64 pc, u64 info, u64 gpa),
	TP_ARGS(vcpu, reason, pc, info, gpa),
	TP_STRUCT__entry(
		__field(u32, vcpu)
		__field(u64, reason)
		__field(u64, pc)
		__field(u64, info)
		__field(u64, gpa)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
		__entry->reason = reason;
		__entry->pc = pc;
		__entry->info = info;
		__entry->gpa = gpa;
	),
	TP_printk("vcpu %u reason %#llx pc %#llx info %#llx gpa %#llx",
		  __entry->vcpu, __entry->reason, __entry->pc, __entry->info,
		  __entry->gpa)
);

TRACE_EVENT(hvx_inject,
	TP_PROTO(u32 vcpu, u32 kind, u32 vector, u64 error),
	TP_ARGS(vcpu, kind, vector, error),
	TP_STRUCT__entry(
		__field(u32, vcpu)
		__field(u32, kind)
		__field(u32, vector)
		__field(u64, error)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
		__entry->kind = kind;
		__entry->vector = vector;
		__entry->error = error;
	),
	TP_printk("vcpu %u %s vector %u error %#llx", __entry->vcpu,
		  __print_symbolic(__entry->kind,
				   { HVX_INJECT_IRQ, "irq" },
				   { HVX_INJECT_NMI, "nmi" },
				   { HVX_INJECT_EXCEPTION, "exception" },
				   { HVX_INJECT_SERROR, "serror" }),
		  __entry->vector, __entry->error)
);

/* KVM_EXIT_MMIO, as KVM_RUN returns it to user space. */
TRACE_EVENT(hvx_mmio,
	TP_PROTO(u32 vcpu, bool write, u64 gpa, u32 len, u64 data),
	TP_ARGS(vcpu, write, gpa, len, data),
	TP_STRUCT__entry(
		__field(u32, vcpu)
		__field(bool, write)
		__field(u64, gpa)
		__field(u32, len)
		__field(u64, data)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
		__entry->write = write;
		__entry->gpa = gpa;
		__entry->len = len;
		__entry->data = data;
	),
	TP_printk("vcpu %u %s gpa %#llx len %u data %#llx", __entry->vcpu,
		  __entry->write ? "write" : "read", __entry->gpa,
		  __entry->len, __entry->data)
);

/* KVM_EXIT_IO, as KVM_RUN returns it; @data is the first element's. */
TRACE_EVENT(hvx_pio,
	TP_PROTO(u32 vcpu, bool out, u16 port, u8 size, u32 count, u32 data),
	TP_ARGS(vcpu, out, port, size, count, data),
	TP_STRUCT__entry(
		__field(u32, vcpu)
		__field(bool, out)
		__field(u16, port)
		__field(u8, size)
		__field(u32, count)
		__field(u32, data)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
		__entry->out = out;
		__entry->port = port;
		__entry->size = size;
		__entry->count = count;
		__entry->data = data;
	),
	TP_printk("vcpu %u %s port %#x size %u count %u data %#x",
		  __entry->vcpu, __entry->out ? "out" : "in", __entry->port,
		  __entry->size, __entry->count, __entry->data)
);

/*
 * KVM_RUN returns to user space: @ret is its return value (0, or a
 * negative errno such as -EINTR), @exit_reason the run page's KVM_EXIT_*
 * when @ret is 0.  Every hvx_exit before it since the last hvx_entry was
 * handed to user space; an hvx_exit followed by hvx_entry was handled in
 * the kernel (hvx run --trace tells them apart this way).
 */
TRACE_EVENT(hvx_return,
	TP_PROTO(u32 vcpu, int ret, u32 exit_reason),
	TP_ARGS(vcpu, ret, exit_reason),
	TP_STRUCT__entry(
		__field(u32, vcpu)
		__field(int, ret)
		__field(u32, exit_reason)
	),
	TP_fast_assign(
		__entry->vcpu = vcpu;
		__entry->ret = ret;
		__entry->exit_reason = exit_reason;
	),
	TP_printk("vcpu %u ret %d exit_reason %u", __entry->vcpu,
		  __entry->ret, __entry->exit_reason)
);

#endif /* HVX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hvx_trace
#include <trace/define_trace.h>

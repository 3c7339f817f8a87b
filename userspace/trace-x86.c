// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --trace, x86: the hardware's exit codes by name, and the
 * instruction bytes at the exit's RIP.
 *
 * SVM: EXITCODE and EXITINFO1 (AMD APM Vol. 2 15.6 and appendix C; IOIO's
 * EXITINFO1 in 15.10.2).  VMX: the basic exit reason and the exit
 * qualification (Intel SDM Vol. 3C appendix C, 28.2.1; I/O instructions
 * in table 28-5).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/hvx.h>

#include "hvx.h"
#include "lib/vmlib.h"
#include "trace.h"

struct exit_name {
	unsigned int code, class;
	const char *name;
};

static const struct exit_name svm_exits[] = {
	{ 0x60, TRACE_IRQ, "host interrupt" }, { 0x61, TRACE_IRQ, "nmi" },
	{ 0x64, TRACE_IRQ, "interrupt window" },
	{ 0x72, TRACE_CPUID, "cpuid" }, { 0x78, TRACE_HLT, "hlt" },
	{ 0x7b, TRACE_IO, "io" }, { 0x7c, TRACE_MSR, "msr" },
	{ 0x7f, TRACE_OTHER, "shutdown" },
	{ 0x81, TRACE_HYPERCALL, "vmmcall" },
	{ 0x8d, TRACE_OTHER, "xsetbv" },
	{ 0x400, TRACE_FAULT, "nested page fault" },
	{ 0xffffffff, TRACE_OTHER, "VMEXIT_INVALID" },
};

static const struct exit_name vmx_exits[] = {
	{ 0, TRACE_EXCEPTION, "exception or nmi" },
	{ 1, TRACE_IRQ, "host interrupt" }, { 2, TRACE_OTHER, "triple fault" },
	{ 7, TRACE_IRQ, "interrupt window" }, { 8, TRACE_IRQ, "nmi window" },
	{ 10, TRACE_CPUID, "cpuid" }, { 12, TRACE_HLT, "hlt" },
	{ 18, TRACE_HYPERCALL, "vmcall" }, { 28, TRACE_OTHER, "cr access" },
	{ 29, TRACE_OTHER, "dr access" }, { 30, TRACE_IO, "io" },
	{ 31, TRACE_MSR, "rdmsr" }, { 32, TRACE_MSR, "wrmsr" },
	{ 33, TRACE_OTHER, "entry failed: invalid guest state" },
	{ 34, TRACE_OTHER, "entry failed: msr loading" },
	{ 40, TRACE_OTHER, "pause" }, { 48, TRACE_FAULT, "ept violation" },
	{ 49, TRACE_FAULT, "ept misconfiguration" },
	{ 52, TRACE_IRQ, "preemption timer" }, { 55, TRACE_OTHER, "xsetbv" },
};

static const struct exit_name *find(const struct exit_name *t, size_t n,
				    unsigned int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

/* Port, direction and size, from either vendor's I/O exit information. */
static void io_what(unsigned int backend, uint64_t info, char *buf,
		    size_t size)
{
	unsigned int port = info >> 16 & 0xffff, in, bytes;

	if (backend == HVX_BACKEND_SVM) {
		in = info & 1;			/* TYPE */
		bytes = info >> 4 & 7;		/* SZ8, SZ16, SZ32 */
	} else {
		in = info >> 3 & 1;
		bytes = (info & 7) + 1;
	}
	snprintf(buf, size, "%s port %#x size %u", in ? "in" : "out", port,
		 bytes);
}

void trace_arch_decode(unsigned int backend, const struct trace_exit *e,
		       struct trace_decoded *d)
{
	unsigned int code = e->reason;
	const struct exit_name *n;

	if (backend == HVX_BACKEND_SVM) {
		n = find(svm_exits, ARRAY_SIZE(svm_exits), code);
		if (!n && code >= 0x40 && code < 0x60) {
			d->class = TRACE_EXCEPTION;
			snprintf(d->what, sizeof(d->what), "exception %u",
				 code - 0x40);
			return;
		}
	} else {
		n = find(vmx_exits, ARRAY_SIZE(vmx_exits), code & 0xffff);
	}
	d->class = n ? n->class : TRACE_OTHER;
	if (d->class == TRACE_IO)
		io_what(backend, e->info, d->what, sizeof(d->what));
	else if (d->class == TRACE_FAULT)
		snprintf(d->what, sizeof(d->what), "%s gpa %#llx", n->name,
			 (unsigned long long)e->gpa);
	else if (n)
		snprintf(d->what, sizeof(d->what), "%s", n->name);
	else
		snprintf(d->what, sizeof(d->what), "exit %#llx info %#llx",
			 (unsigned long long)e->reason,
			 (unsigned long long)e->info);
}

/*
 * The guest-physical address of linear address @la, walking the guest's
 * page tables as they are now (SDM Vol. 3A 4.3, 4.4, 4.5): 32-bit, PAE
 * or 4-level paging; -1 if not present or outside RAM.
 */
static uint64_t walk(struct vm *vm, const struct kvm_sregs *s, uint64_t la)
{
	int levels = 2, shift = 22, bits = 10, wide = 0, i;
	uint64_t table = s->cr3 & ~0xfffull, e = 0;
	uint8_t *p;

	if (!(s->cr0 & 0x80000000))		/* CR0.PG */
		return la;
	if (s->efer & 0x400) {			/* EFER.LMA */
		levels = 4, shift = 39, bits = 9, wide = 1;
	} else if (s->cr4 & 0x20) {		/* CR4.PAE */
		levels = 3, shift = 30, bits = 9, wide = 1;
		table = s->cr3 & ~0x1full;
	}
	for (i = 0; i < levels; i++, shift -= bits) {
		uint64_t idx = la >> shift & ((1ull << bits) - 1);

		if (levels == 3 && i == 0)
			idx = la >> 30 & 3;
		p = vm_gpa(vm, table + idx * (wide ? 8 : 4));
		if (!p)
			return -1;
		e = 0;
		memcpy(&e, p, wide ? 8 : 4);
		if (!(e & 1))
			return -1;
		if (i == levels - 1 || ((e & 0x80) && (levels == 2 ?
		    (s->cr4 & 0x10) : i > 0)))	/* PS; CR4.PSE */
			break;
		table = e & 0x000ffffffffff000ull;
	}
	e &= 0x000ffffffffff000ull & ~((1ull << shift) - 1);
	return e | (la & ((1ull << shift) - 1));
}

/* How many bytes the instructions that exit here take; 0 if unknown. */
static size_t insn_len(const uint8_t *b, size_t avail)
{
	size_t i = 0;

	while (i < avail && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 ||
			     b[i] == 0xf3 || (b[i] & 0xf0) == 0x40))
		i++;
	if (i + 3 > avail)
		return 0;
	switch (b[i]) {
	case 0xe4 ... 0xe7:			/* IN/OUT imm8 */
		return i + 2;
	case 0xec ... 0xef: case 0x6c ... 0x6f:	/* IN/OUT DX, INS, OUTS */
	case 0xf4:				/* HLT */
		return i + 1;
	case 0x0f:
		if (b[i + 1] == 0xa2 || b[i + 1] == 0x30 || b[i + 1] == 0x32)
			return i + 2;		/* CPUID, WRMSR, RDMSR */
		if (b[i + 1] == 0x01)
			return i + 3;		/* VMCALL, VMMCALL, XSETBV */
	}
	return 0;
}

void trace_arch_insn(struct vcpu *v, const struct trace_decoded *d,
		     uint64_t pc, char *buf, size_t size)
{
	struct kvm_sregs s;
	uint8_t b[15], *p;
	size_t i, n;
	uint64_t gpa;

	*buf = 0;
	(void)d;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	for (i = 0; i < sizeof(b); i++) {
		gpa = walk(v->vm, &s, s.cs.base + pc + i);
		p = gpa == (uint64_t)-1 ? NULL : vm_gpa(v->vm, gpa);
		if (!p)
			break;
		b[i] = *p;
	}
	n = insn_len(b, i);
	if (!n)
		return;
	snprintf(buf, size, "[");
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%02x",
			 i ? " " : "", b[i]);
	snprintf(buf + strlen(buf), size - strlen(buf), "]");
}

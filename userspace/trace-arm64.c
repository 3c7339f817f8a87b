// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --trace, arm64: EL2's exits by name and the instruction word at
 * the exit's PC.  hvx_exit's reason is the vector taken (0 synchronous,
 * 1 IRQ, 2 FIQ, 3 SError; Arm ARM D1.10.2) and its info ESR_EL2, whose
 * exception class (bits 31:26) and ISS say what trapped (Arm ARM
 * D17.2.37; data aborts' ISS: ISV bit 24, SAS bits 23:22, WnR bit 6).
 */
#include <stdio.h>
#include <string.h>

#include "hvx.h"
#include "lib/vmlib.h"
#include "trace.h"

#define EC_WFX		0x01
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYS64	0x18
#define EC_IABT_LOW	0x20
#define EC_DABT_LOW	0x24

/*
 * HVC is an exception-generating instruction: ELR_EL2 holds the address
 * after it (Arm ARM D1, "Preferred exception return address"); a
 * trapped SMC's ELR_EL2 is its own.  @d->pc is set back to the HVC.
 */
static void sync_decode(uint64_t esr, uint64_t gpa, struct trace_decoded *d)
{
	unsigned int ec = esr >> 26 & 0x3f;

	switch (ec) {
	case EC_WFX:
		d->class = TRACE_HLT;
		snprintf(d->what, sizeof(d->what), "%s", esr & 1 ? "wfe" : "wfi");
		return;
	case EC_HVC64:
	case EC_SMC64:
		d->class = TRACE_HYPERCALL;
		snprintf(d->what, sizeof(d->what), "%s #%u",
			 ec == EC_HVC64 ? "hvc" : "smc",
			 (unsigned int)(esr & 0xffff));
		if (ec == EC_HVC64)
			d->pc -= 4;
		return;
	case EC_SYS64:
		d->class = TRACE_MSR;
		snprintf(d->what, sizeof(d->what), "sysreg %s",
			 esr & 1 ? "read" : "write");
		return;
	case EC_IABT_LOW:
	case EC_DABT_LOW:
		d->class = TRACE_FAULT;
		snprintf(d->what, sizeof(d->what), "stage-2 %s abort gpa %#llx",
			 ec == EC_DABT_LOW ? "data" : "instruction",
			 (unsigned long long)gpa);
		if (ec == EC_DABT_LOW && esr & (1u << 24))
			snprintf(d->what + strlen(d->what),
				 sizeof(d->what) - strlen(d->what),
				 " %s size %u", esr & (1u << 6) ? "write" : "read",
				 1u << (esr >> 22 & 3));
		return;
	}
	d->class = TRACE_EXCEPTION;
	snprintf(d->what, sizeof(d->what), "exception class %#x esr %#llx",
		 ec, (unsigned long long)esr);
}

void trace_arch_decode(unsigned int backend, const struct trace_exit *e,
		       struct trace_decoded *d)
{
	static const char *const vectors[] = { "sync", "irq", "fiq", "serror" };

	(void)backend;
	if (e->reason == 0) {
		sync_decode(e->info, e->gpa, d);
		return;
	}
	d->class = e->reason == 1 || e->reason == 2 ? TRACE_IRQ : TRACE_OTHER;
	snprintf(d->what, sizeof(d->what), "%s",
		 e->reason < 4 ? vectors[e->reason] : "vector?");
	if (d->class == TRACE_IRQ)
		snprintf(d->what, sizeof(d->what), "host %s",
			 e->reason == 1 ? "interrupt" : "fiq");
}

/* With the stage-1 MMU off (SCTLR_EL1.M clear) the PC is an IPA. */
void trace_arch_insn(struct vcpu *v, const struct trace_decoded *d,
		     uint64_t pc, char *buf, size_t size)
{
	uint64_t sctlr;
	uint32_t insn;
	uint8_t *p;

	*buf = 0;
	(void)d;
	if (vcpu_get_reg(v, REG_SCTLR_EL1, &sctlr) || (sctlr & SCTLR_M))
		return;
	p = vm_gpa(v->vm, pc);
	if (!p || !vm_gpa(v->vm, pc + 3))
		return;
	memcpy(&insn, p, sizeof(insn));
	snprintf(buf, size, "[%08x]", insn);
}

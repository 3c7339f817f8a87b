// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: CPUID, answered in the kernel.
 *
 * The guest sees the host processor with what hvx does not virtualize
 * taken out: no VMX or SVM (no nested virtualization), no local APIC or
 * x2APIC (interrupts come from user space, as with KVM's user-space
 * irqchip), no MONITOR/MWAIT (intercepted, #UD), no performance
 * monitoring, and the hypervisor bit set (CPUID.1:ECX[31], reserved by
 * both vendors for this use).  Bits that mirror control registers (OSXSAVE,
 * OSPKE) follow the guest's own CR4.
 */
#include <asm/cpufeatures.h>
#include <asm/processor.h>

#include "x86.h"

#define HVX_CPUID_SIGNATURE	0x40000000

static void x86_cpuid_leaf1(struct x86_vcpu *x, u32 *b, u32 *c, u32 *d)
{
	*c &= ~(BIT(X86_FEATURE_VMX & 31) | BIT(X86_FEATURE_SMX & 31) |
		BIT(X86_FEATURE_MWAIT & 31) | BIT(X86_FEATURE_X2APIC & 31) |
		BIT(X86_FEATURE_TSC_DEADLINE_TIMER & 31) |
		BIT(X86_FEATURE_PDCM & 31) | BIT(X86_FEATURE_DTES64 & 31) |
		BIT(X86_FEATURE_DSCPL & 31) | BIT(X86_FEATURE_EST & 31) |
		BIT(X86_FEATURE_TM2 & 31) | BIT(X86_FEATURE_OSXSAVE & 31));
	*c |= BIT(X86_FEATURE_HYPERVISOR & 31);
	if (x86_sregs(x)->cr4 & X86_CR4_OSXSAVE)
		*c |= BIT(X86_FEATURE_OSXSAVE & 31);
	*d &= ~(BIT(X86_FEATURE_APIC & 31) | BIT(X86_FEATURE_ACPI & 31) |
		BIT(X86_FEATURE_DS & 31) | BIT(X86_FEATURE_ACC & 31) |
		BIT(X86_FEATURE_PBE & 31));
	/* CPUID.1:EBX[31:24] is the initial APIC ID. */
	*b = (*b & 0x00ffffff) | (x->vcpu->id << 24);
}

static void x86_cpuid_value(struct x86_vcpu *x, u32 leaf, u32 sub,
			    u32 *a, u32 *b, u32 *c, u32 *d)
{
	*a = *b = *c = *d = 0;
	switch (leaf) {
	case HVX_CPUID_SIGNATURE:
		*a = HVX_CPUID_SIGNATURE;
		memcpy(b, "hvxh", 4);
		memcpy(c, "vxhv", 4);
		memcpy(d, "x\0\0\0", 4);
		return;
	case 0x0a:			/* performance monitoring: none */
	case 0x8000000a:		/* SVM features: no nested SVM */
		return;
	}
	if ((leaf >= 0x40000000 && leaf < 0x80000000) ||
	    leaf > (leaf < 0x80000000 ? cpuid_eax(0) : cpuid_eax(0x80000000)))
		return;

	cpuid_count(leaf, sub, a, b, c, d);
	switch (leaf) {
	case 1:
		x86_cpuid_leaf1(x, b, c, d);
		break;
	case 7:
		if (sub)
			break;
		*c &= ~(BIT(X86_FEATURE_OSPKE & 31) |
			BIT(X86_FEATURE_WAITPKG & 31));
		if (x86_sregs(x)->cr4 & X86_CR4_PKE)
			*c |= BIT(X86_FEATURE_OSPKE & 31);
		break;
	case 0x80000001:
		*c &= ~(BIT(X86_FEATURE_SVM & 31) | BIT(X86_FEATURE_SKINIT & 31) |
			BIT(X86_FEATURE_WDT & 31) | BIT(X86_FEATURE_LWP & 31) |
			BIT(X86_FEATURE_PERFCTR_CORE & 31));
		break;
	}
}

int x86_emulate_cpuid(struct x86_vcpu *x)
{
	u32 a, b, c, d;

	x86_cpuid_value(x, x->gpr[GPR_RAX], x->gpr[GPR_RCX], &a, &b, &c, &d);
	/* CPUID writes 32-bit registers: the upper halves are cleared. */
	x->gpr[GPR_RAX] = a;
	x->gpr[GPR_RBX] = b;
	x->gpr[GPR_RCX] = c;
	x->gpr[GPR_RDX] = d;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_CPUID);
	return 1;
}

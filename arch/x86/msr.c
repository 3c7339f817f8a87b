// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: RDMSR, WRMSR and XSETBV.
 *
 * Every MSR access exits (the MSR permission bitmap is all ones), so the
 * guest can never reach a host MSR.  An MSR hvx does not model raises #GP
 * in the guest, as on a processor without it, and is counted in the exit
 * statistics (HVX_STAT_MSR_GP) so that a user can see what a guest wanted.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "x86.h"

/* EFER bits a guest may set: SCE, LME, LMA (read-only), NXE. */
#define X86_EFER_GUEST	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static int x86_set_efer(struct x86_vcpu *x, u64 val)
{
	struct kvm_sregs *s = x86_sregs(x);

	if (val & ~X86_EFER_GUEST)
		return -EINVAL;
	/* LME cannot change while paging is on (APM Vol. 2 14.6.1). */
	if ((s->cr0 & X86_CR0_PG) && ((val ^ s->efer) & EFER_LME))
		return -EINVAL;
	/* LMA is the processor's to set; writes to it are ignored. */
	s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA);
	x->sregs_dirty = true;
	return 0;
}

static bool x86_canonical(u64 addr)
{
	return (s64)(addr << 16) >> 16 == (s64)addr;
}

static int x86_get_msr(struct x86_vcpu *x, u32 index, u64 *val)
{
	switch (index) {
	case MSR_EFER:
		*val = x86_sregs(x)->efer;
		return 0;
	case MSR_FS_BASE:
		*val = x86_sregs(x)->fs.base;
		return 0;
	case MSR_GS_BASE:
		*val = x86_sregs(x)->gs.base;
		return 0;
	case MSR_IA32_APICBASE:
		*val = x86_sregs(x)->apic_base;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + x->tsc_offset;
		return 0;
	}
	return x86_vendor->get_msr(x, index, val);
}

static int x86_set_msr(struct x86_vcpu *x, u32 index, u64 val)
{
	switch (index) {
	case MSR_EFER:
		return x86_set_efer(x, val);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		/* The bases are part of the kvm_sregs view (SDM 3.4.4). */
		if (!x86_canonical(val))
			return -EINVAL;
		if (index == MSR_FS_BASE)
			x86_sregs(x)->fs.base = val;
		else
			x86_sregs(x)->gs.base = val;
		x->sregs_dirty = true;
		return 0;
	case MSR_IA32_APICBASE:
		x86_sregs(x)->apic_base = val;
		x->sregs_dirty = true;
		return 0;
	case MSR_IA32_TSC:
		x->tsc_offset = val - rdtsc();
		return 0;
	}
	return x86_vendor->set_msr(x, index, val);
}

static int x86_msr_gp(struct x86_vcpu *x)
{
	hvx_stat(x->vcpu, HVX_STAT_MSR_GP);
	x86_inject_gp(x);
	return 1;
}

int x86_emulate_rdmsr(struct x86_vcpu *x)
{
	u64 val;

	if (x86_get_msr(x, x->gpr[GPR_RCX], &val))
		return x86_msr_gp(x);
	x->gpr[GPR_RAX] = (u32)val;
	x->gpr[GPR_RDX] = val >> 32;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_MSR);
	return 1;
}

int x86_emulate_wrmsr(struct x86_vcpu *x)
{
	u64 val = (x->gpr[GPR_RDX] << 32) | (u32)x->gpr[GPR_RAX];

	if (x86_set_msr(x, x->gpr[GPR_RCX], val))
		return x86_msr_gp(x);
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_MSR);
	return 1;
}

/*
 * XSETBV (SDM Vol. 2C): only XCR0 exists; x87 state is always on, AVX
 * needs SSE, and the guest gets no feature the host has not enabled,
 * since its state is saved with the host's XSAVE layout.
 */
int x86_emulate_xsetbv(struct x86_vcpu *x)
{
	u64 val = (x->gpr[GPR_RDX] << 32) | (u32)x->gpr[GPR_RAX];

	if ((u32)x->gpr[GPR_RCX] != 0 || !(val & XFEATURE_MASK_FP) ||
	    (val & ~x86_host_xcr0) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))) {
		x86_inject_gp(x);
		return 1;
	}
	x->xcr0 = val;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_OTHER);
	return 1;
}

/* PAT entries may only hold memory types 0, 1, 4, 5, 6, 7 (SDM 12.12.2). */
bool x86_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (i * 8)) & 0xff;

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/*
 * Values the control-block MSRs accept: PAT entries as above, and a
 * canonical address in the ones that hold an address (SDM Vol. 4); any
 * other value raises #GP in the guest.
 */
bool x86_msr_value_valid(u32 index, u64 data)
{
	switch (index) {
	case MSR_IA32_CR_PAT:
		return x86_pat_valid(data);
	case MSR_IA32_SYSENTER_CS:
	case MSR_STAR:
	case MSR_SYSCALL_MASK:
		return true;
	default:
		return (s64)(data << 16) >> 16 == data;
	}
}

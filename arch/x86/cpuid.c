// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: CPUID, answered in the kernel from a table.
 *
 * KVM_GET_SUPPORTED_CPUID hands out the host processor's CPUID with what
 * hvx cannot give a guest taken out (x86_cpuid_init() and the masks below
 * say what and why).  KVM_SET_CPUID2 gives a vCPU its own table, which the
 * guest's CPUID then reads as KVM reads it: an entry matches on its leaf,
 * and on its subleaf when it has KVM_CPUID_FLAG_SIGNIFCANT_INDEX; a leaf
 * that is missing reads as zeros, or, if the table's vendor is not AMD and
 * the leaf lies beyond the maximum of its range, as the highest basic leaf
 * does, which is what Intel processors do (SDM Vol. 2A, CPUID, "If a value
 * entered for CPUID.EAX is higher than the maximum input value").
 *
 * A vCPU never given a table answers from the supported table, with its
 * own id as its initial APIC ID: KVM answers zeros there, but hvx always
 * answered from the host and simple user space relies on it.  Whatever the
 * table says, the bits that mirror guest state follow it, as on hardware
 * and in KVM: OSXSAVE (CR4.OSXSAVE), OSPKE (CR4.PKE), APIC
 * (IA32_APIC_BASE.EN) and the XSAVE area sizes of leaf 0xD (XCR0).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeatures.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>

#include "x86.h"

#define X86_CPUID_MAX_BASIC	0x1f
#define X86_CPUID_MAX_EXT	0x80000021

#define F(name)			BIT(X86_FEATURE_##name & 31)

/*
 * CPUID.1:EDX.  APIC is offered, as KVM does, with the in-kernel local
 * APIC (lapic.c) or without it (then user space emulates one, as QEMU's
 * kernel-irqchip=off does, or takes the bit out, as hvx run does); in a
 * vCPU's CPUID it follows IA32_APIC_BASE.EN (SDM Vol. 3A 11.4.3).
 * Hidden: MCE and MCA (no machine-check banks: Linux reads IA32_MCG_CAP
 * without a fault handler), PN, DS, ACPI, TM, PBE (debug store and
 * thermal MSRs), HTT (topology is user space's to describe).
 */
#define X86_LEAF1_EDX	(F(FPU) | F(VME) | F(DE) | F(PSE) | F(TSC) | F(MSR) | \
			 F(PAE) | F(CX8) | F(APIC) | F(SEP) | F(MTRR) | F(PGE) | \
			 F(CMOV) | F(PAT) | F(PSE36) | F(CLFLUSH) | F(MMX) | \
			 F(FXSR) | F(XMM) | F(XMM2) | F(SELFSNOOP))

/*
 * CPUID.1:ECX.  Hidden: VMX and SMX (no nested virtualization), MONITOR
 * (MONITOR/MWAIT are intercepted and raise #UD), DTES64, DS-CPL, EST,
 * TM2, SDBG, xTPR, PDCM, DCA (debug store, power, perfmon and chipset
 * MSRs hvx does not model), TSC-deadline (KVM_CAP_TSC_DEADLINE_TIMER
 * says the in-kernel APIC has it, as KVM).  x2APIC is offered, as KVM
 * does: only the in-kernel APIC (lapic.c) lets a guest turn it on.
 * OSXSAVE follows CR4; the hypervisor bit, reserved for this use by both
 * vendors, is set.
 */
#define X86_LEAF1_ECX	(F(XMM3) | F(PCLMULQDQ) | F(SSSE3) | F(FMA) | \
			 F(CX16) | F(PCID) | F(XMM4_1) | F(XMM4_2) | \
			 F(MOVBE) | F(POPCNT) | F(AES) | F(XSAVE) | F(AVX) | \
			 F(F16C) | F(RDRAND))

/*
 * CPUID.(7,0):EBX.  TSC_ADJUST is offered whatever the host has: hvx
 * models the MSR in software (msr.c), as KVM does.  Hidden: SGX,
 * MPX, RDT monitoring and allocation, Processor Trace (state and MSRs
 * hvx neither switches nor models), INVPCID (VMX raises #UD for it unless
 * a secondary control hvx does not require is set; Linux falls back to
 * CR3 writes and INVLPG).
 */
#define X86_LEAF7_EBX	(F(FSGSBASE) | F(BMI1) | F(HLE) | F(AVX2) | \
			 F(FDP_EXCPTN_ONLY) | F(SMEP) | F(BMI2) | F(ERMS) | \
			 F(RTM) | BIT(13) /* FCS/FDS deprecated */ | \
			 F(AVX512F) | F(AVX512DQ) | F(RDSEED) | F(ADX) | \
			 F(SMAP) | F(AVX512IFMA) | F(CLFLUSHOPT) | F(CLWB) | \
			 F(AVX512PF) | F(AVX512ER) | F(AVX512CD) | \
			 F(SHA_NI) | F(AVX512BW) | F(AVX512VL))

#define X86_LEAF7_EBX_AVX512 (F(AVX512F) | F(AVX512DQ) | F(AVX512IFMA) | \
			 F(AVX512PF) | F(AVX512ER) | F(AVX512CD) | \
			 F(AVX512BW) | F(AVX512VL))

/*
 * CPUID.(7,0):ECX.  PKU where the host kernel uses protection keys (PKRU
 * is switched around each entry, x86_load_guest_pkru()); OSPKE follows
 * the guest's CR4.PKE.  RDPID where IA32_TSC_AUX is switched
 * (x86_tsc_aux_ok, tsc_aux.c).  Hidden: WAITPKG (UMWAIT control MSR), CET,
 * TME, LA57 (KVM_SET_SREGS takes no CR4.LA57), bus-lock detection, ENQCMD
 * (PASID MSR), SGX launch control, PKS.
 */
#define X86_LEAF7_ECX	(BIT(0) /* PREFETCHWT1 */ | F(AVX512VBMI) | \
			 F(UMIP) | F(AVX512_VBMI2) | F(GFNI) | F(VAES) | \
			 F(VPCLMULQDQ) | F(AVX512_VNNI) | F(AVX512_BITALG) | \
			 F(AVX512_VPOPCNTDQ) | F(CLDEMOTE) | F(MOVDIRI) | \
			 F(MOVDIR64B) | F(PKU))

/*
 * CPUID.(7,0):EDX.  Hidden: every speculation control (IA32_SPEC_CTRL,
 * IA32_PRED_CMD, IA32_FLUSH_CMD, IA32_ARCH_CAPABILITIES, IA32_CORE_
 * CAPABILITIES, SRBDS and TSX control: host MSRs hvx does not switch, so
 * the guest takes its own software mitigations), hybrid topology,
 * PCONFIG, architectural LBR, IBT, AMX (dynamic XSAVE state the guest
 * FPU buffer does not hold).
 */
#define X86_LEAF7_EDX	(F(AVX512_4VNNIW) | F(AVX512_4FMAPS) | F(FSRM) | \
			 F(AVX512_VP2INTERSECT) | F(MD_CLEAR) | \
			 F(SERIALIZE) | F(TSXLDTRK) | F(AVX512_FP16))

/* CPUID.(7,1):EAX: AVX-VNNI, AVX512-BF16 and fast string variants. */
#define X86_LEAF7_1_EAX	(F(AVX_VNNI) | F(AVX512_BF16) | BIT(10) | BIT(11) | \
			 BIT(12))

/*
 * CPUID.0x80000001:ECX.  Hidden: CMP_LEGACY and TOPOEXT (topology),
 * SVM and SKINIT (no nested virtualization), extended APIC space,
 * OSVW, IBS, LWP, WDT, NODEID, performance counter extensions, PTSC
 * (MSRs hvx does not model), MONITORX/MWAITX (intercepted, #UD).
 */
#define X86_EXT1_ECX	(F(LAHF_LM) | F(CR8_LEGACY) | F(ABM) | F(SSE4A) | \
			 F(MISALIGNSSE) | F(3DNOWPREFETCH) | F(XOP) | \
			 F(FMA4) | F(TBM))

/*
 * CPUID.0x80000001:EDX: AMD repeats the leaf 1 bits it shares, taken
 * with the same mask.  Hidden: FFXSR (EFER.FFXSR is not accepted).
 * RDTSCP is offered where IA32_TSC_AUX is switched (x86_tsc_aux_ok).
 */
#define X86_EXT1_EDX	((X86_LEAF1_EDX & 0x0183f3ff) | F(SYSCALL) | F(NX) | \
			 F(MMXEXT) | F(GBPAGES) | F(LM) | F(3DNOWEXT) | \
			 F(3DNOW))

/*
 * CPUID.0x80000008:EBX.  Hidden: IRPERF (HWCR), RDPRU (intercepted),
 * and the AMD speculation controls, as for leaf 7.
 */
#define X86_EXT8_EBX	(F(CLZERO) | F(XSAVEERPTR) | F(WBNOINVD) | \
			 F(AMD_SSB_NO))

/*
 * CPUID.0x80000021:EAX: no nested data breakpoints, LFENCE serializing
 * RDTSC, null selector clears base; not AutoIBRS (an EFER bit).
 */
#define X86_EXT21_EAX	(BIT(0) | BIT(2) | BIT(6))

/* XSAVE features of the guest: AVX-512 states need each other (SDM 13.3). */
#define X86_XCR0_AVX512	(XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 | \
			 XFEATURE_MASK_Hi16_ZMM)

/*
 * Guest XCR0 bits: what the guest FPU buffer holds and fpu_swap_kvm_fpstate()
 * switches, and PKRU, which hvx switches by hand around each entry (as
 * KVM does) where the host uses it.  Not AMX tile data (dynamic, needs
 * permission and a bigger buffer).
 */
#define X86_XCR0_GUEST	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | X86_XCR0_AVX512 | \
			 XFEATURE_MASK_PKRU)

static struct kvm_cpuid_entry2 x86_cpuid_supported[X86_CPUID_MAX_ENTRIES];
static int x86_cpuid_nent;
u64 x86_supported_xcr0;

/* Append (fn, idx) to the supported table as the host reads it. */
static struct kvm_cpuid_entry2 *x86_cpuid_add(u32 fn, u32 idx, bool indexed)
{
	static struct kvm_cpuid_entry2 spare;
	struct kvm_cpuid_entry2 *e = &spare;

	/* At most 0x20 + 16 + 2 + 64 + 0x22 + 1 entries: never full. */
	if (x86_cpuid_nent < X86_CPUID_MAX_ENTRIES)
		e = &x86_cpuid_supported[x86_cpuid_nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static void x86_cpuid_zero(struct kvm_cpuid_entry2 *e)
{
	e->eax = e->ebx = e->ecx = e->edx = 0;
}

static void x86_cpuid_leaf1(struct kvm_cpuid_entry2 *e)
{
	/* EBX[31:16]: initial APIC ID and logical count, user space's. */
	e->ebx &= 0xffff;
	/* x2APIC is lapic.c's, whatever the host has (KVM also). */
	e->ecx = (e->ecx & X86_LEAF1_ECX) | F(HYPERVISOR) | F(X2APIC);
	e->edx &= X86_LEAF1_EDX;
	if (!x86_supported_xcr0)
		e->ecx &= ~(F(XSAVE) | F(AVX) | F(FMA) | F(F16C));
	else if (!(x86_supported_xcr0 & XFEATURE_MASK_YMM))
		e->ecx &= ~(F(AVX) | F(FMA) | F(F16C));
}

static void x86_cpuid_leaf7(struct kvm_cpuid_entry2 *e)
{
	bool avx512 = (x86_supported_xcr0 & X86_XCR0_AVX512) == X86_XCR0_AVX512;

	if (e->index) {
		e->eax &= X86_LEAF7_1_EAX;
		if (!avx512)
			e->eax &= ~F(AVX512_BF16);
		e->ebx = e->ecx = e->edx = 0;
		return;
	}
	e->eax = min(e->eax, 1U);
	e->ebx = (e->ebx & X86_LEAF7_EBX) | F(TSC_ADJUST);
	e->ecx &= X86_LEAF7_ECX | (x86_tsc_aux_ok ? F(RDPID) : 0);
	e->edx &= X86_LEAF7_EDX;
	if (!(x86_supported_xcr0 & XFEATURE_MASK_PKRU))
		e->ecx &= ~F(PKU);
	if (!(x86_supported_xcr0 & XFEATURE_MASK_YMM))
		e->ebx &= ~F(AVX2);
	if (!avx512) {
		e->ebx &= ~X86_LEAF7_EBX_AVX512;
		e->ecx &= ~(F(AVX512VBMI) | F(AVX512_VBMI2) |
			    F(AVX512_VNNI) | F(AVX512_BITALG) |
			    F(AVX512_VPOPCNTDQ));
		e->edx &= ~(F(AVX512_4VNNIW) | F(AVX512_4FMAPS) |
			    F(AVX512_VP2INTERSECT) | F(AVX512_FP16));
	}
}

/*
 * Size of an XSAVE area holding the states of @xcr0 (SDM Vol. 1 13.4 and
 * 13.4.3): the standard format puts each state at its CPUID.(0xD,i):EBX
 * offset; the compacted one packs them in order, 64-byte aligned where
 * CPUID.(0xD,i):ECX[1] says so.
 */
static u32 x86_xsave_size(u64 xcr0, bool compacted)
{
	u32 size = 576, a, b, c, d;	/* legacy area and XSAVE header */
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		if (compacted)
			size = ((c & 2) ? ALIGN(size, 64) : size) + a;
		else
			size = max(size, a + b);
	}
	return size;
}

static void x86_cpuid_xsave(void)
{
	struct kvm_cpuid_entry2 *e;
	int i;

	if (!x86_supported_xcr0)
		return;
	e = x86_cpuid_add(0xd, 0, true);
	e->eax = (u32)x86_supported_xcr0;
	e->edx = x86_supported_xcr0 >> 32;
	e->ebx = x86_xsave_size(XFEATURE_MASK_FP, false);
	e->ecx = x86_xsave_size(x86_supported_xcr0, false);
	/* Not XSAVES nor XFD: IA32_XSS and IA32_XFD are not modelled. */
	e = x86_cpuid_add(0xd, 1, true);
	e->eax &= F(XSAVEOPT) | F(XSAVEC) | F(XGETBV1);
	e->ebx = e->ecx = e->edx = 0;
	for (i = 2; i < 64; i++)
		if (x86_supported_xcr0 & BIT_ULL(i))
			x86_cpuid_add(0xd, i, true);
}

static void x86_cpuid_basic(u32 fn)
{
	struct kvm_cpuid_entry2 *e;
	int i;

	switch (fn) {
	case 1:
		x86_cpuid_leaf1(x86_cpuid_add(fn, 0, false));
		return;
	case 2:			/* cache and TLB descriptors */
	case 0x15:		/* TSC/crystal ratio: the guest TSC is the host's */
	case 0x16:		/* processor frequencies */
		x86_cpuid_add(fn, 0, false);
		return;
	case 4:			/* cache parameters, until the null type */
		for (i = 0; i < 16; i++) {
			e = x86_cpuid_add(fn, i, true);
			if (!(e->eax & 0x1f))
				break;
		}
		return;
	case 6:			/* thermal and power: only ARAT, as KVM */
		e = x86_cpuid_add(fn, 0, false);
		e->eax &= BIT(2);
		e->ebx = e->ecx = e->edx = 0;
		return;
	case 7:
		x86_cpuid_leaf7(x86_cpuid_add(fn, 0, true));
		x86_cpuid_leaf7(x86_cpuid_add(fn, 1, true));
		return;
	case 0xd:
		x86_cpuid_xsave();
		return;
	}
	/*
	 * Zero: MONITOR/MWAIT (5), DCA (9), perfmon (0xA), topology (0xB,
	 * 0x1F: user space's), RDT (0xF, 0x10), SGX (0x12), PT (0x14) and
	 * leaves hvx does not know.
	 */
	x86_cpuid_zero(x86_cpuid_add(fn, 0, fn == 0xb || fn == 0x1f ||
				     fn == 0xf || fn == 0x10 ||
				     fn == 0x12 || fn == 0x14));
}

static void x86_cpuid_ext(u32 fn)
{
	struct kvm_cpuid_entry2 *e = x86_cpuid_add(fn, 0, false);

	switch (fn) {
	case 0x80000001:
		e->ecx &= X86_EXT1_ECX;
		e->edx &= X86_EXT1_EDX | (x86_tsc_aux_ok ? F(RDTSCP) : 0);
		return;
	case 0x80000002 ... 0x80000006:	/* brand string, caches */
	case 0x80000019:		/* 1 GiB page TLBs */
		return;
	case 0x80000007:	/* only invariant TSC: it is the host's */
		e->edx &= BIT(8);
		e->eax = e->ebx = e->ecx = 0;
		return;
	case 0x80000008:
		/*
		 * Physical address bits: at most the 48 that the 4-level
		 * stage-2 tables translate; linear address bits: 48, LA57
		 * being hidden; ECX (core count) is topology.
		 */
		e->eax = (48 << 8) | min(e->eax & 0xff, 48U);
		e->ebx &= X86_EXT8_EBX;
		e->ecx = e->edx = 0;
		return;
	case 0x80000021:
		e->eax &= X86_EXT21_EAX;
		e->ebx = e->ecx = e->edx = 0;
		return;
	}
	/* SVM (0x8000000A), IBS, cache topology, SME/SEV (0x8000001F)... */
	x86_cpuid_zero(e);
}

/*
 * The hypervisor leaves (Documentation/virt/kvm/x86/cpuid.rst): KVM's
 * signature, so that a guest looks for KVM's paravirtual interfaces, and
 * of those the ones hvx implements: kvmclock through both pairs of MSRs
 * (kvmclock.c), and PVCLOCK_TSC_STABLE_BIT, which hvx sets only when it
 * holds; and KVM_FEATURE_NOP_IO_DELAY, which only tells the guest that
 * the port 0x80 delays of old hardware are not needed (each would be an
 * exit to user space).  No hints (EDX).
 */
static void x86_cpuid_kvm(void)
{
	struct kvm_cpuid_entry2 *e;

	e = x86_cpuid_add(KVM_CPUID_SIGNATURE, 0, false);
	e->eax = KVM_CPUID_FEATURES;
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	e = x86_cpuid_add(KVM_CPUID_FEATURES, 0, false);
	x86_cpuid_zero(e);
	e->eax = BIT(KVM_FEATURE_CLOCKSOURCE) | BIT(KVM_FEATURE_CLOCKSOURCE2) |
		 BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) |
		 BIT(KVM_FEATURE_NOP_IO_DELAY);
}

/* Build the supported table once, at module load. */
void x86_cpuid_init(void)
{
	struct kvm_cpuid_entry2 *e;
	u32 fn, max;

	x86_supported_xcr0 = x86_host_xcr0 & X86_XCR0_GUEST;
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		x86_supported_xcr0 &= ~XFEATURE_MASK_PKRU;
	if ((x86_supported_xcr0 & X86_XCR0_AVX512) != X86_XCR0_AVX512 ||
	    !(x86_supported_xcr0 & XFEATURE_MASK_YMM))
		x86_supported_xcr0 &= ~X86_XCR0_AVX512;

	x86_cpuid_nent = 0;
	e = x86_cpuid_add(0, 0, false);
	max = e->eax = min_t(u32, e->eax, X86_CPUID_MAX_BASIC);
	for (fn = 1; fn <= max; fn++)
		x86_cpuid_basic(fn);

	x86_cpuid_kvm();

	e = x86_cpuid_add(0x80000000, 0, false);
	max = e->eax = min_t(u32, e->eax, X86_CPUID_MAX_EXT);
	for (fn = 0x80000001; fn <= max; fn++)
		x86_cpuid_ext(fn);
}

static const struct kvm_cpuid_entry2 *
x86_cpuid_find(const struct kvm_cpuid_entry2 *e, int nent, u32 fn, u32 idx)
{
	int i;

	for (i = 0; i < nent; i++)
		if (e[i].function == fn &&
		    (!(e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e[i].index == idx))
			return &e[i];
	return NULL;
}

static bool x86_cpuid_vendor_amd(const struct kvm_cpuid_entry2 *basic)
{
	/* "AuthenticAMD" and "HygonGenuine" in EBX, EDX, ECX order. */
	return (basic->ebx == 0x68747541 && basic->edx == 0x69746e65 &&
		basic->ecx == 0x444d4163) ||
	       (basic->ebx == 0x6f677948 && basic->edx == 0x6e65476e &&
		basic->ecx == 0x656e6975);
}

/*
 * A leaf the table lacks: beyond the maximum of its range (basic,
 * hypervisor 0x400000xx, extended, Centaur), Intel processors answer with
 * the highest basic leaf, AMD ones with zeros.  *@fn becomes the leaf
 * answered.
 */
static const struct kvm_cpuid_entry2 *
x86_cpuid_out_of_range(const struct kvm_cpuid_entry2 *e, int nent, u32 *fn,
		       u32 idx)
{
	const struct kvm_cpuid_entry2 *basic, *range;
	u32 f = *fn;

	basic = x86_cpuid_find(e, nent, 0, 0);
	if (!basic || x86_cpuid_vendor_amd(basic))
		return NULL;
	if (f >= 0x40000000 && f <= 0x4fffffff)
		range = x86_cpuid_find(e, nent, f & 0xffffff00, 0);
	else if (f >= 0xc0000000)
		range = x86_cpuid_find(e, nent, 0xc0000000, 0);
	else
		range = x86_cpuid_find(e, nent, f & 0x80000000, 0);
	if (range && f <= range->eax)
		return NULL;
	*fn = basic->eax;
	return x86_cpuid_find(e, nent, basic->eax, idx);
}

static void x86_cpuid_set_bit(u32 *reg, u32 bit, bool on)
{
	*reg = on ? *reg | bit : *reg & ~bit;
}

/*
 * The bits that mirror the vCPU's state, whatever the table holds.  The
 * kvm_sregs view is fetched only for the leaves that need it: on VMX that
 * is some fifty VMREADs.
 */
static void x86_cpuid_dynamic(struct x86_vcpu *x, u32 fn, u32 idx,
			      struct kvm_cpuid_entry2 *e)
{
	const struct kvm_sregs *s;

	switch (fn) {
	case 1:
		s = x86_sregs(x);
		if (x86_host_xcr0)
			x86_cpuid_set_bit(&e->ecx, F(OSXSAVE),
					  s->cr4 & X86_CR4_OSXSAVE);
		x86_cpuid_set_bit(&e->edx, F(APIC),
				  s->apic_base & MSR_IA32_APICBASE_ENABLE);
		break;
	case 7:
		if (!idx && boot_cpu_has(X86_FEATURE_PKU))
			x86_cpuid_set_bit(&e->ecx, F(OSPKE),
					  x86_sregs(x)->cr4 & X86_CR4_PKE);
		break;
	case 0xd:
		if (idx == 0)
			e->ebx = x86_xsave_size(x->xcr0, false);
		else if (idx == 1 && (e->eax & (F(XSAVEC) | F(XSAVES))))
			e->ebx = x86_xsave_size(x->xcr0, true);
		break;
	}
}

/* The guest's CPUID (leaf @fn, subleaf @idx) as the vCPU answers it. */
static void x86_cpuid_answer(struct x86_vcpu *x, u32 fn, u32 idx,
			     struct kvm_cpuid_entry2 *out)
{
	const struct kvm_cpuid_entry2 *tab = x->cpuid;
	const struct kvm_cpuid_entry2 *e;
	int nent = x->cpuid_nent;

	if (!tab) {
		tab = x86_cpuid_supported;
		nent = x86_cpuid_nent;
	}
	memset(out, 0, sizeof(*out));
	e = x86_cpuid_find(tab, nent, fn, idx);
	if (!e)
		e = x86_cpuid_out_of_range(tab, nent, &fn, idx);
	if (!e)
		return;
	*out = *e;
	if (!x->cpuid && fn == 1)	/* initial APIC ID (SDM: CPUID.1) */
		out->ebx |= x->vcpu->id << 24;
	x86_cpuid_dynamic(x, fn, idx, out);
}

int x86_emulate_cpuid(struct x86_vcpu *x)
{
	struct kvm_cpuid_entry2 e;

	x86_cpuid_answer(x, x->gpr[GPR_RAX], x->gpr[GPR_RCX], &e);
	/* CPUID writes 32-bit registers: the upper halves are cleared. */
	x->gpr[GPR_RAX] = e.eax;
	x->gpr[GPR_RBX] = e.ebx;
	x->gpr[GPR_RCX] = e.ecx;
	x->gpr[GPR_RDX] = e.edx;
	x->rip = x->next_rip;
	hvx_stat(x->vcpu, HVX_STAT_CPUID);
	return 1;
}

/*
 * KVM_GET_SUPPORTED_CPUID: -E2BIG if the caller's array is too small
 * (nent is then left alone), else nent becomes the number of entries.
 */
long x86_ioctl_get_supported_cpuid(void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	struct kvm_cpuid2 c;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	if (c.nent < x86_cpuid_nent)
		return -E2BIG;
	if (copy_to_user(uc->entries, x86_cpuid_supported,
			 x86_cpuid_nent * sizeof(uc->entries[0])))
		return -EFAULT;
	c.nent = x86_cpuid_nent;
	return copy_to_user(uc, &c, sizeof(c)) ? -EFAULT : 0;
}

/*
 * The guest's MAXPHYADDR, from CPUID.0x80000008:EAX[7:0] (SDM Vol. 3A
 * 4.1.4), 36 without the leaf.  User space may put anything up to 255
 * there; callers build reserved-bit masks with it (~0ULL << n, undefined
 * for n >= 64), so it is kept within what processors can have: at most
 * 52 (the architectural limit of physical addresses, SDM 4.1.4, APM Vol. 2
 * 7.0), at least 32.
 */
unsigned int x86_guest_maxphyaddr(struct x86_vcpu *x)
{
	struct kvm_cpuid_entry2 e;
	unsigned int bits;

	x86_cpuid_answer(x, 0x80000000, 0, &e);
	if (e.eax < 0x80000008)
		return 36;
	x86_cpuid_answer(x, 0x80000008, 0, &e);
	bits = e.eax & 0xff;
	return bits ? clamp(bits, 32U, 52U) : 36;
}

/*
 * Whether the guest's CPUID leaf @fn (subleaf 0) has @bit set in register
 * @reg (0 EAX, 1 EBX, 2 ECX, 3 EDX), as the guest would read it.
 */
bool x86_guest_cpuid_has(struct x86_vcpu *x, u32 fn, int reg, u32 bit)
{
	struct kvm_cpuid_entry2 e;
	u32 regs[4];

	x86_cpuid_answer(x, fn, 0, &e);
	regs[0] = e.eax;
	regs[1] = e.ebx;
	regs[2] = e.ecx;
	regs[3] = e.edx;
	return regs[reg & 3] & bit;
}

/* The guest's CPUID says "GenuineIntel" (EBX, EDX, ECX of leaf 0). */
bool x86_guest_is_intel(struct x86_vcpu *x)
{
	struct kvm_cpuid_entry2 e;

	x86_cpuid_answer(x, 0, 0, &e);
	return e.ebx == 0x756e6547 && e.edx == 0x49656e69 &&
	       e.ecx == 0x6c65746e;
}

/* The XCR0 bits the guest's table offers (CPUID.(0xD,0):EDX:EAX). */
static u64 x86_cpuid_xcr0(const struct kvm_cpuid_entry2 *e, int nent)
{
	const struct kvm_cpuid_entry2 *d = x86_cpuid_find(e, nent, 0xd, 0);

	if (!d)
		return XFEATURE_MASK_FP;
	return ((d->eax | (u64)d->edx << 32) & x86_supported_xcr0) |
	       XFEATURE_MASK_FP;
}

/*
 * What KVM refuses in a table: a linear-address width (0x80000008
 * EAX[15:8]) other than 48 or 57, or none given.
 */
static int x86_cpuid_check(const struct kvm_cpuid_entry2 *e, int nent)
{
	const struct kvm_cpuid_entry2 *a = x86_cpuid_find(e, nent,
							  0x80000008, 0);
	u32 bits = a ? (a->eax >> 8) & 0xff : 0;

	return (bits && bits != 48 && bits != 57) ? -EINVAL : 0;
}

/*
 * Is @e (@nent entries) the table the vCPU has?  Compared as KVM 6.1 does
 * (kvm_cpuid_check_equal()): entry by entry, the bits that mirror the
 * vCPU's state as the vCPU would answer them in both, so that the table
 * KVM_GET_CPUID2 returned compares equal.
 */
static bool x86_cpuid_same(struct x86_vcpu *x,
			   const struct kvm_cpuid_entry2 *e, int nent)
{
	struct kvm_cpuid_entry2 a, b;
	int i;

	if (!x->cpuid || nent != x->cpuid_nent)
		return false;
	for (i = 0; i < nent; i++) {
		a = e[i];
		b = x->cpuid[i];
		x86_cpuid_dynamic(x, a.function, a.index, &a);
		x86_cpuid_dynamic(x, b.function, b.index, &b);
		if (a.function != b.function || a.index != b.index ||
		    a.flags != b.flags || a.eax != b.eax || a.ebx != b.ebx ||
		    a.ecx != b.ecx || a.edx != b.edx)
			return false;
	}
	return true;
}

/*
 * KVM_SET_CPUID2: at most X86_CPUID_MAX_ENTRIES entries (-E2BIG).  Once
 * the vCPU has run, only the table it already has is accepted (-EINVAL
 * otherwise), as in KVM 6.1: the guest may have acted on what it read.
 */
long x86_ioctl_set_cpuid2(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 c;
	size_t size;
	int r;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	if (c.nent > X86_CPUID_MAX_ENTRIES)
		return -E2BIG;
	size = c.nent * sizeof(*e);
	if (c.nent) {
		e = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
		    vmemdup_user(uc->entries, size);
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	r = x86_cpuid_check(e, c.nent);
	if (!r && x->has_run)
		r = x86_cpuid_same(x, e, c.nent) ? 0 : -EINVAL;
	if (r || x->has_run) {
		kvfree(e);
		return r;
	}
	kvfree(x->cpuid);
	/* An empty table is a table: the guest then reads zeros. */
	x->cpuid = e ?: ZERO_SIZE_PTR;
	x->cpuid_nent = c.nent;
	x->xcr0_allowed = x86_cpuid_xcr0(e, c.nent);
	return 0;
}

/*
 * KVM_GET_CPUID2: the table given with KVM_SET_CPUID2 (none: nent 0), its
 * state-mirroring bits as the guest would read them now; -E2BIG if the
 * caller's array is too small.
 */
long x86_ioctl_get_cpuid2(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 c;
	int i, r = 0;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	if (c.nent < x->cpuid_nent)
		return -E2BIG;
	if (x->cpuid_nent) {
		e = hvx_fault_alloc() ? NULL :
		    kvmalloc_array(x->cpuid_nent, sizeof(*e),
				   GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
		memcpy(e, x->cpuid, x->cpuid_nent * sizeof(*e));
		for (i = 0; i < x->cpuid_nent; i++)
			x86_cpuid_dynamic(x, e[i].function, e[i].index, &e[i]);
		if (copy_to_user(uc->entries, e, x->cpuid_nent * sizeof(*e)))
			r = -EFAULT;
		kvfree(e);
	}
	c.nent = x->cpuid_nent;
	if (!r && copy_to_user(uc, &c, sizeof(c)))
		r = -EFAULT;
	return r;
}

void x86_cpuid_free(struct x86_vcpu *x)
{
	kvfree(x->cpuid);
	x->cpuid = NULL;
	x->cpuid_nent = 0;
}

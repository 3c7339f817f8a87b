// SPDX-License-Identifier: GPL-2.0
/*
 * hvx AMD SVM backend (AMD APM Vol. 2, chapter 15).
 *
 * SVM is switched on (EFER.SVME) on every CPU when the first hvx VM is
 * created and off when the last one is freed, and per CPU around CPU
 * hotplug, suspend and reboot (module/main.c); if EFER.SVME is already
 * set another hypervisor (kvm_amd) owns the CPU and hvx refuses.  Each vCPU has
 * one VMCB; guest memory is mapped with nested paging (15.25), guest TLB
 * entries are tagged with per-CPU ASIDs (15.16).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/svm.h>

#include <linux/seq_file.h>

#include "svm.h"
#include "hvx_trace.h"

/* Power-on DR6 and DR7 (SDM Vol. 3B 18.2.4, 18.2.5). */
#define SVM_DR6_INIT	X86_DR6_INIT
#define SVM_DR7_INIT	0x400ULL


struct svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: host state VMRUN saves */
	struct page *host_save;	/* VMSAVE area for the rest of it */
	u32 next_asid;
	u64 asid_gen;
	bool enabled;
	struct vmcb *last_vmcb;	/* of the vCPU that ran here last */
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);
static u32 svm_max_asid;
bool svm_has_nrips;
static struct page *svm_iopm, *svm_msrpm;

/*
 * SVM on this CPU, interrupts off: EFER.SVME, and VM_HSAVE_PA at the
 * page where VMRUN keeps the host state (APM Vol. 2 15.4, 15.30.4).  A
 * CPU brought back online or resumed finds EFER.SVME clear again (INIT,
 * APM Vol. 2 14.1.3, then the kernel's boot trampoline or the firmware
 * rewrite EFER), so this runs again each time.  -EBUSY, with nothing
 * changed, if EFER.SVME is already set: another hypervisor owns the CPU.
 */
static int svm_enable_this_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Force a new ASID generation, and so a full flush, on first use. */
	sd->next_asid = svm_max_asid + 1;
	sd->enabled = true;
	return 0;
}

/*
 * SVM off on this CPU, interrupts off, if hvx turned it on: VMRUN then
 * raises #UD (APM Vol. 2 15.4), which svm_switch() never lets happen.
 */
static void svm_disable_this_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

static void svm_enable_cpu(void *busy)
{
	if (svm_enable_this_cpu())
		atomic_inc(busy);
}

static void svm_disable_cpu(void *unused)
{
	svm_disable_this_cpu();
}

static int svm_enable(void)
{
	atomic_t busy = ATOMIC_INIT(0);

	on_each_cpu(svm_enable_cpu, &busy, 1);
	if (!atomic_read(&busy))
		return 0;
	on_each_cpu(svm_disable_cpu, NULL, 1);
	pr_err("SVM is in use by another hypervisor (EFER.SVME already set; is kvm_amd running a VM?)\n");
	return -EBUSY;
}

static void svm_disable(void)
{
	on_each_cpu(svm_disable_cpu, NULL, 1);
}

static void svm_free_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = sd->host_save = NULL;
	}
	if (svm_iopm)
		__free_pages(svm_iopm, 2);
	if (svm_msrpm)
		__free_pages(svm_msrpm, 1);
	svm_iopm = svm_msrpm = NULL;
}

/*
 * The I/O permission map (12 KiB) and MSR permission map (8 KiB) are all
 * ones: every port and every MSR access exits (APM 15.10.1, 15.11).  One
 * read-only copy serves every VMCB.
 */
static int svm_alloc(void)
{
	int cpu;

	svm_iopm = alloc_pages(GFP_KERNEL, 2);
	svm_msrpm = alloc_pages(GFP_KERNEL, 1);
	if (!svm_iopm || !svm_msrpm)
		return -ENOMEM;
	memset(page_address(svm_iopm), 0xff, 4 * PAGE_SIZE);
	memset(page_address(svm_msrpm), 0xff, 2 * PAGE_SIZE);
	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		sd->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sd->hsave || !sd->host_save)
			return -ENOMEM;
	}
	return 0;
}

static int svm_probe(void)
{
	u64 vm_cr;
	int r;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & (1 << SVM_VM_CR_SVM_DISABLE)) {
		pr_err("SVM is disabled by the firmware (VM_CR.SVMDIS)\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("SVM without nested paging is not supported\n");
		return -ENODEV;
	}
	svm_max_asid = cpuid_ebx(SVM_CPUID_FUNC) - 1;
	svm_has_nrips = boot_cpu_has(X86_FEATURE_NRIPS);
	/* RDTSCP and RDPID are not intercepted: tsc_aux.c switches the MSR. */
	x86_tsc_aux_ok = boot_cpu_has(X86_FEATURE_RDTSCP) ||
			 boot_cpu_has(X86_FEATURE_RDPID);
	if (!svm_max_asid) {
		pr_err("SVM reports no usable ASID\n");
		return -ENODEV;
	}
	r = svm_alloc();
	if (r)
		svm_free_cpus();
	return r;
}

/*
 * Intercepts.  Everything that could reach host state or hardware exits:
 * physical interrupts, NMIs and SMIs (so the host keeps its CPU), all I/O
 * and MSR accesses (via the all-ones maps), CPUID, HLT, XSETBV, INVD,
 * shutdown, and every SVM instruction (no nested SVM: they raise #UD, and
 * VMRUN must be intercepted for VMRUN to succeed, APM 15.5.1), MONITOR and
 * MWAIT (not offered in CPUID).  RDPMC would read the host's performance
 * counters (hvx has no virtual PMU: #GP); WBINVD would flush the caches of
 * the whole host package (a no-op: the guest has no device of its own).
 * Debug-register accesses exit until the guest first uses them (then
 * DR0-3 are switched on every entry).  Three exceptions always exit:
 * #AC and #DB, reflected, so that a guest cannot hold the CPU in an
 * endless delivery loop (a #DB whose delivery raises #DB again, as with a
 * data breakpoint on the handler's stack, loops in the processor without
 * ever taking an interrupt: CVE-2015-8104), and #MC, which is the host's
 * (x86_machine_check()).  ICEBP (INT1) is intercepted too: the #DB it
 * raises is then reflected with a RIP that is unambiguously past it.
 * CR accesses, INVLPG and page faults are left to the guest: with nested
 * paging its page tables are its own.
 */
static void svm_init_vmcb(struct svm_vcpu *svm)
{
	static const u16 intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_RSM, INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
		INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
		INTERCEPT_SKINIT, INTERCEPT_MONITOR, INTERCEPT_MWAIT,
		INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV, INTERCEPT_RDPRU,
		INTERCEPT_RDPMC, INTERCEPT_WBINVD, INTERCEPT_ICEBP,
	};
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_control_area *c = &vmcb->control;
	int i;

	memset(vmcb, 0, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		svm_set_intercept(vmcb, intercepts[i]);
	c->intercepts[INTERCEPT_DR] = ~0U;
	c->intercepts[INTERCEPT_EXCEPTION] = BIT(AC_VECTOR) | BIT(DB_VECTOR) |
					     BIT(MC_VECTOR);
	c->iopm_base_pa = page_to_phys(svm_iopm);
	c->msrpm_base_pa = page_to_phys(svm_msrpm);
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = __pa(x86_tdp(x86_vm(&svm->x))->root);
	/* Guest RFLAGS.IF and CR8 act on virtual interrupts only. */
	c->int_ctl = V_INTR_MASKING_MASK;
	vmcb->save.g_pat = 0x0007040600070406ULL;	/* power-on PAT */
	vmcb->save.dr6 = SVM_DR6_INIT;
	vmcb->save.dr7 = SVM_DR7_INIT;
	svm->asid_cpu = -1;
	svm->nmi_masked = svm->nmi_iret = svm->nmi_singlestep = false;
	svm->virq_inflight = false;
}

static void svm_reset(struct x86_vcpu *x)
{
	svm_init_vmcb(to_svm(x));
}

static int svm_vcpu_init(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);
	struct page *page = hvx_fault_alloc() ? NULL :
			    alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	return 0;
}

static void svm_vcpu_free(struct x86_vcpu *x)
{
	struct vmcb *vmcb = to_svm(x)->vmcb;
	int cpu;

	/* A new VMCB at this address is another vCPU: IBPB before it runs. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu(svm_cpu, cpu).last_vmcb, vmcb, NULL);
	free_page((unsigned long)vmcb);
}

/* kvm_segment <-> VMCB segment attributes (APM 15.5.1, table 15-?). */
static void svm_seg_to_vmcb(struct vmcb_seg *v, const struct kvm_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = s->unusable ? 0 :
		(s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		(s->present & 1) << 7 | (s->avl & 1) << 8 | (s->l & 1) << 9 |
		(s->db & 1) << 10 | (s->g & 1) << 11;
}

static void svm_seg_from_vmcb(struct kvm_segment *s, const struct vmcb_seg *v)
{
	*s = (struct kvm_segment) {
		.selector = v->selector, .base = v->base, .limit = v->limit,
		.type = v->attrib & 0xf, .s = (v->attrib >> 4) & 1,
		.dpl = (v->attrib >> 5) & 3, .present = (v->attrib >> 7) & 1,
		.avl = (v->attrib >> 8) & 1, .l = (v->attrib >> 9) & 1,
		.db = (v->attrib >> 10) & 1, .g = (v->attrib >> 11) & 1,
	};
	s->unusable = !s->present;
}

static void svm_write_sregs(struct x86_vcpu *x, const struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(x)->vmcb;
	struct vmcb_save_area *v = &vmcb->save;

	svm_seg_to_vmcb(&v->cs, &s->cs);
	svm_seg_to_vmcb(&v->ds, &s->ds);
	svm_seg_to_vmcb(&v->es, &s->es);
	svm_seg_to_vmcb(&v->fs, &s->fs);
	svm_seg_to_vmcb(&v->gs, &s->gs);
	svm_seg_to_vmcb(&v->ss, &s->ss);
	svm_seg_to_vmcb(&v->tr, &s->tr);
	svm_seg_to_vmcb(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	/* CPL is SS.DPL in protected mode, 0 in real mode (APM 15.5.1). */
	v->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl : 0;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	/* The guest's EFER must have SVME set for VMRUN to accept it. */
	v->efer = s->efer | EFER_SVME;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(s->cr8 & V_TPR_MASK);
}

/* apic_base and interrupt_bitmap are not hardware state: left as they are. */
static void svm_read_sregs(struct x86_vcpu *x, struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(x)->vmcb;
	const struct vmcb_save_area *v = &vmcb->save;

	svm_seg_from_vmcb(&s->cs, &v->cs);
	svm_seg_from_vmcb(&s->ds, &v->ds);
	svm_seg_from_vmcb(&s->es, &v->es);
	svm_seg_from_vmcb(&s->fs, &v->fs);
	svm_seg_from_vmcb(&s->gs, &v->gs);
	svm_seg_from_vmcb(&s->ss, &v->ss);
	svm_seg_from_vmcb(&s->tr, &v->tr);
	svm_seg_from_vmcb(&s->ldt, &v->ldtr);
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->efer = v->efer & ~EFER_SVME;
	s->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
}

/* MSRs that VMLOAD/VMSAVE and VMRUN keep in the VMCB (APM 15.5.2). */
static u64 *svm_msr_slot(struct vmcb_save_area *v, u32 index)
{
	switch (index) {
	case MSR_STAR:			return &v->star;
	case MSR_LSTAR:			return &v->lstar;
	case MSR_CSTAR:			return &v->cstar;
	case MSR_SYSCALL_MASK:		return &v->sfmask;
	case MSR_KERNEL_GS_BASE:	return &v->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS:	return &v->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:	return &v->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:	return &v->sysenter_eip;
	case MSR_IA32_CR_PAT:		return &v->g_pat;
	}
	return NULL;
}

static int svm_get_msr(struct x86_vcpu *x, u32 index, u64 *data)
{
	u64 *slot = svm_msr_slot(&to_svm(x)->vmcb->save, index);

	if (!slot)
		return -ENOENT;
	*data = *slot;
	return 0;
}

static int svm_set_msr(struct x86_vcpu *x, u32 index, u64 data)
{
	u64 *slot = svm_msr_slot(&to_svm(x)->vmcb->save, index);

	if (!slot)
		return -ENOENT;
	if (!x86_msr_value_valid(index, data))
		return -EINVAL;
	*slot = data;
	return 0;
}

/*
 * Pick the ASID for this entry.  ASIDs are handed out per CPU; a vCPU
 * takes a fresh one when it moves CPU, when the CPU starts a new
 * generation, or when its VM's stage-2 tables lost entries, so that it
 * never meets a TLB entry another guest (or its own past) left behind.
 * Running out starts a new generation with a flush of all ASIDs.
 */
static void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu *sd,
			    int cpu, s64 tlb_gen)
{
	if (svm->asid_cpu == cpu && svm->asid_gen == sd->asid_gen &&
	    svm->tlb_gen == tlb_gen)
		return;
	if (sd->next_asid > svm_max_asid) {
		sd->asid_gen++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid = sd->next_asid++;
	svm->asid_gen = sd->asid_gen;
	svm->asid_cpu = cpu;
	svm->tlb_gen = tlb_gen;
	svm->vmcb->control.asid = svm->asid;
}

/*
 * Another vCPU (or none) ran on this CPU last: what it taught the indirect
 * branch predictor must not steer this one.  IBPB where the host enabled
 * it (X86_FEATURE_USE_IBPB), unless every #VMEXIT does one already.
 */
static void svm_switch_vcpu(struct svm_cpu *sd, struct svm_vcpu *svm)
{
	if (sd->last_vmcb == svm->vmcb)
		return;
	sd->last_vmcb = svm->vmcb;
	if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
		indirect_branch_prediction_barrier();
}

/* The world switch proper: preemption and interrupts off, GIF clear. */
static int svm_switch(struct svm_vcpu *svm)
{
	struct x86_vcpu *x = &svm->x;
	struct hvx_vcpu *vcpu = x->vcpu;
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	int cpu = smp_processor_id();

	if (!sd->enabled)
		return -EAGAIN;		/* see hvx_cpu_off() */
	WRITE_ONCE(vcpu->cpu, cpu);
	hvx_stats_enter(vcpu);
	/* Mode before tlb_gen is read: pairs with hvx_vm_flush_tlbs(). */
	smp_store_mb(vcpu->mode, HVX_IN_GUEST);
	if (x86_entry_cancelled(x)) {
		WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
		return 1;
	}
	svm_assign_asid(svm, sd, cpu, atomic64_read(&x86_vm(x)->tlb_gen));
	svm_switch_vcpu(sd, svm);
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	x86_load_guest_xcr0(x);
	x86_load_guest_tsc_aux(x);
	x86_load_guest_dr(x);
	x86_load_guest_pkru(x);

	asm volatile("clgi" ::: "memory");
	/* The DIV0 erratum: no quotient of the host's reaches the guest. */
	amd_clear_divider();
	__svm_vcpu_run(x->gpr, svm->vmcb_pa, page_to_phys(sd->host_save));
	x86_load_host_pkru(x);
	x86_save_guest_dr(x);
	asm volatile("stgi" ::: "memory");

	x86_after_exit();
	WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
	hvx_stats_exit(vcpu);
	x86_load_host_xcr0(x);
	return 0;
}

/*
 * Under QEMU 7.2's SVM emulation with several host CPUs, an interrupt
 * #VMEXIT sometimes stores the host's own state (RIP just past our VMRUN,
 * the host CR3) in the guest's save area.  No real #VMEXIT can do that
 * (APM Vol. 2 15.6), so it is recognised, reported, and the guest state
 * as it was entered is put back; the guest then simply runs again.
 */
static bool svm_host_state_leaked(const struct vmcb_save_area *v)
{
	unsigned long start = (unsigned long)__svm_vcpu_run;

	return v->rip >= start && v->rip < start + 512 &&
	       (v->cr3 & PAGE_MASK) == (__read_cr3() & PAGE_MASK);
}

/*
 * The guest-state checks VMRUN makes (AMD APM Vol. 2 15.5.1, "Canonicali-
 * zation and Consistency Checks"), plus CR0.PG without CR0.PE, which no
 * MOV to CR0 can produce (APM Vol. 2 3.1.1).  hvx makes them itself, so
 * that a bad state is refused the same way whatever the processor (or
 * emulator) would do with it, and the log can say which check failed.
 */
static const char *svm_check_state(const struct vmcb_save_area *v)
{
	if ((v->dr6 >> 32) || (v->dr7 >> 32))
		return "DR6 or DR7 bits 63:32 not zero";
	return x86_check_state(v->cr0, v->cr4, v->efer,
			       v->cs.attrib & SVM_SELECTOR_L_MASK,
			       v->cs.attrib & SVM_SELECTOR_DB_MASK);
}

static int svm_refuse_entry(struct svm_vcpu *svm, const char *why)
{
	pr_info_ratelimited("vCPU %u: VM entry refused: %s (AMD APM Vol. 2 15.5.1)\n",
			    svm->x.vcpu->id, why);
	svm->vmcb->control.exit_code = SVM_EXIT_ERR;
	svm->x.vcpu->entry_failure = why;
	svm->x.vcpu->entry_failure_ref =
		"AMD APM Vol. 2 15.5.1, Canonicalization and Consistency Checks";
	return svm_exit_invalid(svm);
}

static int svm_enter(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb *vmcb = svm->vmcb;
	const char *bad;
	int cpu, r;

	bad = svm_check_state(&vmcb->save);
	if (bad)
		return svm_refuse_entry(svm, bad);
	if (x->rip != x->exit_rip)
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	r = x86_inject_events(x);
	if (r <= 0)
		return r;
	/*
	 * Real mode pushes no error code (SDM Vol. 3A 20.1.4): one that
	 * KVM_SET_VCPU_EVENTS gave before KVM_SET_SREGS cleared CR0.PE goes.
	 */
	if (!(vmcb->save.cr0 & X86_CR0_PE))
		vmcb->control.event_inj &= ~SVM_EVTINJ_VALID_ERR;

	vmcb->save.rax = x->gpr[GPR_RAX];
	vmcb->save.rsp = x->gpr[GPR_RSP];
	vmcb->save.rip = x->rip;
	vmcb->save.rflags = x->rflags;
	vmcb->control.tsc_offset = x->tsc_offset;
	vmcb->control.clean = 0;	/* hvx does not track dirty fields */

	svm->saved = vmcb->save;
	svm->saved_event_inj = vmcb->control.event_inj;
	svm->saved_event_inj_err = vmcb->control.event_inj_err;
	svm->saved_int_ctl = vmcb->control.int_ctl;
	preempt_disable();
	local_irq_disable();
	cpu = smp_processor_id();
	r = svm_switch(svm);
	if (!r && vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + MC_VECTOR)
		x86_machine_check();
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	local_irq_enable();
	preempt_enable();
	if (r) {
		svm_settle_virq(svm);
		/* r > 0: an interrupt for the guest came in (lapic.c). */
		return r > 0 ? 1 : hvx_cpu_off(x->vcpu, cpu);
	}

	if (svm_host_state_leaked(&vmcb->save)) {
		pr_info_ratelimited("vCPU %u: #VMEXIT wrote host state into the VMCB (emulator defect); guest state restored\n",
				    x->vcpu->id);
		vmcb->save = svm->saved;
		vmcb->control.exit_code = SVM_EXIT_INTR;
		vmcb->control.exit_int_info = svm->saved_event_inj;
		vmcb->control.exit_int_info_err = svm->saved_event_inj_err;
		vmcb->control.int_ctl = svm->saved_int_ctl;
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
	}
	x->gpr[GPR_RAX] = vmcb->save.rax;
	x->gpr[GPR_RSP] = vmcb->save.rsp;
	x->rip = vmcb->save.rip;
	x->rflags = vmcb->save.rflags;
	x->exit_rip = x->rip;
	x->sregs_stale = true;
	trace_hvx_exit(x->vcpu->id, vmcb->control.exit_code, x->rip,
		       vmcb->control.exit_info_1,
		       vmcb->control.exit_code == SVM_EXIT_NPF ?
		       vmcb->control.exit_info_2 : HVX_TRACE_NO_GPA);
	return svm_handle_exit(svm);
}


static void svm_exit(void)
{
	svm_free_cpus();
}

/* Nested paging uses the host's paging mode: 5 levels under LA57. */
static int svm_npt_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

static const struct tdp_format svm_npt_format = {
	/* Nested page tables use the legacy 4-level format; every guest
	 * access counts as a user access (APM 15.25.5), so U/S is set.
	 */
	.table_bits = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_bits = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.write_bits = _PAGE_RW,
	.addr_mask = GENMASK_ULL(51, 12),	/* APM 15.25.5 */
	.levels = svm_npt_levels,
};

static void svm_inspect(struct x86_vcpu *x, struct seq_file *m)
{
	svm_inspect_vmcb(to_svm(x)->vmcb, m);
}

const struct x86_vendor_ops svm_vendor_ops = {
	.name			= "svm",
	.backend		= HVX_BACKEND_SVM,
	.vcpu_size		= sizeof(struct svm_vcpu),
	.tdp_fmt		= &svm_npt_format,
	.probe			= svm_probe,
	.exit			= svm_exit,
	.enable			= svm_enable,
	.disable		= svm_disable,
	.enable_cpu		= svm_enable_this_cpu,
	.disable_cpu		= svm_disable_this_cpu,
	.vcpu_init		= svm_vcpu_init,
	.vcpu_free		= svm_vcpu_free,
	.reset			= svm_reset,
	.enter			= svm_enter,
	.read_sregs		= svm_read_sregs,
	.write_sregs		= svm_write_sregs,
	.inject_exception	= svm_inject_exception,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.event_queued		= svm_event_queued,
	.irq_blocked		= svm_irq_blocked,
	.nmi_masked		= svm_nmi_masked,
	.inject_irq		= svm_inject_irq,
	.inject_nmi		= svm_inject_nmi,
	.set_windows		= svm_set_windows,
	.get_events		= svm_get_events,
	.set_events		= svm_set_events,
	.get_dr67		= svm_get_dr67,
	.set_dr67		= svm_set_dr67,
	.inspect		= svm_inspect,
};

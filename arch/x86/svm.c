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

#include "x86.h"
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
static bool svm_has_nrips;
static struct page *svm_iopm, *svm_msrpm;

struct svm_vcpu {
	struct x86_vcpu x;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid;
	u64 asid_gen;
	int asid_cpu;
	s64 tlb_gen;
	struct vmcb_save_area saved;	/* guest state as entered */
	u32 saved_event_inj, saved_event_inj_err, saved_int_ctl;
	/*
	 * An external interrupt from KVM_INTERRUPT is in V_IRQ for this
	 * entry (svm_inject_irq); settled after the #VMEXIT by
	 * svm_settle_virq.
	 */
	bool virq_inflight;
	/*
	 * NMI blocking, which SVM leaves to the hypervisor (APM Vol. 2
	 * 15.20): set when an NMI is injected, until the guest's IRET has
	 * run.  The IRET intercept comes before the IRET executes; it counts
	 * as done once RIP has moved on from it.
	 */
	bool nmi_masked;
	bool nmi_iret;		/* IRET intercepted, at @nmi_iret_rip */
	u64 nmi_iret_rip;
	bool nmi_singlestep;	/* TF set by hvx to exit after the IRET */
	bool nmi_guest_tf;	/* the guest's own TF then */
	u64 nmi_dr6_bs;		/* and its DR6.BS, to put back after */
};

static struct svm_vcpu *to_svm(struct x86_vcpu *x)
{
	return container_of(x, struct svm_vcpu, x);
}

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

static void svm_set_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
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
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

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

static void svm_inject_exception(struct x86_vcpu *x, u8 vector,
				 bool has_error, u32 error)
{
	struct vmcb_control_area *c = &to_svm(x)->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_EXCEPTION, vector,
			 has_error ? error : 0);
	c->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
		       (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = error;
}

static void svm_clr_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

static bool svm_event_queued(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);

	return (svm->vmcb->control.event_inj & SVM_EVTINJ_VALID) ||
	       svm->virq_inflight;
}

/*
 * The interrupt shadow (VMCB INTERRUPT_SHADOW, APM 15.21.5) holds for the
 * instruction after STI or MOV SS only: once hvx has moved RIP past an
 * instruction it emulated, it is over.
 */
static bool svm_shadow(struct x86_vcpu *x)
{
	return (to_svm(x)->vmcb->control.int_state &
		SVM_INTERRUPT_SHADOW_MASK) && x->rip == x->exit_rip;
}

static bool svm_irq_blocked(struct x86_vcpu *x)
{
	return !(x->rflags & X86_EFLAGS_IF) || svm_shadow(x);
}

static bool svm_nmi_masked(struct x86_vcpu *x)
{
	return to_svm(x)->nmi_masked;
}

/*
 * An external interrupt goes in as a virtual interrupt (APM Vol. 2
 * 15.21.4): V_IRQ with the vector in V_INTR_VECTOR, the highest priority
 * and the TPR ignored, and no VINTR intercept.  hvx injects only when the
 * guest can take it (RFLAGS.IF set, no shadow), so the CPU takes it right
 * after VMRUN, before the first guest instruction, through the guest's
 * IDT like an INTR, and clears V_IRQ as it does.  A #VMEXIT before that
 * leaves V_IRQ set, and one in the middle of the delivery reports it in
 * EXITINTINFO: svm_settle_virq puts it back in the queue either way, so
 * it is delivered once.
 *
 * EVENTINJ with type INTR (APM 15.20) is the direct way, which real CPUs
 * handle well; V_IRQ in its place is a workaround for QEMU 7.2's SVM
 * emulation: its VMRUN delivers an INTR from EVENTINJ and also leaves
 * the vector as the CPU's pending exception (cs->exception_index in
 * helper_vmrun), so a TCG exit request before the next #VMEXIT delivers
 * it a second time, whatever the guest's RFLAGS.IF; a Linux guest then
 * runs its timer handler again inside itself and deadlocks on a lock it
 * holds.  QEMU takes a virtual interrupt through its ordinary interrupt
 * path, checking IF, and clears it.  Exceptions, NMIs and re-injected
 * events still use EVENTINJ (QEMU leaves the CPU loop at once for those).
 */
static void svm_inject_irq(struct x86_vcpu *x, u8 vector)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_IRQ, vector, 0);
	svm_clr_intercept(svm->vmcb, INTERCEPT_VINTR);
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
		      (0xf << V_INTR_PRIO_SHIFT);
	c->int_vector = vector;
	svm->virq_inflight = true;
}

/*
 * After the #VMEXIT (or an entry that did not happen), the virtual
 * interrupt of svm_inject_irq is in one of three states (APM 15.21.4,
 * 15.7.2): taken, V_IRQ cleared; not taken, V_IRQ still set; or its
 * delivery cut short by an intercept (a nested page fault on the IDT or
 * the stack), EXITINTINFO holding it with type INTR.  The last two go
 * back to the queue, once, for the next entry.
 *
 * Workaround for QEMU 7.2: its EXITINTINFO for an interrupt cut short
 * has type EXCEPTION, not INTR, and V_IRQ stays set as well.  Re-injected
 * as an exception, VMRUN would refuse a vector of 32 or more (APM 15.20).
 * No exception can be on its way into the guest while V_IRQ is still
 * pending, since hvx injects nothing else beside it: an exception with
 * the interrupt's vector then is the interrupt.
 */
static void svm_settle_virq(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	bool pending = c->int_ctl & V_IRQ_MASK;
	bool cut_short;

	if (!svm->virq_inflight)
		return;
	svm->virq_inflight = false;
	cut_short = (info & SVM_EXITINTINFO_VALID) &&
		    (info & SVM_EXITINTINFO_VEC_MASK) == c->int_vector &&
		    (type == SVM_EXITINTINFO_TYPE_INTR ||
		     (type == SVM_EXITINTINFO_TYPE_EXEPT && pending));
	if (cut_short)
		c->exit_int_info = 0;
	if (cut_short || pending)
		x86_requeue_irq(&svm->x, c->int_vector);
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
}

/* The guest's NMI handler runs with NMIs masked until IRET: watch for it. */
static void svm_inject_nmi(struct x86_vcpu *x)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	trace_hvx_inject(x->vcpu->id, HVX_INJECT_NMI, X86_VEC_NMI, 0);
	c->event_inj = X86_VEC_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
	c->event_inj_err = 0;
	svm->nmi_masked = true;
	svm->nmi_iret = false;
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
}

/*
 * Interrupt window (APM 15.21.4): a virtual interrupt (V_IRQ) of the
 * highest priority, TPR ignored, whose acceptance is intercepted (VINTR):
 * the #VMEXIT comes as soon as RFLAGS.IF is set and no shadow holds.
 * While V_IRQ carries an interrupt (svm_inject_irq) it cannot be the
 * window as well: the window is armed at the entry after the next
 * #VMEXIT, once the interrupt has been taken.  The IRET intercept (APM
 * 15.9) brings that #VMEXIT when the guest's handler returns, so the
 * window exit comes when RFLAGS.IF is set again, as with an injection
 * through EVENTINJ; not while the IRET intercept tracks an NMI handler.
 */
static void svm_set_irq_window(struct svm_vcpu *svm, bool on)
{
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_control_area *c = &vmcb->control;

	if (svm->virq_inflight) {
		if (on && !svm->nmi_masked)
			svm_set_intercept(vmcb, INTERCEPT_IRET);
		return;
	}
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	if (!on)
		return;
	c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
		      (0xf << V_INTR_PRIO_SHIFT);
	c->int_vector = 0;
	svm_set_intercept(vmcb, INTERCEPT_VINTR);
}

/*
 * NMI window.  Before the guest's IRET, its intercept will exit.  Once
 * the IRET has been intercepted it still has to run: single-step over it
 * with RFLAGS.TF and intercept the #DB trap that follows it (a trap is
 * raised after an instruction that starts with TF set, even one that
 * clears TF, SDM Vol. 3B 18.3.1.4).  An NMI waiting behind another event
 * goes in at the next exit.
 */
static void svm_set_windows(struct x86_vcpu *x, bool irq, bool nmi)
{
	struct svm_vcpu *svm = to_svm(x);

	svm_set_irq_window(svm, irq);
	if (!nmi || !svm->nmi_masked || !svm->nmi_iret || svm->nmi_singlestep)
		return;
	svm->nmi_singlestep = true;
	svm->nmi_guest_tf = x->rflags & X86_EFLAGS_TF;
	svm->nmi_dr6_bs = svm->vmcb->save.dr6 & X86_DR6_BS;
	x->rflags |= X86_EFLAGS_TF;
}

/*
 * KVM_GET_VCPU_EVENTS from the VMCB: EVENTINJ (APM Vol. 2 15.20), the
 * interrupt shadow, which SVM does not say came from STI or MOV SS (both
 * bits, as KVM reports it), and hvx's NMI blocking (svm->nmi_masked).
 */
static void svm_get_events(struct x86_vcpu *x, struct x86_events *ev)
{
	struct svm_vcpu *svm = to_svm(x);
	const struct vmcb_control_area *c = &svm->vmcb->control;
	u32 inj = c->event_inj;

	*ev = (struct x86_events) {
		.vector = inj & SVM_EVTINJ_VEC_MASK,
		.has_error = inj & SVM_EVTINJ_VALID_ERR,
		.error = c->event_inj_err,
		.nmi_masked = svm->nmi_masked,
	};
	if (svm_shadow(x))
		ev->shadow = KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS;
	if (!(inj & SVM_EVTINJ_VALID))
		return;
	switch (inj & SVM_EVTINJ_TYPE_MASK) {
	case SVM_EVTINJ_TYPE_EXEPT:
		ev->type = X86_EVENT_EXCEPTION;
		break;
	case SVM_EVTINJ_TYPE_NMI:
		ev->type = X86_EVENT_NMI;
		break;
	case SVM_EVTINJ_TYPE_INTR:
		ev->type = X86_EVENT_IRQ;
		break;
	}
}

/*
 * KVM_SET_VCPU_EVENTS into the VMCB.  NMI blocking while masked is
 * tracked with the IRET intercept, as after svm_inject_nmi(); an injected
 * NMI blocks NMIs from its delivery on.
 */
static void svm_set_events(struct x86_vcpu *x, const struct x86_events *ev)
{
	struct svm_vcpu *svm = to_svm(x);
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (ev->shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	svm->nmi_masked = ev->nmi_masked;
	svm->nmi_iret = false;
	if (ev->nmi_masked)
		svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
	c->event_inj = 0;
	c->event_inj_err = 0;
	if (ev->type == X86_EVENT_EXCEPTION)
		svm_inject_exception(x, ev->vector, ev->has_error, ev->error);
	else if (ev->type == X86_EVENT_NMI)
		svm_inject_nmi(x);
}

static void svm_get_dr67(struct x86_vcpu *x, u64 *dr6, u64 *dr7)
{
	*dr6 = to_svm(x)->vmcb->save.dr6;
	*dr7 = to_svm(x)->vmcb->save.dr7;
}

/* DR6 and DR7 are in the VMCB, loaded by VMRUN (APM Vol. 2 15.5.1). */
static void svm_set_dr67(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live)
{
	struct svm_vcpu *svm = to_svm(x);

	svm->vmcb->save.dr6 = dr6;
	svm->vmcb->save.dr7 = dr7;
	if (live) {
		x->dr_live = true;
		svm->vmcb->control.intercepts[INTERCEPT_DR] = 0;
	}
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

static int svm_handle_exit(struct svm_vcpu *svm);
static int svm_exit_invalid(struct svm_vcpu *svm);

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

/*
 * An exit in the middle of delivering an event (for example a nested page
 * fault on the guest's IDT) leaves it in EXITINTINFO: inject it again
 * (APM 15.7.2).  Software interrupts, INT3 and INTO are not re-injected:
 * RIP still points at the instruction, which simply runs again.
 */
static void svm_requeue_event(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u32 vec = info & SVM_EXITINTINFO_VEC_MASK;

	c->event_inj = 0;
	if (!(info & SVM_EXITINTINFO_VALID) ||
	    type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vec == BP_VECTOR || vec == OF_VECTOR)))
		return;
	if (type == SVM_EXITINTINFO_TYPE_INTR) {
		x86_requeue_irq(&svm->x, vec);
		return;
	}
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

static void svm_skip(struct svm_vcpu *svm, unsigned int len)
{
	svm->x.next_rip = svm_has_nrips ? svm->vmcb->control.next_rip :
					  svm->x.rip + len;
}

/* IOIO EXITINFO1 (APM 15.10.2): type, string, rep, size, address size. */
static int svm_exit_io(struct svm_vcpu *svm)
{
	const struct vmcb_control_area *c = &svm->vmcb->control;
	u64 info = c->exit_info_1;
	struct x86_pio pio = {
		.port = info >> 16,
		.in = info & SVM_IOIO_TYPE_MASK,
		.string = info & SVM_IOIO_STR_MASK,
		.rep = info & SVM_IOIO_REP_MASK,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		.addr_size = ((info & SVM_IOIO_ASIZE_MASK) >>
			      SVM_IOIO_ASIZE_SHIFT) * 2,
		.next_rip = c->exit_info_2,
	};

	return x86_emulate_pio(&svm->x, &pio);
}

static int svm_exit_hlt(struct svm_vcpu *svm)
{
	svm_skip(svm, 1);
	svm->x.rip = svm->x.next_rip;
	if (x86_irqchip(x86_vm(&svm->x)))
		return x86_apic_halt(&svm->x);	/* waits in the kernel */
	hvx_stat(svm->x.vcpu, HVX_STAT_HLT);
	x86_exit_to_user(&svm->x, KVM_EXIT_HLT);
	return 0;
}

/*
 * The VMCB is undefined after a shutdown intercept (APM 15.12): reset.
 * The state the guest was entered with is still known, so the log names
 * where the triple fault started from.
 */
static int svm_exit_shutdown(struct svm_vcpu *svm)
{
	const struct vmcb_save_area *v = &svm->saved;

	pr_info_ratelimited("vCPU %u: triple fault (entered at rip %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx); vCPU reset\n",
			    svm->x.vcpu->id, v->rip, v->cr0, v->cr3, v->cr4,
			    v->efer);
	hvx_stat(svm->x.vcpu, HVX_STAT_SHUTDOWN);
	x86_reset(&svm->x);
	x86_exit_to_user(&svm->x, KVM_EXIT_SHUTDOWN);
	return 0;
}

/* VMRUN refused the state (VMEXIT_INVALID); svm_refuse_entry() logged why. */
static int svm_exit_invalid(struct svm_vcpu *svm)
{
	struct kvm_run *run = x86_run(&svm->x);

	hvx_stat(svm->x.vcpu, HVX_STAT_FAIL_ENTRY);
	x86_exit_to_user(&svm->x, KVM_EXIT_FAIL_ENTRY);
	run->fail_entry.hardware_entry_failure_reason =
		svm->vmcb->control.exit_code;
	run->fail_entry.cpu = svm->x.vcpu->cpu;
	return 0;
}

/*
 * First guest access to a debug register: stop intercepting them and
 * switch DR0-3 on every entry from now on; the access runs again.
 */
static int svm_exit_dr(struct svm_vcpu *svm)
{
	svm->x.dr_live = true;
	svm->vmcb->control.intercepts[INTERCEPT_DR] = 0;
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	return 1;
}

/* The guest's IRET, about to run: NMIs stay masked until it has. */
static int svm_exit_iret(struct svm_vcpu *svm)
{
	svm_clr_intercept(svm->vmcb, INTERCEPT_IRET);
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	if (!svm->nmi_masked)		/* for the interrupt window only */
		return 1;
	svm->nmi_iret = true;
	svm->nmi_iret_rip = svm->x.rip;
	return 1;
}

/*
 * #DB, always intercepted (svm_init_vmcb() says why).  The processor has
 * already recorded the cause in the guest's DR6, in the VMCB (APM Vol. 2
 * 15.12, 13.1.1.3): the exception goes back to the guest as it came, and
 * each delivery that raises #DB again exits again, where the run loop can
 * see a signal.  The single-step trap after the IRET that hvx steps over
 * (svm_set_windows()) is hvx's own: it ends the stepping, with the
 * guest's TF and DR6.BS as they were, and reaches the guest only if the
 * guest's own TF asked for it too.
 */
static int svm_exit_db(struct svm_vcpu *svm)
{
	struct x86_vcpu *x = &svm->x;
	struct vmcb_save_area *v = &svm->vmcb->save;

	if (svm->nmi_singlestep && (v->dr6 & X86_DR6_BS)) {
		svm->nmi_singlestep = false;
		if (!svm->nmi_guest_tf) {
			x->rflags &= ~X86_EFLAGS_TF;
			v->dr6 = (v->dr6 & ~X86_DR6_BS) | svm->nmi_dr6_bs;
			hvx_stat(x->vcpu, HVX_STAT_OTHER);
			return 1;
		}
	}
	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	svm_inject_exception(x, DB_VECTOR, false, 0);
	return 1;
}

/*
 * ICEBP (INT1, the one byte F1), intercepted before it runs (APM Vol. 2
 * 15.9): it raises a trap-class #DB that records nothing in DR6 (Intel
 * SDM Vol. 3B 18.2.3), so the guest gets #DB with RIP past the
 * instruction.
 */
static int svm_exit_icebp(struct svm_vcpu *svm)
{
	struct x86_vcpu *x = &svm->x;

	/* The trap's return address follows the whole instruction, prefixes too. */
	x->rip = svm_has_nrips && svm->vmcb->control.next_rip ?
		 svm->vmcb->control.next_rip : x->rip + 1;
	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	svm_inject_exception(x, DB_VECTOR, false, 0);
	return 1;
}

/*
 * The guest's RDPMC: hvx has no virtual PMU, so the counters do not exist
 * for the guest (#GP, Intel SDM Vol. 2B RDPMC), whatever the host's hold.
 */
static int svm_exit_rdpmc(struct svm_vcpu *svm)
{
	hvx_stat(svm->x.vcpu, HVX_STAT_EXCEPTION);
	x86_inject_gp(&svm->x);
	return 1;
}

/*
 * WBINVD and WBNOINVD share the intercept (APM Vol. 2 15.9).  With no
 * device of its own a guest has no cache to write back that the host's
 * coherence does not already handle: a no-op, as in KVM without assigned
 * devices.  Without NRIPS the length is WBINVD's (0F 09).
 */
static int svm_exit_wbinvd(struct svm_vcpu *svm)
{
	svm_skip(svm, 2);
	svm->x.rip = svm->x.next_rip;
	hvx_stat(svm->x.vcpu, HVX_STAT_OTHER);
	return 1;
}

static int svm_exit_unexpected(struct svm_vcpu *svm)
{
	u32 code = svm->vmcb->control.exit_code;

	pr_info_ratelimited("vCPU %u: unexpected #VMEXIT code %#x\n",
			    svm->x.vcpu->id, code);
	return x86_internal_error(&svm->x,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  code, svm->x.vcpu->cpu);
}

static int svm_handle_exit(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct x86_vcpu *x = &svm->x;

	svm_settle_virq(svm);
	svm_requeue_event(svm);
	if (svm->nmi_iret && x->rip != svm->nmi_iret_rip)
		svm->nmi_masked = svm->nmi_iret = false;
	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		hvx_stat(x->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	case SVM_EXIT_NPF:
		/*
		 * EXITINFO1 (APM Vol. 2 15.25.6): bit 1 a write access, bit
		 * 33 a fault during the guest's own table walk.
		 */
		return x86_stage2_fault(x, c->exit_info_2,
					c->exit_info_1 & BIT_ULL(1),
					c->exit_info_1 & BIT_ULL(33));
	case SVM_EXIT_IOIO:
		return svm_exit_io(svm);
	case SVM_EXIT_CPUID:
		svm_skip(svm, 2);
		return x86_emulate_cpuid(x);
	case SVM_EXIT_HLT:
		return svm_exit_hlt(svm);
	case SVM_EXIT_MSR:
		svm_skip(svm, 2);
		return c->exit_info_1 ? x86_emulate_wrmsr(x) :
					x86_emulate_rdmsr(x);
	case SVM_EXIT_XSETBV:
		svm_skip(svm, 3);
		return x86_emulate_xsetbv(x);
	case SVM_EXIT_INVD:		/* caches are the host's: a no-op */
		svm_skip(svm, 2);
		x->rip = x->next_rip;
		return 1;
	case SVM_EXIT_SHUTDOWN:
		return svm_exit_shutdown(svm);
	case SVM_EXIT_ERR:
		pr_info_ratelimited("vCPU %u: VMRUN refused the guest state (APM Vol. 2 15.5.1)\n",
				    x->vcpu->id);
		x->vcpu->entry_failure =
			"a VMRUN consistency check hvx does not make itself (AMD APM Vol. 2 15.5.1)";
		return svm_exit_invalid(svm);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		return svm_exit_dr(svm);
	case SVM_EXIT_EXCP_BASE + AC_VECTOR:
		svm_inject_exception(x, AC_VECTOR, true, 0);
		return 1;
	case SVM_EXIT_EXCP_BASE + DB_VECTOR:
		return svm_exit_db(svm);
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		/* svm_enter() has called the host's handler */
		hvx_stat(x->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	case SVM_EXIT_ICEBP:
		return svm_exit_icebp(svm);
	case SVM_EXIT_RDPMC:
		return svm_exit_rdpmc(svm);
	case SVM_EXIT_WBINVD:
		return svm_exit_wbinvd(svm);
	case SVM_EXIT_VINTR:
		svm_set_irq_window(svm, false);
		hvx_stat(x->vcpu, HVX_STAT_OTHER);
		return 1;
	case SVM_EXIT_IRET:
		return svm_exit_iret(svm);
	case SVM_EXIT_VMRUN ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RSM:
	case SVM_EXIT_RDPRU:
		x86_inject_ud(x);
		return 1;
	default:
		return svm_exit_unexpected(svm);
	}
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

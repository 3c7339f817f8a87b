// SPDX-License-Identifier: GPL-2.0
/*
 * hvx Intel VMX backend (Intel SDM Vol. 3C, chapters 23-29).
 *
 * VMX operation (VMXON) is entered on every CPU when the first hvx VM is
 * created and left when the last one is freed, and per CPU around CPU
 * hotplug, suspend and reboot (module/main.c); if CR4.VMXE is already set
 * another hypervisor (kvm_intel) is in VMX operation and hvx refuses.
 * Each vCPU has one VMCS, active on one CPU at a time: a vCPU thread that
 * moves is VMCLEARed on the old CPU and VMPTRLDed on the new one (SDM
 * 24.11.1), and a CPU leaving VMX operation VMCLEARs every VMCS active on
 * it first.  Every control is built from the capability MSRs (Appendix
 * A), guest memory is mapped with EPT (28.3), real mode runs natively as an
 * unrestricted guest (26.3.1.1), TLB entries are tagged with a VPID
 * (28.1).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <linux/vmalloc.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/sync_core.h>
#include <asm/tlbflush.h>

#include "vmx.h"
#include "hvx_trace.h"

struct vmx_cpu {
	struct page *vmxon;	/* the VMXON region (SDM 24.11.5) */
	struct vmx_vcpu *current_vmcs;
	/* VMCSs active on this CPU (vmx_vcpu.loaded_link); IRQs off to change */
	struct list_head loaded;
	bool enabled;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static DEFINE_IDA(vmx_vpids);

struct vmx_caps vmx_caps;

u64 vmx_read(unsigned long field)
{
	unsigned long value;

	if (unlikely(!this_cpu_read(vmx_cpu.current_vmcs)))
		return 0;	/* this CPU is not in VMX operation */
	asm volatile("vmread %1, %0" : "=rm" (value) : "r" (field) : "cc");
	return value;
}

void vmx_write(unsigned long field, u64 value)
{
	bool failed;

	if (unlikely(!this_cpu_read(vmx_cpu.current_vmcs)))
		return;
	asm volatile("vmwrite %1, %2" CC_SET(be)
		     : CC_OUT(be) (failed) : "rm" (value), "r" (field) : "cc");
	if (unlikely(failed))
		pr_err_ratelimited("VMWRITE of field %#lx failed (VM-instruction error %llu)\n",
				   field, vmx_read(VM_INSTRUCTION_ERROR));
}

/*
 * A control's value from its capability MSR (SDM A.3-A.5): bits 31:0 are
 * the allowed 0-settings (a 1 there must be 1), bits 63:32 the allowed
 * 1-settings.  -EIO if a control hvx needs cannot be 1.
 */
static int vmx_adjust(u32 msr, u32 need, u32 want, u32 *out)
{
	u64 caps;
	u32 ctl;

	rdmsrl(msr, caps);
	ctl = (need | want | (u32)caps) & (u32)(caps >> 32);
	if ((ctl & need) != need)
		return -EIO;
	*out = ctl;
	return 0;
}

static int vmx_setup_controls(bool true_msrs)
{
	u32 need;
	int r;

	r = vmx_adjust(true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			MSR_IA32_VMX_PINBASED_CTLS,
		       PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		       PIN_BASED_VIRTUAL_NMIS, vmx_slice_pin_control(),
		       &vmx_caps.pin);
	/*
	 * MOV to and from CR8 exit (SDM 25.1.3): without "use TPR shadow"
	 * they would reach the host's own TPR.  The window exits are armed
	 * only while an event waits (vmx_set_windows()).  RDPMC exits too: it
	 * would read the host's counters, and hvx has no virtual PMU.  WBINVD
	 * exiting (a secondary control, wanted where the CPU has it) keeps a
	 * guest from flushing the caches of the whole package.
	 */
	need = CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
	       CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
	       CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING |
	       CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
	       CPU_BASED_MONITOR_EXITING | CPU_BASED_USE_TSC_OFFSETTING |
	       CPU_BASED_RDPMC_EXITING |
	       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	r = r ?: vmx_adjust(true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			     MSR_IA32_VMX_PROCBASED_CTLS, need, 0,
			     &vmx_caps.proc);
	r = r ?: vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
			    SECONDARY_EXEC_ENABLE_EPT |
			    SECONDARY_EXEC_UNRESTRICTED_GUEST,
			    SECONDARY_EXEC_ENABLE_VPID |
			    SECONDARY_EXEC_ENABLE_RDTSCP |
			    SECONDARY_EXEC_WBINVD_EXITING |
			    SECONDARY_EXEC_ENABLE_INVPCID, &vmx_caps.proc2);
	need = VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
	       VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
	       VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS;
	r = r ?: vmx_adjust(true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			     MSR_IA32_VMX_EXIT_CTLS, need, 0, &vmx_caps.exit);
	need = VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
	       VM_ENTRY_LOAD_DEBUG_CONTROLS;
	r = r ?: vmx_adjust(true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			     MSR_IA32_VMX_ENTRY_CTLS, need, 0, &vmx_caps.entry);
	/* The CR3-load/store exits are not wanted: EPT makes CR3 the guest's. */
	vmx_caps.proc &= ~(CPU_BASED_CR3_LOAD_EXITING |
			   CPU_BASED_CR3_STORE_EXITING |
			   CPU_BASED_INVLPG_EXITING |
			   CPU_BASED_INTR_WINDOW_EXITING |
			   CPU_BASED_NMI_WINDOW_EXITING);
	vmx_caps.entry &= ~VM_ENTRY_IA32E_MODE;
	return r;
}

/* EPT with 4-level walks and write-back tables, INVEPT (SDM A.10). */
static int vmx_check_ept(void)
{
	u64 cap;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, cap);
	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & VMX_EPT_EXTENT_CONTEXT_BIT))
		return -EIO;
	vmx_caps.vpid = (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID) &&
			(cap & ((u64)VMX_VPID_INVVPID_BIT << 32)) &&
			(cap & ((u64)VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32));
	if (!vmx_caps.vpid)
		vmx_caps.proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	return 0;
}

static int vmx_probe(void)
{
	u64 basic, feature;

	if (!boot_cpu_has(X86_FEATURE_VMX))
		return -ENODEV;
	rdmsrl(MSR_IA32_FEAT_CTL, feature);
	if (!(feature & FEAT_CTL_LOCKED) ||
	    !(feature & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL %#llx)\n",
		       feature);
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_caps.revision = basic & 0x7fffffff;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE ||
	    ((basic >> 50) & 0xf) != 6) {
		pr_err("unsupported VMCS layout (IA32_VMX_BASIC %#llx)\n", basic);
		return -ENODEV;
	}
	if (vmx_setup_controls(basic & VMX_BASIC_TRUE_CTLS) ||
	    vmx_check_ept()) {
		pr_err("this VMX lacks EPT, unrestricted guest, virtual NMIs or a control hvx needs\n");
		return -ENODEV;
	}
	/*
	 * "Enable RDTSCP" lets RDTSCP and RDPID run (25.3; #UD without it),
	 * reading IA32_TSC_AUX, which tsc_aux.c switches.
	 */
	x86_tsc_aux_ok = (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP) &&
			 (boot_cpu_has(X86_FEATURE_RDTSCP) ||
			  boot_cpu_has(X86_FEATURE_RDPID));
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_caps.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_caps.cr4_fixed1);
	vmx_slice_setup();
	return 0;
}

/*
 * L1 Terminal Fault (Intel's advisory INTEL-SA-00161; the kernel's
 * Documentation/admin-guide/hw-vuln/l1tf.rst): a guest page-table entry
 * that is not present can make the CPU speculatively read whatever the
 * L1D holds at the address it names, host data included, EPT or not.
 * Where the host mitigates L1TF the L1D is flushed before each entry:
 * IA32_FLUSH_CMD (SDM Vol. 4, MSR 0x10B), or without it a read of 64 KiB,
 * twice the L1D, page by page first so that the loop takes no TLB miss.
 */
static bool vmx_l1d_flush_on;
static u8 *vmx_l1d_flush_buf;
#define VMX_L1D_FLUSH_SIZE	(64 * 1024)

static void vmx_l1d_flush(void)
{
	unsigned int i;

	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		READ_ONCE(vmx_l1d_flush_buf[i]);
	sync_core();
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += L1_CACHE_BYTES)
		READ_ONCE(vmx_l1d_flush_buf[i]);
	barrier_nospec();
}

static int vmx_l1d_flush_init(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    l1tf_mitigation == L1TF_MITIGATION_OFF)
		return 0;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return 0;
	if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		vmx_l1d_flush_buf = vzalloc(VMX_L1D_FLUSH_SIZE);
		if (!vmx_l1d_flush_buf)
			return -ENOMEM;
	}
	vmx_l1d_flush_on = true;
	return 0;
}

static int vmx_alloc_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		INIT_LIST_HEAD(&vc->loaded);
		vc->vmxon = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!vc->vmxon)
			return -ENOMEM;
		*(u32 *)page_address(vc->vmxon) = vmx_caps.revision;
	}
	return 0;
}

static void vmx_free_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		if (vc->vmxon)
			__free_page(vc->vmxon);
		vc->vmxon = NULL;
	}
	ida_destroy(&vmx_vpids);
	vfree(vmx_l1d_flush_buf);
	vmx_l1d_flush_buf = NULL;
}

static int vmx_probe_all(void)
{
	int r = vmx_probe();

	if (!r)
		r = vmx_alloc_cpus();
	if (!r)
		r = vmx_l1d_flush_init();
	if (r)
		vmx_free_cpus();
	return r;
}

/*
 * VMXON on this CPU (SDM 24.7, 31.5); interrupts off.  A CPU brought back
 * online or resumed has been through INIT or the firmware and is out of
 * VMX operation with CR4.VMXE clear, so this runs again each time.
 */
static int vmx_enable_this_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	u64 pa = page_to_phys(vc->vmxon);
	bool failed;

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	cr4_set_bits(X86_CR4_VMXE);
	asm volatile("vmxon %1" CC_SET(be) : CC_OUT(be) (failed)
		     : "m" (pa) : "memory", "cc");
	if (failed) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	vc->current_vmcs = NULL;
	vc->enabled = true;
	return 0;
}

/*
 * VMCLEAR (SDM 30.3), on the CPU where the VMCS is active, interrupts
 * off: its state goes back to memory and it may be made active on
 * another CPU.  Nothing if it is no longer active here (a VMCLEAR raced
 * with CPU offlining).
 */
static void vmx_vmclear(struct vmx_vcpu *vmx)
{
	u64 pa = page_to_phys(vmx->vmcs);

	if (READ_ONCE(vmx->cpu) != smp_processor_id())
		return;
	asm volatile("vmclear %0" : : "m" (pa) : "memory", "cc");
	if (this_cpu_read(vmx_cpu.current_vmcs) == vmx)
		this_cpu_write(vmx_cpu.current_vmcs, NULL);
	list_del_init(&vmx->loaded_link);
	vmx->launched = false;
	/* The list entry is gone before another CPU can see -1 and add it. */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

/*
 * Leave VMX operation on this CPU, interrupts off.  Every VMCS active
 * here is VMCLEARed first: VMXOFF does not write an active VMCS back to
 * memory, whose state would then be lost (SDM 24.11.1), and outside VMX
 * operation INIT is blocked no more (23.8, "Restrictions on VMX
 * Operation": a CPU left in VMX operation could not be woken again).
 */
static void vmx_disable_this_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *next;

	if (!vc->enabled)
		return;
	list_for_each_entry_safe(vmx, next, &vc->loaded, loaded_link)
		vmx_vmclear(vmx);
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	vc->current_vmcs = NULL;
	vc->enabled = false;
}

static void vmx_enable_cpu(void *busy)
{
	if (vmx_enable_this_cpu())
		atomic_inc(busy);
}

static void vmx_disable_cpu(void *unused)
{
	vmx_disable_this_cpu();
}

static int vmx_enable(void)
{
	atomic_t busy = ATOMIC_INIT(0);

	on_each_cpu(vmx_enable_cpu, &busy, 1);
	if (!atomic_read(&busy))
		return 0;
	on_each_cpu(vmx_disable_cpu, NULL, 1);
	pr_err("VMX is in use by another hypervisor (CR4.VMXE already set; is kvm_intel running a VM?) or VMXON failed\n");
	return -EBUSY;
}

static void vmx_disable(void)
{
	on_each_cpu(vmx_disable_cpu, NULL, 1);
}

static void vmx_vmclear_ipi(void *arg)
{
	vmx_vmclear(arg);
}

/*
 * Make the VMCS inactive wherever it is active.  A CPU that went offline
 * VMCLEARed it on the way (vmx_disable_this_cpu()), so an IPI that cannot
 * reach its CPU any more has nothing left to do.
 */
static void vmx_release_vmcs(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmclear_ipi, vmx, 1);
	/* Pairs with vmx_vmclear(): see the list entry gone. */
	smp_rmb();
}


/*
 * Host state a VM exit loads (SDM 27.5).  The per-CPU parts (TR, GDT, GS
 * base, the SYSENTER stack) are written whenever the VMCS becomes active
 * on a CPU; CR3, CR4 and FS/GS bases on every entry.
 */
static void vmx_write_host_cpu_state(int cpu)
{
	struct desc_ptr gdt, idt;
	u64 v;

	vmx_write(HOST_TR_BASE,
		  (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	native_store_gdt(&gdt);
	vmx_write(HOST_GDTR_BASE, gdt.address);
	store_idt(&idt);
	vmx_write(HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmx_write(HOST_IA32_SYSENTER_ESP, v);
}

static void vmx_write_host_const_state(void)
{
	u64 v;

	vmx_write(HOST_CR0, read_cr0());
	vmx_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmx_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmx_write(HOST_DS_SELECTOR, 0);
	vmx_write(HOST_ES_SELECTOR, 0);
	vmx_write(HOST_FS_SELECTOR, 0);
	vmx_write(HOST_GS_SELECTOR, 0);
	vmx_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmx_write(HOST_RIP, (unsigned long)__vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmx_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmx_write(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmx_write(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmx_write(HOST_IA32_PAT, v);
}

/* EPTP (SDM 24.6.11): write-back, 4-level walk, the root's address. */
static u64 vmx_eptp(struct x86_vcpu *x)
{
	return __pa(x86_tdp(x86_vm(x))->root) | (3 << 3) | 6;
}

/* The VMCS fields that never change after reset. */
static void vmx_write_controls(struct vmx_vcpu *vmx)
{
	vmx->proc_ctls = vmx_caps.proc;
	vmx->entry_ctls = vmx_caps.entry;
	vmx_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmx_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctls);
	vmx_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.proc2);
	vmx_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmx_write(VM_ENTRY_CONTROLS, vmx->entry_ctls);
	/* Always: #AC, #DB (loops in delivery otherwise), #MC (the host's). */
	vmx_write(EXCEPTION_BITMAP, BIT(AC_VECTOR) | BIT(DB_VECTOR) |
		  BIT(MC_VECTOR));
	vmx_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmx_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmx_write(CR3_TARGET_COUNT, 0);
	vmx_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmx_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmx_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx_write(CR0_GUEST_HOST_MASK, vmx_cr0_owned());
	vmx_write(CR4_GUEST_HOST_MASK, vmx_cr4_owned());
	vmx_write(VMCS_LINK_POINTER, -1ULL);
	vmx_write(EPT_POINTER, vmx_eptp(&vmx->x));
	if (vmx_caps.vpid)
		vmx_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmx_write(GUEST_IA32_PAT, 0x0007040600070406ULL);	/* power-on */
	vmx_write(GUEST_DR7, 0x400);
	vmx_write(GUEST_IA32_DEBUGCTL, 0);
	vmx_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmx_write(GUEST_ACTIVITY_STATE, 0);
	vmx_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx_write(GUEST_SYSENTER_CS, 0);
	vmx_write(GUEST_SYSENTER_ESP, 0);
	vmx_write(GUEST_SYSENTER_EIP, 0);
	vmx_write_host_const_state();
}

/*
 * VMPTRLD on this CPU, after a VMCLEAR on the CPU it was active on;
 * preemption off.  False, with nothing loaded, if this CPU is out of VMX
 * operation (see hvx_cpu_off()).
 */
static bool vmx_load_vmcs(struct vmx_vcpu *vmx, int cpu)
{
	u64 pa = page_to_phys(vmx->vmcs);
	unsigned long flags;

	if (unlikely(!this_cpu_read(vmx_cpu.enabled)))
		return false;
	if (vmx->cpu != cpu) {
		vmx_release_vmcs(vmx);
		local_irq_save(flags);
		list_add(&vmx->loaded_link, this_cpu_ptr(&vmx_cpu.loaded));
		WRITE_ONCE(vmx->cpu, cpu);
		local_irq_restore(flags);
		vmx->tlb_gen = -1;	/* flush on this CPU before entry */
	}
	if (this_cpu_read(vmx_cpu.current_vmcs) != vmx) {
		asm volatile("vmptrld %0" : : "m" (pa) : "memory", "cc");
		this_cpu_write(vmx_cpu.current_vmcs, vmx);
		vmx_write_host_cpu_state(cpu);
		/*
		 * Another vCPU (or none) ran here last: what it taught the
		 * indirect branch predictor must not steer this one (IBPB
		 * where the host enabled it, X86_FEATURE_USE_IBPB).
		 */
		indirect_branch_prediction_barrier();
	}
	return true;
}

/*
 * VMREAD and VMWRITE act on the CPU's current VMCS: every access outside
 * the entry path makes the vCPU's VMCS current here, with preemption off
 * until vmx_put().  Interrupts stay on, to wait for a VMCLEAR elsewhere.
 * A CPU leaves VMX operation only from a task on it (CPU hotplug, the
 * reboot notifier), so it stays in until vmx_put().  If it is already
 * out, the thread waits to be moved to another CPU; once the system is
 * going down it gives up, with no VMCS current: VMREAD then reads 0 and
 * VMWRITE does nothing, and vmx_enter() fails.
 */
void vmx_get(struct vmx_vcpu *vmx)
{
	int cpu;

	for (;;) {
		preempt_disable();
		cpu = smp_processor_id();
		if (vmx_load_vmcs(vmx, cpu))
			return;
		preempt_enable();
		if (hvx_cpu_off(vmx->x.vcpu, cpu) < 0)
			break;
	}
	/*
	 * Preemptible meanwhile: this may be another CPU, still in VMX
	 * operation with another vCPU's VMCS current, which the caller's
	 * VMWRITEs must not reach.  Load this one's where the CPU is on;
	 * where it is off no VMCS is current.
	 */
	preempt_disable();
	vmx_load_vmcs(vmx, smp_processor_id());
}

void vmx_put(void)
{
	preempt_enable();
}

/* INVEPT single-context (SDM 30.3): the VM's guest-physical mappings. */
static void vmx_invept(u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m" (desc),
		     "r" ((u64)VMX_EPT_EXTENT_CONTEXT) : "memory", "cc");
}

static void vmx_reset(struct x86_vcpu *x)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	vmx_get(vmx);
	vmx_write_controls(vmx);
	vmx_put();
	vmx->dr6 = 0xffff0ff0;	/* power-on DR6 (SDM Vol. 3B 18.2.4) */
	vmx->star = vmx->lstar = vmx->cstar = vmx->sfmask = 0;
	vmx->kernel_gs_base = 0;
}

static int vmx_vcpu_init(struct x86_vcpu *x)
{
	struct vmx_vcpu *vmx = to_vmx(x);
	int vpid = 0;

	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->vmcs = hvx_fault_alloc() ? NULL : alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vmx->vmcs)
		return -ENOMEM;
	*(u32 *)page_address(vmx->vmcs) = vmx_caps.revision;
	if (vmx_caps.vpid) {
		vpid = hvx_fault_alloc() ? -ENOMEM :
		       ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);
		if (vpid < 0) {
			__free_page(vmx->vmcs);
			return vpid;
		}
	}
	vmx->vpid = vpid;
	return 0;
}

static void vmx_vcpu_free(struct x86_vcpu *x)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	vmx_release_vmcs(vmx);
	if (vmx->vpid)
		ida_free(&vmx_vpids, vmx->vpid);
	__free_page(vmx->vmcs);
}

static void vmx_inject_exception(struct x86_vcpu *x, u8 vector,
				 bool has_error, u32 error)
{
	vmx_get(to_vmx(x));
	__vmx_inject_exception(x, vector, has_error, error);
	vmx_put();
}

/*
 * The syscall MSRs are not in the VMCS: swapped around the entry.  The
 * guest's MSR_KERNEL_GS_BASE is read back by the caller, before the host's
 * GS selector is reloaded (vmx_load_host_segs()).
 */
struct vmx_host_msrs {
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
};

static void vmx_swap_msrs(struct vmx_vcpu *vmx, struct vmx_host_msrs *h,
			  bool to_guest)
{
	if (to_guest) {
		rdmsrl(MSR_STAR, h->star);
		rdmsrl(MSR_LSTAR, h->lstar);
		rdmsrl(MSR_CSTAR, h->cstar);
		rdmsrl(MSR_SYSCALL_MASK, h->sfmask);
		rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
		wrmsrl(MSR_STAR, vmx->star);
		wrmsrl(MSR_LSTAR, vmx->lstar);
		wrmsrl(MSR_CSTAR, vmx->cstar);
		wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
		return;
	}
	wrmsrl(MSR_STAR, h->star);
	wrmsrl(MSR_LSTAR, h->lstar);
	wrmsrl(MSR_CSTAR, h->cstar);
	wrmsrl(MSR_SYSCALL_MASK, h->sfmask);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
}

static void vmx_load_guest_dr(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;

	x86_load_guest_dr(x);
	if (x->dr_live)
		native_set_debugreg(6, vmx->dr6);
}

/* A VM exit leaves DR7 at 0x400 (SDM 27.5.1); DR6 is the guest's. */
static void vmx_load_host_dr(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;

	if (x->dr_live) {
		vmx->dr6 = native_get_debugreg(6);
		native_set_debugreg(6, 0xffff0ff0);
	}
	x86_save_guest_dr(x);
}

/*
 * The host's segment state a VM exit does not give back (SDM 27.5.2): LDTR
 * becomes null, FS and GS take the host-state selectors (0: a selector
 * with TI or RPL set cannot be one, 26.2.3), DS and ES likewise.  What the
 * process had is put back as it was; FS and GS bases come from the
 * HOST_FS_BASE/HOST_GS_BASE fields and MSR_KERNEL_GS_BASE.
 */
struct vmx_host_segs {
	u16 ds, es, fs, gs, ldt;
	u64 fs_base;
};

static void vmx_save_host_segs(struct vmx_host_segs *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=rm" (h->ldt));
	rdmsrl(MSR_FS_BASE, h->fs_base);
}

/*
 * Before MSR_KERNEL_GS_BASE is restored: load_gs_index() puts the
 * descriptor's base in the inactive GS base, the user's, which the
 * restore then overwrites with the value the process had.
 */
static void vmx_load_host_segs(const struct vmx_host_segs *h)
{
	if (h->ldt)
		asm volatile("lldt %0" : : "rm" (h->ldt));
	if (h->gs)
		load_gs_index(h->gs);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	loadsegment(ds, h->ds);
	loadsegment(es, h->es);
}

/*
 * The GDTR limit is left at 0xffff and the TR limit at 0x67 (SDM 27.5.2):
 * the first is reloaded here, the second is what the kernel's
 * invalidate_tss_limit() is for (a process with an I/O bitmap needs the
 * whole TSS; TR is reloaded now for the current one, on its next return
 * to user space for any other).
 */
static void vmx_load_host_tables(int cpu)
{
	invalidate_tss_limit();
	load_fixmap_gdt(cpu);
}

/*
 * The world switch: preemption and interrupts off.  A host NMI that the
 * exit caught (NMI exiting, SDM 25.2) is handed to the kernel's own
 * handler right after the exit.  CR2 is not switched by VM entry or exit
 * (SDM 27.3): the guest's is loaded last and read back first.
 */
static int vmx_switch(struct vmx_vcpu *vmx)
{
	struct x86_vcpu *x = &vmx->x;
	struct hvx_vcpu *vcpu = x->vcpu;
	struct vmx_host_msrs h;
	struct vmx_host_segs segs;
	int cpu = smp_processor_id();
	u64 gs_base, debugctl;
	s64 gen;
	int r;

	WRITE_ONCE(vcpu->cpu, cpu);
	hvx_stats_enter(vcpu);
	/* Mode before tlb_gen is read: pairs with hvx_vm_flush_tlbs(). */
	smp_store_mb(vcpu->mode, HVX_IN_GUEST);
	if (x86_entry_cancelled(x)) {
		WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
		return -EAGAIN;
	}
	gen = atomic64_read(&x86_vm(x)->tlb_gen);
	if (vmx->tlb_gen != gen) {
		vmx_invept(vmx_eptp(x));
		vmx->tlb_gen = gen;
	}
	vmx_write(HOST_CR3, __read_cr3());
	vmx_write(HOST_CR4, cr4_read_shadow());
	vmx_save_host_segs(&segs);
	rdmsrl(MSR_GS_BASE, gs_base);
	vmx_write(HOST_FS_BASE, segs.fs_base);
	vmx_write(HOST_GS_BASE, gs_base);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, debugctl);
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	x86_load_guest_xcr0(x);
	x86_load_guest_tsc_aux(x);
	vmx_swap_msrs(vmx, &h, true);
	vmx_load_guest_dr(vmx);
	x86_load_guest_pkru(x);
	if (vmx_l1d_flush_on)
		vmx_l1d_flush();
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	r = __vmx_vcpu_run(x->gpr, vmx->launched);

	vmx->cr2 = native_read_cr2();
	x86_load_host_pkru(x);
	/* A VM exit clears IA32_DEBUGCTL (SDM 27.5.1). */
	if (debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, debugctl);
	vmx_load_host_dr(vmx);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	vmx_load_host_segs(&segs);
	vmx_swap_msrs(vmx, &h, false);
	vmx_load_host_tables(cpu);
	x86_after_exit();
	WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
	hvx_stats_exit(vcpu);
	x86_load_host_xcr0(x);
	if (!r) {
		/*
		 * A VM entry that failed on the guest state or MSR loading
		 * exits with bit 31 of the reason set and leaves the launch
		 * state as it was (SDM Vol. 3C 30.3, VMLAUNCH): VMRESUME would
		 * then fail with VM-instruction error 5.
		 */
		if (!(vmx_read(VM_EXIT_REASON) & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vmx->launched = true;
		if ((vmx_read(VM_EXIT_INTR_INFO) &
		     (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) ==
		    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR) &&
		    (u16)vmx_read(VM_EXIT_REASON) == EXIT_REASON_EXCEPTION_NMI)
			asm volatile("int $2");
	}
	return r;
}

/* GUEST_PHYSICAL_ADDRESS is valid after these exits (SDM Vol. 3C 28.2.1). */
static bool vmx_exit_has_gpa(u32 reason)
{
	return reason == EXIT_REASON_EPT_VIOLATION ||
	       reason == EXIT_REASON_EPT_MISCONFIG;
}

/* What the exit handlers need, read while the VMCS is current. */
static void vmx_read_exit(struct vmx_vcpu *vmx)
{
	struct vmx_exit *e = &vmx->exit;
	struct x86_vcpu *x = &vmx->x;
	u32 idt_info;

	e->reason = vmx_read(VM_EXIT_REASON);
	e->qual = vmx_read(EXIT_QUALIFICATION);
	e->gpa = vmx_read(GUEST_PHYSICAL_ADDRESS);
	e->len = vmx_read(VM_EXIT_INSTRUCTION_LEN);
	e->info = vmx_read(VMX_INSTRUCTION_INFO);
	e->intr_info = vmx_read(VM_EXIT_INTR_INFO);
	x->gpr[GPR_RSP] = vmx_read(GUEST_RSP);
	x->rip = vmx_read(GUEST_RIP);
	x->rflags = vmx_read(GUEST_RFLAGS);
	x->exit_rip = x->rip;
	x->sregs_stale = true;
	idt_info = vmx_read(IDT_VECTORING_INFO_FIELD);
	vmx_recover_nmi_blocking(e, idt_info);
	vmx_requeue_event(vmx, idt_info);
	if (vmx_exit_is_mce(e))
		x86_machine_check();
}

static int vmx_enter(struct x86_vcpu *x)
{
	struct vmx_vcpu *vmx = to_vmx(x);
	u64 rip = x->rip;
	int r;

	vmx_get(vmx);
	if (this_cpu_read(vmx_cpu.current_vmcs) != vmx) {
		vmx_put();
		return -EIO;	/* out of VMX operation: see vmx_get() */
	}
	/*
	 * An instruction emulated and skipped ends STI/MOV SS blocking; and
	 * VM entry refuses blocking by STI with RFLAGS.IF clear (SDM
	 * 26.3.1.5), which KVM_SET_VCPU_EVENTS and KVM_SET_REGS can set up.
	 */
	if (rip != x->exit_rip)
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
			  ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	else if (!(x->rflags & X86_EFLAGS_IF))
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
			  ~GUEST_INTR_STATE_STI);
	r = x86_inject_events(x);
	if (r <= 0) {
		vmx_put();
		return r;
	}
	vmx_fix_error_code();
	local_irq_disable();
	vmx_write(GUEST_RSP, x->gpr[GPR_RSP]);
	vmx_write(GUEST_RIP, rip);
	vmx_write(GUEST_RFLAGS, x->rflags);
	vmx_write(TSC_OFFSET, x->tsc_offset);
	vmx_slice_arm();
	r = vmx_switch(vmx);
	if (r == -EAGAIN) {	/* an interrupt for the guest came in */
		local_irq_enable();
		vmx_put();
		return 1;
	}
	if (r) {
		u32 err = vmx_read(VM_INSTRUCTION_ERROR);

		local_irq_enable();
		vmx_put();
		return vmx_entry_failed(vmx, err, true);
	}
	vmx->set_error_hi = 0;	/* delivered, or back in IDT-vectoring info */
	vmx_read_exit(vmx);
	local_irq_enable();
	vmx_put();
	trace_hvx_exit(x->vcpu->id, vmx->exit.reason, x->rip, vmx->exit.qual,
		       vmx_exit_has_gpa(vmx->exit.reason) ?
		       vmx->exit.gpa : HVX_TRACE_NO_GPA);
	return vmx_handle_exit(vmx);
}

static void vmx_exit(void)
{
	vmx_free_cpus();
}

/* hvx uses 4-level EPT (SDM 28.3.2; required at probe). */
static int vmx_ept_levels(void)
{
	return 4;
}

/*
 * EPT entries (SDM 28.3.2): read, write and execute (bits 2:0); a leaf
 * also carries memory type write-back (6, bits 5:3) and "ignore PAT"
 * clear, so the guest's PAT still applies.  Read and execute without
 * write is a valid combination (SDM 28.3.3.2 forbids only write or
 * write-and-execute without read).
 */
static const struct tdp_format vmx_ept_format = {
	.table_bits = 0x7,
	.leaf_bits = 0x7 | (6 << 3),
	.write_bits = BIT(1),
	.addr_mask = GENMASK_ULL(51, 12),	/* SDM 29.3.2: to MAXPHYADDR */
	.levels = vmx_ept_levels,
};

static void vmx_inspect(struct x86_vcpu *x, struct seq_file *m)
{
	vmx_inspect_vmcs(to_vmx(x), m);
}

const struct x86_vendor_ops vmx_vendor_ops = {
	.name			= "vmx",
	.backend		= HVX_BACKEND_VMX,
	.vcpu_size		= sizeof(struct vmx_vcpu),
	.tdp_fmt		= &vmx_ept_format,
	.probe			= vmx_probe_all,
	.exit			= vmx_exit,
	.enable			= vmx_enable,
	.disable		= vmx_disable,
	.enable_cpu		= vmx_enable_this_cpu,
	.disable_cpu		= vmx_disable_this_cpu,
	.vcpu_init		= vmx_vcpu_init,
	.vcpu_free		= vmx_vcpu_free,
	.reset			= vmx_reset,
	.enter			= vmx_enter,
	.read_sregs		= vmx_read_sregs,
	.write_sregs		= vmx_write_sregs,
	.inject_exception	= vmx_inject_exception,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.event_queued		= vmx_event_queued,
	.irq_blocked		= vmx_irq_blocked,
	.nmi_masked		= vmx_nmi_masked,
	.inject_irq		= vmx_inject_irq,
	.inject_nmi		= vmx_inject_nmi,
	.set_windows		= vmx_set_windows,
	.get_events		= vmx_get_events,
	.set_events		= vmx_set_events,
	.get_dr67		= vmx_get_dr67,
	.set_dr67		= vmx_set_dr67,
	.inspect		= vmx_inspect,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64 EL2 backend: probing, VMs and their stage-2 tables, vCPUs and
 * the run loop.
 *
 * hvx needs the host kernel at EL2 with VHE (Arm ARM D5.6): there the
 * kernel owns EL2 and hvx programs it directly.  A kernel at EL1 (nVHE,
 * with KVM or its pKVM protected mode holding EL2 behind the hyp stub)
 * is refused.  KVM may run vCPUs of its own in the same VHE kernel: both
 * program EL2 only while a vCPU runs, with preemption off, and hvx puts
 * back every EL2 register it changes.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/idr.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "arm64.h"

unsigned int a64_ipa_max;
u64 hvx_host_vbar;		/* read by entry.S's hvx_el2_reflect */
static unsigned int a64_vmid_bits, a64_parange;
static DEFINE_IDA(a64_vmids);

/*
 * Stage-2 descriptors, 4 KiB granule (Arm ARM D8.3): a table entry is
 * valid (bit 0) and a table (bit 1); a page entry at level 3 has the same
 * two bits, MemAttr 0b1111 (Normal, inner and outer Write-Back), S2AP
 * 0b11 (read and write), SH 0b11 (Inner Shareable) and AF (bit 10);
 * XN 0b00 lets EL1 and EL0 execute.
 */
#define A64_S2_TABLE	0x3ULL
/* Output address, 4 KiB granule without FEAT_LPA2: bits 47:12 (D8.3). */
#define A64_S2_ADDR	GENMASK_ULL(47, 12)
#define A64_S2_PAGE	(0x3ULL | (0xfULL << 2) | (0x3ULL << 6) | \
			 (0x3ULL << 8) | BIT_ULL(10))
/* S2AP[1] (bit 7): write access; S2AP 0b01 is read-only (D8.4.2). */
#define A64_S2_WRITE	BIT_ULL(7)

/* ID_AA64MMFR0_EL1.PARange (D17.2.64) in bits. */
static unsigned int a64_pa_bits(unsigned int parange)
{
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return parange < ARRAY_SIZE(bits) ? bits[parange] : 48;
}

/*
 * Clean the page to the point of coherency and make the instruction side
 * see it: a guest with its MMU off reads and fetches around the caches
 * the host wrote through (D7.5.9).
 */
void a64_sync_caches(struct page *page)
{
	unsigned long start = (unsigned long)page_address(page);
	unsigned long line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	unsigned long p;

	for (p = start; p < start + PAGE_SIZE; p += line)
		asm volatile("dc cvac, %0" : : "r" (p) : "memory");
	dsb(ish);
	caches_clean_inval_pou(start, start + PAGE_SIZE);
}

/*
 * KVM_CREATE_VM type: bits 7:0 ask for an IPA size (0: KVM's default of
 * 40 bits), nothing else is defined.  The stage-2 tables get as many
 * levels as the size needs, with up to 16 concatenated tables at the top
 * instead of one more level (D8.2.7, as KVM does): VTCR_EL2.SL0 names the
 * first level, T0SZ the size (D17.2.166).
 */
static int a64_vm_init(struct hvx_vm *vm, unsigned long type)
{
	unsigned int ipa = type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;
	unsigned int levels, order;
	struct a64_vm *avm;
	int vmid, r;

	if (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
		return -EINVAL;
	if (!ipa)
		ipa = min(40U, a64_ipa_max);
	if (ipa < 32 || ipa > a64_ipa_max)
		return -EINVAL;
	levels = (ipa - 8) / 9;
	order = ipa > 12 + 9 * levels ? ipa - (12 + 9 * levels) : 0;

	avm = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*avm), GFP_KERNEL_ACCOUNT);
	if (!avm)
		return -ENOMEM;
	vmid = hvx_fault_alloc() ? -ENOMEM :
	       ida_alloc_range(&a64_vmids, 1, (1U << a64_vmid_bits) - 1,
			       GFP_KERNEL);
	if (vmid < 0) {
		kfree(avm);
		return vmid;
	}
	r = hvx_stage2_init(&avm->s2, levels, order, A64_S2_TABLE,
			    A64_S2_PAGE, A64_S2_WRITE, A64_S2_ADDR);
	if (r) {
		ida_free(&a64_vmids, vmid);
		kfree(avm);
		return r;
	}
	avm->vmid = vmid;
	a64_fw_bmap_init(avm);
	avm->vttbr = __pa(avm->s2.root) | ((u64)vmid << VTTBR_VMID_SHIFT);
	avm->vtcr = VTCR_EL2_RES1 | (a64_parange << VTCR_EL2_PS_SHIFT) |
		    VTCR_EL2_TG0_4K | VTCR_EL2_SH0_INNER |
		    VTCR_EL2_ORGN0_WBWA | VTCR_EL2_IRGN0_WBWA |
		    ((u64)(2 - (4 - levels)) << VTCR_EL2_SL0_SHIFT) |
		    (64 - ipa) |
		    (a64_vmid_bits == 16 ? VTCR_EL2_VS_16BIT : 0);
	vm->arch = avm;
	vm->s2 = &avm->s2;
	vm->gpa_bits = ipa;
	return 0;
}

static void a64_vm_free(struct hvx_vm *vm)
{
	struct a64_vm *avm = vm->arch;

	hvx_stage2_free(vm, &avm->s2);
	a64_vgic_free(avm);
	ida_free(&a64_vmids, avm->vmid);
	kfree(avm);
}

static void a64_vm_unmap(struct hvx_vm *vm, u64 gpa, u64 size)
{
	struct a64_vm *avm = vm->arch;

	hvx_stage2_unmap(vm, &avm->s2, gpa, size);
}

/*
 * The guest's virtual timer reached its deadline while the guest ran: the
 * host's own timer interrupt that ran this has already made the guest
 * exit (HCR_EL2.IMO), and the next entry raises the timer's PPI.
 */
static enum hrtimer_restart a64_timer_expired(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

/*
 * Switched out (interrupts off, on the CPU it ran on): the guest's EL1
 * registers go back to memory, and its TLB entries go, before another
 * thread, a KVM vCPU's perhaps, takes the CPU.  Switched in: the next entry loads them, and
 * first adds the time the thread waited to the guest's stolen time.
 */
static void a64_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	struct a64_vcpu *v = container_of(pn, struct a64_vcpu, pn);

	a64_el1_put(v);
	a64_tlb_put(v);
}

static void a64_sched_in(struct preempt_notifier *pn, int cpu)
{
	container_of(pn, struct a64_vcpu, pn)->steal_update = true;
}

static struct preempt_ops a64_preempt_ops = {
	.sched_in	= a64_sched_in,
	.sched_out	= a64_sched_out,
};

static int a64_vcpu_init(struct hvx_vcpu *vcpu)
{
	struct a64_vcpu *v = hvx_fault_alloc() ? NULL :
			     kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	v->vcpu = vcpu;
	vcpu->arch = v;
	init_waitqueue_head(&v->wq);
	spin_lock_init(&v->power_lock);
	hrtimer_init(&v->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	v->timer.function = a64_timer_expired;
	v->steal_base = A64_PVTIME_NONE;
	preempt_notifier_init(&v->pn, &a64_preempt_ops);
	preempt_notifier_inc();
	a64_reset(v);
	return 0;
}

static void a64_vcpu_free(struct hvx_vcpu *vcpu)
{
	preempt_notifier_dec();
	hrtimer_cancel(&to_a64(vcpu)->timer);
	kfree(vcpu->arch);
	vcpu->arch = NULL;
}

static int a64_exit_intr(struct a64_vcpu *v)
{
	hvx_stat(v->vcpu, HVX_STAT_SIGNAL);
	a64_exit_to_user(v, KVM_EXIT_INTR);
	return -EINTR;
}

/*
 * The vCPU has run: its timer's interrupt numbers are fixed from now on
 * (vcpu_attr.c, as KVM 6.1's timer_cpu.enabled); and so has its VM: the
 * services' bitmaps are fixed too (smccc.c).
 */
static void a64_mark_ran(struct a64_vcpu *v)
{
	struct hvx_vm *vm = v->vcpu->vm;

	v->ran = true;
	if (READ_ONCE(a64_vm(v)->ran))
		return;
	mutex_lock(&vm->lock);
	a64_vm(v)->ran = true;
	mutex_unlock(&vm->lock);
}

/* KVM_RUN: KVM_ARM_VCPU_INIT first (-ENOEXEC, as KVM), then run. */
static int a64_vcpu_run_loop(struct hvx_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct kvm_run *run = vcpu->run;
	int r;

	if (!v->initialised)
		return -ENOEXEC;
	if (READ_ONCE(run->kvm_valid_regs) || READ_ONCE(run->kvm_dirty_regs))
		return -EINVAL;
	if (a64_vm(v)->vgic) {
		r = a64_vgic_ready(v);
		if (r)
			return r;
	}
	a64_mark_ran(v);
	v->tlb_clean = false;	/* user space may have run a KVM guest here */
	v->steal_update = true;
	a64_complete_mmio(v);
	/*
	 * As KVM, exit_reason stays what it was: the KVM selftests' ucall
	 * reads it again after the KVM_RUN that completes an MMIO exit.
	 */
	if (READ_ONCE(run->immediate_exit)) {
		hvx_stat(vcpu, HVX_STAT_SIGNAL);
		return -EINTR;
	}
	for (;;) {
		if (signal_pending(current))
			return a64_exit_intr(v);
		cond_resched();
		if (a64_psci_power_wait(v))
			return a64_exit_intr(v);
		if (READ_ONCE(v->off))
			continue;
		if (v->steal_update)
			a64_pvtime_update(v);
		r = a64_enter(v);
		if (r <= 0)
			return r;
	}
}

/*
 * The run, with the thread's preempt notifier registered for its length
 * (it applies to the current task): the guest's EL1 registers stay loaded
 * across the exits handled here and are put back before user space runs.
 */
static int a64_vcpu_run(struct hvx_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	int r;

	preempt_disable();
	preempt_notifier_register(&v->pn);
	preempt_enable();
	r = a64_vcpu_run_loop(vcpu);
	a64_el1_put(v);
	preempt_disable();
	a64_tlb_put(v);
	preempt_notifier_unregister(&v->pn);
	preempt_enable();
	return r;
}

static int a64_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_ARM_VM_IPA_SIZE:
		return a64_ipa_max;
	case KVM_CAP_DEVICE_CTRL:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_VCPU_ATTRIBUTES:
		return 1;
	case KVM_CAP_IRQCHIP:
		return a64_gic_nr_lrs != 0;
	case KVM_CAP_ONE_REG:
	case KVM_CAP_ARM_PSCI:
	case KVM_CAP_ARM_PSCI_0_2:
	case KVM_CAP_ARM_SYSTEM_SUSPEND:
	case KVM_CAP_ARM_NISV_TO_USER:
	case KVM_CAP_PTP_KVM:
		return 1;
	case KVM_CAP_STEAL_TIME:	/* pvtime.c */
		return sched_info_on();
	default:
		return 0;
	}
}

/* EL2 is the kernel's from boot: nothing to switch on or off. */
static int a64_enable(void)
{
	return 0;
}

static void a64_disable(void)
{
}

static const struct hvx_arch_ops a64_ops = {
	.name		= "el2",
	.backend	= HVX_BACKEND_EL2,
	.enable		= a64_enable,
	.disable	= a64_disable,
	.vm_init	= a64_vm_init,
	.vm_free	= a64_vm_free,
	.vm_unmap	= a64_vm_unmap,
	.vcpu_init	= a64_vcpu_init,
	.vcpu_precreate	= a64_vgic_precreate,
	.vcpu_free	= a64_vcpu_free,
	.vcpu_run	= a64_vcpu_run,
	.vcpu_ioctl	= a64_vcpu_ioctl,
	.vm_ioctl	= a64_vm_ioctl,
	.check_extension = a64_check_extension,
	.vcpu_inspect	= a64_vcpu_inspect,
	.vcpu_debugfs	= a64_vcpu_debugfs,
};

const struct hvx_arch_ops *hvx_arch_probe(void)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);

	if (!is_kernel_in_hyp_mode()) {
		pr_err("the kernel runs at EL1, not EL2 with VHE: hvx needs a VHE host (EL2 belongs to the hyp stub, KVM nVHE or protected KVM)\n");
		return ERR_PTR(-ENODEV);
	}
	if (((mmfr0 >> ID_AA64MMFR0_EL1_TGRAN4_2_SHIFT) & 0xf) == 1) {
		pr_err("stage 2 has no 4 KiB granule on this CPU\n");
		return ERR_PTR(-ENODEV);
	}
	a64_parange = mmfr0 & 0xf;
	a64_ipa_max = min(48U, a64_pa_bits(a64_parange));
	a64_vmid_bits = ((mmfr1 >> ID_AA64MMFR1_EL1_VMIDBits_SHIFT) & 0xf) == 2 ?
			16 : 8;
	hvx_host_vbar = read_sysreg(vbar_el1);	/* VBAR_EL2 under E2H */
	a64_switch_init();
	a64_vgic_probe();
	return &a64_ops;
}

void hvx_arch_exit(void)
{
	ida_destroy(&a64_vmids);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: the architecture half of the core, shared by SVM and VMX.
 *
 * This file implements struct hvx_arch_ops for x86 on top of a vendor
 * backend (struct x86_vendor_ops): the KVM_RUN loop, KVM_GET/SET_REGS and
 * KVM_GET/SET_SREGS, the power-on state, and the x86 VM ioctls.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>

#include <asm/fpu/xcr.h>

#include <linux/seq_file.h>

#include "x86.h"

const struct x86_vendor_ops *x86_vendor;
u64 x86_host_xcr0;

struct kvm_sregs *x86_sregs(struct x86_vcpu *x)
{
	if (x->sregs_stale) {
		x86_vendor->read_sregs(x, &x->sregs);
		x->sregs_stale = false;
	}
	return &x->sregs;
}

void x86_exit_to_user(struct x86_vcpu *x, u32 reason)
{
	x86_run(x)->exit_reason = reason;
}

int x86_internal_error(struct x86_vcpu *x, u32 suberror, u64 data0,
		       u64 data1)
{
	struct kvm_run *run = x86_run(x);

	hvx_stat(x->vcpu, HVX_STAT_INTERNAL);
	x86_exit_to_user(x, KVM_EXIT_INTERNAL_ERROR);
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = data0;
	run->internal.data[1] = data1;
	return 0;
}

void x86_inject_ud(struct x86_vcpu *x)
{
	hvx_stat(x->vcpu, HVX_STAT_EXCEPTION);
	x86_vendor->inject_exception(x, X86_VEC_UD, false, 0);
}

/* Real mode delivers no error code (SDM Vol. 3A 20.1.4). */
void x86_inject_gp(struct x86_vcpu *x)
{
	bool pe = x86_sregs(x)->cr0 & X86_CR0_PE;

	x86_vendor->inject_exception(x, X86_VEC_GP, pe, 0);
}

/*
 * Guest-state rules that both VMRUN (AMD APM Vol. 2 15.5.1) and VM entry
 * (Intel SDM Vol. 3C 26.3.1.1) enforce, plus CR0.PG without CR0.PE, which
 * no MOV to CR0 can produce (APM Vol. 2 3.1.1, SDM Vol. 3A 2.5).  hvx
 * checks them itself so that the log can say which rule a state broke.
 * Returns the rule, or NULL.
 */
const char *x86_check_state(u64 cr0, u64 cr4, u64 efer, bool cs_l,
			    bool cs_db)
{
	bool lme_pg = (efer & EFER_LME) && (cr0 & X86_CR0_PG);

	if (cr0 >> 32)
		return "CR0[63:32] not zero";
	if (!(cr0 & X86_CR0_CD) && (cr0 & X86_CR0_NW))
		return "CR0.NW set with CR0.CD clear";
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return "CR0.PG set with CR0.PE clear";
	if (lme_pg && !(cr4 & X86_CR4_PAE))
		return "EFER.LME and CR0.PG set with CR4.PAE clear";
	if (lme_pg && cs_l && cs_db)
		return "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D all set";
	return NULL;
}

const char *x86_check_sregs(const struct kvm_sregs *s)
{
	return x86_check_state(s->cr0, s->cr4, s->efer, s->cs.l, s->cs.db);
}

/*
 * XCR0 follows the guest only while it runs, with interrupts off.  The
 * guest's value is loaded whatever its CR4.OSXSAVE (hvx's cached CR4 may
 * be stale, and XCR0 means nothing to a guest without it).
 */
void x86_load_guest_xcr0(struct x86_vcpu *x)
{
	if (x86_host_xcr0 && x->xcr0 != x86_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, x->xcr0);
}

/*
 * After the exit the host's XCR0 comes back if the hardware's differs.
 * XSETBV always exits on VMX (Intel SDM Vol. 3C 25.1.2) and hvx intercepts
 * it on SVM (AMD APM Vol. 2 15.9), so it is normally the guest's value; but
 * QEMU 7.2's SVM emulation ignores the XSETBV intercept, and a guest's XCR0
 * left in place makes the host's next XRSTOR fault ("Bad FPU state").
 */
void x86_load_host_xcr0(struct x86_vcpu *x)
{
	if (x86_host_xcr0 &&
	    xgetbv(XCR_XFEATURE_ENABLED_MASK) != x86_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, x86_host_xcr0);
}

/*
 * PKRU is a user register that neither VM entry nor exit touches (Intel SDM
 * Vol. 3C 27.3 and 27.5, AMD APM Vol. 2 15.5), and WRPKRU does not exit:
 * the guest's value is loaded just before entry and the VMM's put back
 * right after the exit, with interrupts off, before anything can touch
 * user memory under the wrong keys (SDM Vol. 3A 4.6.2).  The kernel keeps
 * the task's own PKRU in the register while it runs (it is not part of
 * the FPU state fpu_swap_kvm_fpstate() moves).
 */
void x86_load_guest_pkru(struct x86_vcpu *x)
{
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	x->host_pkru = rdpkru();
	if (x->pkru != x->host_pkru)
		wrpkru(x->pkru);
}

void x86_load_host_pkru(struct x86_vcpu *x)
{
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	x->pkru = rdpkru();
	if (x->pkru != x->host_pkru)
		wrpkru(x->host_pkru);
}

/*
 * DR0-3 are not in the VMCS or the VMCB.  DR7 goes to 0 before the
 * guest's addresses are loaded, so that no host breakpoint (perf,
 * ptrace) is armed on them even for the few instructions up to the entry,
 * which loads the guest's DR7 (SDM Vol. 3C 26.3.2.1, APM Vol. 2 15.5.1).
 */
void x86_load_guest_dr(struct x86_vcpu *x)
{
	if (!x->dr_live) {
		if (hw_breakpoint_active())
			native_set_debugreg(7, 0);
		return;
	}
	native_set_debugreg(7, 0);
	native_set_debugreg(0, x->dr[0]);
	native_set_debugreg(1, x->dr[1]);
	native_set_debugreg(2, x->dr[2]);
	native_set_debugreg(3, x->dr[3]);
}

/*
 * After the exit: the guest's DR0-3 are kept, then the host's breakpoints
 * come back, DR0-3 before DR7 (hw_breakpoint_restore() writes them in
 * that order); DR7 is disarmed first in case the exit left the guest's.
 */
void x86_save_guest_dr(struct x86_vcpu *x)
{
	if (x->dr_live) {
		native_set_debugreg(7, 0);
		x->dr[0] = native_get_debugreg(0);
		x->dr[1] = native_get_debugreg(1);
		x->dr[2] = native_get_debugreg(2);
		x->dr[3] = native_get_debugreg(3);
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/*
 * With the VMSCAPE mitigation (IBPB on exit to user space), the branch
 * predictor this CPU learnt in the guest is flushed before the VMM runs
 * again; call with preemption off, on the CPU that ran the guest.
 */
void x86_after_exit(void)
{
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
}

/*
 * A machine check that arrived while the guest ran made the CPU exit
 * instead of delivering it (#MC intercepted: AMD APM Vol. 2 15.12; VMX
 * exception bitmap bit 18, or exit reason 41, a machine check during VM
 * entry: Intel SDM Vol. 3C 25.2, 27.1, 26.8).  The error is the host's,
 * recorded in this CPU's banks: the kernel's handler must see it now, on
 * this CPU, before interrupts come back on.  The frame says the event
 * interrupted user mode with interrupts on, which is what the guest was
 * from the host's point of view: the handler may then recover by killing
 * the task instead of treating the guest's RIP as kernel code.
 */
void x86_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

static void x86_reset_seg(struct kvm_segment *seg, u16 sel, u64 base,
			  u8 type, bool s)
{
	*seg = (struct kvm_segment) {
		.selector = sel, .base = base, .limit = 0xffff,
		.type = type, .present = 1, .s = s,
	};
}

/*
 * Power-on state (Intel SDM Vol. 3A 10.1.1, table 10-1; AMD APM Vol. 2
 * 14.1.3): real mode, CS.base 0xffff0000 and IP 0xfff0, CR0 with CD, NW
 * and ET set, EDX holding a processor signature.
 */
void x86_reset(struct x86_vcpu *x)
{
	struct kvm_sregs *s = &x->sregs;

	memset(x->gpr, 0, sizeof(x->gpr));
	x->gpr[GPR_RDX] = 0x600;
	x->rip = 0xfff0;
	x->rflags = X86_EFLAGS_FIXED;
	memset(s, 0, sizeof(*s));
	x86_reset_seg(&s->cs, 0xf000, 0xffff0000, 0xb, true);
	x86_reset_seg(&s->ds, 0, 0, 3, true);
	x86_reset_seg(&s->es, 0, 0, 3, true);
	x86_reset_seg(&s->fs, 0, 0, 3, true);
	x86_reset_seg(&s->gs, 0, 0, 3, true);
	x86_reset_seg(&s->ss, 0, 0, 3, true);
	x86_reset_seg(&s->ldt, 0, 0, 2, false);
	x86_reset_seg(&s->tr, 0, 0, 0xb, false);
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
	s->apic_base = 0xfee00000 | MSR_IA32_APICBASE_ENABLE |
		       (x86_is_bsp(x) ? MSR_IA32_APICBASE_BSP : 0);
	x->sregs_dirty = true;
	x->sregs_stale = false;
	x->pending.kind = X86_PENDING_NONE;
	x->xcr0 = XFEATURE_MASK_FP;
	x86_msr_reset(x);
	x->dr_live = false;
	memset(x->dr, 0, sizeof(x->dr));
	x->pkru = 0;	/* power-on PKRU (SDM Vol. 3A 10.1, table 10-1) */
	x->exit_rip = 0;
	x->irq_queued = false;
	x->nmi_pending = 0;
	x->ext_vector = -1;
	x->eoi_exit = -1;
	x86_kvmclock_reset(x);
	x86_vendor->reset(x);
	x86_apic_reset(x);
}

static int x86_run_loop(struct x86_vcpu *x)
{
	int r;

	for (;;) {
		if (signal_pending(current)) {
			hvx_stat(x->vcpu, HVX_STAT_SIGNAL);
			x86_exit_to_user(x, KVM_EXIT_INTR);
			return -EINTR;
		}
		cond_resched();
		r = x86_apic_block(x);	/* HLT, wait-for-SIPI */
		if (r <= 0)
			return r;
		if (x->sregs_dirty) {
			x86_vendor->write_sregs(x, &x->sregs);
			x->sregs_dirty = false;
		}
		x86_kvmclock_update(x);
		r = x86_vendor->enter(x);
		if (r <= 0)
			return r;
	}
}

static int x86_vcpu_run(struct hvx_vcpu *vcpu)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_run *run = vcpu->run;
	int r;

	/* No KVM_CAP_SYNC_REGS: a request for it is invalid. */
	if (READ_ONCE(run->kvm_valid_regs) || READ_ONCE(run->kvm_dirty_regs))
		return -EINVAL;
	r = x86_complete_pending(x);
	if (r) {
		r = min(r, 0);	/* 1: one more exit, already described */
		goto out;
	}
	/*
	 * As KVM, exit_reason stays what it was: the KVM selftests' ucall
	 * reads it again after the KVM_RUN that completes an exit.
	 */
	if (READ_ONCE(run->immediate_exit)) {
		hvx_stat(vcpu, HVX_STAT_SIGNAL);
		r = -EINTR;
		goto out;
	}

	x->has_run = true;
	fpu_swap_kvm_fpstate(&x->fpu, true);
	r = x86_run_loop(x);
	fpu_swap_kvm_fpstate(&x->fpu, false);
out:
	x86_fill_run(x);
	return r;
}

static void x86_get_regs(struct x86_vcpu *x, struct kvm_regs *r)
{
	const u64 *g = x->gpr;

	*r = (struct kvm_regs) {
		.rax = g[GPR_RAX], .rbx = g[GPR_RBX], .rcx = g[GPR_RCX],
		.rdx = g[GPR_RDX], .rsi = g[GPR_RSI], .rdi = g[GPR_RDI],
		.rsp = g[GPR_RSP], .rbp = g[GPR_RBP],
		.r8 = g[GPR_R8], .r9 = g[GPR_R9], .r10 = g[GPR_R10],
		.r11 = g[GPR_R11], .r12 = g[GPR_R12], .r13 = g[GPR_R13],
		.r14 = g[GPR_R14], .r15 = g[GPR_R15],
		.rip = x->rip, .rflags = x->rflags,
	};
}

static void x86_set_regs(struct x86_vcpu *x, const struct kvm_regs *r)
{
	u64 *g = x->gpr;

	g[GPR_RAX] = r->rax; g[GPR_RBX] = r->rbx; g[GPR_RCX] = r->rcx;
	g[GPR_RDX] = r->rdx; g[GPR_RSI] = r->rsi; g[GPR_RDI] = r->rdi;
	g[GPR_RSP] = r->rsp; g[GPR_RBP] = r->rbp;
	g[GPR_R8] = r->r8; g[GPR_R9] = r->r9; g[GPR_R10] = r->r10;
	g[GPR_R11] = r->r11; g[GPR_R12] = r->r12; g[GPR_R13] = r->r13;
	g[GPR_R14] = r->r14; g[GPR_R15] = r->r15;
	x->rip = r->rip;
	/* RFLAGS bit 1 always reads as one (SDM Vol. 1 3.4.3). */
	x->rflags = r->rflags | X86_EFLAGS_FIXED;
}

#define X86_CR4_GUEST	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_UMIP | \
			 X86_CR4_FSGSBASE | X86_CR4_PCIDE | X86_CR4_OSXSAVE | \
			 X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE)
#define X86_EFER_SREGS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * The consistency KVM requires of KVM_SET_SREGS: long mode active exactly
 * when LME and PG are set with PAE, a 64-bit code segment only in long
 * mode.  The rest (PG without PE, odd segments) is left to the hardware's
 * VM-entry checks, which report KVM_EXIT_FAIL_ENTRY as KVM does.
 */
/*
 * CR4 bits whose feature the guest's CPUID does not offer are reserved
 * (SDM Vol. 3A 2.5 gives each with the CPUID bit that reports it), as KVM
 * checks them in KVM_SET_SREGS.  Before KVM_SET_CPUID2 the guest's
 * CPUID is the supported one (cpuid.c).
 */
static u64 x86_cr4_reserved(struct x86_vcpu *x)
{
	static const struct {
		u64 cr4;
		u32 fn;
		int reg;
		u32 bit;
	} dep[] = {
		{ X86_CR4_PCIDE, 1, 2, BIT(17) },
		{ X86_CR4_OSXSAVE, 1, 2, BIT(26) },
		{ X86_CR4_FSGSBASE, 7, 1, BIT(0) },
		{ X86_CR4_SMEP, 7, 1, BIT(7) },
		{ X86_CR4_SMAP, 7, 1, BIT(20) },
		{ X86_CR4_UMIP, 7, 2, BIT(2) },
		{ X86_CR4_PKE, 7, 2, BIT(3) },
	};
	u64 reserved = ~X86_CR4_GUEST;
	int i;

	for (i = 0; i < ARRAY_SIZE(dep); i++)
		if (!x86_guest_cpuid_has(x, dep[i].fn, dep[i].reg, dep[i].bit))
			reserved |= dep[i].cr4;
	return reserved;
}

static bool x86_sregs_valid(struct x86_vcpu *x, const struct kvm_sregs *s)
{
	if ((s->cr0 >> 32) || (s->cr4 & x86_cr4_reserved(x)) ||
	    (s->efer & ~X86_EFER_SREGS) || (s->cr3 >> 52))
		return false;
	if ((s->cr4 & X86_CR4_OSXSAVE) && !x86_host_xcr0)
		return false;
	/* PKRU is switched only where the host kernel uses it (OSPKE). */
	if ((s->cr4 & X86_CR4_PKE) && !cpu_feature_enabled(X86_FEATURE_OSPKE))
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG))
		return (s->cr4 & X86_CR4_PAE) && (s->efer & EFER_LMA);
	return !(s->efer & EFER_LMA) && !s->cs.l;
}

static long x86_ioctl_sregs(struct x86_vcpu *x, bool set, void __user *argp)
{
	struct kvm_sregs s;

	if (!set) {
		s = *x86_sregs(x);
		x86_get_irq_bitmap(x, &s);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	}
	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (!x86_sregs_valid(x, &s))
		return -EINVAL;
	/* IA32_APIC_BASE's reserved bits, as KVM checks them here. */
	if (x86_set_apic_base(x, s.apic_base, true))
		return -EINVAL;
	x86_apic_set_cr8(x, s.cr8);
	x86_set_irq_bitmap(x, &s);
	x->sregs = s;
	x->sregs_stale = false;
	x->sregs_dirty = true;
	return 0;
}

static long x86_ioctl_regs(struct x86_vcpu *x, bool set, void __user *argp)
{
	struct kvm_regs r;

	if (!set) {
		x86_get_regs(x, &r);
		return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
	}
	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	x86_set_regs(x, &r);
	return 0;
}

/*
 * KVM_ENABLE_CAP on a vCPU (api.rst 4.37): x86 KVM takes Hyper-V's
 * capabilities there, which hvx does not offer; any is EINVAL, as KVM
 * answers a capability it does not know.
 */
static long x86_vcpu_enable_cap(void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	return -EINVAL;
}

/*
 * KVM_SET_VAPIC_ADDR (api.rst 4.27): the page where KVM would mirror the
 * APIC's TPR, highest ISR and IRR for the guest's patched TPR accesses
 * (QEMU's kvmvapic).  hvx has no such page and does not claim
 * KVM_CAP_VAPIC; it takes address 0, "none", which QEMU sets at every
 * reset of its kernel APIC whatever the capability says.  Without the
 * in-kernel APIC, EINVAL as in KVM.
 */
static long x86_set_vapic_addr(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_vapic_addr va;

	if (copy_from_user(&va, argp, sizeof(va)))
		return -EFAULT;
	if (!x86_irqchip(x86_vm(x)) || va.vapic_addr)
		return -EINVAL;
	return 0;
}

static long x86_vcpu_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp)
{
	struct x86_vcpu *x = to_x86(vcpu);

	switch (ioctl) {
	case KVM_GET_REGS:
		return x86_ioctl_regs(x, false, argp);
	case KVM_SET_REGS:
		return x86_ioctl_regs(x, true, argp);
	case KVM_GET_SREGS:
		return x86_ioctl_sregs(x, false, argp);
	case KVM_SET_SREGS:
		return x86_ioctl_sregs(x, true, argp);
	case KVM_SET_CPUID2:
		return x86_ioctl_set_cpuid2(x, argp);
	case KVM_GET_CPUID2:
		return x86_ioctl_get_cpuid2(x, argp);
	case KVM_GET_MSRS:
		return x86_ioctl_msrs(x, false, argp);
	case KVM_SET_MSRS:
		return x86_ioctl_msrs(x, true, argp);
	case KVM_GET_TSC_KHZ:
		/* The guest's TSC runs at the host's rate. */
		return tsc_khz ? tsc_khz : -EIO;
	case KVM_SET_VAPIC_ADDR:
		return x86_set_vapic_addr(x, argp);
	case KVM_INTERRUPT:
		return x86_ioctl_interrupt(x, argp);
	case KVM_GET_LAPIC:
		return x86_apic_ioctl(x, false, argp);
	case KVM_SET_LAPIC:
		return x86_apic_ioctl(x, true, argp);
	case KVM_NMI:
		return x86_ioctl_nmi(x);
	case KVM_HAS_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_SET_DEVICE_ATTR:
		return x86_ioctl_tsc_attr(x, ioctl, argp);
	case KVM_ENABLE_CAP:
		return x86_vcpu_enable_cap(argp);
	default:
		return x86_state_ioctl(x, ioctl, argp);
	}
}

/* System ioctls on /dev/hvx that only x86 answers. */
static long x86_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return x86_ioctl_get_supported_cpuid(argp);
	case KVM_GET_MSR_INDEX_LIST:
		return x86_ioctl_get_msr_index_list(argp);
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return x86_ioctl_get_msr_feature_list(argp);
	case KVM_GET_MSRS:
		return x86_ioctl_feature_msrs(argp);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		/*
		 * The IA32_MCG_CAP bits a vCPU may have (SDM Vol. 3B 16.3.1.1):
		 * none, and no banks, since hvx offers no machine-check
		 * architecture (CPUID.1:EDX.MCE and MCA clear; KVM_CAP_MCE 0).
		 * Asked by programs before they look at MCG_CMCI_P and the rest.
		 */
		return put_user(0ULL, (u64 __user *)argp);
	default:
		return -ENOTTY;
	}
}

/*
 * KVM_SET_IDENTITY_MAP_ADDR: the page where VMX without unrestricted
 * guest would keep an identity-mapping page table for real mode.  hvx
 * runs real mode natively (SVM; VMX with unrestricted guest) and only
 * records it; as KVM, it is refused once a vCPU exists.
 */
static long x86_set_identity_map_addr(struct hvx_vm *vm, void __user *argp)
{
	u64 addr;
	long r = -EINVAL;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		goto out;
	r = -EFAULT;
	if (copy_from_user(&addr, argp, sizeof(addr)))
		goto out;
	vm->identity_map_addr = addr;
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long x86_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl,
			 void __user *argp)
{
	unsigned long addr = (unsigned long)argp;

	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		/*
		 * Three pages below 4 GiB that VMX without unrestricted
		 * guest would use for real mode; hvx only records it, as KVM
		 * on SVM does.
		 */
		if (addr > (unsigned int)(-3 * PAGE_SIZE))
			return -EINVAL;
		vm->tss_addr = addr;
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		return x86_set_identity_map_addr(vm, argp);
	case KVM_CREATE_IRQCHIP:
	case KVM_SET_GSI_ROUTING:
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
	case KVM_SIGNAL_MSI:
		return x86_irqchip_vm_ioctl(vm, ioctl, argp);
	case KVM_CREATE_PIT:
	case KVM_CREATE_PIT2:
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
		return x86_pit_vm_ioctl(vm, ioctl, argp);
	case KVM_IRQFD:
		return x86_irqfd_ioctl(vm, argp);
	case KVM_X86_SET_MSR_FILTER:
		return x86_ioctl_set_msr_filter(vm, argp);
	case KVM_ENABLE_CAP:
	case KVM_SET_NR_MMU_PAGES:
	case KVM_GET_NR_MMU_PAGES:
	case KVM_SET_BOOT_CPU_ID:
		return x86_vm_caps_ioctl(vm, ioctl, argp);
	case KVM_GET_CLOCK:
		return x86_ioctl_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return x86_ioctl_set_clock(vm, argp);
	default:
		return -ENOTTY;
	}
}

static int x86_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_IRQCHIP:		/* irqchip.c, lapic.c, ioapic.c, pic.c */
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_TSC_DEADLINE_TIMER:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:	/* a length-0 MMIO ioeventfd */
	case KVM_CAP_X86_MSR_FILTER:		/* msr_filter.c */
	case KVM_CAP_X86_USER_SPACE_MSR:
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:	/* KVM_SET/GET_NR_MMU_PAGES */
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_MSR_PLATFORM_INFO:
	case KVM_CAP_GET_MSR_FEATURES:		/* msr.c */
	case KVM_CAP_VCPU_ATTRIBUTES:		/* KVM_VCPU_TSC_CTRL, msr.c */
	case KVM_CAP_NOP_IO_DELAY:		/* CPUID 0x40000001, cpuid.c */
	case KVM_CAP_SPLIT_IRQCHIP:		/* split_irqchip.c */
	case KVM_CAP_PIT:			/* the 8254, pit.c */
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_IRQFD:			/* irqfd.c */
	case KVM_CAP_IRQFD_RESAMPLE:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		/* The most GSIs a table may have: QEMU sizes its own by it. */
		return X86_MAX_ROUTES;
	case KVM_CAP_ADJUST_CLOCK:
		return x86_kvmclock_cap();
	case KVM_CAP_MP_STATE:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_XSAVE:
		return 1;
	case KVM_CAP_XCRS:		/* XCR0 exists with XSAVE only */
		return !!x86_host_xcr0;
	default:
		return 0;
	}
}

static int x86_vm_init(struct hvx_vm *vm, unsigned long type)
{
	const struct tdp_format *fmt = x86_vendor->tdp_fmt;
	struct x86_vm *xvm;
	int r;

	if (type)		/* KVM_X86_DEFAULT_VM is the only type */
		return -EINVAL;
	xvm = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*xvm), GFP_KERNEL_ACCOUNT);
	if (!xvm)
		return -ENOMEM;
	r = hvx_stage2_init(&xvm->tdp, fmt->levels(), 0, fmt->table_bits,
			    fmt->leaf_bits, fmt->write_bits, fmt->addr_mask);
	if (r) {
		kfree(xvm);
		return r;
	}
	x86_kvmclock_vm_init(&xvm->clock);
	x86_irqfd_init(xvm);
	vm->arch = xvm;
	vm->s2 = &xvm->tdp;
	vm->gpa_bits = 48;	/* what four levels of tables translate */
	return 0;
}

/* Before the vCPUs go: irqfds and the 8254 deliver to their APICs. */
static void x86_vm_quiesce(struct hvx_vm *vm)
{
	x86_irqfd_free(vm);
	x86_pit_free(vm);
}

static void x86_vm_free(struct hvx_vm *vm)
{
	x86_vm_quiesce(vm);	/* a VM that failed before its release */
	x86_irqchip_free(vm);
	x86_msr_filter_vm_free(vm);
	hvx_stage2_free(vm, x86_tdp(vm));
	kfree(vm->arch);
}

static void x86_vm_unmap(struct hvx_vm *vm, u64 gpa, u64 size)
{
	hvx_stage2_unmap(vm, x86_tdp(vm), gpa, size);
}

static int x86_vcpu_init(struct hvx_vcpu *vcpu)
{
	struct x86_vcpu *x;
	int r;

	x = hvx_fault_alloc() ? NULL : kzalloc(x86_vendor->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	x->vcpu = vcpu;
	r = -ENOMEM;
	if (hvx_fault_alloc() || !fpu_alloc_guest_fpstate(&x->fpu))
		goto free;
	r = x86_apic_init(x);
	if (r)
		goto free_fpu;
	r = x86_vendor->vcpu_init(x);
	if (r)
		goto free_apic;
	vcpu->arch = x;
	x->xcr0_allowed = x86_supported_xcr0 | XFEATURE_MASK_FP;
	x86_reset(x);
	return 0;
free_apic:
	x86_apic_free(x);
free_fpu:
	fpu_free_guest_fpstate(&x->fpu);
free:
	kfree(x);
	return r;
}

static void x86_vcpu_free(struct hvx_vcpu *vcpu)
{
	struct x86_vcpu *x = to_x86(vcpu);

	x86_apic_free(x);
	x86_vendor->vcpu_free(x);
	x86_cpuid_free(x);
	fpu_free_guest_fpstate(&x->fpu);
	kfree(x);
}

static int x86_enable(void)
{
	return x86_vendor->enable();
}

static void x86_disable(void)
{
	x86_put_host_tsc_aux();
	x86_vendor->disable();
}

static int x86_enable_cpu(void)
{
	return x86_vendor->enable_cpu();
}

static void x86_disable_cpu(void)
{
	x86_put_host_tsc_aux_this_cpu();
	x86_vendor->disable_cpu();
}

/*
 * The vCPU for the debugfs file (module/debugfs.c): the registers hvx
 * keeps itself, then the vendor's control structure.
 */
static void x86_vcpu_inspect(struct hvx_vcpu *vcpu, struct seq_file *m)
{
	static const char * const names[GPR_NR] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	struct x86_vcpu *x = to_x86(vcpu);
	int i;

	seq_printf(m, "rip: %#llx\nrflags: %#llx\n", x->rip, x->rflags);
	for (i = 0; i < GPR_NR; i++)
		seq_printf(m, "%s: %#llx\n", names[i], x->gpr[i]);
	x86_vendor->inspect(x, m);
}

static struct hvx_arch_ops x86_ops = {
	.enable		= x86_enable,
	.disable	= x86_disable,
	.enable_cpu	= x86_enable_cpu,
	.disable_cpu	= x86_disable_cpu,
	.vm_init	= x86_vm_init,
	.vm_free	= x86_vm_free,
	.vm_quiesce	= x86_vm_quiesce,
	.vm_unmap	= x86_vm_unmap,
	.vcpu_init	= x86_vcpu_init,
	.vcpu_free	= x86_vcpu_free,
	.vcpu_run	= x86_vcpu_run,
	.vcpu_ioctl	= x86_vcpu_ioctl,
	.vm_ioctl	= x86_vm_ioctl,
	.check_extension = x86_check_extension,
	.dev_ioctl	= x86_dev_ioctl,
	.vcpu_inspect	= x86_vcpu_inspect,
};

const struct hvx_arch_ops *hvx_arch_probe(void)
{
	int r;

	if (boot_cpu_has(X86_FEATURE_XSAVE))
		x86_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	/* The vendor whose extension this CPU has; SVM is tried first. */
	x86_vendor = &svm_vendor_ops;
	r = boot_cpu_has(X86_FEATURE_SVM) ? svm_vendor_ops.probe() : -ENODEV;
	if (r == -ENODEV && boot_cpu_has(X86_FEATURE_VMX)) {
		x86_vendor = &vmx_vendor_ops;
		r = vmx_vendor_ops.probe();
	}
	if (r == -ENODEV && !boot_cpu_has(X86_FEATURE_SVM) &&
	    !boot_cpu_has(X86_FEATURE_VMX))
		pr_err("no hardware virtualization: this CPU has neither AMD SVM nor Intel VMX\n");
	if (r)
		return ERR_PTR(r);
	x86_cpuid_init();
	x86_ops.name = x86_vendor->name;
	x86_ops.backend = x86_vendor->backend;
	return &x86_ops;
}

void hvx_arch_exit(void)
{
	x86_vendor->exit();
}

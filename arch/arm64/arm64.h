/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx arm64 backend: a host kernel running at EL2 with VHE (HCR_EL2.E2H=1,
 * Arm ARM D5.6) runs guests at EL1 and EL0 under stage-2 translation.
 *
 * The host owns EL2 for good; a guest borrows the EL1&0 translation regime
 * and the EL1 system registers, which a VHE host does not use (its own
 * accesses to *_EL1 names are redirected to *_EL2).  So a world switch is
 * an exception return to EL1 with HCR_EL2.TGE clear, and every exception
 * the guest takes to EL2 lands in hvx's vector table and ends the run.
 */
#ifndef HVX_ARM64_H
#define HVX_ARM64_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/preempt.h>
#include <linux/wait.h>
#include "hvx.h"
#include "vgic.h"

/* Guest EL1/EL0 system registers hvx keeps, by index into a64_vcpu.sys. */
enum a64_sysreg {
	SYS_R_SCTLR, SYS_R_CPACR, SYS_R_TTBR0, SYS_R_TTBR1, SYS_R_TCR,
	SYS_R_ESR, SYS_R_AFSR0, SYS_R_AFSR1, SYS_R_FAR, SYS_R_MAIR,
	SYS_R_AMAIR, SYS_R_VBAR, SYS_R_CONTEXTIDR, SYS_R_CNTKCTL,
	SYS_R_TPIDR_EL1, SYS_R_TPIDR_EL0, SYS_R_TPIDRRO_EL0, SYS_R_PAR,
	SYS_R_CSSELR, SYS_R_MDSCR, SYS_R_CNTV_CTL, SYS_R_CNTV_CVAL,
	SYS_R_NR
};

/*
 * What the entry code moves: the general registers, then SP_EL0.  The
 * offsets are used by entry.S.
 */
struct a64_gprs {
	u64 x[31];
	u64 sp_el0;
};

/* An MMIO read waiting for user space's data (completed on next run). */
struct a64_mmio {
	bool pending;
	bool read;
	bool sign;	/* ESR.SSE: sign-extend */
	bool sf;	/* ESR.SF: the target is an X register */
	u8 reg;		/* ESR.SRT; 31 is XZR */
	u8 len;
};

/* A system register's ONE_REG id (api.rst, arm64 KVM_REG_ARM64_SYSREG). */
#define A64_SYSREG(op0, op1, crn, crm, op2) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
	 ((u64)(op0) << KVM_REG_ARM64_SYSREG_OP0_SHIFT) | \
	 ((u64)(op1) << KVM_REG_ARM64_SYSREG_OP1_SHIFT) | \
	 ((u64)(crn) << KVM_REG_ARM64_SYSREG_CRN_SHIFT) | \
	 ((u64)(crm) << KVM_REG_ARM64_SYSREG_CRM_SHIFT) | \
	 ((u64)(op2) << KVM_REG_ARM64_SYSREG_OP2_SHIFT))

struct a64_vcpu {
	/* What a64_reset() keeps: */
	struct hvx_vcpu *vcpu;
	bool initialised;	/* KVM_ARM_VCPU_INIT done */
	bool ran;		/* KVM_RUN entered the guest once */
	/* With a virtual GIC: */
	unsigned int idx;	/* the vCPU's index, fixed by the GIC's INIT */
	bool kicked;		/* its interrupts changed: look again */
	wait_queue_head_t wq;	/* WFI sleeps here */
	struct hrtimer timer;	/* the virtual timer's deadline, in the guest */
	/* Power (psci.c), under @power_lock: */
	spinlock_t power_lock;
	bool off;		/* KVM_MP_STATE_STOPPED: sleeps in KVM_RUN */
	bool on_pending;	/* a CPU_ON to take up: reset, then run */
	u64 on_entry, on_ctx;
	u32 features;		/* of the first KVM_ARM_VCPU_INIT */
	/*
	 * TLB entries of the VM's VMID (switch.c): this CPU's were flushed
	 * before an entry on @tlb_clean_cpu, in this KVM_RUN, with no context
	 * switch since (@tlb_clean_switches: the thread's nvcsw + nivcsw
	 * then) and the VM's tlb_gen then @tlb_gen; @tlb_dirty: the guest ran
	 * here since, its entries to drop when the thread leaves the CPU.
	 */
	bool tlb_clean;
	bool tlb_dirty;
	int tlb_clean_cpu;
	unsigned long tlb_clean_switches;
	s64 tlb_gen;
	/*
	 * FP/SIMD (switch.c): the guest's registers are in the CPU for this
	 * entry (@fp_live), and will be for the next @fp_eager entries.
	 */
	bool fp_live;
	unsigned int fp_eager;
	/* EL1 registers live in the CPU, v->sys[] stale (switch.c). */
	bool el1_loaded;
	struct preempt_notifier pn;	/* puts them when switched out */
	/*
	 * Stolen time (pvtime.c): the guest's structure, A64_PVTIME_NONE
	 * until user space gives it; the thread's run delay when it was last
	 * added there; @steal_update: add it again before the next entry.
	 */
	u64 steal_base;
	u64 steal_last;
	bool steal_update;

	/* The architectural state, from here to the end: */
	struct a64_gprs gprs;
	u64 pc;
	u64 pstate;
	u64 sp_el1;
	u64 elr_el1;
	u64 spsr_el1;
	u64 spsr_aarch32[KVM_NR_SPSR - 1];	/* kept for KVM_SET_ONE_REG only */
	u64 sys[SYS_R_NR];
	u64 cntp_ctl, cntp_cval;	/* the emulated physical timer */
	bool timer_masked;	/* entered with IMASK set by hvx */
	struct user_fpsimd_state fp;
	u64 mpidr;
	/* The last exit's syndrome (Arm ARM D17.2.37 ESR_EL2 etc.). */
	u64 esr;
	u64 far;
	u64 hpfar;
	struct a64_mmio mmio;
	u64 vector;		/* where the last injected exception went */
	u64 prev_vector;
	bool serror_pending;	/* a virtual SError waits (HCR_EL2.VSE) */
	u64 disr;		/* an SError the exit deferred (DISR_EL1) */
	struct a64_vgic_cpu gic;	/* the CPU interface's list registers */
};

/*
 * The SMCCC services' bitmaps, in a64_vm.fw_bmap[] (smccc.c), and the
 * calls no bit turns off.
 */
enum { A64_FW_STD, A64_FW_STD_HYP, A64_FW_VENDOR_HYP, A64_FW_ALWAYS };

struct a64_vm {
	struct hvx_stage2 s2;
	u64 vttbr;		/* root | VMID << 48 */
	u64 vtcr;
	u16 vmid;
	struct a64_vgic *vgic;	/* KVM_CREATE_DEVICE, or NULL */
	u8 timer_ppi[2];	/* KVM_ARM_VCPU_TIMER_CTRL; 0: KVM's default */
	bool system_suspend;	/* KVM_CAP_ARM_SYSTEM_SUSPEND enabled */
	bool nisv_to_user;	/* KVM_CAP_ARM_NISV_TO_USER enabled */
	/*
	 * CNTVOFF_EL2, the virtual count = physical - this, one for the whole
	 * VM as in KVM 6.1: a write of KVM_REG_ARM_TIMER_CNT on any vCPU sets
	 * it for all, and neither KVM_ARM_VCPU_INIT nor PSCI CPU_ON resets
	 * it, so every vCPU counts the same.
	 */
	u64 cntvoff;
	/*
	 * The SMCCC services offered, KVM_REG_ARM_STD_BMAP, _STD_HYP_BMAP and
	 * _VENDOR_HYP_BMAP (smccc.c), fixed once a vCPU has run (@ran).
	 */
	u64 fw_bmap[A64_FW_ALWAYS];
	bool ran;
};

static inline struct a64_vcpu *to_a64(struct hvx_vcpu *vcpu)
{
	return vcpu->arch;
}

static inline struct a64_vm *a64_vm(struct a64_vcpu *v)
{
	return v->vcpu->vm->arch;
}

static inline u64 a64_cntvoff(const struct a64_vcpu *v)
{
	const struct a64_vm *avm = v->vcpu->vm->arch;

	return READ_ONCE(avm->cntvoff);
}

/* Exit codes of __hvx_el2_run(): which vector ended the run. */
#define A64_EXIT_SYNC	0
#define A64_EXIT_IRQ	1
#define A64_EXIT_FIQ	2
#define A64_EXIT_SERROR	3

/* entry.S */
u64 __hvx_el2_run(struct a64_gprs *guest);
u64 __hvx_el2_run_x18(struct a64_gprs *guest, u64 x18[2]);
void __hvx_fpsimd_save(struct user_fpsimd_state *fp);
void __hvx_fpsimd_load(const struct user_fpsimd_state *fp);

/* switch.c; A64_FP_EAGER: entries with FP after an FP trap */
#define A64_FP_EAGER	64
extern bool a64_has_ras;
int a64_switch_init(void);
int a64_enter(struct a64_vcpu *v);
void a64_el1_put(struct a64_vcpu *v);
void a64_tlb_put(struct a64_vcpu *v);
void a64_tlb_stale(struct a64_vcpu *v);
u64 a64_guest_hcr(const struct a64_vcpu *v);

/* inspect.c: the debugfs file of module/debugfs.c */
void a64_vcpu_inspect(struct hvx_vcpu *vcpu, struct seq_file *m);
void a64_vcpu_debugfs(struct hvx_vcpu *vcpu, struct dentry *dir);

/* exit.c */
int a64_handle_exit(struct a64_vcpu *v, u64 code);
void a64_complete_mmio(struct a64_vcpu *v);
void a64_inject_undef(struct a64_vcpu *v);
void a64_inject_serror(struct a64_vcpu *v);
void a64_exit_to_user(struct a64_vcpu *v, u32 reason);

/* psci.c */
int a64_psci_call(struct a64_vcpu *v, u32 fn);
bool a64_psci_take_on(struct a64_vcpu *v);
int a64_psci_power_wait(struct a64_vcpu *v);
long a64_mp_state(struct a64_vcpu *v, void __user *argp, bool set);
long a64_vm_enable_cap(struct hvx_vm *vm, void __user *argp);

/*
 * smccc.c: the SMCCC calls and the services' bitmaps.  A service's call
 * writes its results, X0-X3, into @res, which comes with X0 =
 * NOT_SUPPORTED and X1-X3 = 0.
 */
#define A64_SMCCC_RES	4
int a64_smccc(struct a64_vcpu *v, bool smc);
void a64_smccc_results(struct a64_vcpu *v, const u64 *res);
void a64_fw_bmap_init(struct a64_vm *avm);
bool a64_fw_enabled(struct a64_vcpu *v, unsigned int bmap, unsigned int bit);
int a64_fw_bmap_get(struct a64_vcpu *v, u64 id, u64 *val);
int a64_fw_bmap_set(struct a64_vcpu *v, u64 id, u64 val);

/* trng.c: the TRNG interface (Arm DEN 0098) */
void a64_trng_version(struct a64_vcpu *v, u64 *res);
void a64_trng_features(struct a64_vcpu *v, u64 *res);
void a64_trng_get_uuid(struct a64_vcpu *v, u64 *res);
void a64_trng_rnd32(struct a64_vcpu *v, u64 *res);
void a64_trng_rnd64(struct a64_vcpu *v, u64 *res);

/* pvtime.c: stolen time (Arm DEN 0057) */
#define A64_PVTIME_NONE	(~0ULL)
void a64_pvtime_features(struct a64_vcpu *v, u64 *res);
void a64_pvtime_st(struct a64_vcpu *v, u64 *res);
void a64_pvtime_update(struct a64_vcpu *v);
long a64_pvtime_attr(struct a64_vcpu *v, const struct kvm_device_attr *attr,
		     unsigned int ioctl);

/* vendor_hyp.c: KVM's vendor hypervisor services (UID, features, PTP) */
void a64_vendor_uid(struct a64_vcpu *v, u64 *res);
void a64_vendor_features(struct a64_vcpu *v, u64 *res);
void a64_vendor_ptp(struct a64_vcpu *v, u64 *res);

/* regs.c */
void a64_reset(struct a64_vcpu *v);
long a64_vcpu_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
		    void __user *argp);
long a64_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl, void __user *argp);
u64 a64_reg(struct a64_vcpu *v, unsigned int n);
/* An ID register (op0 3, op1 0, CRn 0) as the guest sees it (regs.c). */
u64 a64_guest_id_reg(u32 crm, u32 op2);
void a64_set_reg(struct a64_vcpu *v, unsigned int n, u64 val);

/* regs_fixed.c */
int a64_fixed_reg(u64 id, u64 *val);
unsigned int a64_fixed_ids(u64 *ids);

/* timer.c: the physical timer; vcpu_attr.c: the vCPU's attributes */
#define A64_TIMER_VIRT	0
#define A64_TIMER_PHYS	1
bool a64_ptimer_sysreg(struct a64_vcpu *v, u32 enc, bool read, u64 *val);
u64 a64_ptimer_sync(struct a64_vcpu *v, u64 vtimer_ns);
u64 a64_timers_next(struct a64_vcpu *v);
u32 a64_timer_ppi(const struct a64_vm *avm, unsigned int which);
long a64_vcpu_attr(struct a64_vcpu *v, unsigned int ioctl, void __user *argp);

/* el2.c */
extern unsigned int a64_ipa_max;
void a64_sync_caches(struct page *page);

#endif /* HVX_ARM64_H */

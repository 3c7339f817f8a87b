// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64 vCPU registers: KVM_ARM_VCPU_INIT, KVM_GET/SET_ONE_REG and
 * KVM_GET_REG_LIST, with KVM's register ids (Documentation/virt/kvm/
 * api.rst, "KVM_SET_ONE_REG", arm64 section).
 *
 * Core registers are named by their offset, in 32-bit words, inside
 * struct kvm_regs; system registers by their op0/op1/CRn/CRm/op2
 * encoding (Arm ARM C5.3).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#include <asm/kvm.h>

#include "arm64.h"

/* SCTLR_EL1 out of reset as KVM sets it: MMU and caches off, RES1 bits. */
#define A64_SCTLR_RESET		0x00c50078ULL
/* Feature bits KVM 6.1 defines (KVM_ARM_VCPU_POWER_OFF ... PTRAUTH_GENERIC). */
#define A64_KVM_FEATURES	7
#define A64_PSTATE_RESET	(PSR_MODE_EL1h | PSR_A_BIT | PSR_I_BIT | \
				 PSR_F_BIT | PSR_D_BIT)

u64 a64_reg(struct a64_vcpu *v, unsigned int n)
{
	return n < 31 ? v->gprs.x[n] : 0;	/* 31 is XZR here */
}

void a64_set_reg(struct a64_vcpu *v, unsigned int n, u64 val)
{
	if (n < 31)
		v->gprs.x[n] = val;
}

/* MPIDR_EL1 of vCPU @id: affinity from the id, bit 31 RES1 (D17.2.101). */
static u64 a64_mpidr(u32 id)
{
	return BIT_ULL(31) | (id & 0xf) | (((u64)(id >> 4) & 0xff) << 8) |
	       (((u64)(id >> 12) & 0xff) << 16);
}

void a64_reset(struct a64_vcpu *v)
{
	struct hvx_vcpu *vcpu = v->vcpu;

	/* What the CPU held for it, if anything, is dropped (switch.c). */
	v->el1_loaded = false;
	memset((char *)v + offsetof(struct a64_vcpu, gprs), 0,
	       sizeof(*v) - offsetof(struct a64_vcpu, gprs));
	v->pstate = A64_PSTATE_RESET;
	v->sys[SYS_R_SCTLR] = A64_SCTLR_RESET;
	v->mpidr = a64_mpidr(vcpu->id);
}

/* The system registers KVM_GET_REG_LIST names, with their slots. */
static const struct {
	u64 id;
	enum a64_sysreg slot;
} a64_sysregs[] = {
	{ A64_SYSREG(2, 0, 0, 2, 2), SYS_R_MDSCR },
	{ A64_SYSREG(3, 0, 1, 0, 0), SYS_R_SCTLR },
	{ A64_SYSREG(3, 0, 1, 0, 2), SYS_R_CPACR },
	{ A64_SYSREG(3, 0, 2, 0, 0), SYS_R_TTBR0 },
	{ A64_SYSREG(3, 0, 2, 0, 1), SYS_R_TTBR1 },
	{ A64_SYSREG(3, 0, 2, 0, 2), SYS_R_TCR },
	{ A64_SYSREG(3, 0, 5, 1, 0), SYS_R_AFSR0 },
	{ A64_SYSREG(3, 0, 5, 1, 1), SYS_R_AFSR1 },
	{ A64_SYSREG(3, 0, 5, 2, 0), SYS_R_ESR },
	{ A64_SYSREG(3, 0, 6, 0, 0), SYS_R_FAR },
	{ A64_SYSREG(3, 0, 7, 4, 0), SYS_R_PAR },
	{ A64_SYSREG(3, 0, 10, 2, 0), SYS_R_MAIR },
	{ A64_SYSREG(3, 0, 10, 3, 0), SYS_R_AMAIR },
	{ A64_SYSREG(3, 0, 12, 0, 0), SYS_R_VBAR },
	{ A64_SYSREG(3, 0, 13, 0, 1), SYS_R_CONTEXTIDR },
	{ A64_SYSREG(3, 0, 13, 0, 4), SYS_R_TPIDR_EL1 },
	{ A64_SYSREG(3, 0, 14, 1, 0), SYS_R_CNTKCTL },
	{ A64_SYSREG(3, 2, 0, 0, 0), SYS_R_CSSELR },
	{ A64_SYSREG(3, 3, 13, 0, 2), SYS_R_TPIDR_EL0 },
	{ A64_SYSREG(3, 3, 13, 0, 3), SYS_R_TPIDRRO_EL0 },
	{ KVM_REG_ARM_TIMER_CTL, SYS_R_CNTV_CTL },
	{ KVM_REG_ARM_TIMER_CVAL, SYS_R_CNTV_CVAL },
};

#define A64_REG_MPIDR	A64_SYSREG(3, 0, 0, 0, 5)
#define A64_PSCI_VERSION_1_0	0x10000ULL

/* Registers with behaviour rather than a slot. */
static const u64 a64_special_regs[] = {
	A64_REG_MPIDR, KVM_REG_ARM_TIMER_CNT, KVM_REG_ARM_PSCI_VERSION,
	KVM_REG_ARM_STD_BMAP, KVM_REG_ARM_STD_HYP_BMAP,
	KVM_REG_ARM_VENDOR_HYP_BMAP,	/* smccc.c */
};

/*
 * The ID registers: the guest reads them through HCR_EL2.TID3 traps (Arm
 * ARM D13.2.x: the ID group 3 registers, op0 3, op1 0, CRn 0, CRm 1-7)
 * and user space through ONE_REG; both see the same value.  It is the
 * kernel's sanitised value, the same on every CPU of a homogeneous
 * system, without the features whose registers trap or
 * that hvx does not switch, as KVM hides them from a vCPU without them
 * (arch/arm64/kvm/sys_regs.c, read_id_reg): SVE, SME, AMU, MPAM, MTE,
 * pointer authentication, WFxT, the PMU, SPE, trace, BRBE; debug
 * architecture limited to Armv8.0.  ONE_REG and KVM_GET_REG_LIST cover
 * the whole ID space, op0 3, op1 0, CRn 0, CRm 1-7, op2 0-7 (56
 * registers, the unallocated ones read as zero), as KVM 6.1 does: QEMU
 * reads the AArch32 ones too before it creates a `-cpu host` vCPU.
 * KVM 6.1 takes a ONE_REG write of the value it reports and refuses
 * others (EINVAL); so does hvx.
 */
#define A64_ID_CRM_FIRST	1
#define A64_ID_CRM_LAST		7
#define A64_ID_REGS		((A64_ID_CRM_LAST - A64_ID_CRM_FIRST + 1) * 8)

/* The ID registers the kernel keeps a sanitised value of (cpufeature.c). */
static bool a64_id_reg_known(u32 sys_reg)
{
	switch (sys_reg) {
	case SYS_ID_PFR0_EL1: case SYS_ID_PFR1_EL1: case SYS_ID_DFR0_EL1:
	case SYS_ID_MMFR0_EL1: case SYS_ID_MMFR1_EL1: case SYS_ID_MMFR2_EL1:
	case SYS_ID_MMFR3_EL1: case SYS_ID_ISAR0_EL1: case SYS_ID_ISAR1_EL1:
	case SYS_ID_ISAR2_EL1: case SYS_ID_ISAR3_EL1: case SYS_ID_ISAR4_EL1:
	case SYS_ID_ISAR5_EL1: case SYS_ID_MMFR4_EL1: case SYS_ID_ISAR6_EL1:
	case SYS_MVFR0_EL1: case SYS_MVFR1_EL1: case SYS_MVFR2_EL1:
	case SYS_ID_PFR2_EL1: case SYS_ID_DFR1_EL1: case SYS_ID_MMFR5_EL1:
	case SYS_ID_AA64PFR0_EL1: case SYS_ID_AA64PFR1_EL1:
	case SYS_ID_AA64ZFR0_EL1: case SYS_ID_AA64SMFR0_EL1:
	case SYS_ID_AA64DFR0_EL1: case SYS_ID_AA64DFR1_EL1:
	case SYS_ID_AA64ISAR0_EL1: case SYS_ID_AA64ISAR1_EL1:
	case SYS_ID_AA64ISAR2_EL1: case SYS_ID_AA64MMFR0_EL1:
	case SYS_ID_AA64MMFR1_EL1: case SYS_ID_AA64MMFR2_EL1:
		return true;
	}
	return false;
}

/*
 * ID register op0 3, op1 0, CRn 0, @crm, @op2 as a guest sees it; the
 * reserved encodings of the ID space and those the kernel keeps no
 * value of (the AFRs) read as zero (Arm ARM D18.2, "reserved ... RAZ").
 */
u64 a64_guest_id_reg(u32 crm, u32 op2)
{
	u32 reg = sys_reg(3, 0, 0, crm, op2);
	u64 val;

	if (!a64_id_reg_known(reg))
		return 0;
	val = read_sanitised_ftr_reg(reg);
	switch (reg) {
	case SYS_ID_AA64PFR0_EL1:
		return val & ~(ARM64_FEATURE_MASK(ID_AA64PFR0_EL1_SVE) |
			       ARM64_FEATURE_MASK(ID_AA64PFR0_EL1_AMU) |
			       ARM64_FEATURE_MASK(ID_AA64PFR0_EL1_MPAM));
	case SYS_ID_AA64PFR1_EL1:
		return val & ~(ARM64_FEATURE_MASK(ID_AA64PFR1_EL1_MTE) |
			       ARM64_FEATURE_MASK(ID_AA64PFR1_EL1_SME) |
			       ARM64_FEATURE_MASK(ID_AA64PFR1_EL1_MPAM_frac));
	case SYS_ID_AA64ZFR0_EL1:
	case SYS_ID_AA64SMFR0_EL1:
	case SYS_ID_DFR1_EL1:	/* hidden by KVM 6.1 too (ID_HIDDEN) */
		return 0;
	case SYS_ID_AA64ISAR1_EL1:
		return val & ~(ARM64_FEATURE_MASK(ID_AA64ISAR1_EL1_APA) |
			       ARM64_FEATURE_MASK(ID_AA64ISAR1_EL1_API) |
			       ARM64_FEATURE_MASK(ID_AA64ISAR1_EL1_GPA) |
			       ARM64_FEATURE_MASK(ID_AA64ISAR1_EL1_GPI));
	case SYS_ID_AA64ISAR2_EL1:
		return val & ~(ARM64_FEATURE_MASK(ID_AA64ISAR2_EL1_APA3) |
			       ARM64_FEATURE_MASK(ID_AA64ISAR2_EL1_GPA3) |
			       ARM64_FEATURE_MASK(ID_AA64ISAR2_EL1_WFxT));
	case SYS_ID_AA64DFR0_EL1:
		val &= ~(ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_DebugVer) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_TraceVer) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_PMUVer) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_PMSVer) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_TraceFilt) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_TraceBuffer) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_MTPMU) |
			 ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_BRBE));
		return val | FIELD_PREP(ARM64_FEATURE_MASK(ID_AA64DFR0_EL1_DebugVer), 6);
	case SYS_ID_DFR0_EL1:
		return val & ~ARM64_FEATURE_MASK(ID_DFR0_PERFMON);
	}
	return val;
}

/* The ONE_REG id of ID register CRm @crm, op2 @op2. */
static u64 a64_id_reg_id(u32 crm, u32 op2)
{
	return A64_SYSREG(3, 0, 0, crm, op2);
}

static int a64_id_reg(u64 id, u64 *val)
{
	u32 crm = (id & KVM_REG_ARM64_SYSREG_CRM_MASK) >>
		  KVM_REG_ARM64_SYSREG_CRM_SHIFT;
	u32 op2 = (id & KVM_REG_ARM64_SYSREG_OP2_MASK) >>
		  KVM_REG_ARM64_SYSREG_OP2_SHIFT;

	if (crm < A64_ID_CRM_FIRST || crm > A64_ID_CRM_LAST ||
	    id != a64_id_reg_id(crm, op2))
		return -ENOENT;
	*val = a64_guest_id_reg(crm, op2);
	return 0;
}

static int a64_sysreg_slot(u64 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a64_sysregs); i++)
		if (a64_sysregs[i].id == id)
			return a64_sysregs[i].slot;
	return -1;
}

#define A64_CORE_OFF(f)	(offsetof(struct kvm_regs, f) / sizeof(u32))

/*
 * The size in bytes of the core register at @off (32-bit words into
 * struct kvm_regs), or 0 if no register starts there.
 */
static unsigned int a64_core_size(u64 off)
{
	/* 64-bit registers up to the SPSRs; padding before fp_regs. */
	if (off < A64_CORE_OFF(fp_regs.vregs[0]))
		return off % 2 ||
		       off > A64_CORE_OFF(spsr[KVM_NR_SPSR - 1]) ? 0 : 8;
	if (off < A64_CORE_OFF(fp_regs.fpsr))
		return (off - A64_CORE_OFF(fp_regs.vregs[0])) % 4 ? 0 : 16;
	if (off == A64_CORE_OFF(fp_regs.fpsr) ||
	    off == A64_CORE_OFF(fp_regs.fpcr))
		return 4;
	return 0;
}

static void a64_get_core(const struct a64_vcpu *v, struct kvm_regs *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->regs.regs, v->gprs.x, sizeof(k->regs.regs));
	k->regs.sp = v->gprs.sp_el0;
	k->regs.pc = v->pc;
	k->regs.pstate = v->pstate;
	k->sp_el1 = v->sp_el1;
	k->elr_el1 = v->elr_el1;
	k->spsr[KVM_SPSR_EL1] = v->spsr_el1;
	memcpy(&k->spsr[1], v->spsr_aarch32, sizeof(v->spsr_aarch32));
	k->fp_regs = v->fp;
}

/* AArch64 EL0t, EL1t or EL1h only: guests never run at EL2 or AArch32. */
static bool a64_pstate_valid(u64 pstate)
{
	u64 mode = pstate & (PSR_MODE_MASK | PSR_MODE32_BIT);

	return mode == PSR_MODE_EL0t || mode == PSR_MODE_EL1t ||
	       mode == PSR_MODE_EL1h;
}

static int a64_set_core(struct a64_vcpu *v, const struct kvm_regs *k)
{
	if (!a64_pstate_valid(k->regs.pstate))
		return -EINVAL;
	memcpy(v->gprs.x, k->regs.regs, sizeof(v->gprs.x));
	v->gprs.sp_el0 = k->regs.sp;
	v->pc = k->regs.pc;
	v->pstate = k->regs.pstate;
	v->sp_el1 = k->sp_el1;
	v->elr_el1 = k->elr_el1;
	v->spsr_el1 = k->spsr[KVM_SPSR_EL1];
	memcpy(v->spsr_aarch32, &k->spsr[1], sizeof(v->spsr_aarch32));
	v->fp = k->fp_regs;
	return 0;
}

static int a64_core_reg(struct a64_vcpu *v, u64 id, void __user *addr,
			bool set)
{
	u64 off = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			 KVM_REG_ARM_CORE);
	unsigned int size = a64_core_size(off);
	struct kvm_regs k;

	if (!size || KVM_REG_SIZE(id) != size ||
	    off * 4 + size > sizeof(k))
		return -EINVAL;
	a64_get_core(v, &k);
	if (!set)
		return copy_to_user(addr, (u32 *)&k + off, size) ? -EFAULT : 0;
	if (copy_from_user((u32 *)&k + off, addr, size))
		return -EFAULT;
	return a64_set_core(v, &k);
}

static u64 a64_virtual_count(const struct a64_vcpu *v)
{
	return read_sysreg(cntpct_el0) - a64_cntvoff(v);
}

static int a64_special_get(struct a64_vcpu *v, u64 id, u64 *val)
{
	if (!a64_id_reg(id, val) || !a64_fixed_reg(id, val) ||
	    !a64_fw_bmap_get(v, id, val))
		return 0;
	if (id == A64_REG_MPIDR)
		*val = v->mpidr;
	else if (id == KVM_REG_ARM_TIMER_CNT)
		*val = a64_virtual_count(v);
	else if (id == KVM_REG_ARM_PSCI_VERSION)
		*val = A64_PSCI_VERSION_1_0;
	else
		return -ENOENT;
	return 0;
}

static int a64_special_set(struct a64_vcpu *v, u64 id, u64 val)
{
	u64 id_val;

	int r;

	if (!a64_id_reg(id, &id_val) || !a64_fixed_reg(id, &id_val))
		return val == id_val ? 0 : -EINVAL;
	r = a64_fw_bmap_set(v, id, val);
	if (r != -ENOENT)
		return r;
	if (id == A64_REG_MPIDR) {
		v->mpidr = val | BIT_ULL(31);
	} else if (id == KVM_REG_ARM_TIMER_CNT) {
		WRITE_ONCE(a64_vm(v)->cntvoff, read_sysreg(cntpct_el0) - val);
	} else if (id == KVM_REG_ARM_PSCI_VERSION) {
		if (val != A64_PSCI_VERSION_1_0)
			return -EINVAL;	/* hvx speaks PSCI 1.0 only */
	} else {
		return -ENOENT;
	}
	return 0;
}

static int a64_u64_reg(struct a64_vcpu *v, u64 id, u64 __user *addr,
		       bool set)
{
	int slot = a64_sysreg_slot(id);
	u64 val;
	int r;

	if (set && get_user(val, addr))
		return -EFAULT;
	if (slot >= 0) {
		if (set)
			v->sys[slot] = val;
		else
			val = v->sys[slot];
		r = 0;
	} else {
		r = set ? a64_special_set(v, id, val) :
			  a64_special_get(v, id, &val);
	}
	if (r)
		return r;
	return set ? 0 : put_user(val, addr);
}

static long a64_one_reg(struct a64_vcpu *v, void __user *argp, bool set)
{
	struct kvm_one_reg reg;
	void __user *addr;

	if (copy_from_user(&reg, argp, sizeof(reg)))
		return -EFAULT;
	a64_psci_take_on(v);
	addr = u64_to_user_ptr(reg.addr);
	if ((reg.id & KVM_REG_ARCH_MASK) != KVM_REG_ARM64)
		return -EINVAL;
	if ((reg.id & KVM_REG_ARM_COPROC_MASK) == KVM_REG_ARM_CORE)
		return a64_core_reg(v, reg.id, addr, set);
	if (KVM_REG_SIZE(reg.id) != sizeof(u64))
		return -ENOENT;
	return a64_u64_reg(v, reg.id, addr, set);
}

/* Every core register id, in struct kvm_regs order. */
static unsigned int a64_core_ids(u64 *ids)
{
	static const u64 size_bits[] = {
		[4] = KVM_REG_SIZE_U32, [8] = KVM_REG_SIZE_U64,
		[16] = KVM_REG_SIZE_U128,
	};
	unsigned int n = 0;
	u64 off;

	for (off = 0; off < sizeof(struct kvm_regs) / 4; off++) {
		unsigned int size = a64_core_size(off);

		if (!size)
			continue;
		if (ids)
			ids[n] = KVM_REG_ARM64 | KVM_REG_ARM_CORE |
				 size_bits[size] | off;
		n++;
	}
	return n;
}

static long a64_reg_list(void __user *argp)
{
	struct kvm_reg_list __user *user = argp;
	unsigned int n = a64_core_ids(NULL), i, total;
	struct kvm_reg_list list;
	u64 *ids;
	long r = 0;

	total = n + ARRAY_SIZE(a64_sysregs) + ARRAY_SIZE(a64_special_regs) +
		A64_ID_REGS + a64_fixed_ids(NULL);
	if (copy_from_user(&list, user, sizeof(list)))
		return -EFAULT;
	if (put_user(total, &user->n))
		return -EFAULT;
	if (list.n < total)
		return -E2BIG;
	ids = hvx_fault_alloc() ? NULL : kmalloc_array(total, sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	a64_core_ids(ids);
	for (i = 0; i < ARRAY_SIZE(a64_sysregs); i++)
		ids[n++] = a64_sysregs[i].id;
	for (i = 0; i < ARRAY_SIZE(a64_special_regs); i++)
		ids[n++] = a64_special_regs[i];
	for (i = 0; i < A64_ID_REGS; i++)
		ids[n++] = a64_id_reg_id(A64_ID_CRM_FIRST + i / 8, i % 8);
	a64_fixed_ids(ids + n);
	if (copy_to_user(user->reg, ids, total * sizeof(*ids)))
		r = -EFAULT;
	kfree(ids);
	return r;
}

/*
 * KVM_ARM_VCPU_INIT: the target must be the one KVM_ARM_PREFERRED_TARGET
 * names; of the optional features PSCI 0.2 (what hvx speaks anyway) and
 * POWER_OFF (the vCPU starts off, KVM_MP_STATE_STOPPED) are accepted.
 * As in KVM, a feature bit KVM does not define is ENOENT, a defined one
 * hvx does not offer EINVAL.  Each call resets the vCPU.
 */
static long a64_vcpu_init_ioctl(struct a64_vcpu *v, void __user *argp)
{
	struct kvm_vcpu_init init;
	unsigned int i;

	if (copy_from_user(&init, argp, sizeof(init)))
		return -EFAULT;
	if (init.target != KVM_ARM_TARGET_GENERIC_V8)
		return -EINVAL;
	for (i = 1; i < ARRAY_SIZE(init.features); i++)
		if (init.features[i])
			return -ENOENT;
	if (init.features[0] & ~GENMASK(A64_KVM_FEATURES - 1, 0))
		return -ENOENT;
	if (init.features[0] & ~(BIT(KVM_ARM_VCPU_PSCI_0_2) |
				 BIT(KVM_ARM_VCPU_POWER_OFF)))
		return -EINVAL;
	/* Later calls must name the first one's features (api.rst). */
	if (v->initialised && init.features[0] != v->features)
		return -EINVAL;
	v->features = init.features[0];
	a64_reset(v);
	spin_lock(&v->power_lock);
	v->on_pending = false;
	WRITE_ONCE(v->off, init.features[0] & BIT(KVM_ARM_VCPU_POWER_OFF));
	spin_unlock(&v->power_lock);
	v->initialised = true;
	return 0;
}

long a64_vcpu_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
		    void __user *argp)
{
	struct a64_vcpu *v = to_a64(vcpu);

	if (ioctl == KVM_ARM_VCPU_INIT)
		return a64_vcpu_init_ioctl(v, argp);
	switch (ioctl) {
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		return a64_mp_state(v, argp, ioctl == KVM_SET_MP_STATE);
	case KVM_HAS_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_SET_DEVICE_ATTR:
		return a64_vcpu_attr(v, ioctl, argp);
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG:
	case KVM_GET_REG_LIST:
		if (!v->initialised)
			return -ENOEXEC;
		if (ioctl == KVM_GET_REG_LIST)
			return a64_reg_list(argp);
		return a64_one_reg(v, argp, ioctl == KVM_SET_ONE_REG);
	default:
		return -ENOTTY;
	}
}

long a64_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct kvm_vcpu_init init = { .target = KVM_ARM_TARGET_GENERIC_V8 };

	switch (ioctl) {
	case KVM_ARM_PREFERRED_TARGET:
		return copy_to_user(argp, &init, sizeof(init)) ? -EFAULT : 0;
	case KVM_CREATE_DEVICE:
		return a64_vgic_create(vm, argp);
	case KVM_IRQ_LINE:
		return a64_vgic_irq_line(vm, argp);
	case KVM_ENABLE_CAP:
		return a64_vm_enable_cap(vm, argp);
	default:
		return -ENOTTY;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the calls a guest makes with HVC or SMC under the SMC
 * Calling Convention (Arm DEN 0028: function id in W0, arguments in
 * X1-X6, results in X0-X3), and the firmware pseudo-registers by which
 * user space chooses the services a VM offers (api.rst, "ARM firmware
 * pseudo-registers": KVM_REG_ARM_STD_BMAP, _STD_HYP_BMAP,
 * _VENDOR_HYP_BMAP).
 *
 * Answered in the kernel, as KVM 6.1 does: PSCI (psci.c), SMCCC_VERSION
 * (1.1) and SMCCC_ARCH_FEATURES, the TRNG (trng.c), stolen time
 * (pvtime.c) and KVM's vendor services, its UID, feature bitmap and PTP
 * (vendor_hyp.c).  A service whose bit user space cleared answers
 * NOT_SUPPORTED.  Any other call goes to user space as
 * KVM_EXIT_HYPERCALL, which answers through KVM_SET_ONE_REG (KVM itself
 * answers NOT_SUPPORTED there).
 */
#include <linux/arm-smccc.h>
#include <linux/sched/stat.h>
#include <asm/kvm.h>

#include "arm64.h"

/* KVM_EXIT_HYPERCALL flag for a call made with SMC (KVM's ABI, 6.4+). */
#define A64_HYPERCALL_SMC	BIT(0)

/* SMCCC_VERSION (DEN 0028 7.2): 1.1, which has SMCCC_ARCH_FEATURES. */
static void a64_smccc_version(struct a64_vcpu *v, u64 *res)
{
	res[0] = ARM_SMCCC_VERSION_1_1;
}

/*
 * SMCCC_ARCH_FEATURES (DEN 0028 7.3) of the call in W1: of the calls it
 * may be asked about, hvx has only PV_TIME_FEATURES (DEN 0057 4.1), as
 * long as its service is on.  The Spectre workaround calls are not
 * offered: KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1-3 read NOT_AVAIL.
 */
static void a64_smccc_arch_features(struct a64_vcpu *v, u64 *res)
{
	if ((u32)a64_reg(v, 1) == ARM_SMCCC_HV_PV_TIME_FEATURES &&
	    a64_fw_enabled(v, A64_FW_STD_HYP, KVM_REG_ARM_STD_HYP_BIT_PV_TIME))
		res[0] = SMCCC_RET_SUCCESS;
}

static const struct a64_fw_call {
	u32 fn;
	u8 bmap;	/* A64_FW_*: the bitmap that turns it off */
	u8 bit;		/* and its bit there */
	void (*call)(struct a64_vcpu *v, u64 *res);
} a64_fw_calls[] = {
	{ ARM_SMCCC_VERSION_FUNC_ID, A64_FW_ALWAYS, 0, a64_smccc_version },
	{ ARM_SMCCC_ARCH_FEATURES_FUNC_ID, A64_FW_ALWAYS, 0,
	  a64_smccc_arch_features },
	{ ARM_SMCCC_TRNG_VERSION, A64_FW_STD, KVM_REG_ARM_STD_BIT_TRNG_V1_0,
	  a64_trng_version },
	{ ARM_SMCCC_TRNG_FEATURES, A64_FW_STD, KVM_REG_ARM_STD_BIT_TRNG_V1_0,
	  a64_trng_features },
	{ ARM_SMCCC_TRNG_GET_UUID, A64_FW_STD, KVM_REG_ARM_STD_BIT_TRNG_V1_0,
	  a64_trng_get_uuid },
	{ ARM_SMCCC_TRNG_RND32, A64_FW_STD, KVM_REG_ARM_STD_BIT_TRNG_V1_0,
	  a64_trng_rnd32 },
	{ ARM_SMCCC_TRNG_RND64, A64_FW_STD, KVM_REG_ARM_STD_BIT_TRNG_V1_0,
	  a64_trng_rnd64 },
	{ ARM_SMCCC_HV_PV_TIME_FEATURES, A64_FW_STD_HYP,
	  KVM_REG_ARM_STD_HYP_BIT_PV_TIME, a64_pvtime_features },
	{ ARM_SMCCC_HV_PV_TIME_ST, A64_FW_STD_HYP,
	  KVM_REG_ARM_STD_HYP_BIT_PV_TIME, a64_pvtime_st },
	{ ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, A64_FW_VENDOR_HYP,
	  KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT, a64_vendor_uid },
	{ ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, A64_FW_VENDOR_HYP,
	  KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT, a64_vendor_features },
	{ ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, A64_FW_VENDOR_HYP,
	  KVM_REG_ARM_VENDOR_HYP_BIT_PTP, a64_vendor_ptp },
};

static const struct a64_fw_call *a64_fw_call_find(u32 fn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a64_fw_calls); i++)
		if (a64_fw_calls[i].fn == fn)
			return &a64_fw_calls[i];
	return NULL;
}

bool a64_fw_enabled(struct a64_vcpu *v, unsigned int bmap, unsigned int bit)
{
	return bmap == A64_FW_ALWAYS ||
	       (READ_ONCE(a64_vm(v)->fw_bmap[bmap]) & BIT_ULL(bit));
}

static int a64_hypercall_exit(struct a64_vcpu *v, u32 fn, bool smc)
{
	struct kvm_run *run = v->vcpu->run;
	int i;

	a64_exit_to_user(v, KVM_EXIT_HYPERCALL);
	memset(&run->hypercall, 0, sizeof(run->hypercall));
	run->hypercall.nr = fn;
	for (i = 0; i < 6; i++)
		run->hypercall.args[i] = a64_reg(v, i + 1);
	run->hypercall.longmode = smc ? A64_HYPERCALL_SMC : 0;
	return 0;
}

/* A call's results into X0-X3 (DEN 0028 2.6; the unused ones 0). */
void a64_smccc_results(struct a64_vcpu *v, const u64 *res)
{
	int i;

	for (i = 0; i < A64_SMCCC_RES; i++)
		a64_set_reg(v, i, res[i]);
}

/* An HVC or SMC: 1 to re-enter the guest, 0 to exit to user space. */
int a64_smccc(struct a64_vcpu *v, bool smc)
{
	u64 res[A64_SMCCC_RES] = { SMCCC_RET_NOT_SUPPORTED };
	u32 fn = a64_reg(v, 0);
	const struct a64_fw_call *c;
	int r;

	r = a64_psci_call(v, fn);
	if (r != -ENOENT)
		return r;
	c = a64_fw_call_find(fn);
	if (!c)
		return a64_hypercall_exit(v, fn, smc);
	if (a64_fw_enabled(v, c->bmap, c->bit))
		c->call(v, res);
	a64_smccc_results(v, res);
	return 1;
}

/* Every service hvx has, by bitmap: what a new VM offers. */
static u64 a64_fw_bmap_all(unsigned int bmap)
{
	switch (bmap) {
	case A64_FW_STD:
		return BIT_ULL(KVM_REG_ARM_STD_BIT_TRNG_V1_0);
	case A64_FW_STD_HYP:	/* the scheduler's run delay is the steal */
		return sched_info_on() ?
		       BIT_ULL(KVM_REG_ARM_STD_HYP_BIT_PV_TIME) : 0;
	default:
		return BIT_ULL(KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT) |
		       BIT_ULL(KVM_REG_ARM_VENDOR_HYP_BIT_PTP);
	}
}

void a64_fw_bmap_init(struct a64_vm *avm)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(avm->fw_bmap); i++)
		avm->fw_bmap[i] = a64_fw_bmap_all(i);
}

static int a64_fw_bmap_index(u64 id)
{
	switch (id) {
	case KVM_REG_ARM_STD_BMAP:
		return A64_FW_STD;
	case KVM_REG_ARM_STD_HYP_BMAP:
		return A64_FW_STD_HYP;
	case KVM_REG_ARM_VENDOR_HYP_BMAP:
		return A64_FW_VENDOR_HYP;
	}
	return -ENOENT;
}

/* ONE_REG of a bitmap: the VM's, whichever vCPU is asked. -ENOENT: none. */
int a64_fw_bmap_get(struct a64_vcpu *v, u64 id, u64 *val)
{
	int b = a64_fw_bmap_index(id);

	if (b < 0)
		return b;
	*val = READ_ONCE(a64_vm(v)->fw_bmap[b]);
	return 0;
}

/*
 * As KVM 6.1: a bit hvx does not have is EINVAL; once a vCPU of the VM
 * has run, only the value it holds may be written (else EBUSY), as the
 * guest may have seen the services.
 */
int a64_fw_bmap_set(struct a64_vcpu *v, u64 id, u64 val)
{
	struct hvx_vm *vm = v->vcpu->vm;
	struct a64_vm *avm = vm->arch;
	int b = a64_fw_bmap_index(id);
	int r = 0;

	if (b < 0)
		return b;
	if (val & ~a64_fw_bmap_all(b))
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (avm->ran && val != avm->fw_bmap[b])
		r = -EBUSY;
	else
		WRITE_ONCE(avm->fw_bmap[b], val);
	mutex_unlock(&vm->lock);
	return r;
}

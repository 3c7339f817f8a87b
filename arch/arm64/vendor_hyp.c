// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: KVM's vendor-specific hypervisor service (SMCCC owner 6,
 * Arm DEN 0028 6.2), which a guest Linux looks for by its UID
 * (drivers/firmware/smccc/kvm_guest.c): hvx speaks KVM's ABI, so it
 * answers with KVM's UID, the bitmap of the functions offered (bit
 * numbers as KVM_REG_ARM_VENDOR_HYP_BMAP's), and PTP, the host's clock
 * and counter sampled together for the guest's ptp_kvm driver.
 */
#include <linux/arm-smccc.h>
#include <linux/clocksource_ids.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "arm64.h"

/* ARM_SMCCC_VENDOR_HYP_CALL_UID (DEN 0028 7.8): the UID in W0-W3. */
void a64_vendor_uid(struct a64_vcpu *v, u64 *res)
{
	res[0] = ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0;
	res[1] = ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_1;
	res[2] = ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_2;
	res[3] = ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_3;
}

/* KVM_FEATURES: bit N set when function N is offered. */
void a64_vendor_features(struct a64_vcpu *v, u64 *res)
{
	res[0] = READ_ONCE(a64_vm(v)->fw_bmap[A64_FW_VENDOR_HYP]);
}

/*
 * PTP: the host's CLOCK_REALTIME and, read at the same instant, the
 * guest's virtual (W1 = KVM_PTP_VIRT_COUNTER) or physical counter, each
 * as two 32-bit halves: X0 and X1 the time's upper and lower, X2 and X3
 * the count's.  Only when the host's clocksource is that counter (its
 * time and count are then one reading); NOT_SUPPORTED otherwise.
 */
void a64_vendor_ptp(struct a64_vcpu *v, u64 *res)
{
	struct system_time_snapshot snap;
	u64 offset, count;

	switch ((u32)a64_reg(v, 1)) {
	case KVM_PTP_VIRT_COUNTER:
		offset = a64_cntvoff(v);
		break;
	case KVM_PTP_PHYS_COUNTER:
		offset = 0;
		break;
	default:
		return;
	}
	ktime_get_snapshot(&snap);
	if (snap.cs_id != CSID_ARM_ARCH_COUNTER)
		return;
	count = snap.cycles - offset;
	res[0] = upper_32_bits(snap.real);
	res[1] = lower_32_bits(snap.real);
	res[2] = upper_32_bits(count);
	res[3] = lower_32_bits(count);
}

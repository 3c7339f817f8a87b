/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlib, arm64 half: vCPU initialisation, registers through
 * KVM_GET/SET_ONE_REG, and the two guest modes.  Included by vmlib.h.
 *
 * A vCPU from vcpu_create() is initialised already (KVM_ARM_VCPU_INIT
 * with the KVM_ARM_PREFERRED_TARGET target), so it can run: it starts at
 * EL1h with every exception masked and the MMU off (PSTATE 0x3c5).
 *
 * Guest-physical layout used by vcpu_setup_mode(), RAM at 0:
 *   0x2000  free for an exception vector table (GUEST_VECTORS_GPA, 2 KiB;
 *           the selftests put theirs there, vmlib loads none)
 *   0x3000-0x7fff  free for the guest's data; SP_EL1 grows down from 0x8000
 *   0x8000  GUEST_CODE_GPA: code
 *   0x20000 GUEST_EL1_MMU's translation tables: level 1 at 0x20000,
 *           level 2 for the first GiB at 0x21000
 *
 * GUEST_EL1: EL1h, MMU off: every address is physical; data accesses are
 * Device-nGnRnE, so they must be aligned (Arm ARM, DDI 0487, "The
 * AArch64 Virtual Memory System Architecture": stage 1 disabled).
 * GUEST_EL1_MMU: EL1h, MMU and caches on, the first 4 GiB mapped to
 * themselves by 4 KiB-granule tables: Normal write-back memory, except
 * GUEST_DEVICE_GPA..+GUEST_DEVICE_SIZE, which is Device-nGnRE and
 * never executable.  Exclusives (LDXR/STXR) need this mode: they are not
 * guaranteed to work on Device memory.
 */
#ifndef VMLIB_ARM64_H
#define VMLIB_ARM64_H

#include <asm/kvm.h>

#define GUEST_VECTORS_GPA	0x2000
#define GUEST_CODE_GPA		0x8000
#define GUEST_STACK_TOP		0x8000
#define GUEST_PT_GPA		0x20000
#define GUEST_MIN_MEM		(2u << 20)
#define GUEST_DEVICE_GPA	0x08000000ull
#define GUEST_DEVICE_SIZE	0x08000000ull

enum guest_mode { GUEST_EL1, GUEST_EL1_MMU };
#define GUEST_NR_MODES	2

/*
 * KVM_GET/SET_ONE_REG ids (api.rst, "KVM_SET_ONE_REG", arm64): core
 * registers are struct kvm_regs offsets in 32-bit words; system
 * registers their op0, op1, CRn, CRm, op2 encoding.
 */
#define ARM64_CORE_REG(size, field)					\
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE |			\
	 KVM_REG_ARM_CORE_REG(field))
#define REG_X(n)	(ARM64_CORE_REG(KVM_REG_SIZE_U64, regs.regs[0]) + \
			 2 * (n))
#define REG_SP_EL0	ARM64_CORE_REG(KVM_REG_SIZE_U64, regs.sp)
#define REG_PC		ARM64_CORE_REG(KVM_REG_SIZE_U64, regs.pc)
#define REG_PSTATE	ARM64_CORE_REG(KVM_REG_SIZE_U64, regs.pstate)
#define REG_SP_EL1	ARM64_CORE_REG(KVM_REG_SIZE_U64, sp_el1)
#define REG_ELR_EL1	ARM64_CORE_REG(KVM_REG_SIZE_U64, elr_el1)
#define REG_SPSR_EL1	ARM64_CORE_REG(KVM_REG_SIZE_U64, spsr[KVM_SPSR_EL1])
#define REG_V(n)	(ARM64_CORE_REG(KVM_REG_SIZE_U128, fp_regs.vregs[0]) + \
			 4 * (n))
#define REG_FPSR	ARM64_CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpsr)
#define REG_FPCR	ARM64_CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpcr)

/* EL1 system registers (Arm ARM, "AArch64 System Register Descriptions") */
#define REG_SCTLR_EL1		ARM64_SYS_REG(3, 0, 1, 0, 0)
#define REG_CPACR_EL1		ARM64_SYS_REG(3, 0, 1, 0, 2)
#define REG_TTBR0_EL1		ARM64_SYS_REG(3, 0, 2, 0, 0)
#define REG_TTBR1_EL1		ARM64_SYS_REG(3, 0, 2, 0, 1)
#define REG_TCR_EL1		ARM64_SYS_REG(3, 0, 2, 0, 2)
#define REG_AFSR0_EL1		ARM64_SYS_REG(3, 0, 5, 1, 0)
#define REG_AFSR1_EL1		ARM64_SYS_REG(3, 0, 5, 1, 1)
#define REG_ESR_EL1		ARM64_SYS_REG(3, 0, 5, 2, 0)
#define REG_FAR_EL1		ARM64_SYS_REG(3, 0, 6, 0, 0)
#define REG_PAR_EL1		ARM64_SYS_REG(3, 0, 7, 4, 0)
#define REG_MAIR_EL1		ARM64_SYS_REG(3, 0, 10, 2, 0)
#define REG_AMAIR_EL1		ARM64_SYS_REG(3, 0, 10, 3, 0)
#define REG_VBAR_EL1		ARM64_SYS_REG(3, 0, 12, 0, 0)
#define REG_CONTEXTIDR_EL1	ARM64_SYS_REG(3, 0, 13, 0, 1)
#define REG_TPIDR_EL1		ARM64_SYS_REG(3, 0, 13, 0, 4)
#define REG_CNTKCTL_EL1		ARM64_SYS_REG(3, 0, 14, 1, 0)
#define REG_CSSELR_EL1		ARM64_SYS_REG(3, 2, 0, 0, 0)
#define REG_TPIDR_EL0		ARM64_SYS_REG(3, 3, 13, 0, 2)
#define REG_TPIDRRO_EL0		ARM64_SYS_REG(3, 3, 13, 0, 3)
#define REG_MDSCR_EL1		ARM64_SYS_REG(2, 0, 0, 2, 2)

/* PSTATE as SPSR_EL1 lays it out (Arm ARM, "SPSR_EL1", M[3:0], DAIF) */
#define PSTATE_MODE_EL0T	0x0
#define PSTATE_MODE_EL1T	0x4
#define PSTATE_MODE_EL1H	0x5
#define PSTATE_MODE_EL2H	0x9
#define PSTATE_DAIF		(0xfu << 6)
/* What KVM_ARM_VCPU_INIT leaves: EL1h, D, A, I and F masked. */
#define PSTATE_RESET		(PSTATE_MODE_EL1H | PSTATE_DAIF)

#define SCTLR_M		(1u << 0)	/* stage 1 MMU enable */
#define SCTLR_C		(1u << 2)	/* data cacheability */
#define SCTLR_I		(1u << 12)	/* instruction cacheability */

/* The IPA size in KVM_CREATE_VM's type, 32 up to KVM_CAP_ARM_VM_IPA_SIZE. */
#define VM_TYPE_IPA_BITS(bits)	KVM_VM_TYPE_ARM_IPA_SIZE(bits)

int vcpu_get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val);
int vcpu_set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val);
/*
 * KVM_ARM_VCPU_INIT with the preferred target and the features the
 * device offers that vmlib's guests rely on: PSCI 0.2 and later when
 * KVM_CAP_ARM_PSCI_0_2 says so (KVM's guests have only KVM's PSCI 0.1
 * function ids without it).  vcpu_create() does this; calling it again
 * resets the vCPU.
 */
int vcpu_arm64_init(struct vcpu *vcpu);
/* The largest IPA size the device allows, 40 if it does not say. */
int vm_ipa_limit(int sys_fd);

#endif /* VMLIB_ARM64_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64 exits: what a guest exception taken to EL2 means.
 *
 * ESR_EL2 gives the class and syndrome (Arm ARM D17.2.37), FAR_EL2 the
 * faulting virtual address and HPFAR_EL2 the intermediate physical page
 * of a stage-2 fault (D17.2.54).  Stage-2 faults inside a memory slot map
 * the page; outside every slot they are MMIO for user space.  PSCI calls
 * (Arm DEN 0022) arrive as HVC or SMC.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/hrtimer.h>
#include <linux/irqchip/arm-gic-v3.h>
#include <linux/math64.h>
#include <linux/sched/signal.h>
#include <uapi/linux/psci.h>
#include <asm/esr.h>
#include <asm/exception.h>
#include <asm/kvm_arm.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "hvx_trace.h"

void a64_exit_to_user(struct a64_vcpu *v, u32 reason)
{
	v->vcpu->run->exit_reason = reason;
}

static int a64_internal_error(struct a64_vcpu *v, u32 suberror, u64 data0,
			      u64 data1)
{
	struct kvm_run *run = v->vcpu->run;

	hvx_stat(v->vcpu, HVX_STAT_INTERNAL);
	a64_exit_to_user(v, KVM_EXIT_INTERNAL_ERROR);
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = data0;
	run->internal.data[1] = data1;
	return 0;
}

static void a64_skip_insn(struct a64_vcpu *v)
{
	v->pc += 4;		/* guests are AArch64: every instruction is 4 bytes */
}

/*
 * Take a synchronous exception to the guest's EL1 (Arm ARM D1.10.2): the
 * vector is VBAR_EL1 plus 0x200 from EL1 with SP_EL1, 0x0 from EL1 with
 * SP_EL0, 0x400 from EL0; PSTATE becomes EL1h with DAIF masked.
 */
static void a64_inject_sync(struct a64_vcpu *v, u64 esr, u64 far)
{
	u64 mode = v->pstate & PSR_MODE_MASK;
	u64 offset = mode == PSR_MODE_EL1h ? 0x200 :
		     mode == PSR_MODE_EL1t ? 0 : 0x400;

	hvx_stat(v->vcpu, HVX_STAT_EXCEPTION);
	trace_hvx_inject(v->vcpu->id, HVX_INJECT_EXCEPTION,
			 ESR_ELx_EC(esr), esr);
	a64_el1_put(v);		/* ELR, SPSR, ESR, FAR and VBAR in memory */
	v->elr_el1 = v->pc;
	v->spsr_el1 = v->pstate;
	v->sys[SYS_R_ESR] = esr;
	v->sys[SYS_R_FAR] = far;
	v->pc = v->sys[SYS_R_VBAR] + offset;
	v->pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT |
		    PSR_F_BIT;
	v->vector = v->pc;
}

void a64_inject_undef(struct a64_vcpu *v)
{
	a64_inject_sync(v, (ESR_ELx_EC_UNKNOWN << ESR_ELx_EC_SHIFT) |
			ESR_ELx_IL, 0);
}

/*
 * A virtual SError (HCR_EL2.VSE; Arm ARM, "Virtual interrupts"), which
 * the guest takes when its PSTATE.A allows; set at the next entry.
 */
void a64_inject_serror(struct a64_vcpu *v)
{
	hvx_stat(v->vcpu, HVX_STAT_EXCEPTION);
	trace_hvx_inject(v->vcpu->id, HVX_INJECT_SERROR, 0, 0);
	v->serror_pending = true;
}

/*
 * Fault status codes of a synchronous external abort (Arm ARM, ISS of a
 * Data or Instruction Abort, DFSC/IFSC): on the access, on a table walk
 * at levels 0-3, and the parity or ECC forms of both.
 */
static bool a64_fsc_is_sea(u32 fsc)
{
	switch (fsc) {
	case ESR_ELx_FSC_EXTABT:
	case FSC_SEA_TTW0 ... FSC_SEA_TTW3:
	case FSC_SECC:
	case FSC_SECC_TTW0 ... FSC_SECC_TTW3:
		return true;
	default:
		return false;
	}
}

/*
 * A synchronous external abort on a guest access, taken to EL2 with
 * HCR_EL2.TEA: an error in the memory system behind the guest's RAM.
 * KVM first offers it to the firmware-first error handling of APEI
 * (apei_claim_sea(), which modules cannot call) and, unclaimed, gives the
 * guest a virtual SError; hvx gives the virtual SError, and the log line.
 */
static int a64_guest_sea(struct a64_vcpu *v)
{
	pr_warn_ratelimited("vCPU %u: external abort on a guest access (ESR %#llx, FAR %#llx): virtual SError injected\n",
			    v->vcpu->id, v->esr, v->far);
	a64_inject_serror(v);
	return 1;
}

/*
 * An SError taken to EL2 while the guest ran (HCR_EL2.AMO) or deferred by
 * the exit's ESB.  Its syndrome (Arm ARM, "ISS encoding for an SError
 * interrupt"), with FEAT_RAS, IDS clear and DFSC 0x11, has AET, the
 * severity.  As KVM: a corrected or restartable error (CE, UEO) lets the
 * CPU go on; any other error, or one without a RAS syndrome, is the
 * guest's and becomes a virtual SError for it.  An uncontainable or
 * uncategorised one (UC) may have corrupted any state: KVM panics the
 * host there; hvx ends the run (KVM_EXIT_INTERNAL_ERROR) and logs it.
 */
static int a64_serror(struct a64_vcpu *v, u64 esr)
{
	u64 aet = esr & ESR_ELx_AET;

	if (a64_has_ras && !(esr & ESR_ELx_IDS)) {
		if ((esr & ESR_ELx_FSC) != ESR_ELx_FSC_SERROR)
			aet = ESR_ELx_AET_UC;
		if (aet == ESR_ELx_AET_CE || aet == ESR_ELx_AET_UEO)
			return 1;
		if (aet == ESR_ELx_AET_UC) {
			pr_err_ratelimited("vCPU %u: uncontainable SError while the guest ran (ESR %#llx): run ended\n",
					   v->vcpu->id, esr);
			return a64_internal_error(v,
						  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
						  A64_EXIT_SERROR, esr);
		}
	}
	pr_warn_ratelimited("vCPU %u: SError taken from the guest (ESR %#llx): virtual SError injected\n",
			    v->vcpu->id, esr);
	a64_inject_serror(v);
	return 1;
}

/*
 * An instruction fetch, or the guest's own stage 1 table walk, from no
 * memory: user space has no syndrome to emulate, so the guest gets a
 * synchronous external abort (an instruction or a data abort taken from
 * the current EL or from EL0; FAR the faulting VA), as KVM 6.1's
 * kvm_inject_pabt()/kvm_inject_dabt() give.  If the access that failed
 * was at the vector of the abort just injected, the guest cannot make
 * progress: a clean exit.
 */
static int a64_abort_nowhere(struct a64_vcpu *v, u64 ipa, bool insn)
{
	bool from_el0 = (v->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	u64 ec = from_el0 ? ESR_ELx_EC_IABT_LOW : ESR_ELx_EC_IABT_CUR;

	if (!insn)
		ec = from_el0 ? ESR_ELx_EC_DABT_LOW : ESR_ELx_EC_DABT_CUR;
	if (v->prev_vector && v->pc == v->prev_vector)
		return a64_internal_error(v, KVM_INTERNAL_ERROR_DELIVERY_EV,
					  ipa, v->pc);
	a64_inject_sync(v, (ec << ESR_ELx_EC_SHIFT) | ESR_ELx_IL |
			ESR_ELx_FSC_EXTABT, v->far);
	return 1;
}

static int a64_s2_map(struct hvx_vcpu *vcpu, u64 gpa, struct page *page,
		      bool writable)
{
	struct a64_vm *avm = vcpu->vm->arch;
	int r = hvx_stage2_map(&avm->s2, &vcpu->s2_cache, gpa, page, writable);

	/* The page may hold code the guest fetches with its MMU off. */
	if (!r)
		a64_sync_caches(page);
	return r == -EEXIST ? -EAGAIN : r;
}

/* The IPA of a stage-2 fault: HPFAR_EL2.FIPA holds IPA[47:12] at 39:4. */
static u64 a64_fault_ipa(const struct a64_vcpu *v)
{
	return ((v->hpfar & GENMASK_ULL(39, 4)) << 8) | (v->far & 0xfff);
}

static void a64_mmio_done(struct a64_vcpu *v, u64 data);

/*
 * A data abort outside memory without a syndrome (ESR.ISV clear: a load
 * or store pair, a write-back addressing mode; Arm ARM D17.2.37 "ISS
 * encoding for an exception from a Data Abort"): nothing to emulate.  As
 * KVM 6.1 (api.rst 7.18): with KVM_CAP_ARM_NISV_TO_USER enabled, a
 * KVM_EXIT_ARM_NISV with the fault's CM, WnR and FSC bits and its IPA;
 * else KVM_RUN fails with ENOSYS.
 */
static int a64_mmio_no_syndrome(struct a64_vcpu *v, u64 ipa)
{
	struct kvm_run *run = v->vcpu->run;

	if (!READ_ONCE(a64_vm(v)->nisv_to_user)) {
		pr_info_ratelimited("vCPU %u: data abort at IPA %#llx without a syndrome (ESR %#llx); KVM_RUN fails with ENOSYS\n",
				    v->vcpu->id, ipa, v->esr);
		return -ENOSYS;
	}
	a64_exit_to_user(v, KVM_EXIT_ARM_NISV);
	run->arm_nisv.esr_iss = v->esr & (ESR_ELx_CM | ESR_ELx_WNR |
					  ESR_ELx_FSC);
	run->arm_nisv.fault_ipa = ipa;
	return 0;
}

/* Data abort outside memory, with a valid syndrome (ESR.ISV): MMIO. */
static int a64_mmio(struct a64_vcpu *v, u64 ipa)
{
	struct kvm_run *run = v->vcpu->run;
	u64 esr = v->esr;
	unsigned int len = 1U << ((esr >> ESR_ELx_SAS_SHIFT) & 3);
	unsigned int rt = (esr >> ESR_ELx_SRT_SHIFT) & 31;
	bool write = esr & ESR_ELx_WNR;
	u64 data;

	if (!(esr & ESR_ELx_ISV))
		return a64_mmio_no_syndrome(v, ipa);
	v->mmio = (struct a64_mmio) {
		.read = !write,
		.sign = esr & ESR_ELx_SSE,
		.sf = esr & ESR_ELx_SF,
		.reg = rt,
		.len = len,
	};
	/* The virtual GIC's registers are emulated here. */
	data = write ? a64_reg(v, rt) : 0;
	if (!a64_vgic_mmio(v, ipa, write, len, &data)) {
		hvx_stat(v->vcpu, HVX_STAT_MMIO);
		a64_mmio_done(v, data);
		return 1;
	}
	/* A store an ioeventfd takes completes without an exit. */
	if (write && hvx_ioeventfd_write(v->vcpu->vm, false, ipa, len,
					 a64_reg(v, rt))) {
		a64_skip_insn(v);
		hvx_stat(v->vcpu, HVX_STAT_IOEVENTFD);
		return 1;
	}
	hvx_stat(v->vcpu, HVX_STAT_MMIO);
	a64_exit_to_user(v, KVM_EXIT_MMIO);
	run->mmio.phys_addr = ipa;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		data = a64_reg(v, rt);
		memcpy(run->mmio.data, &data, len);	/* little endian */
	}
	v->mmio.pending = true;
	return 0;
}

/* The access is done: a loaded value lands in Rt, PC moves on. */
static void a64_mmio_done(struct a64_vcpu *v, u64 data)
{
	struct a64_mmio *m = &v->mmio;

	m->pending = false;
	if (m->read) {
		if (m->len < 8)
			data &= BIT_ULL(m->len * 8) - 1;
		if (m->sign && m->len < 8)
			data = sign_extend64(data, m->len * 8 - 1);
		if (!m->sf)
			data = (u32)data;
		a64_set_reg(v, m->reg, data);
	}
	a64_skip_insn(v);
}

/* KVM_RUN after an MMIO exit: user space's data for a load. */
void a64_complete_mmio(struct a64_vcpu *v)
{
	u64 data = 0;

	if (!v->mmio.pending)
		return;
	memcpy(&data, v->vcpu->run->mmio.data, v->mmio.len);
	a64_mmio_done(v, data);
}

/*
 * Whether a stage-2 abort needs write permission (Arm ARM D17.2.40, ISS
 * of a Data Abort): a data access with ESR_EL2.WnR set (cache maintenance
 * reports WnR set too).  On the guest's own stage-1 table walk (S1PTW)
 * WnR says nothing useful, so as KVM does, only a permission fault counts
 * as a write there: the descriptor is mapped already, readable, and the
 * walk wants to update its access flag or dirty state.  A translation
 * fault of the walk reads, so that tables in a read-only slot work.  That
 * holds for the walk of an instruction fetch too; the fetch itself reads.
 */
static bool a64_abort_is_write(const struct a64_vcpu *v, bool insn)
{
	if (v->esr & ESR_ELx_S1PTW)
		return (v->esr & ESR_ELx_FSC_TYPE) == ESR_ELx_FSC_PERM;
	return !insn && (v->esr & ESR_ELx_WNR);
}

static int a64_abort(struct a64_vcpu *v, bool insn)
{
	u64 ipa = a64_fault_ipa(v);
	u32 fsc = v->esr & ESR_ELx_FSC_TYPE;
	int r;

	if (a64_fsc_is_sea(v->esr & ESR_ELx_FSC))
		return a64_guest_sea(v);
	/* A permission fault: a write to a read-only page (dirty logging). */
	if (fsc != ESR_ELx_FSC_FAULT && fsc != ESR_ELx_FSC_ACCESS &&
	    fsc != ESR_ELx_FSC_PERM)
		return a64_internal_error(v, KVM_INTERNAL_ERROR_EMULATION,
					  v->esr, ipa);
	r = hvx_fault_in_gpa(v->vcpu, ipa, a64_abort_is_write(v, insn),
			     a64_s2_map);
	if (!r) {
		hvx_stat(v->vcpu, HVX_STAT_NPF);
		a64_tlb_stale(v);
		return 1;
	}
	if (r != -ENOENT)
		return r;
	if (insn || (v->esr & ESR_ELx_S1PTW))
		return a64_abort_nowhere(v, ipa, insn);
	/* Cache maintenance by VA on MMIO has no effect (as on KVM). */
	if (v->esr & ESR_ELx_CM) {
		a64_skip_insn(v);
		return 1;
	}
	return a64_mmio(v, ipa);
}

/*
 * WFI: sleep until the guest's virtual or physical timer would fire
 * (D11.2.4: enabled, not masked, the count at CVAL; timer.c), or, with
 * no timer armed, until a signal.  WFE only yields.
 */
static int a64_wfx(struct a64_vcpu *v)
{
	DEFINE_WAIT(wait);
	u64 ns;
	ktime_t t;

	a64_skip_insn(v);
	if (v->esr & ESR_ELx_WFx_ISS_WFE)
		return 1;
	hvx_stat(v->vcpu, HVX_STAT_HLT);
	/* a64_vgic_kick() wakes it: a pending interrupt ends the wait too. */
	prepare_to_wait(&v->wq, &wait, TASK_INTERRUPTIBLE);
	if (a64_vgic_has_pending(v))
		goto out;
	ns = a64_timers_next(v);
	if (!ns)
		goto out;
	if (ns != U64_MAX) {
		t = ns_to_ktime(ns);
		schedule_hrtimeout(&t, HRTIMER_MODE_REL);
	} else if (!signal_pending(current)) {
		schedule();
	}
out:
	finish_wait(&v->wq, &wait);
	return 1;
}

/* ISS of a trapped MSR/MRS (D17.2.37.x, EC 0x18): the register's name. */
#define A64_SYS_ENC(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | \
	 ((crm) << 1))
#define A64_SYS_ENC_MASK	A64_SYS_ENC(3, 7, 15, 15, 7)

/*
 * With a virtual GIC, the GIC system registers that trap to EL2 although
 * the CPU interface is virtual (IHI 0069 12.2): the SGI generation
 * registers, under HCR_EL2.IMO/FMO, and ICC_SRE_EL1, under
 * ICC_SRE_EL2.Enable clear.  ICC_SGI1R_EL1 raises Group 1 SGIs; every
 * interrupt of the virtual GIC is Group 1, so ICC_SGI0R_EL1 and
 * ICC_ASGI1R_EL1 (which names the other group) raise none.  ICC_SRE_EL1
 * reads SRE, DFB and DIB set and ignores writes, as on KVM.
 */
static bool a64_gic_sysreg(struct a64_vcpu *v, u32 enc, bool read,
			   unsigned int rt, u64 *val)
{
	switch (enc) {
	case A64_SYS_ENC(3, 0, 12, 11, 5):	/* ICC_SGI1R_EL1 */
		if (!read)
			a64_vgic_sgi(v, a64_reg(v, rt));
		return true;
	case A64_SYS_ENC(3, 0, 12, 11, 6):	/* ICC_ASGI1R_EL1 */
	case A64_SYS_ENC(3, 0, 12, 11, 7):	/* ICC_SGI0R_EL1 */
		return true;
	case A64_SYS_ENC(3, 0, 12, 12, 5):	/* ICC_SRE_EL1 */
		*val = ICC_SRE_EL1_SRE | ICC_SRE_EL1_DFB | ICC_SRE_EL1_DIB;
		return true;
	default:
		return false;
	}
}

/* HCR_EL2.TID3's registers (Arm ARM D13.2): op0 3, op1 0, CRn 0, CRm 1-7. */
static bool a64_id_group3(u32 iss)
{
	u32 crm = (iss >> 1) & 15;

	return (iss & A64_SYS_ENC(3, 7, 15, 0, 0)) == A64_SYS_ENC(3, 0, 0, 0, 0) &&
	       crm >= 1 && crm <= 7;
}

/*
 * MDCR_EL2.TDA: DBGBVR<n>_EL1, DBGBCR<n>_EL1, DBGWVR<n>_EL1, DBGWCR<n>_EL1
 * (Arm ARM D17.3: op0 2, op1 0, CRn 0, CRm n, op2 4-7).  hvx does not
 * switch the hardware breakpoints: they read as zero and ignore writes,
 * so a guest's breakpoints and watchpoints never fire, and Linux's reset
 * of every slot at CPU bring-up (hw_breakpoint.c) does not fault.
 */
static bool a64_debug_bp_wp(u32 iss)
{
	u32 op2 = (iss >> 17) & 7;

	return (iss & A64_SYS_ENC(3, 7, 15, 0, 0)) == A64_SYS_ENC(2, 0, 0, 0, 0) &&
	       op2 >= 4;
}

/*
 * The system registers the guest's traps (HCR_EL2.TACR, TERR, TID3,
 * MDCR_EL2.TDA and TDOSA) send here and that hvx handles; any other
 * trapped access is an undefined instruction for the guest, counted and
 * logged.  The RAS error record registers (Arm ARM, "RAS System
 * registers") read as zero and ignore writes, as on KVM: ERRIDR_EL1.NUM 0, no record the guest
 * could select, so the host's records stay out of its reach.
 */
static int a64_sysreg(struct a64_vcpu *v)
{
	u32 iss = v->esr & ESR_ELx_ISS_MASK;
	bool read = iss & ESR_ELx_SYS64_ISS_DIR_READ;
	unsigned int rt = (iss >> 5) & 31;
	u64 val = 0;

	if (a64_vm(v)->vgic && a64_gic_sysreg(v, iss & A64_SYS_ENC_MASK, read,
					      rt, &val))
		goto done;
	if (read && a64_id_group3(iss)) {
		val = a64_guest_id_reg((iss >> 1) & 15, (iss >> 17) & 7);
		goto done;
	}
	if (a64_debug_bp_wp(iss))
		goto done;
	if (!read)
		val = a64_reg(v, rt);
	if (a64_ptimer_sysreg(v, iss & A64_SYS_ENC_MASK, read, &val))
		goto done;
	switch (iss & A64_SYS_ENC_MASK) {
	case A64_SYS_ENC(2, 0, 0, 2, 2):	/* MDSCR_EL1 */
		if (read)
			val = v->sys[SYS_R_MDSCR];
		else
			v->sys[SYS_R_MDSCR] = a64_reg(v, rt);
		break;
	case A64_SYS_ENC(2, 0, 1, 1, 4):	/* OSLSR_EL1: OSLM = 0b10 */
		val = BIT(3);
		break;
	case A64_SYS_ENC(2, 0, 0, 2, 0):	/* MDCCINT_EL1: no DCC */
	case A64_SYS_ENC(2, 0, 1, 0, 4):	/* OSLAR_EL1: no OS lock */
	case A64_SYS_ENC(2, 0, 1, 3, 4):	/* OSDLR_EL1 */
	case A64_SYS_ENC(2, 0, 1, 4, 4):	/* DBGPRCR_EL1 */
	case A64_SYS_ENC(3, 0, 1, 0, 1):	/* ACTLR_EL1: nothing to control */
	case A64_SYS_ENC(3, 0, 5, 3, 0):	/* ERRIDR_EL1 */
	case A64_SYS_ENC(3, 0, 5, 3, 1):	/* ERRSELR_EL1 */
	case A64_SYS_ENC(3, 0, 5, 4, 0):	/* ERXFR_EL1 */
	case A64_SYS_ENC(3, 0, 5, 4, 1):	/* ERXCTLR_EL1 */
	case A64_SYS_ENC(3, 0, 5, 4, 2):	/* ERXSTATUS_EL1 */
	case A64_SYS_ENC(3, 0, 5, 4, 3):	/* ERXADDR_EL1 */
	case A64_SYS_ENC(3, 0, 5, 5, 0):	/* ERXMISC0_EL1 */
	case A64_SYS_ENC(3, 0, 5, 5, 1):	/* ERXMISC1_EL1 */
		break;
	default:
		hvx_stat(v->vcpu, HVX_STAT_MSR_GP);
		pr_info_ratelimited("vCPU %u: %s of system register op0 %u op1 %u CRn %u CRm %u op2 %u not emulated: undefined instruction\n",
				    v->vcpu->id, read ? "read" : "write",
				    (iss >> 20) & 3, (iss >> 14) & 7,
				    (iss >> 10) & 15, (iss >> 1) & 15,
				    (iss >> 17) & 7);
		a64_inject_undef(v);
		return 1;
	}
done:
	hvx_stat(v->vcpu, HVX_STAT_MSR);
	if (read)
		a64_set_reg(v, rt, val);
	a64_skip_insn(v);
	return 1;
}

static int a64_sync(struct a64_vcpu *v)
{
	v->prev_vector = v->vector;
	v->vector = 0;
	switch (ESR_ELx_EC(v->esr)) {
	case ESR_ELx_EC_DABT_LOW:
		return a64_abort(v, false);
	case ESR_ELx_EC_IABT_LOW:
		return a64_abort(v, true);
	case ESR_ELx_EC_HVC64:		/* ELR is past the HVC */
		hvx_stat(v->vcpu, HVX_STAT_OTHER);
		return a64_smccc(v, false);
	case ESR_ELx_EC_SMC64:		/* trapped: ELR is the SMC itself */
		hvx_stat(v->vcpu, HVX_STAT_OTHER);
		a64_skip_insn(v);
		return a64_smccc(v, true);
	case ESR_ELx_EC_WFx:
		return a64_wfx(v);
	case ESR_ELx_EC_SYS64:
		return a64_sysreg(v);
	case ESR_ELx_EC_FP_ASIMD:	/* trapped: ELR is the instruction */
		hvx_stat(v->vcpu, HVX_STAT_OTHER);
		v->fp_eager = A64_FP_EAGER;
		return 1;
	default:
		/* SVE, pointer authentication, MTE, ...: not offered. */
		a64_inject_undef(v);
		return 1;
	}
}

/* Returns 1 to re-enter, 0 to return to user space, or -errno. */
/* Data and instruction aborts from the guest carry an IPA (HPFAR_EL2). */
static u64 a64_trace_gpa(const struct a64_vcpu *v, u64 code)
{
	u32 ec = ESR_ELx_EC(v->esr);

	if (code != A64_EXIT_SYNC ||
	    (ec != ESR_ELx_EC_DABT_LOW && ec != ESR_ELx_EC_IABT_LOW))
		return HVX_TRACE_NO_GPA;
	return a64_fault_ipa(v);
}

int a64_handle_exit(struct a64_vcpu *v, u64 code)
{
	int r;

	trace_hvx_exit(v->vcpu->id, code, v->pc, v->esr,
		       a64_trace_gpa(v, code));

	if (unlikely(v->disr)) {
		r = a64_serror(v, disr_to_esr(v->disr));
		v->disr = 0;
		if (r <= 0)
			return r;
	}
	switch (code) {
	case A64_EXIT_SYNC:
		return a64_sync(v);
	case A64_EXIT_IRQ:
	case A64_EXIT_FIQ:
		hvx_stat(v->vcpu, HVX_STAT_HOST_INTR);
		return 1;
	default:
		return a64_serror(v, v->esr);
	}
}

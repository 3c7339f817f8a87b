// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the EL2 view of a vCPU, for the debugfs file of
 * module/debugfs.c (hvx inspect).  Arm has no control structure in
 * memory: the guest's EL1 state lives in registers while it runs and in
 * struct a64_vcpu between runs, and EL2's own controls are registers
 * written on each entry (switch.c).  Shown: those controls (HCR_EL2,
 * VTTBR_EL2, VTCR_EL2; Arm ARM D17.2), the syndrome of the last exit
 * (ESR_EL2, FAR_EL2, HPFAR_EL2; D17.2.37, .40, .55), and the guest's
 * registers.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "arm64.h"

static const char * const a64_sys_names[SYS_R_NR] = {
	[SYS_R_SCTLR] = "SCTLR_EL1", [SYS_R_CPACR] = "CPACR_EL1",
	[SYS_R_TTBR0] = "TTBR0_EL1", [SYS_R_TTBR1] = "TTBR1_EL1",
	[SYS_R_TCR] = "TCR_EL1", [SYS_R_ESR] = "ESR_EL1",
	[SYS_R_AFSR0] = "AFSR0_EL1", [SYS_R_AFSR1] = "AFSR1_EL1",
	[SYS_R_FAR] = "FAR_EL1", [SYS_R_MAIR] = "MAIR_EL1",
	[SYS_R_AMAIR] = "AMAIR_EL1", [SYS_R_VBAR] = "VBAR_EL1",
	[SYS_R_CONTEXTIDR] = "CONTEXTIDR_EL1", [SYS_R_CNTKCTL] = "CNTKCTL_EL1",
	[SYS_R_TPIDR_EL1] = "TPIDR_EL1", [SYS_R_TPIDR_EL0] = "TPIDR_EL0",
	[SYS_R_TPIDRRO_EL0] = "TPIDRRO_EL0", [SYS_R_PAR] = "PAR_EL1",
	[SYS_R_CSSELR] = "CSSELR_EL1", [SYS_R_MDSCR] = "MDSCR_EL1",
	[SYS_R_CNTV_CTL] = "CNTV_CTL_EL0", [SYS_R_CNTV_CVAL] = "CNTV_CVAL_EL0",
};

static void a64_inspect_el2(struct a64_vcpu *v, struct seq_file *m)
{
	struct a64_vm *vm = a64_vm(v);

	seq_puts(m, "EL2 controls for this guest (Arm ARM D17.2)\n");
	seq_printf(m, "  %-16s %#llx\n", "HCR_EL2", a64_guest_hcr(v));
	seq_printf(m, "  %-16s %#llx\n", "VTTBR_EL2", vm->vttbr);
	seq_printf(m, "  %-16s %#llx\n", "VTCR_EL2", vm->vtcr);
	seq_printf(m, "  %-16s %#llx\n", "VMPIDR_EL2", v->mpidr);
	seq_printf(m, "  %-16s %#llx\n", "CNTVOFF_EL2", a64_cntvoff(v));
	seq_puts(m, "The last exit's syndrome\n");
	seq_printf(m, "  %-16s %#llx (EC %#llx)\n", "ESR_EL2", v->esr,
		   (v->esr & ESR_ELx_EC_MASK) >> ESR_ELx_EC_SHIFT);
	seq_printf(m, "  %-16s %#llx\n", "FAR_EL2", v->far);
	seq_printf(m, "  %-16s %#llx\n", "HPFAR_EL2", v->hpfar);
}

void a64_vcpu_inspect(struct hvx_vcpu *vcpu, struct seq_file *m)
{
	struct a64_vcpu *v = to_a64(vcpu);
	int i;

	a64_inspect_el2(v, m);
	seq_puts(m, "The guest's registers\n");
	seq_printf(m, "  %-16s %#llx\n  %-16s %#llx\n", "PC", v->pc,
		   "PSTATE", v->pstate);
	for (i = 0; i < 31; i++)
		seq_printf(m, "  x%-15d %#llx\n", i, v->gprs.x[i]);
	seq_printf(m, "  %-16s %#llx\n  %-16s %#llx\n", "SP_EL0",
		   v->gprs.sp_el0, "SP_EL1", v->sp_el1);
	seq_printf(m, "  %-16s %#llx\n  %-16s %#llx\n", "ELR_EL1",
		   v->elr_el1, "SPSR_EL1", v->spsr_el1);
	for (i = 0; i < SYS_R_NR; i++)
		seq_printf(m, "  %-16s %#llx\n", a64_sys_names[i], v->sys[i]);
}

/*
 * vcpuN.pstate, write-only: fault injection for inspect_test.  Sets the
 * PSTATE the next entry returns to, with none of KVM_SET_ONE_REG's checks
 * (regs.c), so that a test can make an illegal exception return and see
 * a64_check_entry() refuse it by name.  Root only, as all of debugfs; a
 * vCPU inside KVM_RUN answers -EBUSY.
 */
static ssize_t a64_pstate_write(struct file *f, const char __user *buf,
				size_t len, loff_t *ppos)
{
	struct hvx_vcpu *vcpu = f->private_data;
	u64 val;
	int r;

	r = kstrtou64_from_user(buf, len, 0, &val);
	if (r)
		return r;
	if (!mutex_trylock(&vcpu->lock))
		return -EBUSY;
	to_a64(vcpu)->pstate = val;
	mutex_unlock(&vcpu->lock);
	return len;
}

static const struct file_operations a64_pstate_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= a64_pstate_write,
	.llseek	= noop_llseek,
};

void a64_vcpu_debugfs(struct hvx_vcpu *vcpu, struct dentry *dir)
{
	char name[24];

	snprintf(name, sizeof(name), "vcpu%u.pstate", vcpu->id);
	debugfs_create_file(name, 0200, dir, vcpu, &a64_pstate_fops);
}

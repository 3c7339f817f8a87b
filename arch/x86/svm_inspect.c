// SPDX-License-Identifier: GPL-2.0
/*
 * hvx SVM: the VMCB by field name and offset, for the debugfs file of
 * module/debugfs.c (hvx inspect).  The layout is AMD APM Vol. 2 Appendix
 * B: the control area (B.1: intercepts, the interrupt and event fields,
 * EXITCODE and EXITINFO1/2, nested paging) at offset 0, the state save
 * area (B.2) at 0x400.  The values are those of the last #VMEXIT, or what
 * hvx wrote for the next VMRUN; RAX is the VMCB's, the other GPRs live in
 * hvx (x86.c prints them).
 */
#include <linux/seq_file.h>
#include <linux/stddef.h>
#include <asm/svm.h>

#include "x86.h"

struct svm_field {
	const char *name;
	u16 offset;
	u8 size;
};

#define SVM_FIELD(f) { #f, offsetof(struct vmcb, f), sizeof_field(struct vmcb, f) }
#define SVM_SEG(s) { "save." #s, offsetof(struct vmcb, save.s), 0 }

/* The segment registers of the save area, each a struct vmcb_seg. */
static const struct svm_field svm_segs[] = {
	SVM_SEG(es), SVM_SEG(cs), SVM_SEG(ss), SVM_SEG(ds), SVM_SEG(fs),
	SVM_SEG(gs), SVM_SEG(gdtr), SVM_SEG(ldtr), SVM_SEG(idtr),
	SVM_SEG(tr),
};

static const struct svm_field svm_fields[] = {
	/* APM Vol. 2 Table B-1, the control area */
	SVM_FIELD(control.intercepts[0]),	/* CR reads (0-15), writes */
	SVM_FIELD(control.intercepts[1]),	/* DR reads, writes */
	SVM_FIELD(control.intercepts[2]),	/* exception vectors */
	SVM_FIELD(control.intercepts[3]),	/* INTR ... SHUTDOWN */
	SVM_FIELD(control.intercepts[4]),	/* VMRUN ... XSETBV */
	SVM_FIELD(control.intercepts[5]),
	SVM_FIELD(control.pause_filter_count),
	SVM_FIELD(control.iopm_base_pa),
	SVM_FIELD(control.msrpm_base_pa),
	SVM_FIELD(control.tsc_offset),
	SVM_FIELD(control.asid),
	SVM_FIELD(control.tlb_ctl),
	SVM_FIELD(control.int_ctl),		/* V_TPR, V_IRQ, V_INTR_MASKING */
	SVM_FIELD(control.int_vector),
	SVM_FIELD(control.int_state),		/* interrupt shadow */
	SVM_FIELD(control.exit_code),
	SVM_FIELD(control.exit_code_hi),
	SVM_FIELD(control.exit_info_1),
	SVM_FIELD(control.exit_info_2),
	SVM_FIELD(control.exit_int_info),	/* event cut short by the exit */
	SVM_FIELD(control.exit_int_info_err),
	SVM_FIELD(control.nested_ctl),		/* bit 0: nested paging */
	SVM_FIELD(control.event_inj),
	SVM_FIELD(control.event_inj_err),
	SVM_FIELD(control.nested_cr3),
	SVM_FIELD(control.virt_ext),
	SVM_FIELD(control.clean),
	SVM_FIELD(control.next_rip),
	SVM_FIELD(control.insn_len),
	/* APM Vol. 2 Table B-2, the state save area (segments apart) */
	SVM_FIELD(save.cpl),
	SVM_FIELD(save.efer),
	SVM_FIELD(save.cr4),
	SVM_FIELD(save.cr3),
	SVM_FIELD(save.cr0),
	SVM_FIELD(save.dr7),
	SVM_FIELD(save.dr6),
	SVM_FIELD(save.rflags),
	SVM_FIELD(save.rip),
	SVM_FIELD(save.rsp),
	SVM_FIELD(save.rax),
	SVM_FIELD(save.star),
	SVM_FIELD(save.lstar),
	SVM_FIELD(save.cstar),
	SVM_FIELD(save.sfmask),
	SVM_FIELD(save.kernel_gs_base),
	SVM_FIELD(save.sysenter_cs),
	SVM_FIELD(save.sysenter_esp),
	SVM_FIELD(save.sysenter_eip),
	SVM_FIELD(save.cr2),
	SVM_FIELD(save.g_pat),
	SVM_FIELD(save.dbgctl),
};

/* One line per field: name, offset in the VMCB, value. */
void svm_inspect_vmcb(const struct vmcb *vmcb, struct seq_file *m)
{
	const u8 *base = (const u8 *)vmcb;
	unsigned int i;

	seq_puts(m, "VMCB (AMD APM Vol. 2 Appendix B): field, offset, value\n");
	for (i = 0; i < ARRAY_SIZE(svm_fields); i++) {
		const struct svm_field *f = &svm_fields[i];
		u64 v = 0;

		memcpy(&v, base + f->offset, f->size);
		seq_printf(m, "  %-28s %#05x %#llx\n", f->name, f->offset, v);
	}
	for (i = 0; i < ARRAY_SIZE(svm_segs); i++) {
		const struct svm_field *f = &svm_segs[i];
		const struct vmcb_seg *seg = (const void *)(base + f->offset);

		seq_printf(m, "  %-28s %#05x selector %#x attrib %#x limit %#x base %#llx\n",
			   f->name, f->offset, seg->selector, seg->attrib,
			   seg->limit, seg->base);
	}
}

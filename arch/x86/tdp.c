// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86 stage-2 faults: AMD nested page tables and Intel EPT.
 *
 * The tables are module/stage2.c's radix tree; struct tdp_format gives
 * the bits that make an entry present, writable and executable, and the
 * depth: nested paging walks with the host's own paging mode, so it has
 * five levels when the host runs with CR4.LA57 (APM Vol. 2 15.25.3).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "x86.h"

static int x86_tdp_map(struct hvx_vcpu *vcpu, u64 gpa, struct page *page,
		       bool writable)
{
	int r = hvx_stage2_map(x86_tdp(vcpu->vm), &vcpu->s2_cache, gpa, page,
			       writable);

	return r == -EEXIST ? -EAGAIN : r;
}

/*
 * A guest access missed stage 2, or (@write) wrote a read-only entry.
 * Inside a slot: pin the page and map it, or log the write.  Outside
 * every slot, or a write to a read-only slot: an MMIO access, to decode
 * and hand to user space.  As KVM does, a slot whose memory the process
 * no longer has makes KVM_RUN fail with -EFAULT.  Guest page tables
 * outside RAM (@walk: the fault hit the guest's own table walk) cannot
 * be emulated.
 */
int x86_stage2_fault(struct x86_vcpu *x, u64 gpa, bool write, bool walk)
{
	int r = hvx_fault_in_gpa(x->vcpu, gpa, write, x86_tdp_map);

	if (r == -ENOENT && walk)
		return x86_internal_error(x, KVM_INTERNAL_ERROR_EMULATION,
					  gpa, x->rip);
	if (r == -ENOENT)
		return x86_emulate_mmio(x, gpa);
	if (r)
		return r;
	hvx_stat(x->vcpu, HVX_STAT_NPF);
	return 1;
}

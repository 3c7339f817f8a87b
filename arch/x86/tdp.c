// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86 stage-2 tables: AMD nested page tables and Intel EPT.
 *
 * Both are four-level radix trees of 512 eight-byte entries indexed by the
 * guest-physical address (AMD APM Vol. 2 15.25.5, Intel SDM Vol. 3C 29.3.2);
 * they differ only in the bits that make an entry present, writable and
 * executable, which struct tdp_format supplies, and in depth: nested paging
 * walks with the host's own paging mode, so it has five levels when the
 * host runs with CR4.LA57 (APM Vol. 2 15.25.3).  Only 4 KiB leaves are
 * used.  Every leaf holds one pinned page of the VM's memory slots.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "x86.h"

#define TDP_ENTRIES	512
#define TDP_ADDR_MASK	0x000ffffffffff000ULL

static unsigned int tdp_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (TDP_ENTRIES - 1);
}

static u64 *tdp_table(u64 entry)
{
	return __va(entry & TDP_ADDR_MASK);
}

int tdp_init(struct tdp *tdp, const struct tdp_format *fmt)
{
	tdp->fmt = fmt;
	tdp->levels = fmt->levels();
	tdp->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	return tdp->root ? 0 : -ENOMEM;
}

static void tdp_free_table(u64 *table, int level)
{
	int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		if (!table[i])
			continue;
		if (level)
			tdp_free_table(tdp_table(table[i]), level - 1);
		else
			hvx_unpin_guest_page(pfn_to_page(table[i] >> PAGE_SHIFT));
	}
	free_page((unsigned long)table);
}

/* The VM is gone: no vCPU can use these tables any more. */
void tdp_free(struct tdp *tdp)
{
	if (tdp->root)
		tdp_free_table(tdp->root, tdp->levels - 1);
	tdp->root = NULL;
}

/*
 * Enter @page at @gpa.  -EEXIST if another vCPU mapped it first (the
 * caller then drops its own pin).  vm->lock held.
 */
int tdp_map(struct tdp *tdp, u64 gpa, struct page *page)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->levels - 1; level > 0; level--) {
		u64 *entry = &table[tdp_index(gpa, level)];

		if (!*entry) {
			u64 *next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

			if (!next)
				return -ENOMEM;
			*entry = __pa(next) | tdp->fmt->table_bits;
		}
		table = tdp_table(*entry);
	}
	table += tdp_index(gpa, 0);
	if (*table)
		return -EEXIST;
	WRITE_ONCE(*table, page_to_phys(page) | tdp->fmt->leaf_bits);
	return 0;
}

/* Pages taken out of the tables, unpinned only once no TLB holds them. */
struct tdp_zap {
	struct hvx_vm *vm;
	unsigned int nr;
	struct page *pages[64];
};

static void tdp_zap_flush(struct tdp_zap *zap)
{
	unsigned int i;

	if (!zap->nr)
		return;
	hvx_vm_flush_tlbs(zap->vm);
	for (i = 0; i < zap->nr; i++)
		hvx_unpin_guest_page(zap->pages[i]);
	zap->nr = 0;
}

static void tdp_zap_range(struct tdp_zap *zap, u64 *table, int level,
			  u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (PAGE_SHIFT + 9 * level);
	int i;

	for (i = 0; i < TDP_ENTRIES; i++, base += span) {
		if (base + span <= start || !table[i])
			continue;
		if (base >= end)
			break;
		if (level) {
			tdp_zap_range(zap, tdp_table(table[i]), level - 1,
				      base, start, end);
			continue;
		}
		zap->pages[zap->nr++] = pfn_to_page(table[i] >> PAGE_SHIFT);
		WRITE_ONCE(table[i], 0);
		if (zap->nr == ARRAY_SIZE(zap->pages))
			tdp_zap_flush(zap);
	}
}

/* Remove [gpa, gpa + size): a slot was deleted or moved.  vm->lock held. */
void tdp_unmap(struct hvx_vm *vm, struct tdp *tdp, u64 gpa, u64 size)
{
	struct tdp_zap zap = { .vm = vm };

	tdp_zap_range(&zap, tdp->root, tdp->levels - 1, 0, gpa, gpa + size);
	tdp_zap_flush(&zap);
}

static int x86_tdp_map(struct hvx_vm *vm, u64 gpa, struct page *page)
{
	int r = tdp_map(x86_tdp(vm), gpa, page);

	return r == -EEXIST ? -EAGAIN : r;
}

/*
 * A guest access missed stage 2.  Inside a slot: pin the page and map it.
 * Outside every slot: an MMIO access, to decode and hand to user space.
 * As KVM does, a slot whose memory the process no longer has makes
 * KVM_RUN fail with -EFAULT.  Guest page tables outside RAM (@walk: the
 * fault hit the guest's own table walk) cannot be emulated.
 */
int x86_stage2_fault(struct x86_vcpu *x, u64 gpa, bool walk)
{
	int r = hvx_fault_in_gpa(x86_vm(x), gpa, x86_tdp_map);

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

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx stage-2 tables: the radix tree every backend's second-stage
 * translation uses.
 *
 * AMD nested page tables, Intel EPT and Arm stage-2 tables with a 4 KiB
 * granule are all trees of 512 eight-byte entries per 4 KiB table, each
 * level indexed by the next 9 bits of the guest-physical address (AMD APM
 * Vol. 2 15.25.5, Intel SDM Vol. 3C 29.3.2, Arm ARM D8.2).  They differ in
 * the bits that make an entry valid, writable and executable (the
 * backend's @table_bits and @leaf_bits), in depth, and on Arm in the top
 * level, which may be several concatenated tables (Arm ARM D8.2.7):
 * @root_order.  Only 4 KiB leaves are used; each holds one pinned page of
 * the VM's memory slots, and a zero entry is an invalid one.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "hvx.h"

#define S2_ENTRIES	512
#define S2_ADDR_MASK	0x0000fffffffff000ULL	/* bits 47:12 */

static unsigned int s2_entries(const struct hvx_stage2 *s2, int level)
{
	return level == s2->levels - 1 ? S2_ENTRIES << s2->root_order :
					 S2_ENTRIES;
}

static unsigned int s2_index(const struct hvx_stage2 *s2, u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) &
	       (s2_entries(s2, level) - 1);
}

static u64 *s2_table(u64 entry)
{
	return __va(entry & S2_ADDR_MASK);
}

int hvx_stage2_init(struct hvx_stage2 *s2, int levels, unsigned int root_order,
		    u64 table_bits, u64 leaf_bits)
{
	s2->levels = levels;
	s2->root_order = root_order;
	s2->table_bits = table_bits;
	s2->leaf_bits = leaf_bits;
	s2->root = (u64 *)__get_free_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
					   root_order);
	return s2->root ? 0 : -ENOMEM;
}

static void s2_free_table(struct hvx_stage2 *s2, u64 *table, int level)
{
	unsigned int i, n = s2_entries(s2, level);

	for (i = 0; i < n; i++) {
		if (!table[i])
			continue;
		if (level)
			s2_free_table(s2, s2_table(table[i]), level - 1);
		else
			hvx_unpin_guest_page(pfn_to_page((table[i] &
							  S2_ADDR_MASK) >>
							 PAGE_SHIFT));
	}
	free_pages((unsigned long)table,
		   level == s2->levels - 1 ? s2->root_order : 0);
}

/* The VM is gone: no vCPU can use these tables any more. */
void hvx_stage2_free(struct hvx_stage2 *s2)
{
	if (s2->root)
		s2_free_table(s2, s2->root, s2->levels - 1);
	s2->root = NULL;
}

/*
 * Enter @page at @gpa.  -EEXIST if another vCPU mapped it first (the
 * caller then drops its own pin).  vm->lock held.
 */
int hvx_stage2_map(struct hvx_stage2 *s2, u64 gpa, struct page *page)
{
	u64 *table = s2->root;
	int level;

	for (level = s2->levels - 1; level > 0; level--) {
		u64 *entry = &table[s2_index(s2, gpa, level)];

		if (!*entry) {
			u64 *next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

			if (!next)
				return -ENOMEM;
			/* The table's zeroes before the entry that links it. */
			smp_wmb();
			WRITE_ONCE(*entry, __pa(next) | s2->table_bits);
		}
		table = s2_table(*entry);
	}
	table += s2_index(s2, gpa, 0);
	if (*table)
		return -EEXIST;
	WRITE_ONCE(*table, page_to_phys(page) | s2->leaf_bits);
	return 0;
}

/* Pages taken out of the tables, unpinned only once no TLB holds them. */
struct s2_zap {
	struct hvx_vm *vm;
	unsigned int nr;
	struct page *pages[64];
};

static void s2_zap_flush(struct s2_zap *zap)
{
	unsigned int i;

	if (!zap->nr)
		return;
	hvx_vm_flush_tlbs(zap->vm);
	for (i = 0; i < zap->nr; i++)
		hvx_unpin_guest_page(zap->pages[i]);
	zap->nr = 0;
}

static void s2_zap_range(struct hvx_stage2 *s2, struct s2_zap *zap,
			 u64 *table, int level, u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (PAGE_SHIFT + 9 * level);
	unsigned int i, n = s2_entries(s2, level);

	for (i = 0; i < n; i++, base += span) {
		if (base + span <= start || !table[i])
			continue;
		if (base >= end)
			break;
		if (level) {
			s2_zap_range(s2, zap, s2_table(table[i]), level - 1,
				     base, start, end);
			continue;
		}
		zap->pages[zap->nr++] = pfn_to_page((table[i] & S2_ADDR_MASK) >>
						    PAGE_SHIFT);
		WRITE_ONCE(table[i], 0);
		if (zap->nr == ARRAY_SIZE(zap->pages))
			s2_zap_flush(zap);
	}
}

/* Remove [gpa, gpa + size): a slot was deleted or moved.  vm->lock held. */
void hvx_stage2_unmap(struct hvx_vm *vm, struct hvx_stage2 *s2, u64 gpa,
		      u64 size)
{
	struct s2_zap zap = { .vm = vm };

	s2_zap_range(s2, &zap, s2->root, s2->levels - 1, 0, gpa, gpa + size);
	s2_zap_flush(&zap);
}

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
 * @root_order; and in how wide an output address an entry holds
 * (@addr_mask).  Only 4 KiB leaves are used; each holds one pinned page
 * of the VM's memory slots, and a zero entry is an invalid one.  A leaf
 * without @write_bits maps its page read-only: a read-only slot, or a
 * slot whose dirty pages are being logged (module/memslot.c).  So there
 * is never a large mapping to split before logging starts.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/io.h>

#include "hvx.h"

#define S2_ENTRIES	512

/* Stage-2 table pages linked in every VM's tables, roots included. */
atomic64_t hvx_s2_table_pages = ATOMIC64_INIT(0);

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

static u64 *s2_table(const struct hvx_stage2 *s2, u64 entry)
{
	return __va(entry & s2->addr_mask);
}

static struct page *s2_leaf_page(const struct hvx_stage2 *s2, u64 entry)
{
	return pfn_to_page((entry & s2->addr_mask) >> PAGE_SHIFT);
}

/* A leaf through which the guest may have written its page. */
static bool s2_leaf_writable(const struct hvx_stage2 *s2, u64 entry)
{
	return (entry & s2->write_bits) == s2->write_bits;
}

/*
 * Whether an entry can point at @pa: the output address of a table or
 * page entry is only as wide as @addr_mask (bits 51:12 in AMD and Intel
 * entries, 47:12 in Arm's 4 KiB-granule descriptors without FEAT_LPA2).
 * A wider address would be cut, mapping another page: refuse it.
 */
static bool s2_fits(const struct hvx_stage2 *s2, phys_addr_t pa)
{
	if (!(pa & ~s2->addr_mask))
		return true;
	pr_err_ratelimited("host physical address %pa does not fit in a stage-2 entry (mask %#llx): refused\n",
			   &pa, s2->addr_mask);
	return false;
}

int hvx_stage2_init(struct hvx_stage2 *s2, int levels, unsigned int root_order,
		    u64 table_bits, u64 leaf_bits, u64 write_bits, u64 addr_mask)
{
	s2->levels = levels;
	s2->root_order = root_order;
	s2->table_bits = table_bits;
	s2->leaf_bits = leaf_bits;
	s2->write_bits = write_bits;
	s2->addr_mask = addr_mask;
	s2->root = hvx_fault_alloc() ? NULL :
		(u64 *)__get_free_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
					root_order);
	if (!s2->root)
		return -ENOMEM;
	if (!s2_fits(s2, __pa(s2->root))) {
		free_pages((unsigned long)s2->root, root_order);
		s2->root = NULL;
		return -ENOMEM;
	}
	atomic64_add(1 << root_order, &hvx_s2_table_pages);
	return 0;
}

static void s2_free_table_page(u64 *table, unsigned int order)
{
	free_pages((unsigned long)table, order);
	atomic64_sub(1 << order, &hvx_s2_table_pages);
}

static void s2_free_table(struct hvx_vm *vm, struct hvx_stage2 *s2,
			  u64 *table, int level)
{
	unsigned int i, n = s2_entries(s2, level);

	for (i = 0; i < n; i++) {
		if (!table[i])
			continue;
		if (level)
			s2_free_table(vm, s2, s2_table(s2, table[i]), level - 1);
		else
			hvx_unpin_guest_page(vm, s2_leaf_page(s2, table[i]),
					     s2_leaf_writable(s2, table[i]));
	}
	s2_free_table_page(table, level == s2->levels - 1 ? s2->root_order : 0);
}

/* The VM is gone: no vCPU can use these tables any more. */
void hvx_stage2_free(struct hvx_vm *vm, struct hvx_stage2 *s2)
{
	if (s2->root)
		s2_free_table(vm, s2, s2->root, s2->levels - 1);
	s2->root = NULL;
}

/*
 * Fill @cache with zeroed pages, outside every lock: the allocation may
 * reclaim, and reclaim may call the VM's MMU notifier (vm->mmu_lock).
 */
int hvx_s2_cache_topup(struct hvx_s2_cache *cache)
{
	while (cache->nr < HVX_S2_CACHE_PAGES) {
		void *page = hvx_fault_alloc() ? NULL :
			(void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		cache->pages[cache->nr++] = page;
	}
	return 0;
}

void hvx_s2_cache_free(struct hvx_s2_cache *cache)
{
	while (cache->nr)
		free_page((unsigned long)cache->pages[--cache->nr]);
}

/*
 * Enter @page at @gpa, writable or not, with missing tables from @cache.
 * -EEXIST if another vCPU mapped it first (the caller then drops its own
 * pin), -EFAULT if @page lies beyond what an entry can address, -ENOMEM
 * if a table page does.  vm->mmu_lock held.
 */
int hvx_stage2_map(struct hvx_stage2 *s2, struct hvx_s2_cache *cache, u64 gpa,
		   struct page *page, bool writable)
{
	u64 bits = writable ? s2->leaf_bits : s2->leaf_bits & ~s2->write_bits;
	u64 *table = s2->root;
	int level;

	if (!s2_fits(s2, page_to_phys(page)))
		return -EFAULT;
	for (level = s2->levels - 1; level > 0; level--) {
		u64 *entry = &table[s2_index(s2, gpa, level)];

		if (!*entry) {
			u64 *next;

			if (!cache->nr)
				return -ENOMEM;
			next = cache->pages[cache->nr - 1];
			if (!s2_fits(s2, __pa(next)))
				return -ENOMEM;
			cache->nr--;
			atomic64_inc(&hvx_s2_table_pages);
			/* The table's zeroes before the entry that links it. */
			smp_wmb();
			WRITE_ONCE(*entry, __pa(next) | s2->table_bits);
		}
		table = s2_table(s2, *entry);
	}
	table += s2_index(s2, gpa, 0);
	if (*table)
		return -EEXIST;
	WRITE_ONCE(*table, page_to_phys(page) | bits);
	return 0;
}

/* The leaf entry for @gpa, or NULL where no table leads to one. */
static u64 *s2_find_leaf(const struct hvx_stage2 *s2, u64 gpa)
{
	u64 *table = s2->root;
	int level;

	for (level = s2->levels - 1; level > 0; level--) {
		u64 entry = READ_ONCE(table[s2_index(s2, gpa, level)]);

		if (!entry)
			return NULL;
		table = s2_table(s2, entry);
	}
	return &table[s2_index(s2, gpa, 0)];
}

/*
 * Give the page mapped at @gpa its write permission back: 0, or -ENOENT
 * when nothing is mapped there.  Granting a permission needs no TLB
 * flush: the fault that brought us here dropped the read-only
 * translation it used (Intel SDM Vol. 3C 28.3.3.1: an EPT violation
 * invalidates the guest-physical mappings of its address; AMD processors
 * keep no translation whose use raised a nested page fault either, APM
 * Vol. 2 15.25.6, which KVM's lockless write faults rely on too), and on
 * arm64 every exit ends with TLBI VMALLS12E1IS (Arm ARM D8.13).  At worst
 * the write faults once more and finds the entry writable.
 * vm->mmu_lock held.
 *
 * The processor may set the accessed and dirty bits of a nested page
 * table entry meanwhile (APM 15.25.5); hvx uses neither, so the store
 * may drop them.
 */
int hvx_stage2_mkwrite(struct hvx_stage2 *s2, u64 gpa)
{
	u64 *leaf = s2_find_leaf(s2, gpa);
	u64 entry = leaf ? READ_ONCE(*leaf) : 0;

	if (!entry)
		return -ENOENT;
	if ((entry & s2->write_bits) != s2->write_bits)
		WRITE_ONCE(*leaf, entry | s2->write_bits);
	return 0;
}

struct s2_wrprotect {
	u64 start, end;		/* guest-physical range */
	const unsigned long *mask;	/* bit n: the page at start + n pages */
	bool changed;
};

static void s2_wrprotect_range(struct hvx_stage2 *s2, struct s2_wrprotect *w,
			       u64 *table, int level, u64 base)
{
	u64 span = 1ULL << (PAGE_SHIFT + 9 * level);
	unsigned int i, n = s2_entries(s2, level);

	for (i = 0; i < n; i++, base += span) {
		u64 entry = READ_ONCE(table[i]);

		if (base + span <= w->start || !entry)
			continue;
		if (base >= w->end)
			break;
		if (level) {
			s2_wrprotect_range(s2, w, s2_table(s2, entry),
					   level - 1, base);
			continue;
		}
		if (!(entry & s2->write_bits))
			continue;
		if (w->mask && !test_bit((base - w->start) >> PAGE_SHIFT,
					 w->mask))
			continue;
		WRITE_ONCE(table[i], entry & ~s2->write_bits);
		/* What the guest wrote until now must not be lost. */
		if (s2_leaf_writable(s2, entry))
			hvx_dirty_guest_page(s2_leaf_page(s2, entry));
		w->changed = true;
	}
}

/*
 * Take the write permission from the pages mapped in [gpa, gpa + npages
 * pages): all of them, or with @mask those whose bit is set (bit n: the
 * page at gpa + n pages).  Returns true if an entry changed: the caller
 * must then flush the TLBs (hvx_vm_flush_tlbs()) before it relies on the
 * next write faulting.  vm->mmu_lock held.
 */
bool hvx_stage2_wrprotect(struct hvx_stage2 *s2, u64 gpa, u64 npages,
			  const unsigned long *mask)
{
	struct s2_wrprotect w = {
		.start = gpa,
		.end = gpa + (npages << PAGE_SHIFT),
		.mask = mask,
	};

	s2_wrprotect_range(s2, &w, s2->root, s2->levels - 1, 0);
	return w.changed;
}

/*
 * Pages taken out of the tables: guest pages, unpinned, and table pages
 * left empty, freed, only once no TLB or walk cache can still hold them:
 * the hardware may cache table entries as well as translations until
 * the flush (AMD APM Vol. 2 15.16.1, Intel SDM Vol. 3C 29.4, Arm ARM D8,
 * TLB maintenance).
 */
struct s2_zap {
	struct hvx_vm *vm;
	struct list_head tables;
	unsigned int nr;
	struct page *pages[64];
	u64 dirty;			/* bit n: pages[n] was writable */
};

static void s2_zap_flush(struct s2_zap *zap)
{
	struct page *p, *tmp;
	unsigned int i;

	if (!zap->nr && list_empty(&zap->tables))
		return;
	hvx_vm_flush_tlbs(zap->vm);
	for (i = 0; i < zap->nr; i++)
		hvx_unpin_guest_page(zap->vm, zap->pages[i],
				     zap->dirty & BIT_ULL(i));
	zap->nr = 0;
	zap->dirty = 0;
	list_for_each_entry_safe(p, tmp, &zap->tables, lru) {
		list_del(&p->lru);
		s2_free_table_page(page_address(p), 0);
	}
}

static void s2_zap_range(struct hvx_stage2 *s2, struct s2_zap *zap,
			 u64 *table, int level, u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (PAGE_SHIFT + 9 * level);
	unsigned int i, n = s2_entries(s2, level);

	for (i = 0; i < n; i++, base += span) {
		u64 *next;

		if (base + span <= start || !table[i])
			continue;
		if (base >= end)
			break;
		if (!level) {
			if (s2_leaf_writable(s2, table[i]))
				zap->dirty |= BIT_ULL(zap->nr);
			zap->pages[zap->nr++] = s2_leaf_page(s2, table[i]);
			WRITE_ONCE(table[i], 0);
			if (zap->nr == ARRAY_SIZE(zap->pages))
				s2_zap_flush(zap);
			continue;
		}
		next = s2_table(s2, table[i]);
		s2_zap_range(s2, zap, next, level - 1, base, start, end);
		/* A table with no valid entry left goes too. */
		if (memchr_inv(next, 0, PAGE_SIZE))
			continue;
		WRITE_ONCE(table[i], 0);
		list_add(&virt_to_page(next)->lru, &zap->tables);
	}
}

/*
 * Remove [gpa, gpa + size), and free the tables it leaves empty: a slot
 * was deleted or moved, or the process's mapping changed.  vm->mmu_lock
 * held.
 */
void hvx_stage2_unmap(struct hvx_vm *vm, struct hvx_stage2 *s2, u64 gpa,
		      u64 size)
{
	struct s2_zap zap = { .vm = vm };

	INIT_LIST_HEAD(&zap.tables);
	s2_zap_range(s2, &zap, s2->root, s2->levels - 1, 0, gpa, gpa + size);
	s2_zap_flush(&zap);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx guest memory: pinning guest pages and keeping stage 2 coherent with
 * the process's page tables.
 *
 * A page is pinned and entered in stage 2 the first time the guest touches
 * it.  An MMU notifier on the process's mm removes it again whenever the
 * process's mapping changes (munmap, mremap, mprotect, a copy-on-write
 * break, exit), so the guest always sees what the process sees, as with
 * KVM; a later guest access faults it in afresh, or makes KVM_RUN fail
 * with -EFAULT if the process no longer has memory there.
 *
 * Pinning may itself fault pages in, and break copy-on-write, which calls
 * the notifier: so a page is pinned without vm->mmu_lock, and entered only
 * if no invalidation ran or is running meanwhile (vm->mmu_seq and
 * vm->mmu_busy, both under vm->mmu_lock).
 *
 * Each pinned page is charged to the VM's mm as pinned memory
 * (mm->pinned_vm, RLIMIT_MEMLOCK), as other users of long-term pins
 * charge theirs, and uncharged when it is unpinned, in whatever context.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/signal.h>

#include "hvx.h"

static void hvx_unmap_hva(struct hvx_vm *vm, unsigned long start,
			  unsigned long end)
{
	u32 i;

	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		const struct hvx_memslot *s = &vm->slots[i];
		unsigned long lo, hi;

		if (!s->size)
			continue;
		lo = max_t(unsigned long, start, s->hva);
		hi = min_t(unsigned long, end, s->hva + s->size);
		if (lo < hi)
			hvx_ops->vm_unmap(vm, s->gpa + (lo - s->hva), hi - lo);
	}
}

/*
 * The notifier's contract (mm/mmu_notifier.c, Linux 6.1): for a range
 * that may not block (the OOM reaper, process_mrelease()), a start hook
 * may fail with -EAGAIN, but the core then calls the end hook of every
 * subscriber, the failed one included, and warns about a failing
 * subscriber that has an end hook.  So hvx's start never fails: it takes
 * only vm->mmu_lock, a spinlock, and nothing under it sleeps; each start
 * is then matched by exactly one end, and @mmu_busy counts the
 * invalidations in progress exactly.
 */
static int hvx_mn_range_start(struct mmu_notifier *mn,
			      const struct mmu_notifier_range *range)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_busy++;
	hvx_unmap_hva(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void hvx_mn_range_end(struct mmu_notifier *mn,
			     const struct mmu_notifier_range *range)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_busy--;
	spin_unlock(&vm->mmu_lock);
}

/* The address space is going away: drop every guest page now. */
static void hvx_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	hvx_unmap_hva(vm, 0, ULONG_MAX);
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops hvx_mn_ops = {
	.invalidate_range_start	= hvx_mn_range_start,
	.invalidate_range_end	= hvx_mn_range_end,
	.release		= hvx_mn_release,
};

int hvx_mmu_init(struct hvx_vm *vm)
{
	vm->mn.ops = &hvx_mn_ops;
	return mmu_notifier_register(&vm->mn, current->mm);
}

void hvx_mmu_exit(struct hvx_vm *vm)
{
	mmu_notifier_unregister(&vm->mn, vm->mm);
}

/*
 * Charge one pinned page to the VM's mm, within RLIMIT_MEMLOCK unless the
 * caller has CAP_IPC_LOCK; -ENOMEM beyond it.  Called by the vCPU's
 * thread, in the VM's mm.
 */
static int hvx_charge_pin(struct hvx_vm *vm)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (atomic64_inc_return(&vm->mm->pinned_vm) <= limit ||
	    capable(CAP_IPC_LOCK))
		return 0;
	atomic64_dec(&vm->mm->pinned_vm);
	return -ENOMEM;
}

/* Any context: vm->mm stays allocated (mmgrab) as long as the VM. */
static void hvx_uncharge_pin(struct hvx_vm *vm)
{
	atomic64_dec(&vm->mm->pinned_vm);
}

/*
 * The guest may have written @page through stage 2, where the host's page
 * tables see nothing: a page pinned for writing must be marked dirty, or
 * reclaim may drop what the guest wrote (Documentation/core-api/
 * pin_user_pages.rst).  Called under vm->mmu_lock, where
 * set_page_dirty_lock() could sleep, so the flag is set directly, as KVM
 * does for the pages it maps.
 */
void hvx_dirty_guest_page(struct page *page)
{
	SetPageDirty(page);
}

/* Give a guest page back; @dirty if stage 2 let the guest write it. */
void hvx_unpin_guest_page(struct hvx_vm *vm, struct page *page, bool dirty)
{
	if (dirty)
		hvx_dirty_guest_page(page);
	unpin_user_page(page);
	hvx_uncharge_pin(vm);
	atomic64_dec(&hvx_pinned_pages);
}

/*
 * Pin the page at @hva; for writing unless @write is false (a read-only
 * slot, whose memory the process may have mapped without PROT_WRITE).
 */
static int hvx_pin_gpa(struct hvx_vm *vm, unsigned long hva, bool write,
		       struct page **page)
{
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	int r = hvx_charge_pin(vm);

	if (r)
		return r;
	if (pin_user_pages_fast(hva & PAGE_MASK, 1, gup, page) == 1)
		return 0;
	hvx_uncharge_pin(vm);
	return -EFAULT;
}

/*
 * A write to a page already mapped read-only: in a slot logging dirty
 * pages (or that did, KVM_MEM_LOG_DIRTY_PAGES since cleared), record the
 * page and let the guest write it from now on.  True when that is done,
 * false when nothing is mapped at @gpa yet.  vm->mmu_lock held.
 */
static bool hvx_write_mapped(struct hvx_vm *vm,
			     const struct hvx_memslot *slot, u64 gpa)
{
	if (hvx_stage2_mkwrite(vm->s2, gpa))
		return false;
	hvx_mark_dirty(slot, gpa);
	return true;
}

/*
 * Make @gpa present in stage 2 with @map, for a read or, if @write, a
 * write.  Returns 0 when the page is mapped, or should simply be
 * retried; -ENOENT when no slot covers @gpa, or it is a write to a
 * read-only slot (both an MMIO access for user space, as on KVM);
 * -EFAULT when the process has no page there or the page lies beyond
 * what stage 2 can address; -ENOMEM when memory for the tables runs out
 * or the pin would exceed RLIMIT_MEMLOCK.  Runs in the VM's own mm,
 * vcpu->lock held.
 *
 * A page of a slot that logs dirty pages is mapped writable only for a
 * write, which sets its bit in the slot's bitmap in the same critical
 * section; KVM_GET/CLEAR_DIRTY_LOG take the permission away again.
 */
int hvx_fault_in_gpa(struct hvx_vcpu *vcpu, u64 gpa, bool write,
		     int (*map)(struct hvx_vcpu *vcpu, u64 gpa,
				struct page *page, bool writable))
{
	struct hvx_vm *vm = vcpu->vm;
	const struct hvx_memslot *slot;
	bool readonly, writable;
	unsigned long hva;
	struct page *page;
	u64 seq;
	int r;

	r = hvx_s2_cache_topup(&vcpu->s2_cache);
	if (r)
		return r;

	spin_lock(&vm->mmu_lock);
	seq = vm->mmu_seq;
	slot = hvx_find_slot(vm, gpa);
	readonly = slot && (slot->flags & KVM_MEM_READONLY);
	if (!slot || (write && readonly)) {
		spin_unlock(&vm->mmu_lock);
		return -ENOENT;
	}
	if (write && hvx_write_mapped(vm, slot, gpa)) {
		spin_unlock(&vm->mmu_lock);
		return 0;
	}
	hva = slot->hva + (gpa - slot->gpa);
	spin_unlock(&vm->mmu_lock);

	r = hvx_pin_gpa(vm, hva, !readonly, &page);
	if (r)
		return r;

	spin_lock(&vm->mmu_lock);
	r = -EAGAIN;
	/* Unchanged @mmu_seq: the slot is still there, with its flags. */
	if (vm->mmu_seq == seq && !vm->mmu_busy) {
		slot = hvx_find_slot(vm, gpa);
		writable = !readonly &&
			   (write || !(slot->flags & KVM_MEM_LOG_DIRTY_PAGES));
		r = map(vcpu, gpa, page, writable);
		if (!r && write)
			hvx_mark_dirty(slot, gpa);
	}
	if (!r)
		atomic64_inc(&hvx_pinned_pages);
	spin_unlock(&vm->mmu_lock);
	if (!r)
		return 0;
	unpin_user_page(page);
	hvx_uncharge_pin(vm);
	return r == -ENOMEM || r == -EFAULT ? r : 0;
}

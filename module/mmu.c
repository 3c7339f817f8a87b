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
 * the notifier: so a page is pinned without vm->lock, and entered only if
 * no invalidation ran or is running meanwhile (vm->mmu_seq and
 * vm->mmu_busy, both under vm->lock).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/mmu_notifier.h>

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

static int hvx_mn_range_start(struct mmu_notifier *mn,
			      const struct mmu_notifier_range *range)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&vm->lock);
	else if (!mutex_trylock(&vm->lock))
		return -EAGAIN;
	vm->mmu_seq++;
	vm->mmu_busy++;
	hvx_unmap_hva(vm, range->start, range->end);
	mutex_unlock(&vm->lock);
	return 0;
}

static void hvx_mn_range_end(struct mmu_notifier *mn,
			     const struct mmu_notifier_range *range)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	mutex_lock(&vm->lock);
	vm->mmu_seq++;
	vm->mmu_busy--;
	mutex_unlock(&vm->lock);
}

/* The address space is going away: drop every guest page now. */
static void hvx_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvx_vm *vm = container_of(mn, struct hvx_vm, mn);

	mutex_lock(&vm->lock);
	vm->mmu_seq++;
	hvx_unmap_hva(vm, 0, ULONG_MAX);
	mutex_unlock(&vm->lock);
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

static void hvx_unpin(struct page *page)
{
	unpin_user_page(page);
}

void hvx_unpin_guest_page(struct page *page)
{
	hvx_unpin(page);
	atomic64_dec(&hvx_pinned_pages);
}

/*
 * Make @gpa present in stage 2 with @map.  Returns 0 when the page is
 * mapped, or should simply be retried; -ENOENT when no slot covers @gpa
 * (an MMIO access); -EFAULT when the process has no writable page there.
 * Runs in the VM's own mm.
 */
int hvx_fault_in_gpa(struct hvx_vm *vm, u64 gpa,
		     int (*map)(struct hvx_vm *vm, u64 gpa, struct page *page))
{
	unsigned long hva;
	struct page *page;
	u64 seq;
	int r;

	mutex_lock(&vm->lock);
	seq = vm->mmu_seq;
	hva = hvx_gpa_to_hva(vm, gpa);
	mutex_unlock(&vm->lock);
	if (!hva)
		return -ENOENT;

	if (pin_user_pages_fast(hva & PAGE_MASK, 1, FOLL_WRITE | FOLL_LONGTERM,
				&page) != 1)
		return -EFAULT;

	mutex_lock(&vm->lock);
	r = -EAGAIN;
	if (vm->mmu_seq == seq && !vm->mmu_busy)
		r = map(vm, gpa, page);
	if (!r)
		atomic64_inc(&hvx_pinned_pages);
	mutex_unlock(&vm->lock);
	if (r)
		hvx_unpin(page);
	return r == -ENOMEM ? r : 0;
}

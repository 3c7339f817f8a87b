// SPDX-License-Identifier: GPL-2.0
/*
 * hvx memory slots: KVM_SET_USER_MEMORY_REGION and guest page pinning.
 *
 * Guest RAM is the calling process's own memory.  A slot only records
 * where it lives; module/mmu.c enters its pages in stage 2 on demand.
 * Moving or deleting a slot removes its pages from stage 2 first.  A slot
 * changes with vm->lock and vm->mmu_lock held, so either one is enough to
 * read the slots.
 *
 * Dirty logging (KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG,
 * KVM_CLEAR_DIRTY_LOG, api.rst 4.35, 4.118): while a slot logs, its pages
 * are mapped without write permission until the guest writes them; that
 * write faults, module/mmu.c sets the page's bit and makes the entry
 * writable.  Taking the log (or clearing it) takes the write permission
 * away again, and flushes the TLBs of every vCPU (hvx_vm_flush_tlbs():
 * a new ASID on SVM, AMD APM Vol. 2 15.16; INVEPT on VMX, Intel SDM
 * Vol. 3C 28.3.3; TLBI VMALLS12E1IS around every run on arm64, Arm ARM
 * D8.13) before it returns, so that the next write of each page faults.
 * Bitmaps are allocated and freed outside vm->mmu_lock.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvx.h"

/* As KVM_MEM_MAX_NR_PAGES: a slot's page count must fit in 31 bits. */
#define HVX_SLOT_MAX_PAGES	((1UL << 31) - 1)

#define HVX_SLOT_FLAGS	(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)

/*
 * Slot ids KVM accepts before it looks for the slot (KVM_USER_MEM_SLOTS:
 * SHRT_MAX, less three private slots on x86); hvx has HVX_MAX_MEMSLOTS.
 */
#ifdef CONFIG_X86
#define HVX_KVM_USER_MEM_SLOTS	(SHRT_MAX - 3)
#else
#define HVX_KVM_USER_MEM_SLOTS	SHRT_MAX
#endif

/* The dirty bitmap's size in bytes, whole longs, as KVM copies it out. */
static unsigned long hvx_bitmap_bytes(u64 size)
{
	return ALIGN(size >> PAGE_SHIFT, BITS_PER_LONG) / 8;
}

/* The log, then KVM_GET/CLEAR_DIRTY_LOG's buffer: zeroed. */
static unsigned long *hvx_alloc_dirty_bitmap(u64 size)
{
	return hvx_fault_alloc() ? NULL : kvzalloc(2 * hvx_bitmap_bytes(size),
					      GFP_KERNEL_ACCOUNT);
}

static unsigned long *hvx_bitmap_buffer(const struct hvx_memslot *slot)
{
	return slot->dirty_bitmap + hvx_bitmap_bytes(slot->size) / sizeof(long);
}

static bool hvx_slot_overlaps(struct hvx_vm *vm, u32 skip, u64 gpa, u64 size)
{
	u32 i;

	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		const struct hvx_memslot *s = &vm->slots[i];

		if (i == skip || !s->size)
			continue;
		if (gpa < s->gpa + s->size && s->gpa < gpa + size)
			return true;
	}
	return false;
}

/* Every check KVM makes before it looks at the existing slots. */
static int hvx_check_region(const struct hvx_vm *vm,
			    const struct kvm_userspace_memory_region *mem)
{
	u64 end = mem->guest_phys_addr + mem->memory_size;

	if (mem->flags & ~HVX_SLOT_FLAGS)
		return -EINVAL;
	if ((mem->slot >> 16) || (mem->slot & 0xffff) >= HVX_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) ||
	    !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	if (mem->userspace_addr != (unsigned long)mem->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (mem->memory_size >> PAGE_SHIFT > HVX_SLOT_MAX_PAGES)
		return -EINVAL;
	if (end < mem->guest_phys_addr || end > BIT_ULL(vm->gpa_bits))
		return -EINVAL;
	return 0;
}

/* Bitmaps for hvx_update_slot(): one to use, one it drops. */
struct hvx_bitmaps {
	unsigned long *fresh;	/* allocated for a slot that will log */
	unsigned long *stale;	/* to free once the locks are dropped */
};

/*
 * The bitmap of a slot that logs from now on: the one it had if it
 * logged already, a fresh one otherwise, all set when user space asked
 * for KVM_DIRTY_LOG_INITIALLY_SET (every page counts as dirty until a
 * KVM_CLEAR_DIRTY_LOG, which write-protects it; nothing is
 * write-protected before).  Returns whether its pages must now be
 * write-protected.
 */
static bool hvx_slot_start_log(struct hvx_vm *vm, struct hvx_memslot *slot,
			       struct hvx_bitmaps *b)
{
	if (slot->dirty_bitmap)
		return false;
	slot->dirty_bitmap = b->fresh;
	b->fresh = NULL;
	if (vm->dirty_log_manual & KVM_DIRTY_LOG_INITIALLY_SET) {
		bitmap_set(slot->dirty_bitmap, 0, slot->size >> PAGE_SHIFT);
		return false;
	}
	return true;
}

/* Apply @flags to @slot, logging or not; vm->lock and vm->mmu_lock held. */
static void hvx_slot_set_flags(struct hvx_vm *vm, struct hvx_memslot *slot,
			       u32 flags, struct hvx_bitmaps *b)
{
	slot->flags = flags;
	if (!(flags & KVM_MEM_LOG_DIRTY_PAGES)) {
		/* Pages stay read-only until written: mmu.c restores them. */
		b->stale = slot->dirty_bitmap;
		slot->dirty_bitmap = NULL;
		return;
	}
	if (hvx_slot_start_log(vm, slot, b) &&
	    hvx_stage2_wrprotect(vm->s2, slot->gpa, slot->size >> PAGE_SHIFT,
				 NULL))
		hvx_vm_flush_tlbs(vm);
}

/*
 * KVM's rules (api.rst 4.35): an existing slot may move, and change
 * KVM_MEM_LOG_DIRTY_PAGES, but not its memory, size or
 * KVM_MEM_READONLY.  A slot that moves keeps its dirty log, as on KVM.
 */
static int hvx_update_slot(struct hvx_vm *vm, u32 id,
			   const struct kvm_userspace_memory_region *mem,
			   struct hvx_bitmaps *b)
{
	struct hvx_memslot *slot = &vm->slots[id];

	if (!mem->memory_size) {			/* delete */
		if (!slot->size)
			return -EINVAL;
		hvx_ops->vm_unmap(vm, slot->gpa, slot->size);
		b->stale = slot->dirty_bitmap;
		memset(slot, 0, sizeof(*slot));
		return 0;
	}
	if (!slot->size) {				/* create */
		if (hvx_slot_overlaps(vm, id, mem->guest_phys_addr,
				      mem->memory_size))
			return -EEXIST;
		slot->hva = mem->userspace_addr;
		slot->size = mem->memory_size;
		slot->gpa = mem->guest_phys_addr;
		hvx_slot_set_flags(vm, slot, mem->flags, b);
		return 0;
	}
	if (mem->userspace_addr != slot->hva ||
	    mem->memory_size != slot->size ||
	    (mem->flags ^ slot->flags) & KVM_MEM_READONLY)
		return -EINVAL;
	if (mem->guest_phys_addr != slot->gpa) {	/* move */
		if (hvx_slot_overlaps(vm, id, mem->guest_phys_addr,
				      mem->memory_size))
			return -EEXIST;
		hvx_ops->vm_unmap(vm, slot->gpa, slot->size);
		slot->gpa = mem->guest_phys_addr;
	}
	if (mem->flags != slot->flags)
		hvx_slot_set_flags(vm, slot, mem->flags, b);
	return 0;
}

int hvx_set_memory_region(struct hvx_vm *vm,
			  const struct kvm_userspace_memory_region *mem)
{
	struct hvx_bitmaps b = { };
	int r = hvx_check_region(vm, mem);

	if (r)
		return r;
	if ((mem->flags & KVM_MEM_LOG_DIRTY_PAGES) && mem->memory_size) {
		b.fresh = hvx_alloc_dirty_bitmap(mem->memory_size);
		if (!b.fresh)
			return -ENOMEM;
	}
	mutex_lock(&vm->lock);
	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;		/* a fault in flight must not map the old hva */
	r = hvx_update_slot(vm, mem->slot & 0xffff, mem, &b);
	spin_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);
	kvfree(b.fresh);
	kvfree(b.stale);
	return r;
}

/*
 * At the VM's release: the dirty bitmaps of the slots that still log
 * (their pages are unpinned with stage 2, by the backend's vm_free).
 */
void hvx_memslots_free(struct hvx_vm *vm)
{
	int i;

	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		kvfree(vm->slots[i].dirty_bitmap);
		vm->slots[i].dirty_bitmap = NULL;
	}
}

/* vm->lock or vm->mmu_lock held. */
const struct hvx_memslot *hvx_find_slot(struct hvx_vm *vm, u64 gpa)
{
	u32 i;

	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		const struct hvx_memslot *s = &vm->slots[i];

		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/* vm->lock or vm->mmu_lock held; 0 when @gpa is in no slot. */
unsigned long hvx_gpa_to_hva(struct hvx_vm *vm, u64 gpa)
{
	const struct hvx_memslot *s = hvx_find_slot(vm, gpa);

	return s ? s->hva + (gpa - s->gpa) : 0;
}

/*
 * vm->lock held: the hva of @gpa for the kernel to write on the guest's
 * behalf; 0 when @gpa is in no slot or in a read-only one.
 */
unsigned long hvx_gpa_to_hva_write(struct hvx_vm *vm, u64 gpa)
{
	const struct hvx_memslot *s = hvx_find_slot(vm, gpa);

	if (!s || (s->flags & KVM_MEM_READONLY))
		return 0;
	return s->hva + (gpa - s->gpa);
}

/* The page at @gpa, in @slot, was written; vm->lock or vm->mmu_lock held. */
void hvx_mark_dirty(const struct hvx_memslot *slot, u64 gpa)
{
	if (slot->dirty_bitmap)
		set_bit((gpa - slot->gpa) >> PAGE_SHIFT, slot->dirty_bitmap);
}

/* The kernel wrote the guest's page at @gpa (after the write: see GET). */
void hvx_mark_page_dirty(struct hvx_vm *vm, u64 gpa)
{
	const struct hvx_memslot *s;

	mutex_lock(&vm->lock);
	s = hvx_find_slot(vm, gpa);
	if (s)
		hvx_mark_dirty(s, gpa);
	mutex_unlock(&vm->lock);
}

/*
 * The slot of a KVM_GET/CLEAR_DIRTY_LOG, with KVM's errors: -EINVAL for
 * an address space other than 0 or an id KVM would never accept,
 * -ENOENT for a slot that does not exist or does not log.  vm->lock held.
 */
static int hvx_log_slot(struct hvx_vm *vm, u32 slot_id,
			struct hvx_memslot **slot)
{
	u32 id = slot_id & 0xffff;

	if ((slot_id >> 16) || id >= HVX_KVM_USER_MEM_SLOTS)
		return -EINVAL;
	if (id >= HVX_MAX_MEMSLOTS || !vm->slots[id].dirty_bitmap)
		return -ENOENT;
	*slot = &vm->slots[id];
	return 0;
}

/*
 * Move the log into the buffer and clear it, and write-protect the pages
 * it named, so that their next write is logged again; all under
 * vm->mmu_lock, so that no write falls between the two.
 */
static unsigned long *hvx_take_log(struct hvx_vm *vm, struct hvx_memslot *slot)
{
	unsigned long *buf = hvx_bitmap_buffer(slot);
	unsigned long i, n = hvx_bitmap_bytes(slot->size) / sizeof(long);
	bool any = false;

	spin_lock(&vm->mmu_lock);
	for (i = 0; i < n; i++) {
		buf[i] = 0;
		if (READ_ONCE(slot->dirty_bitmap[i]))
			buf[i] = xchg(&slot->dirty_bitmap[i], 0);
		any |= buf[i] != 0;
	}
	if (any && hvx_stage2_wrprotect(vm->s2, slot->gpa,
					slot->size >> PAGE_SHIFT, buf))
		hvx_vm_flush_tlbs(vm);
	spin_unlock(&vm->mmu_lock);
	return buf;
}

/*
 * KVM_GET_DIRTY_LOG (api.rst 4.8): copy the slot's log out.  Unless
 * KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE is on, the log is cleared and its
 * pages write-protected first; with it, the log stays as it is until
 * KVM_CLEAR_DIRTY_LOG.  padding1 is not checked, as KVM does not.
 */
long hvx_get_dirty_log(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_dirty_log log;
	struct hvx_memslot *slot;
	unsigned long *src;
	long r;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = hvx_log_slot(vm, log.slot, &slot);
	if (r)
		goto out;
	if (vm->dirty_log_manual & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		src = slot->dirty_bitmap;
	else
		src = hvx_take_log(vm, slot);
	if (copy_to_user(log.dirty_bitmap, src, hvx_bitmap_bytes(slot->size)))
		r = -EFAULT;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM's range rules for KVM_CLEAR_DIRTY_LOG (api.rst 4.118). */
static bool hvx_clear_range_ok(const struct hvx_memslot *slot,
			       const struct kvm_clear_dirty_log *log)
{
	u64 npages = slot->size >> PAGE_SHIFT;

	if (log->first_page > npages ||
	    log->num_pages > npages - log->first_page)
		return false;
	/* A count not a multiple of 64 must reach the slot's end. */
	return log->num_pages == npages - log->first_page ||
	       !(log->num_pages & 63);
}

/*
 * Clear the bits of @buf in the log from page @first on, keep in @buf
 * only those that were set, and write-protect their pages.
 */
static void hvx_clear_log(struct hvx_vm *vm, struct hvx_memslot *slot,
			  u64 first, u32 num, unsigned long *buf)
{
	unsigned long i, n = DIV_ROUND_UP(num, BITS_PER_LONG);
	unsigned long *log = slot->dirty_bitmap + first / BITS_PER_LONG;
	bool any = false;

	spin_lock(&vm->mmu_lock);
	for (i = 0; i < n; i++) {
		if (!buf[i])
			continue;
		buf[i] &= atomic_long_fetch_andnot(buf[i],
						   (atomic_long_t *)&log[i]);
		any |= buf[i] != 0;
	}
	if (any && hvx_stage2_wrprotect(vm->s2,
					slot->gpa + (first << PAGE_SHIFT),
					num, buf))
		hvx_vm_flush_tlbs(vm);
	spin_unlock(&vm->mmu_lock);
}

/*
 * KVM_CLEAR_DIRTY_LOG (api.rst 4.118): clear the bits user space gives
 * for pages [first_page, first_page + num_pages), and write-protect the
 * pages whose bit was set.  first_page must be a multiple of 64, and
 * num_pages too unless the range ends at the slot's end (-EINVAL).  As
 * on KVM 6.1 it works whether or not manual protection is enabled.
 */
long hvx_clear_dirty_log(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_clear_dirty_log log;
	struct hvx_memslot *slot;
	unsigned long *buf;
	long r;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = hvx_log_slot(vm, log.slot, &slot);
	if (!r && (log.first_page & 63))
		r = -EINVAL;
	if (r)
		goto out;
	r = -EINVAL;
	if (!hvx_clear_range_ok(slot, &log))
		goto out;
	buf = hvx_bitmap_buffer(slot);
	r = -EFAULT;
	if (copy_from_user(buf, log.dirty_bitmap,
			   ALIGN(log.num_pages, BITS_PER_LONG) / 8))
		goto out;
	hvx_clear_log(vm, slot, log.first_page, log.num_pages, buf);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) on the VM: args[0]
 * is 0 (off) or KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, with or without
 * KVM_DIRTY_LOG_INITIALLY_SET, which applies to slots that start logging
 * from then on.  Any other bit, or flags, is -EINVAL, as on KVM.
 */
int hvx_enable_dirty_log_manual(struct hvx_vm *vm,
				const struct kvm_enable_cap *cap)
{
	u64 allowed = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;

	if (cap->args[0] & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		allowed |= KVM_DIRTY_LOG_INITIALLY_SET;
	if (cap->flags || (cap->args[0] & ~allowed))
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->dirty_log_manual = cap->args[0];
	mutex_unlock(&vm->lock);
	return 0;
}

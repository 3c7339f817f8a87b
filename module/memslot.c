// SPDX-License-Identifier: GPL-2.0
/*
 * hvx memory slots: KVM_SET_USER_MEMORY_REGION and guest page pinning.
 *
 * Guest RAM is the calling process's own memory.  A slot only records
 * where it lives; module/mmu.c enters its pages in stage 2 on demand.
 * Moving or deleting a slot removes its pages from stage 2 first.  A slot
 * changes with vm->lock and vm->mmu_lock held, so either one is enough to
 * read the slots.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "hvx.h"

/* As KVM_MEM_MAX_NR_PAGES: a slot's page count must fit in 31 bits. */
#define HVX_SLOT_MAX_PAGES	((1UL << 31) - 1)

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

	if (mem->flags)		/* no dirty logging, no read-only slots */
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

static int hvx_update_slot(struct hvx_vm *vm, u32 id,
			   const struct kvm_userspace_memory_region *mem)
{
	struct hvx_memslot *slot = &vm->slots[id];

	if (!mem->memory_size) {			/* delete */
		if (!slot->size)
			return -EINVAL;
		hvx_ops->vm_unmap(vm, slot->gpa, slot->size);
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
		return 0;
	}
	/* An existing slot may only move; its memory stays what it was. */
	if (mem->userspace_addr != slot->hva || mem->memory_size != slot->size)
		return -EINVAL;
	if (mem->guest_phys_addr == slot->gpa)
		return 0;
	if (hvx_slot_overlaps(vm, id, mem->guest_phys_addr, mem->memory_size))
		return -EEXIST;
	hvx_ops->vm_unmap(vm, slot->gpa, slot->size);
	slot->gpa = mem->guest_phys_addr;
	return 0;
}

int hvx_set_memory_region(struct hvx_vm *vm,
			  const struct kvm_userspace_memory_region *mem)
{
	int r = hvx_check_region(vm, mem);

	if (r)
		return r;
	mutex_lock(&vm->lock);
	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;		/* a fault in flight must not map the old hva */
	r = hvx_update_slot(vm, mem->slot & 0xffff, mem);
	spin_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);
	return r;
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

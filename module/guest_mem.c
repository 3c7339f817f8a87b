// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: the kernel reading and writing guest-physical memory on the
 * guest's behalf (an instruction to decode, a structure a hypercall
 * shares with the hypervisor), through the process's own mapping of the
 * memory slot, as the guest's memory is the caller's pages.  A write is
 * logged in the slot's dirty bitmap once done, so that a
 * KVM_GET_DIRTY_LOG running alongside cannot miss it.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "hvx.h"

static int hvx_access_guest(struct hvx_vm *vm, u64 gpa, void *buf,
			    unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		unsigned long hva, left;

		mutex_lock(&vm->lock);
		hva = write ? hvx_gpa_to_hva_write(vm, gpa) :
			      hvx_gpa_to_hva(vm, gpa);
		mutex_unlock(&vm->lock);
		if (!hva)
			return -EFAULT;
		if (write)
			left = copy_to_user((void __user *)hva, buf, n);
		else
			left = copy_from_user(buf, (void __user *)hva, n);
		if (left)
			return -EFAULT;
		if (write)
			hvx_mark_page_dirty(vm, gpa);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* 0, or -EFAULT when part of [@gpa, @gpa + @len) is in no slot. */
int hvx_read_guest(struct hvx_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return hvx_access_guest(vm, gpa, buf, len, false);
}

/*
 * Whether [@gpa, @gpa + @len) is all in writable slots now: a write the
 * kernel will make later on the guest's behalf (an INS's data, once user
 * space has it) is refused at once if not, rather than failing then.
 */
bool hvx_guest_writable(struct hvx_vm *vm, u64 gpa, unsigned int len)
{
	u64 end = gpa + len, page;
	bool ok = true;

	mutex_lock(&vm->lock);
	for (page = gpa & PAGE_MASK; ok && len && page < end; page += PAGE_SIZE)
		ok = hvx_gpa_to_hva_write(vm, max(page, gpa)) != 0;
	mutex_unlock(&vm->lock);
	return ok;
}

/* The same for a write; a read-only slot is -EFAULT too. */
int hvx_write_guest(struct hvx_vm *vm, u64 gpa, const void *buf,
		    unsigned int len)
{
	return hvx_access_guest(vm, gpa, (void *)buf, len, true);
}

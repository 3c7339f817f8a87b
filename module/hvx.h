/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx core: the objects every backend shares.
 *
 * The core owns /dev/hvx, the VM and vCPU file descriptors, the memory
 * slots and the pinning of guest pages.  Everything that touches the
 * hardware sits behind struct hvx_arch_ops, one instance per architecture.
 */
#ifndef HVX_CORE_H
#define HVX_CORE_H

#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/signal_types.h>
#include <linux/spinlock.h>
#include <linux/kvm.h>
#include <linux/hvx.h>

struct dentry;
struct seq_file;
struct dentry;

#define HVX_MAX_VCPUS		16
#define HVX_MAX_MEMSLOTS	32
#define HVX_RUN_PAGES		2	/* struct kvm_run, then PIO data */
#define HVX_PIO_PAGE_OFFSET	1	/* as KVM_PIO_PAGE_OFFSET */

struct hvx_memslot {
	u64 gpa;
	u64 size;		/* 0: slot unused */
	unsigned long hva;
	u32 flags;		/* KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY */
	/*
	 * With KVM_MEM_LOG_DIRTY_PAGES: one bit per page, set (set_bit())
	 * when the guest or the kernel for it writes the page, under
	 * vm->mmu_lock or vm->lock; followed by a second bitmap of the same
	 * size, KVM_GET/CLEAR_DIRTY_LOG's buffer (vm->lock).
	 */
	unsigned long *dirty_bitmap;
};

/*
 * The data blocks of the stats files (module/stats.c), in the order of
 * their descriptors there.  Only the vCPU's thread (or, for the VM, the
 * holder of vm->mmu_lock) writes them; stats files read them at any time.
 */
#define HVX_STATS_HIST_BUCKETS	32

struct hvx_vm_stat {
	u64 remote_tlb_flush;	/* hvx_vm_flush_tlbs() calls */
};

struct hvx_vcpu_stat {
	u64 exits;		/* every exit from the guest */
	u64 kernel_exits;	/* of those, handled without leaving KVM_RUN */
	u64 user_exits;		/* ... and those that returned to user space */
	/* Exit to next entry in ns, log2 buckets (KVM_STATS_TYPE_LOG_HIST) */
	u64 kernel_exit_hist[HVX_STATS_HIST_BUCKETS];
	u64 user_exit_hist[HVX_STATS_HIST_BUCKETS];
	/* By HVX_STAT_*, hvx_stat(); what HVX_GET_VCPU_STATS copies */
	struct hvx_vcpu_stats reason;
};

/* vcpu->stat_state: where the last exit went, for the latency. */
#define HVX_STAT_STATE_NONE	0	/* entered since; nothing to time */
#define HVX_STAT_STATE_EXITED	1	/* exited, still in the kernel */
#define HVX_STAT_STATE_USER	2	/* exited to user space */

struct hvx_vm {
	struct kref ref;
	struct mm_struct *mm;	/* the creator's; vCPUs must run in it */
	/*
	 * @lock serialises the writers of the memory slots, of the
	 * ioeventfd list and vCPU creation.  Reclaim never takes it:
	 * allocating under it is safe.
	 */
	struct mutex lock;
	/*
	 * @mmu_lock is what the MMU notifier takes, from reclaim and from
	 * the OOM reaper too, where it may not sleep: it covers the stage-2
	 * tables, @mmu_seq, @mmu_busy, reads of @slots (writers hold @lock
	 * and @mmu_lock) and the @vcpus array.  Nothing under it sleeps or
	 * allocates: stage-2 table pages come from the vCPU's @s2_cache.
	 */
	spinlock_t mmu_lock;
	struct hvx_memslot slots[HVX_MAX_MEMSLOTS];
	struct mmu_notifier mn;
	u64 mmu_seq;		/* bumped by every invalidation */
	int mmu_busy;		/* invalidations in progress */
	struct hvx_vcpu *vcpus[HVX_MAX_VCPUS];
	int nr_vcpus;
	/* KVM_CAP_MAX_VCPU_ID as enabled (x86): IDs below it; 0: any */
	u32 max_vcpu_ids;
	/* Bumped when stage-2 entries go away; vCPUs flush on a change. */
	atomic64_t tlb_gen;
	unsigned int gpa_bits;	/* guest-physical addresses below 2^gpa_bits */
	struct hvx_stage2 *s2;	/* the backend's stage-2 tables */
	u64 dirty_log_manual;	/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 args[0] */
	u64 tss_addr;
	u64 identity_map_addr;	/* x86 KVM_SET_IDENTITY_MAP_ADDR, recorded */
	struct hvx_vm_stat stat;	/* KVM_GET_STATS_FD's data (stats.c) */
	char stats_id[48];	/* the stats files' id: "kvm-PID" */
	/* KVM_IOEVENTFD registrations: RCU readers, writers hold @lock. */
	struct list_head ioeventfds;
	unsigned int nr_ioeventfds;
	struct dentry *debugfs;	/* hvx/PID-N (debugfs.c) */
	void *arch;
};

/*
 * Zeroed pages for stage-2 tables, filled before vm->mmu_lock is taken:
 * one per level below the root, the most a single 4 KiB mapping can need
 * (five-level nested paging: four).
 */
#define HVX_S2_CACHE_PAGES	4

struct hvx_s2_cache {
	unsigned int nr;
	void *pages[HVX_S2_CACHE_PAGES];
};

/* vcpu->mode: where the vCPU is, for remote TLB shoot-downs. */
#define HVX_OUTSIDE_GUEST	0
#define HVX_IN_GUEST		1

struct hvx_vcpu {
	struct hvx_vm *vm;
	u32 id;
	int cpu;		/* host CPU of the last entry */
	int mode;		/* HVX_OUTSIDE_GUEST or HVX_IN_GUEST */
	struct mutex lock;	/* one ioctl at a time */
	struct kvm_run *run;
	struct page *run_pages[HVX_RUN_PAGES];
	struct hvx_vcpu_stat stat;	/* see stats.c */
	u64 stat_exit_ns;		/* ktime_get_ns() of the last exit */
	int stat_state;			/* HVX_STAT_STATE_* */
	struct hvx_s2_cache s2_cache;	/* vcpu->lock held */
	/* KVM_SET_SIGNAL_MASK: the signals blocked inside KVM_RUN */
	sigset_t sigset;
	bool sigset_active;
	/* The rule the last refused VM entry broke (a static string), or NULL. */
	const char *entry_failure;
	/* The manual section that states that rule (a static string). */
	const char *entry_failure_ref;
	void *arch;
};

/*
 * The backend interface.  Unless noted, each hook runs in process context
 * with preemption enabled and may sleep.
 *
 * @enable:	turn virtualization on, on every online CPU.  Called with
 *		cpus_read_lock() and hvx_global_lock held when the first VM
 *		is created; returns -EBUSY, after one kernel-log line, if
 *		another hypervisor owns the hardware.
 * @disable:	undo @enable when the last VM goes away; same locks.
 * @enable_cpu/@disable_cpu: the same on this CPU only, with interrupts
 *		off, for CPU hotplug, suspend and reboot while VMs exist.
 *		@enable_cpu returns 0, or -errno (-EBUSY: another hypervisor
 *		owns it) with this CPU left off and nothing logged;
 *		@disable_cpu does nothing on a CPU that is off.  NULL where
 *		the backend keeps no per-CPU state (arm64 VHE).
 * @vm_init/@vm_free: per-VM state (stage-2 root); @vm_init checks the
 *		KVM_CREATE_VM machine type (-EINVAL if unknown) and sets
 *		vm->gpa_bits and vm->s2.  @vm_free unpins every page still mapped.
 * @vm_quiesce: at the VM's release, before its vCPUs are freed: stop what
 *		can raise an interrupt from outside the vCPUs (x86: the
 *		8254's timer, irqfds), and wait for any such delivery running
 *		now.  May be NULL.
 * @vm_unmap:	remove [gpa, gpa + size) from stage 2 and unpin its pages;
 *		vm->mmu_lock held, so it must not sleep.  Must not return
 *		before no vCPU can still use a stale translation (see
 *		hvx_vm_flush_tlbs()).
 * @vcpu_init/@vcpu_free: per-vCPU state, reset to the architectural
 *		power-on state.
 * @vcpu_precreate: may the VM take one more vCPU now (vm->lock held)?
 *		0 or -errno.  May be NULL.
 * @vcpu_run:	KVM_RUN: vcpu->lock held, current->mm == vm->mm.  Returns
 *		0 with vcpu->run->exit_reason set, or -errno.
 * @vcpu_ioctl:	architecture ioctls on a vCPU fd, vcpu->lock held;
 *		-ENOTTY for an unknown one.
 * @vm_ioctl:	architecture ioctls on a VM fd; -ENOTTY for an unknown one.
 * @vcpu_inspect: print the vCPU's hardware state by field name (the
 *		debugfs file of debugfs.c); vcpu->lock held.  May be NULL.
 * @vcpu_debugfs: add the backend's own debugfs files for @vcpu to @dir
 *		(fault injection for tests); vm->lock held.  May be NULL.
 * @check_extension: KVM_CHECK_EXTENSION for architecture capabilities.
 * @dev_ioctl:	architecture ioctls on /dev/hvx (KVM_GET_SUPPORTED_CPUID...);
 *		-ENOTTY for an unknown one.  May be NULL.
 */
struct hvx_arch_ops {
	const char *name;
	u32 backend;
	int (*enable)(void);
	void (*disable)(void);
	int (*enable_cpu)(void);
	void (*disable_cpu)(void);
	int (*vm_init)(struct hvx_vm *vm, unsigned long type);
	void (*vm_free)(struct hvx_vm *vm);
	void (*vm_quiesce)(struct hvx_vm *vm);
	void (*vm_unmap)(struct hvx_vm *vm, u64 gpa, u64 size);
	int (*vcpu_init)(struct hvx_vcpu *vcpu);
	int (*vcpu_precreate)(struct hvx_vm *vm);
	void (*vcpu_free)(struct hvx_vcpu *vcpu);
	int (*vcpu_run)(struct hvx_vcpu *vcpu);
	long (*vcpu_ioctl)(struct hvx_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp);
	long (*vm_ioctl)(struct hvx_vm *vm, unsigned int ioctl,
			 void __user *argp);
	void (*vcpu_inspect)(struct hvx_vcpu *vcpu, struct seq_file *m);
	void (*vcpu_debugfs)(struct hvx_vcpu *vcpu, struct dentry *dir);
	int (*check_extension)(long cap);
	long (*dev_ioctl)(unsigned int ioctl, void __user *argp);
};

extern const struct hvx_arch_ops *hvx_ops;

/* Provided by the architecture: pick a backend that can run here. */
const struct hvx_arch_ops *hvx_arch_probe(void);
void hvx_arch_exit(void);

/* module/main.c */
extern atomic64_t hvx_pinned_pages;
extern atomic64_t hvx_nr_vcpus;
extern atomic64_t hvx_s2_table_pages;
int hvx_check_extension(long cap);
int hvx_get_hardware(void);
void hvx_put_hardware(void);
int hvx_cpu_off(struct hvx_vcpu *vcpu, int cpu);

/* module/vm.c */
int hvx_vm_create(unsigned long type);
void hvx_vm_put(struct hvx_vm *vm);
void hvx_vm_flush_tlbs(struct hvx_vm *vm);
void hvx_vm_kick_vcpus(struct hvx_vm *vm);

/* module/ioeventfd.c */
long hvx_ioeventfd_ioctl(struct hvx_vm *vm, void __user *argp);
bool hvx_ioeventfd_write(struct hvx_vm *vm, bool pio, u64 addr,
			 unsigned int len, u64 val);
void hvx_ioeventfd_free(struct hvx_vm *vm);

/* module/memslot.c */
int hvx_set_memory_region(struct hvx_vm *vm,
			  const struct kvm_userspace_memory_region *mem);
const struct hvx_memslot *hvx_find_slot(struct hvx_vm *vm, u64 gpa);
void hvx_memslots_free(struct hvx_vm *vm);
unsigned long hvx_gpa_to_hva(struct hvx_vm *vm, u64 gpa);
unsigned long hvx_gpa_to_hva_write(struct hvx_vm *vm, u64 gpa);
void hvx_mark_dirty(const struct hvx_memslot *slot, u64 gpa);
void hvx_mark_page_dirty(struct hvx_vm *vm, u64 gpa);
long hvx_get_dirty_log(struct hvx_vm *vm, void __user *argp);
long hvx_clear_dirty_log(struct hvx_vm *vm, void __user *argp);
int hvx_enable_dirty_log_manual(struct hvx_vm *vm,
				const struct kvm_enable_cap *cap);

/* module/guest_mem.c */
int hvx_read_guest(struct hvx_vm *vm, u64 gpa, void *buf, unsigned int len);
bool hvx_guest_writable(struct hvx_vm *vm, u64 gpa, unsigned int len);
int hvx_write_guest(struct hvx_vm *vm, u64 gpa, const void *buf,
		    unsigned int len);

/* module/debugfs.c: /sys/kernel/debug/hvx/PID-N/vcpuM (hvx inspect) */
void hvx_debugfs_init(void);
void hvx_debugfs_exit(void);
void hvx_debugfs_vm_add(struct hvx_vm *vm);
void hvx_debugfs_vm_remove(struct hvx_vm *vm);
void hvx_debugfs_vcpu_add(struct hvx_vcpu *vcpu);

/* module/fault.c: hvx's fault points, armed through debugfs (fail_nth) */
bool hvx_fault_alloc(void);
void hvx_fault_debugfs_init(struct dentry *root);

/* module/mmu.c */
int hvx_mmu_init(struct hvx_vm *vm);
void hvx_mmu_exit(struct hvx_vm *vm);
int hvx_fault_in_gpa(struct hvx_vcpu *vcpu, u64 gpa, bool write,
		     int (*map)(struct hvx_vcpu *vcpu, u64 gpa,
				struct page *page, bool writable));
void hvx_dirty_guest_page(struct page *page);
void hvx_unpin_guest_page(struct hvx_vm *vm, struct page *page, bool dirty);

/* module/stage2.c: the second-stage radix tree of every backend */
struct hvx_stage2 {
	u64 *root;
	int levels;
	unsigned int root_order;	/* 2^root_order concatenated roots */
	u64 table_bits;			/* bits of an entry linking a table */
	u64 leaf_bits;			/* bits of an entry mapping a page */
	u64 write_bits;			/* of @leaf_bits, those granting writes */
	u64 addr_mask;			/* the address bits an entry holds */
};

int hvx_stage2_init(struct hvx_stage2 *s2, int levels, unsigned int root_order,
		    u64 table_bits, u64 leaf_bits, u64 write_bits, u64 addr_mask);
void hvx_stage2_free(struct hvx_vm *vm, struct hvx_stage2 *s2);
int hvx_stage2_map(struct hvx_stage2 *s2, struct hvx_s2_cache *cache, u64 gpa,
		   struct page *page, bool writable);
int hvx_stage2_mkwrite(struct hvx_stage2 *s2, u64 gpa);
bool hvx_stage2_wrprotect(struct hvx_stage2 *s2, u64 gpa, u64 npages,
			  const unsigned long *mask);
int hvx_s2_cache_topup(struct hvx_s2_cache *cache);
void hvx_s2_cache_free(struct hvx_s2_cache *cache);
void hvx_stage2_unmap(struct hvx_vm *vm, struct hvx_stage2 *s2, u64 gpa,
		      u64 size);

/* module/stats.c */
void hvx_vm_stats_init(struct hvx_vm *vm);
int hvx_vm_stats_fd(struct hvx_vm *vm);
int hvx_vcpu_stats_fd(struct hvx_vcpu *vcpu);
void hvx_stats_exit(struct hvx_vcpu *vcpu);
void hvx_stats_enter(struct hvx_vcpu *vcpu);
void hvx_stats_to_user(struct hvx_vcpu *vcpu);
void hvx_trace_user_exit(struct hvx_vcpu *vcpu);

/* module/vcpu.c */
int hvx_vcpu_create(struct hvx_vm *vm, unsigned long id);
void hvx_vcpu_free(struct hvx_vcpu *vcpu);

static inline void hvx_stat(struct hvx_vcpu *vcpu, unsigned int stat)
{
	vcpu->stat.reason.exits[stat]++;
}

#endif /* HVX_CORE_H */

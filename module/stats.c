// SPDX-License-Identifier: GPL-2.0
/*
 * hvx statistics: KVM's binary stats ABI (KVM_GET_STATS_FD on VM and vCPU
 * fds, Documentation/virt/kvm/api.rst "KVM_GET_STATS_FD").
 *
 * A stats file is a header, an id string, descriptors and the data block,
 * each at a multiple of 8 bytes.  hvx lays them out back to back; all but
 * the data are fixed when the file is created, the data block is read
 * live.  Every backend counts with the same names: one vocabulary for SVM,
 * VMX and EL2.
 *
 * The exit latency is measured from the exit (the world switch back to
 * the host) to the vCPU's next entry: for an exit handled in the kernel
 * that is hvx's handling time, for an exit to user space the whole round
 * trip through the VMM.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "hvx.h"

#define CREATE_TRACE_POINTS
#include "hvx_trace.h"

/* As KVM_STATS_NAME_SIZE: the id string and every name, '\0' included. */
#define HVX_STATS_NAME_SIZE	48

struct hvx_stats_desc {
	const char *name;
	u32 flags;
	s16 exponent;
	u16 size;
	u32 offset;
};

#define HVX_STATS_COUNTER	(KVM_STATS_TYPE_CUMULATIVE | \
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
/* A log2 histogram of nanoseconds: seconds, base 10, exponent -9. */
#define HVX_STATS_HIST_NS	(KVM_STATS_TYPE_LOG_HIST | \
				 KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)

#define HVX_VCPU_COUNTER(n, field) \
	{ n, HVX_STATS_COUNTER, 0, 1, offsetof(struct hvx_vcpu_stat, field) }
#define HVX_VCPU_REASON(n, stat) \
	HVX_VCPU_COUNTER(n, reason.exits[stat])
#define HVX_VCPU_HIST(n, field) \
	{ n, HVX_STATS_HIST_NS, -9, HVX_STATS_HIST_BUCKETS, \
	  offsetof(struct hvx_vcpu_stat, field) }

/*
 * In the order of struct hvx_vcpu_stat, which is the data block.  The
 * names of counters that mean what a KVM counter means are KVM's
 * ("exits", "io_exits", "mmio_exits", "halt_exits", "signal_exits",
 * "irq_exits"); the others are hvx's own.
 */
static const struct hvx_stats_desc hvx_vcpu_descs[] = {
	HVX_VCPU_COUNTER("exits", exits),
	HVX_VCPU_COUNTER("kernel_exits", kernel_exits),
	HVX_VCPU_COUNTER("user_exits", user_exits),
	HVX_VCPU_HIST("kernel_exit_latency_hist", kernel_exit_hist),
	HVX_VCPU_HIST("user_exit_latency_hist", user_exit_hist),
	HVX_VCPU_REASON("io_exits", HVX_STAT_IO),
	HVX_VCPU_REASON("mmio_exits", HVX_STAT_MMIO),
	HVX_VCPU_REASON("halt_exits", HVX_STAT_HLT),
	HVX_VCPU_REASON("shutdown_exits", HVX_STAT_SHUTDOWN),
	HVX_VCPU_REASON("fail_entry_exits", HVX_STAT_FAIL_ENTRY),
	HVX_VCPU_REASON("internal_error_exits", HVX_STAT_INTERNAL),
	HVX_VCPU_REASON("signal_exits", HVX_STAT_SIGNAL),
	HVX_VCPU_REASON("cpuid_exits", HVX_STAT_CPUID),
	HVX_VCPU_REASON("stage2_fault_exits", HVX_STAT_NPF),
	HVX_VCPU_REASON("irq_exits", HVX_STAT_HOST_INTR),
	HVX_VCPU_REASON("msr_exits", HVX_STAT_MSR),
	HVX_VCPU_REASON("msr_refused_exits", HVX_STAT_MSR_GP),
	HVX_VCPU_REASON("exception_exits", HVX_STAT_EXCEPTION),
	HVX_VCPU_REASON("other_exits", HVX_STAT_OTHER),
	HVX_VCPU_REASON("ioeventfd_exits", HVX_STAT_IOEVENTFD),
};

static const struct hvx_stats_desc hvx_vm_descs[] = {
	{ "remote_tlb_flush", HVX_STATS_COUNTER, 0, 1,
	  offsetof(struct hvx_vm_stat, remote_tlb_flush) },
};

/* One open stats file: the fixed blocks, then where the data lives. */
struct hvx_stats_file {
	struct hvx_vm *vm;	/* a reference: the data stays valid */
	const u64 *data;
	size_t data_size;
	size_t meta_size;	/* header, id and descriptors: data_offset */
	u8 meta[];
};

/* Bucket 0 holds 0; bucket i, [2^(i-1), 2^i); the last, all above. */
static void hvx_stats_hist_add(u64 *hist, u64 ns)
{
	hist[min_t(unsigned int, fls64(ns), HVX_STATS_HIST_BUCKETS - 1)]++;
}

/* Right after the world switch back to the host; interrupts are off. */
void hvx_stats_exit(struct hvx_vcpu *vcpu)
{
	vcpu->stat.exits++;
	vcpu->stat_exit_ns = ktime_get_ns();
	vcpu->stat_state = HVX_STAT_STATE_EXITED;
}

/* KVM_RUN returns: the last exit, if any, went to user space. */
void hvx_stats_to_user(struct hvx_vcpu *vcpu)
{
	if (vcpu->stat_state != HVX_STAT_STATE_EXITED)
		return;
	vcpu->stat.user_exits++;
	vcpu->stat_state = HVX_STAT_STATE_USER;
}

/* Right before the world switch into the guest; interrupts are off. */
void hvx_stats_enter(struct hvx_vcpu *vcpu)
{
	u64 ns;

	trace_hvx_entry(vcpu->id);
	if (vcpu->stat_state == HVX_STAT_STATE_NONE)
		return;
	ns = ktime_get_ns() - vcpu->stat_exit_ns;
	if (vcpu->stat_state == HVX_STAT_STATE_EXITED) {
		vcpu->stat.kernel_exits++;
		hvx_stats_hist_add(vcpu->stat.kernel_exit_hist, ns);
	} else {
		hvx_stats_hist_add(vcpu->stat.user_exit_hist, ns);
	}
	vcpu->stat_state = HVX_STAT_STATE_NONE;
}

/*
 * The first element of a port I/O exit's data, if it is an OUT.  The run
 * page is the VMM's to write too: each field is read once and the data
 * must lie within one of the vCPU's own run pages.
 */
static u32 hvx_trace_pio_data(struct hvx_vcpu *vcpu, const struct kvm_run *run)
{
	u64 off = READ_ONCE(run->io.data_offset);
	u8 size = READ_ONCE(run->io.size);
	u32 data = 0;

	if (READ_ONCE(run->io.direction) != KVM_EXIT_IO_OUT || size > 4 ||
	    off >= HVX_RUN_PAGES * PAGE_SIZE ||
	    off % PAGE_SIZE + size > PAGE_SIZE)
		return 0;
	memcpy(&data, page_address(vcpu->run_pages[off / PAGE_SIZE]) +
	       off % PAGE_SIZE, size);
	return data;
}

/*
 * KVM_RUN returned 0: trace the exits that user space completes, as the
 * run page holds them now (the data of an MMIO read or an IN is what
 * user space will fill in, not yet there).
 */
void hvx_trace_user_exit(struct hvx_vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;
	u64 data = 0;

	switch (READ_ONCE(run->exit_reason)) {
	case KVM_EXIT_MMIO:
		if (!trace_hvx_mmio_enabled())
			return;
		if (run->mmio.is_write)
			memcpy(&data, run->mmio.data,
			       min_t(u32, run->mmio.len, sizeof(data)));
		trace_hvx_mmio(vcpu->id, run->mmio.is_write,
			       run->mmio.phys_addr, run->mmio.len, data);
		break;
	case KVM_EXIT_IO:
		if (!trace_hvx_pio_enabled())
			return;
		trace_hvx_pio(vcpu->id, run->io.direction == KVM_EXIT_IO_OUT,
			      run->io.port, run->io.size, run->io.count,
			      hvx_trace_pio_data(vcpu, run));
		break;
	}
}

static size_t hvx_stats_data_size(const struct hvx_stats_desc *d,
				  unsigned int n)
{
	return d[n - 1].offset + d[n - 1].size * sizeof(u64);
}

/* The header, the id string and the descriptors, as api.rst lays them. */
static void hvx_stats_fill_meta(struct hvx_stats_file *sf, const char *id,
				const struct hvx_stats_desc *d, unsigned int n)
{
	const size_t dsize = sizeof(struct kvm_stats_desc) +
			     HVX_STATS_NAME_SIZE;
	struct kvm_stats_header *h = (void *)sf->meta;
	unsigned int i;

	h->name_size = HVX_STATS_NAME_SIZE;
	h->num_desc = n;
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + HVX_STATS_NAME_SIZE;
	h->data_offset = h->desc_offset + n * dsize;
	strscpy(sf->meta + h->id_offset, id, HVX_STATS_NAME_SIZE);
	for (i = 0; i < n; i++) {
		struct kvm_stats_desc *k = (void *)sf->meta + h->desc_offset +
					   i * dsize;

		k->flags = d[i].flags;
		k->exponent = d[i].exponent;
		k->size = d[i].size;
		k->offset = d[i].offset;
		strscpy(k->name, d[i].name, HVX_STATS_NAME_SIZE);
	}
}

static ssize_t hvx_stats_read_data(struct hvx_stats_file *sf, char __user *buf,
				   size_t off, size_t len)
{
	unsigned int i, n = sf->data_size / sizeof(u64);
	u64 *snap;
	ssize_t r = len;

	/* A copy first, so that no value is seen half-updated. */
	snap = hvx_fault_alloc() ? NULL : kmalloc(sf->data_size, GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		snap[i] = READ_ONCE(sf->data[i]);
	if (copy_to_user(buf, (u8 *)snap + off, len))
		r = -EFAULT;
	kfree(snap);
	return r;
}

/* read() and pread() at any offset; past the end, 0 (end of file). */
static ssize_t hvx_stats_read(struct file *file, char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct hvx_stats_file *sf = file->private_data;
	size_t total = sf->meta_size + sf->data_size;
	size_t pos = *ppos, done = 0, n;
	ssize_t r;

	if (*ppos < 0 || pos >= total)
		return 0;
	len = min(len, total - pos);
	if (pos < sf->meta_size) {
		n = min(len, sf->meta_size - pos);
		if (copy_to_user(buf, sf->meta + pos, n))
			return -EFAULT;
		done = n;
	}
	if (done < len) {
		r = hvx_stats_read_data(sf, buf + done,
					pos + done - sf->meta_size, len - done);
		if (r < 0)
			return r;
	}
	*ppos = pos + len;
	return len;
}

static int hvx_stats_release(struct inode *inode, struct file *file)
{
	struct hvx_stats_file *sf = file->private_data;

	hvx_vm_put(sf->vm);
	kfree(sf);
	return 0;
}

/* As KVM's: read-only, pread() allowed, lseek() a no-op. */
static const struct file_operations hvx_stats_fops = {
	.owner		= THIS_MODULE,
	.read		= hvx_stats_read,
	.release	= hvx_stats_release,
	.llseek		= noop_llseek,
};

/*
 * A new stats file over @data (of @vm or one of its vCPUs).  It holds a
 * reference to @vm, so it stays readable after the VM and vCPU fds close.
 */
static int hvx_stats_fd(struct hvx_vm *vm, const char *name, const char *id,
			const struct hvx_stats_desc *d, unsigned int n,
			const void *data)
{
	size_t meta = sizeof(struct kvm_stats_header) + HVX_STATS_NAME_SIZE +
		      n * (sizeof(struct kvm_stats_desc) + HVX_STATS_NAME_SIZE);
	struct hvx_stats_file *sf;
	struct file *file;
	int fd;

	sf = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*sf) + meta, GFP_KERNEL_ACCOUNT);
	if (!sf)
		return -ENOMEM;
	sf->vm = vm;
	sf->data = data;
	sf->data_size = hvx_stats_data_size(d, n);
	sf->meta_size = meta;
	hvx_stats_fill_meta(sf, id, d, n);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kfree(sf);
		return fd;
	}
	file = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
	       anon_inode_getfile(name, &hvx_stats_fops, sf, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(sf);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	kref_get(&vm->ref);
	fd_install(fd, file);
	return fd;
}

int hvx_vm_stats_fd(struct hvx_vm *vm)
{
	return hvx_stats_fd(vm, "hvx-vm-stats", vm->stats_id, hvx_vm_descs,
			    ARRAY_SIZE(hvx_vm_descs), &vm->stat);
}

int hvx_vcpu_stats_fd(struct hvx_vcpu *vcpu)
{
	char id[HVX_STATS_NAME_SIZE];

	snprintf(id, sizeof(id), "%s/vcpu-%u", vcpu->vm->stats_id, vcpu->id);
	return hvx_stats_fd(vcpu->vm, "hvx-vcpu-stats", id, hvx_vcpu_descs,
			    ARRAY_SIZE(hvx_vcpu_descs), &vcpu->stat);
}

/* The VM's id string, as KVM's: "kvm-" and the creating process's pid. */
void hvx_vm_stats_init(struct hvx_vm *vm)
{
	snprintf(vm->stats_id, sizeof(vm->stats_id), "kvm-%d",
		 task_pid_nr(current));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmlib: VMs, memory and vCPUs over the KVM ioctl ABI, for every
 * architecture.  The architecture's half is vmlib-x86.c or vmlib-arm64.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/hvx.h>

#include "vmlib.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int vm_create(struct vm *vm, const char *dev, unsigned long type,
	      uint64_t gpa, uint64_t mem_size)
{
	struct kvm_userspace_memory_region region = { 0 };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->dev = dev;
	vm->fd = -1;
	vm->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		return neg_errno();
	r = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		r = r < 0 ? neg_errno() : -EPROTO;
		goto fail;
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, type);
	if (vm->fd < 0 || vm->run_size <= 0)
		goto fail_errno;
	r = vm_arch_setup(vm);
	if (r)
		goto fail;
	if (!mem_size)
		return 0;
	vm->mem_gpa = gpa;
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		goto fail_errno;
	}
	region.guest_phys_addr = gpa;
	region.memory_size = mem_size;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		goto fail_errno;
	return 0;
fail_errno:
	r = neg_errno();
fail:
	vm_close(vm);
	return r;
}

int vm_open(struct vm *vm, const char *dev, uint64_t mem_size)
{
	return vm_create(vm, dev, 0, 0, mem_size);
}

void vm_close(struct vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->mem = NULL;
	vm->fd = vm->sys_fd = -1;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id)
{
	void *run;
	int r;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = NULL;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return neg_errno();
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		r = neg_errno();
		goto fail;
	}
	vcpu->run = run;
	r = vcpu_arch_setup(vcpu);
	if (!r)
		return 0;
fail:
	vcpu_close(vcpu);
	return r;
}

void vcpu_close(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int vcpu_run(struct vcpu *vcpu)
{
	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0)
		return neg_errno();
	return vcpu->run->exit_reason;
}

int vcpu_complete_exit(struct vcpu *vcpu)
{
	int r;

	vcpu->run->immediate_exit = 1;
	r = vcpu_run(vcpu);
	vcpu->run->immediate_exit = 0;
	return r == -EINTR ? 0 : r < 0 ? r : -EPROTO;
}

void *vm_gpa(struct vm *vm, uint64_t gpa)
{
	if (gpa < vm->mem_gpa || gpa - vm->mem_gpa >= vm->mem_size)
		return NULL;
	return (char *)vm->mem + (gpa - vm->mem_gpa);
}

int vm_load(struct vm *vm, uint64_t gpa, const void *code, size_t len)
{
	uint64_t off = gpa - vm->mem_gpa;

	if (gpa < vm->mem_gpa || off > vm->mem_size ||
	    len > vm->mem_size - off)
		return -ERANGE;
	memcpy((char *)vm->mem + off, code, len);
	return 0;
}

uint8_t *vcpu_io_data(struct vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

const char *exit_reason_name(unsigned int reason)
{
	static const char * const names[] = {
		[KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_EXCEPTION] = "exception",
		[KVM_EXIT_IO] = "io", [KVM_EXIT_HYPERCALL] = "hypercall",
		[KVM_EXIT_DEBUG] = "debug", [KVM_EXIT_HLT] = "hlt",
		[KVM_EXIT_MMIO] = "mmio", [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window",
		[KVM_EXIT_SHUTDOWN] = "shutdown",
		[KVM_EXIT_FAIL_ENTRY] = "fail_entry", [KVM_EXIT_INTR] = "intr",
		[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
		[KVM_EXIT_SYSTEM_EVENT] = "system_event",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "other";
}

const char *hvx_stat_name(unsigned int stat)
{
	static const char * const names[] = {
		[HVX_STAT_IO] = "io", [HVX_STAT_MMIO] = "mmio",
		[HVX_STAT_HLT] = "hlt", [HVX_STAT_SHUTDOWN] = "shutdown",
		[HVX_STAT_FAIL_ENTRY] = "fail_entry",
		[HVX_STAT_INTERNAL] = "internal_error",
		[HVX_STAT_SIGNAL] = "signal", [HVX_STAT_CPUID] = "cpuid",
		[HVX_STAT_NPF] = "stage2_fault",
		[HVX_STAT_HOST_INTR] = "host_interrupt",
		[HVX_STAT_MSR] = "msr", [HVX_STAT_MSR_GP] = "msr_gp",
		[HVX_STAT_EXCEPTION] = "exception_injected",
		[HVX_STAT_OTHER] = "other",
		[HVX_STAT_IOEVENTFD] = "ioeventfd",
	};

	if (stat < ARRAY_SIZE(names) && names[stat])
		return names[stat];
	return NULL;
}

int guest_mode_parse(const char *name)
{
	int i;

	for (i = 0; i < GUEST_NR_MODES; i++)
		if (!strcmp(name, guest_mode_name(i)))
			return i;
	return -1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmlib: VM, vCPU and guest-mode set-up over the KVM ioctl ABI.
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

#define X86_CR0_PE	(1u << 0)
#define X86_CR0_PG	(1u << 31)
#define X86_CR4_PSE	(1u << 4)
#define X86_CR4_PAE	(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int vm_open(struct vm *vm, const char *dev, uint64_t mem_size)
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
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0 || vm->run_size <= 0)
		goto fail_errno;
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		goto fail_errno;
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		goto fail_errno;
	}
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

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return neg_errno();
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		int r = neg_errno();

		close(vcpu->fd);
		return r;
	}
	vcpu->run = run;
	return 0;
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

/* Returns the exit reason, or -errno (-EINTR for a signal). */
int vcpu_run(struct vcpu *vcpu)
{
	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0)
		return neg_errno();
	return vcpu->run->exit_reason;
}

void *vm_gpa(struct vm *vm, uint64_t gpa)
{
	return gpa < vm->mem_size ? (char *)vm->mem + gpa : NULL;
}

int vm_load(struct vm *vm, uint64_t gpa, const void *code, size_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return -ERANGE;
	memcpy((char *)vm->mem + gpa, code, len);
	return 0;
}

uint8_t *vcpu_io_data(struct vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_GET_REGS, regs) < 0 ? neg_errno() : 0;
}

int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0 ? neg_errno() : 0;
}

/* A flat 4 GiB segment; @code64 makes it a long-mode code segment. */
static void flat_segment(struct kvm_segment *s, uint16_t sel, int code,
			 int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/* The same descriptors in guest memory, for guests that reload them. */
static void write_gdt(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, GUEST_GDT_GPA);

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffull;		/* code32 */
	gdt[2] = 0x00cf93000000ffffull;		/* data */
	gdt[3] = 0x00af9b000000ffffull;		/* code64 */
}

/* Identity map of the first GiB: long mode with 2 MiB pages. */
static void write_long_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, GUEST_PML4_GPA);
	uint64_t *pdpt = vm_gpa(vm, GUEST_PML4_GPA + 0x1000);
	uint64_t *pd = vm_gpa(vm, GUEST_PML4_GPA + 0x2000);
	int i;

	memset(pml4, 0, 0x3000);
	pml4[0] = (GUEST_PML4_GPA + 0x1000) | 0x7;
	pdpt[0] = (GUEST_PML4_GPA + 0x2000) | 0x7;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x87;	/* P, RW, US, PS */
}

/* Identity map of the first GiB: 32-bit paging with 4 MiB pages. */
static void write_pd32(struct vm *vm)
{
	uint32_t *pd = vm_gpa(vm, GUEST_PD32_GPA);
	int i;

	memset(pd, 0, 0x1000);
	for (i = 0; i < 256; i++)
		pd[i] = ((uint32_t)i << 22) | 0x87;
}

static void real_segment(struct kvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = 0x3;
	s->present = 1;
	s->s = 1;
}

static void setup_sregs(struct vm *vm, struct kvm_sregs *s,
			enum guest_mode mode)
{
	int code64 = mode == GUEST_LONG;

	/*
	 * Start from paging and long mode off, whatever the vCPU was set up
	 * as before: a leftover EFER.LMA without CR0.PG is a state
	 * KVM_SET_SREGS refuses.
	 */
	s->cr0 &= ~(uint64_t)(X86_CR0_PE | X86_CR0_PG);
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	if (mode == GUEST_REAL) {
		real_segment(&s->cs);
		s->cs.type = 0xb;
		real_segment(&s->ds);
		s->es = s->fs = s->gs = s->ss = s->ds;
		return;
	}
	write_gdt(vm);
	s->gdt.base = GUEST_GDT_GPA;
	s->gdt.limit = 4 * 8 - 1;
	flat_segment(&s->cs, code64 ? GDT_CODE64 : GDT_CODE32, 1, code64);
	flat_segment(&s->ds, GDT_DATA, 0, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->cr0 = X86_CR0_PE;
	if (mode == GUEST_PAGED) {
		write_pd32(vm);
		s->cr3 = GUEST_PD32_GPA;
		s->cr4 = X86_CR4_PSE;
		s->cr0 |= X86_CR0_PG;
	} else if (mode == GUEST_LONG) {
		write_long_tables(vm);
		s->cr3 = GUEST_PML4_GPA;
		s->cr4 = X86_CR4_PAE;
		s->cr0 |= X86_CR0_PG;
		s->efer = EFER_LME | EFER_LMA;
	}
}

int vcpu_setup_mode(struct vcpu *vcpu, enum guest_mode mode,
		    uint64_t entry, uint64_t stack_top)
{
	struct kvm_regs regs = { .rip = entry, .rsp = stack_top, .rflags = 2 };
	struct kvm_sregs sregs;

	if (vcpu->vm->mem_size < GUEST_MIN_MEM)
		return -ERANGE;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return neg_errno();
	setup_sregs(vcpu->vm, &sregs, mode);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return neg_errno();
	return vcpu_set_regs(vcpu, &regs);
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
	};

	if (stat < ARRAY_SIZE(names) && names[stat])
		return names[stat];
	return NULL;
}

const char *guest_mode_name(enum guest_mode mode)
{
	static const char * const names[] = { "real", "prot", "paged", "long" };

	return mode <= GUEST_LONG ? names[mode] : "?";
}

/*
 * KVM answers CPUID from a table user space must give it, and hands out
 * zeros until then; hvx answers from the host processor itself and has no
 * such ioctl.  So give KVM its own supported table, as every VMM does,
 * whenever the device says it takes one (KVM_CAP_EXT_CPUID).  Returns 0,
 * also when the device has no such table, or -errno.
 */
int vcpu_set_supported_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *cpuid = NULL;
	unsigned int nent = 64;
	int r;

	if (ioctl(v->vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		return 0;
	do {
		free(cpuid);
		nent *= 2;
		cpuid = calloc(1, sizeof(*cpuid) +
			       nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		r = ioctl(v->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	} while (r < 0 && errno == E2BIG && nent < 4096);
	if (r >= 0)
		r = ioctl(v->fd, KVM_SET_CPUID2, cpuid);
	r = r < 0 ? neg_errno() : 0;
	free(cpuid);
	return r;
}

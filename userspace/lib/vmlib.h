/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlib: a thin layer over the KVM ioctl ABI, shared by the hvx tool and
 * the selftests.  Every call works on /dev/hvx and /dev/kvm alike and
 * returns -errno on failure; nothing here exits.
 *
 * This header is the part every architecture shares: VMs, memory, vCPUs,
 * KVM_RUN.  The architecture's own half (guest modes, registers, the
 * guest-physical layout that vcpu_setup_mode() uses) is vmlib-x86.h or
 * vmlib-arm64.h, included at the end; the build picks vmlib-$(ARCH).c.
 */
#ifndef VMLIB_H
#define VMLIB_H

#include <stdint.h>
#include <stddef.h>
#include <linux/kvm.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct vm {
	const char *dev;
	int sys_fd;
	int fd;
	void *mem;		/* slot 0: guest RAM */
	uint64_t mem_gpa;	/* where slot 0 starts in guest-physical space */
	uint64_t mem_size;
	int run_size;
};

struct vcpu {
	struct vm *vm;
	int fd;
	int id;
	struct kvm_run *run;
};

/* A VM of the device's default type with @mem_size bytes of RAM at 0. */
int vm_open(struct vm *vm, const char *dev, uint64_t mem_size);
/*
 * The same with a KVM_CREATE_VM @type (on arm64 the IPA size, see
 * vmlib-arm64.h) and RAM at guest-physical @gpa; @mem_size 0: no RAM.
 */
int vm_create(struct vm *vm, const char *dev, unsigned long type,
	      uint64_t gpa, uint64_t mem_size);
void vm_close(struct vm *vm);
/* Creates vCPU @id, maps its run area and, on arm64, initialises it. */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id);
void vcpu_close(struct vcpu *vcpu);
/* Returns the exit reason, or -errno (-EINTR for a signal). */
int vcpu_run(struct vcpu *vcpu);
/*
 * KVM_RUN with immediate_exit set: completes a pending I/O or MMIO exit
 * without running the guest (Documentation/virt/kvm/api.rst, "KVM_RUN":
 * the operation is complete only once user space re-enters KVM_RUN), so
 * that registers can then be changed safely.  0 or -errno.
 */
int vcpu_complete_exit(struct vcpu *vcpu);
int vm_load(struct vm *vm, uint64_t gpa, const void *code, size_t len);
/* The host address of guest-physical @gpa in slot 0, or NULL. */
void *vm_gpa(struct vm *vm, uint64_t gpa);
uint8_t *vcpu_io_data(struct vcpu *vcpu);
const char *exit_reason_name(unsigned int reason);
const char *hvx_stat_name(unsigned int stat);

/* The architecture's half: each provides these. */
int vm_arch_setup(struct vm *vm);
int vcpu_arch_setup(struct vcpu *vcpu);

#if defined(__aarch64__)
#include "vmlib-arm64.h"
#elif defined(__x86_64__) || defined(__i386__)
#include "vmlib-x86.h"
#else
#error "vmlib: no support for this architecture"
#endif

/*
 * Every architecture has these, with its own guest modes (enum
 * guest_mode, GUEST_NR_MODES of them) and its own layout: the guest's
 * code at GUEST_CODE_GPA, its stack below GUEST_STACK_TOP, and at least
 * GUEST_MIN_MEM bytes of RAM at 0 for vcpu_setup_mode() to work in.
 */
int vcpu_setup_mode(struct vcpu *vcpu, enum guest_mode mode,
		    uint64_t entry, uint64_t stack_top);
/* Where the vCPU runs next; complete a pending exit first. */
int vcpu_set_pc(struct vcpu *vcpu, uint64_t pc);
int vcpu_get_pc(struct vcpu *vcpu, uint64_t *pc);
const char *guest_mode_name(enum guest_mode mode);
/* The mode named @name ("long", "el1"...), or -1. */
int guest_mode_parse(const char *name);

#endif /* VMLIB_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlib: a thin layer over the KVM ioctl ABI, shared by the hvx tool and
 * the selftests.  Every call works on /dev/hvx and /dev/kvm alike and
 * returns -errno on failure; nothing here exits.
 *
 * Guest-physical layout used by vcpu_setup_mode():
 *   0x1000  GDT (null, code32 0x08, data 0x10, code64 0x18)
 *   0x2000  free for an IDT (GUEST_IDT_GPA; vmlib itself loads none)
 *   0x3000-0x7fff  free for the guest's data; the stack grows down from 0x8000
 *   0x8000  GUEST_CODE_GPA: code
 *   0x20000 long mode PML4, 0x21000 PDPT, 0x22000 PD (2 MiB pages, 1 GiB)
 *   0x23000 32-bit page directory (4 MiB pages, 1 GiB)
 */
#ifndef VMLIB_H
#define VMLIB_H

#include <stdint.h>
#include <stddef.h>
#include <linux/kvm.h>

#define GUEST_GDT_GPA		0x1000
#define GUEST_IDT_GPA		0x2000
#define GUEST_PML4_GPA		0x20000
#define GUEST_PD32_GPA		0x23000
#define GUEST_CODE_GPA		0x8000
#define GUEST_STACK_TOP		0x8000
#define GUEST_MIN_MEM		(2u << 20)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define GDT_CODE32	0x08
#define GDT_DATA	0x10
#define GDT_CODE64	0x18

struct vm {
	const char *dev;
	int sys_fd;
	int fd;
	void *mem;
	uint64_t mem_size;
	int run_size;
};

struct vcpu {
	struct vm *vm;
	int fd;
	int id;
	struct kvm_run *run;
};

enum guest_mode { GUEST_REAL, GUEST_PROT, GUEST_PAGED, GUEST_LONG };

int vm_open(struct vm *vm, const char *dev, uint64_t mem_size);
void vm_close(struct vm *vm);
int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id);
void vcpu_close(struct vcpu *vcpu);
int vcpu_run(struct vcpu *vcpu);
int vcpu_setup_mode(struct vcpu *vcpu, enum guest_mode mode,
		    uint64_t entry, uint64_t stack_top);
int vm_load(struct vm *vm, uint64_t gpa, const void *code, size_t len);
void *vm_gpa(struct vm *vm, uint64_t gpa);
int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
int vcpu_set_supported_cpuid(struct vcpu *vcpu);
uint8_t *vcpu_io_data(struct vcpu *vcpu);
const char *exit_reason_name(unsigned int reason);
const char *hvx_stat_name(unsigned int stat);
const char *guest_mode_name(enum guest_mode mode);

#endif /* VMLIB_H */

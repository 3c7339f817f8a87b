/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlib, x86 half: guest modes, registers, CPUID.  Included by vmlib.h.
 *
 * Guest-physical layout used by vcpu_setup_mode():
 *   0x1000  GDT (null, code32 0x08, data 0x10, code64 0x18)
 *   0x2000  free for an IDT (GUEST_IDT_GPA; vmlib itself loads none)
 *   0x3000-0x7fff  free for the guest's data; the stack grows down from 0x8000
 *   0x8000  GUEST_CODE_GPA: code
 *   0x20000 long mode PML4, 0x21000 PDPT, 0x22000 PD (2 MiB pages, 1 GiB)
 *   0x23000 32-bit page directory (4 MiB pages, 1 GiB)
 */
#ifndef VMLIB_X86_H
#define VMLIB_X86_H

#define GUEST_GDT_GPA		0x1000
#define GUEST_IDT_GPA		0x2000
#define GUEST_PML4_GPA		0x20000
#define GUEST_PD32_GPA		0x23000
#define GUEST_CODE_GPA		0x8000
#define GUEST_STACK_TOP		0x8000
#define GUEST_MIN_MEM		(2u << 20)

#define GDT_CODE32	0x08
#define GDT_DATA	0x10
#define GDT_CODE64	0x18

enum guest_mode { GUEST_REAL, GUEST_PROT, GUEST_PAGED, GUEST_LONG };
#define GUEST_NR_MODES	4

int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
int vcpu_set_supported_cpuid(struct vcpu *vcpu);

#endif /* VMLIB_X86_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx VMX: the guest state the VMCS holds, as KVM_GET/SET_SREGS and the
 * MSR ioctls see it: segment registers (guest-state area, SDM Vol. 3C
 * 24.4.1, access rights in 24.4.1 Table 24-2), CR0 and CR4 with their
 * guest/host masks and read shadows (24.6.6), and the MSRs the VMCS keeps
 * or hvx switches by hand.  Each ioctl-side entry point makes the VMCS
 * current (vmx_get) for the VMREADs and VMWRITEs.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <asm/msr.h>

#include "vmx.h"

static void vmx_write_seg(unsigned int sel_field, const struct kvm_segment *s)
{
	/* Field encodings: selector, then limit, AR and base at fixed steps. */
	u32 ar = s->unusable || !s->present ? BIT(16) :
		(s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		(s->present & 1) << 7 | (s->avl & 1) << 12 |
		(s->l & 1) << 13 | (s->db & 1) << 14 | (s->g & 1) << 15;
	unsigned int i = (sel_field - GUEST_ES_SELECTOR) / 2;

	vmx_write(sel_field, s->selector);
	vmx_write(GUEST_ES_LIMIT + 2 * i, s->limit);
	vmx_write(GUEST_ES_AR_BYTES + 2 * i, ar);
	vmx_write(GUEST_ES_BASE + 2 * i, s->base);
}

static void vmx_read_seg(unsigned int sel_field, struct kvm_segment *s)
{
	unsigned int i = (sel_field - GUEST_ES_SELECTOR) / 2;
	u32 ar = vmx_read(GUEST_ES_AR_BYTES + 2 * i);

	*s = (struct kvm_segment) {
		.selector = vmx_read(sel_field),
		.base = vmx_read(GUEST_ES_BASE + 2 * i),
		.limit = vmx_read(GUEST_ES_LIMIT + 2 * i),
		.type = ar & 0xf, .s = (ar >> 4) & 1, .dpl = (ar >> 5) & 3,
		.present = (ar >> 7) & 1, .avl = (ar >> 12) & 1,
		.l = (ar >> 13) & 1, .db = (ar >> 14) & 1, .g = (ar >> 15) & 1,
		.unusable = (ar >> 16) & 1,
	};
	if (s->unusable)
		s->present = 0;
}

/*
 * CR0 and CR4 bits VMX operation fixes (SDM A.7, A.8) are owned by hvx:
 * the guest reads them from the read shadow, and a write that would
 * change one exits.  Unrestricted guests may clear PE and PG (26.3.1.1).
 */
u64 vmx_cr0_owned(void)
{
	return (vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1) &
	       ~(X86_CR0_PE | X86_CR0_PG);
}

/* The CR4 bits this CPU allows in VMX operation (SDM A.8). */
u64 vmx_cr4_fixed1(void)
{
	return vmx_caps.cr4_fixed1;
}

u64 vmx_cr4_owned(void)
{
	return vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1;
}

void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 fixed0 = vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	vmx->cr0_shadow = cr0;
	vmx_write(CR0_READ_SHADOW, cr0);
	vmx_write(GUEST_CR0, (cr0 | fixed0) & vmx_caps.cr0_fixed1);
}

void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmx->cr4_shadow = cr4;
	vmx_write(CR4_READ_SHADOW, cr4);
	vmx_write(GUEST_CR4, (cr4 | vmx_caps.cr4_fixed0) &
		  vmx_caps.cr4_fixed1);
}

u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	u64 owned = vmx_cr0_owned();

	return (vmx_read(GUEST_CR0) & ~owned) | (vmx->cr0_shadow & owned);
}

static u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	u64 owned = vmx_cr4_owned();

	return (vmx_read(GUEST_CR4) & ~owned) | (vmx->cr4_shadow & owned);
}

static void __vmx_write_sregs(struct x86_vcpu *x, const struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	vmx_write_seg(GUEST_CS_SELECTOR, &s->cs);
	vmx_write_seg(GUEST_DS_SELECTOR, &s->ds);
	vmx_write_seg(GUEST_ES_SELECTOR, &s->es);
	vmx_write_seg(GUEST_FS_SELECTOR, &s->fs);
	vmx_write_seg(GUEST_GS_SELECTOR, &s->gs);
	vmx_write_seg(GUEST_SS_SELECTOR, &s->ss);
	vmx_write_seg(GUEST_TR_SELECTOR, &s->tr);
	vmx_write_seg(GUEST_LDTR_SELECTOR, &s->ldt);
	vmx_write(GUEST_GDTR_BASE, s->gdt.base);
	vmx_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmx_write(GUEST_IDTR_BASE, s->idt.base);
	vmx_write(GUEST_IDTR_LIMIT, s->idt.limit);
	vmx_set_cr0(vmx, s->cr0);
	vmx_set_cr4(vmx, s->cr4);
	vmx_write(GUEST_CR3, s->cr3);
	vmx_write(GUEST_IA32_EFER, s->efer);
	/* "IA-32e mode guest" must equal EFER.LMA (SDM 26.3.1.1). */
	if (s->efer & EFER_LMA)
		vmx->entry_ctls |= VM_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	vmx_write(VM_ENTRY_CONTROLS, vmx->entry_ctls);
	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8 & 0xf;
}

static void __vmx_read_sregs(struct x86_vcpu *x, struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(x);

	vmx_read_seg(GUEST_CS_SELECTOR, &s->cs);
	vmx_read_seg(GUEST_DS_SELECTOR, &s->ds);
	vmx_read_seg(GUEST_ES_SELECTOR, &s->es);
	vmx_read_seg(GUEST_FS_SELECTOR, &s->fs);
	vmx_read_seg(GUEST_GS_SELECTOR, &s->gs);
	vmx_read_seg(GUEST_SS_SELECTOR, &s->ss);
	vmx_read_seg(GUEST_TR_SELECTOR, &s->tr);
	vmx_read_seg(GUEST_LDTR_SELECTOR, &s->ldt);
	s->gdt.base = vmx_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmx_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmx_read(GUEST_IDTR_BASE);
	s->idt.limit = vmx_read(GUEST_IDTR_LIMIT);
	s->cr0 = vmx_guest_cr0(vmx);
	s->cr3 = vmx_read(GUEST_CR3);
	s->cr4 = vmx_guest_cr4(vmx);
	s->efer = vmx_read(GUEST_IA32_EFER);
	s->cr2 = vmx->cr2;
	s->cr8 = vmx->cr8;
}
/* MSRs the VMCS keeps for the guest (SDM 24.4.1); 0 for others. */
static unsigned long vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_IA32_SYSENTER_CS:
		return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT:
		return GUEST_IA32_PAT;
	}
	return 0;
}

/* MSRs hvx switches by hand around the entry. */
static u64 *vmx_msr_slot(struct vmx_vcpu *vmx, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &vmx->star;
	case MSR_LSTAR:
		return &vmx->lstar;
	case MSR_CSTAR:
		return &vmx->cstar;
	case MSR_SYSCALL_MASK:
		return &vmx->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &vmx->kernel_gs_base;
	}
	return NULL;
}

static int __vmx_get_msr(struct x86_vcpu *x, u32 index, u64 *data)
{
	unsigned long field = vmx_msr_field(index);
	u64 *slot = vmx_msr_slot(to_vmx(x), index);

	if (field)
		*data = vmx_read(field);
	else if (slot)
		*data = *slot;
	else
		return -ENOENT;
	return 0;
}

static int __vmx_set_msr(struct x86_vcpu *x, u32 index, u64 data)
{
	unsigned long field = vmx_msr_field(index);
	u64 *slot = vmx_msr_slot(to_vmx(x), index);

	if (!field && !slot)
		return -ENOENT;
	if (!x86_msr_value_valid(index, data))
		return -EINVAL;
	if (field)
		vmx_write(field, data);
	else
		*slot = data;
	return 0;
}

void vmx_write_sregs(struct x86_vcpu *x, const struct kvm_sregs *s)
{
	vmx_get(to_vmx(x));
	__vmx_write_sregs(x, s);
	vmx_put();
}

void vmx_read_sregs(struct x86_vcpu *x, struct kvm_sregs *s)
{
	vmx_get(to_vmx(x));
	__vmx_read_sregs(x, s);
	vmx_put();
}

int vmx_get_msr(struct x86_vcpu *x, u32 index, u64 *data)
{
	int r;

	vmx_get(to_vmx(x));
	r = __vmx_get_msr(x, index, data);
	vmx_put();
	return r;
}

int vmx_set_msr(struct x86_vcpu *x, u32 index, u64 data)
{
	int r;

	vmx_get(to_vmx(x));
	r = __vmx_set_msr(x, index, data);
	vmx_put();
	return r;
}


/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx x86: what SVM and VMX share.
 *
 * The vendor-neutral layer keeps the guest's general registers, RIP and
 * RFLAGS in software and a cached copy of the struct kvm_sregs view; a
 * vendor backend moves them in and out of its control block (VMCB or VMCS)
 * around each entry.  CPUID, MSRs, port I/O, MMIO decoding, the stage-2
 * tables and KVM_GET/SET_(S)REGS are written once, here.
 */
#ifndef HVX_X86_H
#define HVX_X86_H

#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "../../module/hvx.h"
#include "irqchip.h"

enum x86_gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_NR
};

/* Exception vectors (Intel SDM Vol. 3A 6.3.1, AMD APM Vol. 2 8.2). */
#define X86_VEC_DE	0
#define X86_VEC_DB	1
#define X86_VEC_NMI	2
#define X86_VEC_UD	6
#define X86_VEC_GP	13
#define X86_VEC_PF	14
#define X86_VEC_MC	18

/* DR6 (SDM Vol. 3B 18.2.3): B0-B3, BD, BS, and the bits that read as 1. */
#define X86_DR6_TRAP_BITS	0xfULL
#define X86_DR6_BD		BIT_ULL(13)
#define X86_DR6_BS		BIT_ULL(14)
#define X86_DR6_RTM		BIT_ULL(16)	/* active low */
#define X86_DR6_INIT		0xffff0ff0ULL

/* What the next KVM_RUN must finish before the guest runs again. */
enum x86_pending_kind {
	X86_PENDING_NONE,
	X86_PENDING_PIO,	/* KVM_EXIT_IO: IN data to consume, RIP to move */
	X86_PENDING_MMIO,	/* KVM_EXIT_MMIO: read data to consume */
	X86_PENDING_MMIO_STRING, /* KVM_EXIT_MMIO of a MOVS/STOS/LODS */
	X86_PENDING_MSR,	/* KVM_EXIT_X86_RDMSR/WRMSR (msr_filter.c) */
};

enum x86_string_op { X86_STR_MOVS, X86_STR_STOS, X86_STR_LODS };

struct x86_pending {
	enum x86_pending_kind kind;
	bool in;		/* PIO: IN/INS; MMIO: a read */
	bool string;		/* PIO: INS/OUTS */
	bool rep;
	bool sign_extend;	/* MMIO: MOVSX */
	u8 size;		/* bytes per access */
	u8 dst_size;		/* MMIO: register width written */
	u8 reg;			/* MMIO: destination GPR, 16 + n for AH..BH */
	u8 addr_size;		/* string forms: 2, 4 or 8 */
	u8 string_op;		/* MMIO string: enum x86_string_op */
	u32 count;		/* PIO: accesses in this exit */
	u64 gpa;		/* INS: first byte; MMIO string: destination */
	u64 src_gpa;		/* MMIO string: source */
	u64 rip;		/* of the instruction that exited */
	u64 next_rip;
};

/* KVM_SET_CPUID2 and KVM_GET/SET_MSRS limits (KVM's, too). */
#define X86_CPUID_MAX_ENTRIES	256
#define X86_MSRS_MAX		256

/* The MTRRs as the guest wrote them (SDM Vol. 3A 12.11). */
struct x86_mtrr {
	u64 deftype;
	u64 fixed[11];
	u64 var[16];		/* PHYSBASE0, PHYSMASK0, ... */
};

/*
 * Machine-check state as the guest and user space wrote it (SDM Vol. 3B
 * 16.3): hvx never raises a machine check in a guest.
 */
#define X86_MCE_BANKS		32
struct x86_mce {
	u64 mcg_status;
	u64 mcg_ctl;
	u64 banks[X86_MCE_BANKS * 4];	/* MCi_CTL, _STATUS, _ADDR, _MISC */
};

/* kvmclock.c: a vCPU's paravirtual clock (MSR_KVM_SYSTEM_TIME_NEW). */
struct x86_pvclock {
	u64 msr;		/* the MSR's value: gpa | enable (bit 0) */
	bool old;		/* the guest enabled it through the old MSR */
	bool dirty;		/* write the structure before the next entry */
	u32 gen;		/* struct x86_kvmclock.gen it was written with */
	u64 tsc_offset;		/* and the guest's TSC offset */
	int cpu;		/* and the host CPU, where the TSC is unstable */
};

/* kvmclock.c: a VM's clock (KVM_GET/SET_CLOCK). */
struct x86_kvmclock {
	spinlock_t lock;
	u64 ref_tsc;		/* host TSC at the reference point */
	u64 ref_boot_ns;	/* host CLOCK_BOOTTIME then */
	u64 ref_ns;		/* the VM's clock then */
	u32 mul;		/* TSC ticks to ns, as pvclock scales them */
	s8 shift;
	bool stable;		/* the clock follows the host's TSC */
	u32 gen;		/* bumped whenever the reference moves */
	u64 wall_msr;		/* MSR_KVM_WALL_CLOCK(_NEW), one per VM */
};

struct x86_vcpu {
	struct hvx_vcpu *vcpu;
	u64 gpr[GPR_NR];
	u64 rip;
	u64 rflags;
	u64 next_rip;		/* after the instruction that exited */
	/* kvm_sregs view; valid unless @sregs_stale, to hardware if dirty. */
	struct kvm_sregs sregs;
	bool sregs_stale;
	bool sregs_dirty;
	struct x86_pending pending;
	struct fpu_guest fpu;
	u64 xcr0;
	u64 tsc_offset;
	u64 dr[4];		/* guest DR0-3 once the guest uses them */
	bool dr_live;
	u32 pkru;		/* the guest's PKRU (x86_load_guest_pkru) */
	u32 host_pkru;		/* the VMM's, while the guest's is loaded */
	bool has_run;		/* KVM_RUN entered the guest once */
	/* KVM_SET_CPUID2's table; NULL: answer from the supported one. */
	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;
	u64 xcr0_allowed;	/* XCR0 bits the guest's CPUID offers */
	/* MSRs modelled in software (msr.c). */
	struct x86_mtrr mtrr;
	struct x86_mce mce;
	u64 misc_enable;
	u64 ucode_rev;
	u64 feat_ctl;
	u64 hwcr;
	u64 power_ctl;		/* IA32_POWER_CTL: kept as written */
	u64 platform_info;	/* MSR_PLATFORM_INFO: user space's value */
	s64 tsc_adjust;		/* IA32_TSC_ADJUST (SDM Vol. 3B 18.17.3) */
	u64 tsc_aux;		/* IA32_TSC_AUX: RDTSCP, RDPID (tsc_aux.c) */
	u64 exit_rip;		/* RIP at the last exit: where a shadow holds */
	/* Events from user space (irq.c), not yet in the injection field. */
	bool irq_queued;	/* KVM_INTERRUPT: external interrupt */
	u8 irq_vector;
	u8 nmi_pending;		/* KVM_NMI: 0, 1 or 2, as x86 can hold */
	/*
	 * Split irqchip (split_irqchip.c): the ExtINT vector user space's PIC
	 * gave with KVM_INTERRUPT, and the level-triggered vector whose EOI
	 * goes to user space's I/O APIC as KVM_EXIT_IOAPIC_EOI; -1 if none.
	 */
	s16 ext_vector;
	s16 eoi_exit;
	struct x86_pvclock pvclock;
	/* The in-kernel local APIC (lapic.c), used after KVM_CREATE_IRQCHIP. */
	struct x86_lapic *apic;
	u32 mp_state;		/* KVM_MP_STATE_*, with the in-kernel APIC */
};

/* vm->arch */
struct x86_vm {
	struct hvx_stage2 tdp;
	struct x86_kvmclock clock;
	struct x86_irqchip *chip;	/* KVM_CREATE_IRQCHIP's, or NULL */
	struct x86_pit *pit;		/* KVM_CREATE_PIT2's, or NULL (pit.c) */
	struct list_head irqfds;	/* KVM_IRQFD's (irqfd.c) */
	spinlock_t irqfd_lock;
	bool resample_due;		/* an irqfd's resamplefd to signal */
	/* msr_filter.c: KVM_X86_SET_MSR_FILTER's, KVM_MSR_EXIT_REASON_* */
	struct x86_msr_filter __rcu *msr_filter;
	u32 user_space_msr;
	/* vm_caps.c */
	unsigned long nr_mmu_pages;	/* KVM_SET_NR_MMU_PAGES's, or 0 */
	u32 bsp_id;			/* KVM_SET_BOOT_CPU_ID's */
	bool platform_info_hidden;	/* KVM_CAP_MSR_PLATFORM_INFO off */
};

/*
 * The event state a control block holds (KVM_GET/SET_VCPU_EVENTS): what
 * the injection field (EVENTINJ, VM-entry interruption information) will
 * deliver at the next entry, the STI/MOV SS shadow (KVM_X86_SHADOW_INT_*
 * bits) and whether NMIs are blocked by an NMI handler that has not run
 * its IRET yet.
 */
enum x86_event_type {
	X86_EVENT_NONE,
	X86_EVENT_EXCEPTION,	/* hardware exception, vector 0-31 */
	X86_EVENT_NMI,
	X86_EVENT_IRQ,		/* external interrupt */
};

struct x86_events {
	enum x86_event_type type;
	u8 vector;
	bool has_error;
	u32 error;
	u8 shadow;
	bool nmi_masked;
};

/* The bits a stage-2 format sets in its entries (NPT or EPT). */
struct tdp_format {
	u64 table_bits;		/* permission bits of a non-leaf entry */
	u64 leaf_bits;		/* permission and memory-type bits of a leaf */
	u64 write_bits;		/* of @leaf_bits, those that allow writes */
	u64 addr_mask;		/* the physical-address bits of an entry */
	int (*levels)(void);	/* depth of the tables: 4 or 5 */
};

/*
 * The vendor backend.  All hooks except @probe/@enable/@disable/@exit and
 * @enable_cpu/@disable_cpu (struct hvx_arch_ops says when those run) run
 * with vcpu->lock held.
 *
 * @enter:	run the guest once: with preemption and interrupts off, load
 *		guest state, enter, save it back, then decode the exit.  Returns
 *		1 to re-enter, 0 to return to user space with run->exit_reason
 *		set, or -errno.
 * @read_sregs/@write_sregs: move the kvm_sregs view from/to hardware.
 * @reset:	architectural power-on state of the vendor's own fields.
 * @inject_exception: deliver @vector on the next entry.
 * @get_msr/@set_msr: MSRs the control block holds; -ENOENT for others.
 *
 * Events (irq.c decides, the backend does):
 * @event_queued: the injection field (EVENTINJ, VM-entry interruption
 *		information) holds an event for the next entry, or on SVM
 *		V_IRQ holds the interrupt of @inject_irq.
 * @irq_blocked: RFLAGS.IF is clear or an STI/MOV SS shadow holds.
 * @nmi_masked:	the guest is handling an NMI (blocked until its IRET).
 * @inject_irq/@inject_nmi: put that event in the injection field (SVM:
 *		an interrupt in V_IRQ, svm.c says why).
 * @set_windows: exit as soon as the guest can take an interrupt (@irq)
 *		or an NMI (@nmi); false disarms.
 *
 * State ioctls (state.c):
 * @get_events/@set_events: the struct x86_events view of the control
 *		block; a soft interrupt or exception in the injection field
 *		reads as none (RIP still points at its instruction).
 * @get_dr67/@set_dr67: the guest's DR6 and DR7; @set_dr67 with @live
 *		stops intercepting debug-register accesses and switches DR0-3
 *		(x->dr) at every entry, as after the guest's first access.
 */
struct x86_vendor_ops {
	const char *name;
	u32 backend;
	size_t vcpu_size;
	int (*probe)(void);
	void (*exit)(void);
	int (*enable)(void);
	void (*disable)(void);
	int (*enable_cpu)(void);
	void (*disable_cpu)(void);
	const struct tdp_format *tdp_fmt;
	int (*vcpu_init)(struct x86_vcpu *x);
	void (*vcpu_free)(struct x86_vcpu *x);
	void (*reset)(struct x86_vcpu *x);
	int (*enter)(struct x86_vcpu *x);
	void (*read_sregs)(struct x86_vcpu *x, struct kvm_sregs *s);
	void (*write_sregs)(struct x86_vcpu *x, const struct kvm_sregs *s);
	void (*inject_exception)(struct x86_vcpu *x, u8 vector, bool has_error,
				 u32 error);
	int (*get_msr)(struct x86_vcpu *x, u32 index, u64 *data);
	int (*set_msr)(struct x86_vcpu *x, u32 index, u64 data);
	bool (*event_queued)(struct x86_vcpu *x);
	bool (*irq_blocked)(struct x86_vcpu *x);
	bool (*nmi_masked)(struct x86_vcpu *x);
	void (*inject_irq)(struct x86_vcpu *x, u8 vector);
	void (*inject_nmi)(struct x86_vcpu *x);
	void (*set_windows)(struct x86_vcpu *x, bool irq, bool nmi);
	void (*get_events)(struct x86_vcpu *x, struct x86_events *ev);
	void (*set_events)(struct x86_vcpu *x, const struct x86_events *ev);
	void (*get_dr67)(struct x86_vcpu *x, u64 *dr6, u64 *dr7);
	void (*set_dr67)(struct x86_vcpu *x, u64 dr6, u64 dr7, bool live);
	void (*inspect)(struct x86_vcpu *x, struct seq_file *m);
};

extern const struct x86_vendor_ops svm_vendor_ops;
extern const struct x86_vendor_ops vmx_vendor_ops;

/* svm_inspect.c, vmx_inspect.c: the control structure by field name */
struct vmcb;
struct vmx_vcpu;
void svm_inspect_vmcb(const struct vmcb *vmcb, struct seq_file *m);
void vmx_inspect_vmcs(struct vmx_vcpu *vmx, struct seq_file *m);

/* svm_run.S */
void __svm_vcpu_run(u64 *gprs, u64 vmcb_pa, u64 host_save_pa);
extern const struct x86_vendor_ops *x86_vendor;

/* x86.c */
struct kvm_sregs *x86_sregs(struct x86_vcpu *x);
void x86_reset(struct x86_vcpu *x);
void x86_exit_to_user(struct x86_vcpu *x, u32 reason);
int x86_internal_error(struct x86_vcpu *x, u32 suberror, u64 data0,
		       u64 data1);
void x86_inject_ud(struct x86_vcpu *x);
const char *x86_check_state(u64 cr0, u64 cr4, u64 efer, bool cs_l,
			    bool cs_db);
const char *x86_check_sregs(const struct kvm_sregs *s);
void x86_inject_gp(struct x86_vcpu *x);
void x86_load_guest_xcr0(struct x86_vcpu *x);
void x86_load_host_xcr0(struct x86_vcpu *x);
extern u64 x86_host_xcr0;
void x86_load_guest_pkru(struct x86_vcpu *x);
void x86_load_host_pkru(struct x86_vcpu *x);
void x86_load_guest_dr(struct x86_vcpu *x);
void x86_save_guest_dr(struct x86_vcpu *x);
void x86_after_exit(void);
void x86_machine_check(void);

/* tsc_aux.c: IA32_TSC_AUX, the guest's while it runs */
extern bool x86_tsc_aux_ok;
void x86_load_guest_tsc_aux(struct x86_vcpu *x);
void x86_put_host_tsc_aux(void);
void x86_put_host_tsc_aux_this_cpu(void);

/* irq.c: KVM_INTERRUPT, KVM_NMI, interrupt windows */
int x86_inject_events(struct x86_vcpu *x);
void x86_requeue_irq(struct x86_vcpu *x, u8 vector);
void x86_fill_run(struct x86_vcpu *x);
long x86_ioctl_interrupt(struct x86_vcpu *x, void __user *argp);
long x86_ioctl_nmi(struct x86_vcpu *x);
void x86_get_irq_bitmap(struct x86_vcpu *x, struct kvm_sregs *s);
void x86_set_irq_bitmap(struct x86_vcpu *x, const struct kvm_sregs *s);

/* state.c: MP_STATE, FPU, XSAVE, XCRS, VCPU_EVENTS, DEBUGREGS */
long x86_state_ioctl(struct x86_vcpu *x, unsigned int ioctl,
		     void __user *argp);

/* cpuid.c */
extern u64 x86_supported_xcr0;
void x86_cpuid_init(void);
int x86_emulate_cpuid(struct x86_vcpu *x);
unsigned int x86_guest_maxphyaddr(struct x86_vcpu *x);
bool x86_guest_cpuid_has(struct x86_vcpu *x, u32 fn, int reg, u32 bit);
bool x86_guest_is_intel(struct x86_vcpu *x);
long x86_ioctl_get_supported_cpuid(void __user *argp);
long x86_ioctl_set_cpuid2(struct x86_vcpu *x, void __user *argp);
long x86_ioctl_get_cpuid2(struct x86_vcpu *x, void __user *argp);
void x86_cpuid_free(struct x86_vcpu *x);

/* msr.c */
void x86_msr_reset(struct x86_vcpu *x);
long x86_ioctl_get_msr_index_list(void __user *argp);
long x86_ioctl_msrs(struct x86_vcpu *x, bool set, void __user *argp);
long x86_ioctl_get_msr_feature_list(void __user *argp);
long x86_ioctl_feature_msrs(void __user *argp);
long x86_ioctl_tsc_attr(struct x86_vcpu *x, unsigned int ioctl,
			void __user *argp);
int x86_emulate_rdmsr(struct x86_vcpu *x);
int x86_emulate_wrmsr(struct x86_vcpu *x);
int x86_emulate_xsetbv(struct x86_vcpu *x);
bool x86_xcr0_valid(struct x86_vcpu *x, u64 val);
bool x86_pat_valid(u64 pat);
bool x86_msr_value_valid(u32 index, u64 data);
int x86_set_apic_base(struct x86_vcpu *x, u64 val, bool host);

/* vm_caps.c: KVM_ENABLE_CAP, NR_MMU_PAGES, BOOT_CPU_ID */
long x86_vm_caps_ioctl(struct hvx_vm *vm, unsigned int ioctl,
		       void __user *argp);
bool x86_is_bsp(struct x86_vcpu *x);

/* msr_filter.c: KVM_X86_SET_MSR_FILTER, KVM_CAP_X86_USER_SPACE_MSR */
long x86_ioctl_set_msr_filter(struct hvx_vm *vm, void __user *argp);
int x86_enable_user_space_msr(struct hvx_vm *vm, u64 reasons);
void x86_msr_filter_vm_free(struct hvx_vm *vm);
int x86_msr_check(struct x86_vcpu *x, u32 index, bool write);
bool x86_msr_to_user(struct x86_vcpu *x, bool write, u64 data, int r);
void x86_complete_msr(struct x86_vcpu *x, const struct x86_pending *p);

/* kvmclock.c: KVM's paravirtual clock */
void x86_kvmclock_vm_init(struct x86_kvmclock *c);
int x86_kvmclock_get_msr(struct x86_vcpu *x, u32 index, u64 *val);
int x86_kvmclock_set_msr(struct x86_vcpu *x, u32 index, u64 val, bool host);
void x86_kvmclock_reset(struct x86_vcpu *x);
void x86_kvmclock_update(struct x86_vcpu *x);
long x86_ioctl_get_clock(struct hvx_vm *vm, void __user *argp);
long x86_ioctl_set_clock(struct hvx_vm *vm, void __user *argp);
int x86_kvmclock_cap(void);

/* pio.c */
struct x86_pio {
	u16 port;
	u8 size;
	u8 addr_size;
	bool in;
	bool string;
	bool rep;
	u64 next_rip;
};

int x86_emulate_pio(struct x86_vcpu *x, const struct x86_pio *pio);

/* pit.c: the in-kernel 8254 (KVM_CREATE_PIT2) */
long x86_pit_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl,
		      void __user *argp);
int x86_pit_pio(struct x86_vcpu *x, u16 port, bool in, int size);
void x86_pit_free(struct hvx_vm *vm);
int x86_complete_pending(struct x86_vcpu *x);

/* emulate.c */
int x86_gva_to_gpa(struct x86_vcpu *x, u64 gva, u64 *gpa);
int x86_emulate_mmio(struct x86_vcpu *x, u64 gpa);
void x86_complete_mmio(struct x86_vcpu *x);
void x86_mmio_report(struct x86_vcpu *x, u64 gpa, int size, bool write,
		     u64 val);
void x86_reg_write(struct x86_vcpu *x, int reg, int size, u64 val);
void x86_string_decode(struct x86_vcpu *x, int *seg, int *addr_size);

/* emulate_string.c: MOVS/STOS/LODS on MMIO; string index arithmetic */
static inline u64 x86_addr_mask(int addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

u64 x86_string_linear(struct x86_vcpu *x, int seg, u64 ea);
void x86_string_step(struct x86_vcpu *x, int reg, u64 bytes, int addr_size);
bool x86_rep_count_down(struct x86_vcpu *x, u64 n, int addr_size);
int x86_complete_string_mmio(struct x86_vcpu *x);

/* tdp.c: stage-2 faults (AMD NPT, Intel EPT; tables in module/stage2.c) */
int x86_stage2_fault(struct x86_vcpu *x, u64 gpa, bool write, bool walk);

static inline struct hvx_stage2 *x86_tdp(struct hvx_vm *vm)
{
	return &((struct x86_vm *)vm->arch)->tdp;
}

static inline struct x86_kvmclock *x86_clock(struct hvx_vm *vm)
{
	return &((struct x86_vm *)vm->arch)->clock;
}

static inline struct hvx_vm *x86_vm(struct x86_vcpu *x)
{
	return x->vcpu->vm;
}

static inline struct x86_vcpu *to_x86(struct hvx_vcpu *vcpu)
{
	return vcpu->arch;
}

/* Guest-physical memory through the slots (module/guest_mem.c). */
static inline int x86_read_guest(struct x86_vcpu *x, u64 gpa, void *buf,
				 unsigned int len)
{
	return hvx_read_guest(x86_vm(x), gpa, buf, len);
}

static inline int x86_write_guest(struct x86_vcpu *x, u64 gpa,
				  const void *buf, unsigned int len)
{
	return hvx_write_guest(x86_vm(x), gpa, buf, len);
}

static inline struct kvm_run *x86_run(struct x86_vcpu *x)
{
	return x->vcpu->run;
}

#endif /* HVX_X86_H */

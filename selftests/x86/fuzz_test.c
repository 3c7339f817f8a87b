// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test, x86: the system, VM and vCPU ioctls only x86 has (README.md,
 * "KVM ioctls and capabilities in hvx"), each with a generator of mostly
 * valid arguments drawn from what the device answered at start (its
 * supported CPUID, its MSR list, a vCPU's reset state).
 */
#include <cpuid.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../lib/test.h"
#include "../common/fuzz.h"

#define FUZZ_X86_CPUID_MAX	300	/* more than either device takes */
#define FUZZ_X86_MSRS_MAX	24
#define FUZZ_X86_ROUTES_MAX	8

static struct {
	struct kvm_cpuid2 head;
	struct kvm_cpuid_entry2 e[FUZZ_X86_CPUID_MAX];
} fuzz_cpuid;
static uint32_t fuzz_msrs[512];
static unsigned int fuzz_nr_msrs;
static struct kvm_sregs fuzz_sregs;

#define FUZZ_EFER		0xc0000080
#define FUZZ_EFER_LME		(1ull << 8)
#define FUZZ_CR0_PG		(1ull << 31)

/*
 * QEMU 7.2's nested SVM (TCG) cannot take a #VMEXIT from a guest with
 * EFER.LME set and CR0.PG and CR4.PAE clear: its reload of the host state
 * sets CR0 while CR4 and EFER are still the guest's, cpu_x86_update_cr0()
 * refuses to enter long mode without PAE and returns early, and the host
 * runs on with the guest's CR0, paging off: the machine hangs, with
 * kvm_amd as with hvx (README, "make stress").  Under that emulator (an
 * AMD CPU whose hypervisor says "TCGTCGTCGTCG") the fuzzer keeps away
 * from that state: no EFER.LME in KVM_SET_MSRS (the vCPU's CR0 and CR4
 * are not known there), none without CR0.PG in KVM_SET_SREGS (with PAE
 * set, the guest's own MOV to CR4 could still clear it).
 * HVX_FUZZ_QEMU_LME=1 draws them anyway.
 */
static bool fuzz_qemu_svm;

static bool fuzz_host_is_qemu_svm(void)
{
	unsigned int a, b, c, d;
	char vendor[13] = "", hv[13] = "";

	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))		/* CPUID.1:ECX.hypervisor */
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(hv, &b, 4);
	memcpy(hv + 4, &c, 4);
	memcpy(hv + 8, &d, 4);
	return !strcmp(vendor, "AuthenticAMD") && !strcmp(hv, "TCGTCGTCGTCG");
}

void fuzz_arch_init(int sys_fd, int vcpu_fd)
{
	struct {
		struct kvm_msr_list head;
		uint32_t idx[512];
	} list = { .head.nmsrs = 512 };

	fuzz_cpuid.head.nent = FUZZ_X86_CPUID_MAX;
	if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, &fuzz_cpuid) < 0)
		fuzz_cpuid.head.nent = 0;
	if (ioctl(sys_fd, KVM_GET_MSR_INDEX_LIST, &list) == 0) {
		fuzz_nr_msrs = list.head.nmsrs;
		memcpy(fuzz_msrs, list.idx, fuzz_nr_msrs * 4);
	}
	ioctl(vcpu_fd, KVM_GET_SREGS, &fuzz_sregs);
	fuzz_qemu_svm = fuzz_host_is_qemu_svm() &&
			!getenv("HVX_FUZZ_QEMU_LME");
	if (fuzz_qemu_svm)
		printf("# QEMU's nested SVM: no EFER.LME without CR0.PG (HVX_FUZZ_QEMU_LME=1 draws it)\n");
}

/* Random code after an STI, so that Bochs takes the host's interrupts. */
void fuzz_arch_guest_code(struct fuzz *f, uint8_t *code, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		code[i] = fuzz_rand(f);
	code[GUEST_CODE_GPA] = 0xfb;
}

static unsigned long gen_zero(struct fuzz *f, void *arg)
{
	(void)f;
	(void)arg;
	return 0;
}

static unsigned long gen_bytes(struct fuzz *f, void *arg, size_t len)
{
	uint8_t *b = arg;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = fuzz_rand(f);
	return 0;
}

static unsigned long gen_cpuid_out(struct fuzz *f, void *arg)
{
	struct kvm_cpuid2 *c = arg;

	c->nent = fuzz_one_in(f, 3) ? fuzz_below(f, 100) :
				      FUZZ_X86_CPUID_MAX;
	return 0;
}

static unsigned long gen_msr_list(struct fuzz *f, void *arg)
{
	struct kvm_msr_list *l = arg;

	l->nmsrs = fuzz_one_in(f, 3) ? fuzz_below(f, 100) : 512;
	return 0;
}

static unsigned long gen_set_cpuid(struct fuzz *f, void *arg)
{
	struct kvm_cpuid2 *c = arg;
	unsigned int i, n = fuzz_cpuid.head.nent;

	memcpy(c, &fuzz_cpuid, sizeof(c->nent) + sizeof(c->padding) +
	       n * sizeof(c->entries[0]));
	if (fuzz_one_in(f, 4))
		c->nent = fuzz_below(f, n + 1);
	for (i = fuzz_below(f, 4); i; i--) {
		struct kvm_cpuid_entry2 *e = &c->entries[fuzz_below(f, n + 1)];

		(&e->eax)[fuzz_below(f, 4)] ^= 1u << fuzz_below(f, 32);
	}
	return 0;
}

static uint32_t fuzz_msr_index(struct fuzz *f)
{
	static const uint32_t extra[] = {
		0x10, 0x1b, 0x3a, 0x174, 0x175, 0x176, 0x277, 0x2ff,
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000084, 0xc0000100,
		0xc0000101, 0xc0000102, 0xc0000103, 0x4b564d00, 0x4b564d01,
		0x11, 0x12, 0x179, 0x17a, 0x17b, 0x400, 0x47f, 0x200, 0x20f,
		0x3b, 0x1fc,
	};

	if (fuzz_nr_msrs && fuzz_one_in(f, 2))
		return fuzz_msrs[fuzz_below(f, fuzz_nr_msrs)];
	if (fuzz_one_in(f, 4))
		return fuzz_interesting(f);
	return extra[fuzz_below(f, ARRAY_SIZE(extra))];
}

static unsigned long gen_msrs(struct fuzz *f, void *arg)
{
	struct kvm_msrs *m = arg;
	unsigned int i;

	m->nmsrs = 1 + fuzz_below(f, FUZZ_X86_MSRS_MAX);
	for (i = 0; i < m->nmsrs; i++) {
		m->entries[i].index = fuzz_msr_index(f);
		m->entries[i].data = fuzz_one_in(f, 2) ? fuzz_interesting(f) :
							 fuzz_below(f, 0x10000);
		if (fuzz_qemu_svm && m->entries[i].index == FUZZ_EFER)
			m->entries[i].data &= ~FUZZ_EFER_LME;
	}
	return 0;
}

static unsigned long gen_regs(struct fuzz *f, void *arg)
{
	struct kvm_regs *r = arg;

	gen_bytes(f, r, sizeof(*r));
	r->rip = fuzz_one_in(f, 2) ? GUEST_CODE_GPA + fuzz_below(f, 256) :
				     fuzz_interesting(f);
	r->rflags = fuzz_one_in(f, 2) ? 0x202 : fuzz_interesting(f);
	return 0;
}

static void fuzz_seg(struct fuzz *f, struct kvm_segment *s)
{
	if (fuzz_one_in(f, 2))
		return;
	switch (fuzz_below(f, 5)) {
	case 0:
		s->base = fuzz_interesting(f);
		break;
	case 1:
		s->limit = fuzz_interesting(f);
		break;
	case 2:
		s->type = fuzz_below(f, 16);
		s->s = fuzz_below(f, 2);
		break;
	case 3:
		s->l = fuzz_below(f, 2);
		s->db = fuzz_below(f, 2);
		s->dpl = fuzz_below(f, 4);
		break;
	default:
		s->present = fuzz_below(f, 2);
		s->unusable = fuzz_below(f, 2);
		s->selector = fuzz_rand(f);
		break;
	}
}

/*
 * Mode changes the world switch must check: a reset state with CR0, CR4,
 * EFER and segments changed at random (paging without PE, long mode
 * without PAE, CS.L with CS.D, reserved bits...).
 */
static unsigned long gen_sregs(struct fuzz *f, void *arg)
{
	struct kvm_sregs *s = arg;

	*s = fuzz_sregs;
	if (fuzz_one_in(f, 2))
		s->cr0 ^= 1ull << fuzz_below(f, 64);
	if (fuzz_one_in(f, 2))
		s->cr0 |= fuzz_below(f, 2) ? 0x80000001 : 1;
	if (fuzz_one_in(f, 2))
		s->cr4 ^= 1ull << fuzz_below(f, 64);
	if (fuzz_one_in(f, 2))
		s->efer ^= 1ull << fuzz_below(f, 16);
	if (fuzz_qemu_svm && !(s->cr0 & FUZZ_CR0_PG))
		s->efer &= ~FUZZ_EFER_LME;
	if (fuzz_one_in(f, 4))
		s->cr3 = fuzz_gpa(f) | fuzz_below(f, 0x1000);
	if (fuzz_one_in(f, 6))
		s->apic_base = fuzz_interesting(f);
	if (fuzz_one_in(f, 6))
		s->interrupt_bitmap[fuzz_below(f, 4)] = 1ull << fuzz_below(f, 64);
	fuzz_seg(f, &s->cs);
	fuzz_seg(f, &s->ss);
	fuzz_seg(f, &s->ds);
	fuzz_seg(f, &s->tr);
	if (fuzz_one_in(f, 4))
		s->gdt.limit = fuzz_rand(f);
	return 0;
}

static unsigned long gen_interrupt(struct fuzz *f, void *arg)
{
	struct kvm_interrupt *i = arg;

	i->irq = fuzz_one_in(f, 4) ? fuzz_interesting(f) : fuzz_below(f, 256);
	return 0;
}

static unsigned long gen_mp_state(struct fuzz *f, void *arg)
{
	struct kvm_mp_state *m = arg;

	m->mp_state = fuzz_one_in(f, 2) ? 0 : fuzz_below(f, 12);
	return 0;
}

static unsigned long gen_fpu(struct fuzz *f, void *arg)
{
	struct kvm_fpu *p = arg;

	gen_bytes(f, p, sizeof(*p));
	if (fuzz_one_in(f, 2))
		p->mxcsr = 0x1f80;
	return 0;
}

/* The legacy area random; XSTATE_BV x87|SSE, or random header bits. */
static unsigned long gen_xsave(struct fuzz *f, void *arg)
{
	struct kvm_xsave *x = arg;

	gen_bytes(f, x->region, 512);
	memset(&x->region[128], 0, sizeof(x->region) - 512);
	x->region[6] = 0x1f80;		/* MXCSR */
	x->region[128] = fuzz_one_in(f, 2) ? 3 : fuzz_interesting(f);
	if (fuzz_one_in(f, 4))
		x->region[129 + fuzz_below(f, 15)] = fuzz_rand(f);
	return 0;
}

static unsigned long gen_xcrs(struct fuzz *f, void *arg)
{
	struct kvm_xcrs *x = arg;
	static const uint64_t xcr0[] = { 1, 3, 7, 0xe7, 2, 0, 5 };

	x->nr_xcrs = fuzz_one_in(f, 4) ? fuzz_below(f, 20) : 1;
	x->xcrs[0].xcr = fuzz_one_in(f, 4) ? fuzz_below(f, 3) : 0;
	x->xcrs[0].value = fuzz_one_in(f, 4) ? fuzz_interesting(f) :
					       xcr0[fuzz_below(f, 7)];
	return 0;
}

static unsigned long gen_events(struct fuzz *f, void *arg)
{
	struct kvm_vcpu_events *e = arg;

	e->exception.injected = fuzz_one_in(f, 4);
	e->exception.nr = fuzz_below(f, 40);
	e->exception.has_error_code = fuzz_below(f, 2);
	e->exception.error_code = fuzz_rand(f);
	e->interrupt.injected = fuzz_one_in(f, 4);
	e->interrupt.nr = fuzz_rand(f);
	e->interrupt.soft = fuzz_one_in(f, 4);
	e->interrupt.shadow = fuzz_below(f, 4);
	e->nmi.injected = fuzz_one_in(f, 4);
	e->nmi.pending = fuzz_one_in(f, 4);
	e->nmi.masked = fuzz_below(f, 2);
	e->flags = fuzz_one_in(f, 4) ? fuzz_interesting(f) :
		   fuzz_below(f, 16);
	e->smi.smm = fuzz_one_in(f, 8);
	return 0;
}

static unsigned long gen_debugregs(struct fuzz *f, void *arg)
{
	struct kvm_debugregs *d = arg;
	int i;

	for (i = 0; i < 4; i++)
		d->db[i] = fuzz_one_in(f, 2) ? fuzz_gpa(f) :
					       fuzz_interesting(f);
	d->dr6 = fuzz_one_in(f, 2) ? 0xffff0ff0 : fuzz_interesting(f);
	d->dr7 = fuzz_one_in(f, 2) ? 0x400 | fuzz_below(f, 0x10000) :
				     fuzz_interesting(f);
	d->flags = fuzz_one_in(f, 8);
	return 0;
}

static unsigned long gen_tss(struct fuzz *f, void *arg)
{
	(void)arg;
	return fuzz_one_in(f, 2) ? 0xfffbd000 : fuzz_interesting(f);
}

static unsigned long gen_u64(struct fuzz *f, void *arg)
{
	*(uint64_t *)arg = fuzz_one_in(f, 2) ? 0xfffbc000 :
					       fuzz_interesting(f);
	return 0;
}

static unsigned long gen_routing(struct fuzz *f, void *arg)
{
	struct kvm_irq_routing *r = arg;
	unsigned int i;

	r->nr = fuzz_below(f, FUZZ_X86_ROUTES_MAX + 1);
	r->flags = fuzz_one_in(f, 4);
	for (i = 0; i < r->nr; i++) {
		r->entries[i].gsi = fuzz_below(f, 32);
		r->entries[i].type = 1 + fuzz_below(f, 3);
		r->entries[i].u.irqchip.irqchip = fuzz_below(f, 3);
		r->entries[i].u.irqchip.pin = fuzz_below(f, 24);
	}
	return 0;
}

static unsigned long gen_clock(struct fuzz *f, void *arg)
{
	struct kvm_clock_data *c = arg;

	c->clock = fuzz_one_in(f, 2) ? fuzz_below(f, 1ull << 40) :
				       fuzz_interesting(f);
	c->flags = fuzz_one_in(f, 2) ? 0 : fuzz_below(f, 16);
	c->realtime = fuzz_interesting(f);
	return 0;
}

/*
 * KVM_X86_SET_MSR_FILTER: up to the 16 ranges, in the MSR areas a guest
 * uses, with bitmaps (read by the kernel) in a buffer of random bits;
 * now and then a range too large or with unknown flags.
 */
static unsigned long gen_msr_filter(struct fuzz *f, void *arg)
{
	static uint8_t bitmaps[KVM_MSR_FILTER_MAX_BITMAP_SIZE];
	static const uint32_t bases[] = { 0, 0x10, 0x800, 0x40000000,
					  0xc0000000, 0xc0010000 };
	struct kvm_msr_filter *m = arg;
	unsigned int i, n = fuzz_below(f, KVM_MSR_FILTER_MAX_RANGES + 1);

	for (i = 0; i < sizeof(bitmaps); i++)
		bitmaps[i] = fuzz_rand(f);
	m->flags = fuzz_one_in(f, 8) ? fuzz_below(f, 4) :
				       fuzz_below(f, 2);
	for (i = 0; i < n; i++) {
		struct kvm_msr_filter_range *r = &m->ranges[i];

		r->flags = fuzz_one_in(f, 8) ? fuzz_below(f, 8) :
					       1 + fuzz_below(f, 3);
		r->base = bases[fuzz_below(f, ARRAY_SIZE(bases))] +
			  fuzz_below(f, 0x100);
		r->nmsrs = fuzz_one_in(f, 8) ? fuzz_interesting(f) :
			   fuzz_below(f, sizeof(bitmaps) * 8 + 1);
		r->bitmap = bitmaps;
	}
	return 0;
}

static unsigned long gen_nr_mmu_pages(struct fuzz *f, void *arg)
{
	(void)arg;
	return fuzz_one_in(f, 2) ? 60 + fuzz_below(f, 8) :
				   fuzz_interesting(f);
}

/* KVM_IRQ_LINE(_STATUS): a GSI of the default table, now and then not. */
static unsigned long gen_irq_level(struct fuzz *f, void *arg)
{
	struct kvm_irq_level *l = arg;

	l->irq = fuzz_one_in(f, 8) ? fuzz_interesting(f) : fuzz_below(f, 32);
	l->level = fuzz_one_in(f, 8) ? fuzz_rand(f) : fuzz_below(f, 2);
	return 0;
}

/* KVM_GET/SET_IRQCHIP: a PIC or the I/O APIC, random state to set. */
static unsigned long gen_irqchip(struct fuzz *f, void *arg)
{
	struct kvm_irqchip *c = arg;

	gen_bytes(f, c, sizeof(*c));
	c->chip_id = fuzz_one_in(f, 8) ? fuzz_rand(f) : fuzz_below(f, 3);
	return 0;
}

/* KVM_SIGNAL_MSI: the APIC's window, any destination, mode and vector. */
static unsigned long gen_msi(struct fuzz *f, void *arg)
{
	struct kvm_msi *m = arg;

	m->address_lo = fuzz_one_in(f, 8) ? fuzz_rand(f) :
			0xfee00000 | fuzz_below(f, 256) << 12 |
			fuzz_below(f, 2) << 2;
	m->data = fuzz_one_in(f, 4) ? fuzz_rand(f) : fuzz_below(f, 0x10000);
	m->flags = fuzz_one_in(f, 8) ? fuzz_below(f, 4) : 0;
	return 0;
}

/*
 * KVM_IRQFD: one of the fuzzer's eventfds on a GSI; assign or deassign,
 * level-triggered (RESAMPLE) or not, its resamplefd another eventfd of
 * the fuzzer's or the same.
 */
static unsigned long gen_irqfd(struct fuzz *f, void *arg)
{
	struct kvm_irqfd *q = arg;

	q->fd = fuzz_eventfd(f);
	q->gsi = fuzz_one_in(f, 8) ? fuzz_interesting(f) : fuzz_below(f, 48);
	q->flags = fuzz_one_in(f, 8) ? fuzz_rand(f) : fuzz_below(f, 4);
	q->resamplefd = fuzz_eventfd(f);
	return 0;
}

/* KVM_SET_LAPIC: the register page as random bytes (timers included). */
static unsigned long gen_lapic(struct fuzz *f, void *arg)
{
	gen_bytes(f, arg, sizeof(struct kvm_lapic_state));
	return 0;
}

static unsigned long gen_pit_config(struct fuzz *f, void *arg)
{
	struct kvm_pit_config *c = arg;

	c->flags = fuzz_one_in(f, 4) ? fuzz_rand(f) : fuzz_below(f, 2);
	return 0;
}

/*
 * KVM_SET_PIT(2): half the time each counter in a state the 8254 can be
 * in (mode, access, a count up to 0x10000), else random bytes.
 */
static void gen_pit_channels(struct fuzz *f, struct kvm_pit_channel_state *ch)
{
	int i;

	gen_bytes(f, ch, 3 * sizeof(*ch));
	for (i = 0; i < 3 && fuzz_one_in(f, 2); i++) {
		struct kvm_pit_channel_state *c = &ch[i];

		c->count = fuzz_below(f, 0x10001);
		c->mode = fuzz_one_in(f, 8) ? 0xff : fuzz_below(f, 6);
		c->rw_mode = 1 + fuzz_below(f, 3);
		c->read_state = c->rw_mode;
		c->write_state = c->rw_mode;
		c->count_latched = 0;
		c->status_latched = 0;
		c->bcd = 0;
		c->gate = fuzz_below(f, 2);
	}
}

static unsigned long gen_pit_state(struct fuzz *f, void *arg)
{
	gen_pit_channels(f, ((struct kvm_pit_state *)arg)->channels);
	return 0;
}

static unsigned long gen_pit_state2(struct fuzz *f, void *arg)
{
	struct kvm_pit_state2 *s = arg;

	gen_pit_channels(f, s->channels);
	s->flags = fuzz_one_in(f, 4) ? fuzz_rand(f) : fuzz_below(f, 4);
	return 0;
}

#define CPUID2_SIZE	(sizeof(struct kvm_cpuid2) + \
			 FUZZ_X86_CPUID_MAX * sizeof(struct kvm_cpuid_entry2))
#define MSRS_SIZE	(sizeof(struct kvm_msrs) + \
			 FUZZ_X86_MSRS_MAX * sizeof(struct kvm_msr_entry))
#define ROUTING_SIZE	(sizeof(struct kvm_irq_routing) + FUZZ_X86_ROUTES_MAX * \
			 sizeof(struct kvm_irq_routing_entry))

/* Read-only (GET) ioctls: a struct the kernel fills. */
#define GET(n, on, type) \
	{ #n, n, on, 0, sizeof(type), FUZZ_NO_PTR, -1, gen_zero, NULL }
/* Write ioctls with their generator. */
#define SET(n, on, type, gen) \
	{ #n, n, on, 0, sizeof(type), FUZZ_NO_PTR, -1, gen, NULL }

const struct fuzz_ioctl fuzz_arch_ioctls[] = {
	{ "KVM_GET_SUPPORTED_CPUID", KVM_GET_SUPPORTED_CPUID, FUZZ_SYS, 0,
	  CPUID2_SIZE, FUZZ_NO_PTR, 0, gen_cpuid_out, NULL },
	{ "KVM_GET_MSR_INDEX_LIST", KVM_GET_MSR_INDEX_LIST, FUZZ_SYS, 0,
	  sizeof(struct kvm_msr_list) + 512 * 4, FUZZ_NO_PTR, 0, gen_msr_list,
	  NULL },
	{ "KVM_SET_TSS_ADDR", KVM_SET_TSS_ADDR, FUZZ_VM, FUZZ_ARG_VAL, 0,
	  FUZZ_NO_PTR, -1, gen_tss, NULL },
	SET(KVM_SET_IDENTITY_MAP_ADDR, FUZZ_VM, uint64_t, gen_u64),
	{ "KVM_SET_GSI_ROUTING", KVM_SET_GSI_ROUTING, FUZZ_VM, 0,
	  ROUTING_SIZE, FUZZ_NO_PTR, 0, gen_routing, NULL },
	SET(KVM_X86_SET_MSR_FILTER, FUZZ_VM, struct kvm_msr_filter,
	    gen_msr_filter),
	/* The in-kernel irqchip (irqchip.c, lapic.c, ioapic.c, pic.c). */
	{ "KVM_CREATE_IRQCHIP", KVM_CREATE_IRQCHIP, FUZZ_VM, FUZZ_ARG_VAL, 0,
	  FUZZ_NO_PTR, -1, gen_zero, NULL },
	SET(KVM_IRQ_LINE, FUZZ_VM, struct kvm_irq_level, gen_irq_level),
	SET(KVM_IRQ_LINE_STATUS, FUZZ_VM, struct kvm_irq_level,
	    gen_irq_level),
	SET(KVM_GET_IRQCHIP, FUZZ_VM, struct kvm_irqchip, gen_irqchip),
	SET(KVM_SET_IRQCHIP, FUZZ_VM, struct kvm_irqchip, gen_irqchip),
	/* How many APICs took it: a count, not an error. */
	{ "KVM_SIGNAL_MSI", KVM_SIGNAL_MSI, FUZZ_VM, FUZZ_RET_VAL,
	  sizeof(struct kvm_msi), FUZZ_NO_PTR, -1, gen_msi, NULL },
	SET(KVM_IRQFD, FUZZ_VM, struct kvm_irqfd, gen_irqfd),
	GET(KVM_GET_LAPIC, FUZZ_VCPU, struct kvm_lapic_state),
	SET(KVM_SET_LAPIC, FUZZ_VCPU, struct kvm_lapic_state, gen_lapic),
	/* The 8254 (pit.c). */
	SET(KVM_CREATE_PIT2, FUZZ_VM, struct kvm_pit_config, gen_pit_config),
	GET(KVM_GET_PIT2, FUZZ_VM, struct kvm_pit_state2),
	SET(KVM_SET_PIT2, FUZZ_VM, struct kvm_pit_state2, gen_pit_state2),
	GET(KVM_GET_PIT, FUZZ_VM, struct kvm_pit_state),
	SET(KVM_SET_PIT, FUZZ_VM, struct kvm_pit_state, gen_pit_state),
	{ "KVM_SET_NR_MMU_PAGES", KVM_SET_NR_MMU_PAGES, FUZZ_VM, FUZZ_ARG_VAL,
	  0, FUZZ_NO_PTR, -1, gen_nr_mmu_pages, NULL },
	{ "KVM_GET_NR_MMU_PAGES", KVM_GET_NR_MMU_PAGES, FUZZ_VM,
	  FUZZ_ARG_VAL | FUZZ_RET_VAL, 0, FUZZ_NO_PTR, -1, gen_zero, NULL },
	GET(KVM_GET_CLOCK, FUZZ_VM, struct kvm_clock_data),
	SET(KVM_SET_CLOCK, FUZZ_VM, struct kvm_clock_data, gen_clock),
	GET(KVM_GET_REGS, FUZZ_VCPU, struct kvm_regs),
	SET(KVM_SET_REGS, FUZZ_VCPU, struct kvm_regs, gen_regs),
	GET(KVM_GET_SREGS, FUZZ_VCPU, struct kvm_sregs),
	SET(KVM_SET_SREGS, FUZZ_VCPU, struct kvm_sregs, gen_sregs),
	{ "KVM_SET_CPUID2", KVM_SET_CPUID2, FUZZ_VCPU, 0, CPUID2_SIZE,
	  FUZZ_NO_PTR, 0, gen_set_cpuid, NULL },
	{ "KVM_GET_CPUID2", KVM_GET_CPUID2, FUZZ_VCPU, 0, CPUID2_SIZE,
	  FUZZ_NO_PTR, 0, gen_cpuid_out, NULL },
	{ "KVM_GET_MSRS", KVM_GET_MSRS, FUZZ_VCPU | FUZZ_SYS, FUZZ_RET_VAL,
	  MSRS_SIZE, FUZZ_NO_PTR, 0, gen_msrs, NULL },
	{ "KVM_SET_MSRS", KVM_SET_MSRS, FUZZ_VCPU, FUZZ_RET_VAL, MSRS_SIZE,
	  FUZZ_NO_PTR, 0, gen_msrs, NULL },
	{ "KVM_GET_TSC_KHZ", KVM_GET_TSC_KHZ, FUZZ_VCPU,
	  FUZZ_ARG_VAL | FUZZ_RET_VAL, 0, FUZZ_NO_PTR, -1, gen_zero, NULL },
	SET(KVM_INTERRUPT, FUZZ_VCPU, struct kvm_interrupt, gen_interrupt),
	{ "KVM_NMI", KVM_NMI, FUZZ_VCPU, FUZZ_ARG_VAL, 0, FUZZ_NO_PTR, -1,
	  gen_zero, NULL },
	GET(KVM_GET_MP_STATE, FUZZ_VCPU, struct kvm_mp_state),
	SET(KVM_SET_MP_STATE, FUZZ_VCPU, struct kvm_mp_state, gen_mp_state),
	GET(KVM_GET_FPU, FUZZ_VCPU, struct kvm_fpu),
	SET(KVM_SET_FPU, FUZZ_VCPU, struct kvm_fpu, gen_fpu),
	GET(KVM_GET_XSAVE, FUZZ_VCPU, struct kvm_xsave),
	SET(KVM_SET_XSAVE, FUZZ_VCPU, struct kvm_xsave, gen_xsave),
	GET(KVM_GET_XCRS, FUZZ_VCPU, struct kvm_xcrs),
	SET(KVM_SET_XCRS, FUZZ_VCPU, struct kvm_xcrs, gen_xcrs),
	GET(KVM_GET_VCPU_EVENTS, FUZZ_VCPU, struct kvm_vcpu_events),
	SET(KVM_SET_VCPU_EVENTS, FUZZ_VCPU, struct kvm_vcpu_events,
	    gen_events),
	GET(KVM_GET_DEBUGREGS, FUZZ_VCPU, struct kvm_debugregs),
	SET(KVM_SET_DEBUGREGS, FUZZ_VCPU, struct kvm_debugregs,
	    gen_debugregs),
};

const int fuzz_nr_arch_ioctls = ARRAY_SIZE(fuzz_arch_ioctls);

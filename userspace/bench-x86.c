// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench, x86 guests: an OUT to user space, and CPUID, which the
 * kernel answers itself.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "hvx.h"

#define PORT_TICK	0x10	/* the I/O loop's OUT */
#define PORT_DONE	0x11	/* "KERNEL_EXITS done" */

#define STR_(x)		#x
#define STR(x)		STR_(x)

const char hvx_bench_help[] =
"usage: hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"       hvx bench --linux --kernel BZIMAGE [--initrd FILE] [--append CMDLINE]\n"
"                 [--mem SIZE] [--marker TEXT] [--rounds N] [--hvx PATH]\n"
"                 [--kvm PATH]\n"
"\n"
"Time hvx against KVM in this one process, alternating: each round measures\n"
"hvx then KVM, and the next round KVM then hvx.  Six metrics:\n"
"  io_exit_us               one guest OUT: a round trip to user space\n"
"  cpuid_exit_us            one guest CPUID: an exit handled in the kernel\n"
"  create_to_first_exit_us  open the device, create VM, RAM and vCPU, run\n"
"                           until the guest's first OUT\n"
"  dirty_log_round_us       the guest writes every page of a logged 256 MiB\n"
"                           slot, then KVM_GET_DIRTY_LOG (3 rounds at most)\n"
"  apic_timer_late_us       with the in-kernel irqchip: the guest arms its\n"
"                           APIC timer for 1 ms, halts, and takes the\n"
"                           interrupt; how much later than 1 ms it came\n"
"  ipi_round_trip_us        with the in-kernel irqchip: vCPU 0 sends an IPI\n"
"                           to halted vCPU 1, whose handler answers; vCPU 0\n"
"                           halts until the answer comes\n"
"It prints the median of each on both devices and the ratio hvx/KVM, then\n"
"one line per metric for scripts:\n"
"  bench <metric> hvx=<us> kvm=<us> ratio=<hvx/kvm or unavailable>\n"
"A missing device is skipped and its figures read n/a.\n"
"\n"
"With --linux it boots a Linux guest (hvx run --kernel) on each device\n"
"instead and times boot to user space and to power-off; see\n"
"hvx bench --linux --help.\n"
"\n"
"  --rounds N   rounds per metric, 1 to 64 (default 9)\n"
"  --hvx PATH   default /dev/hvx\n"
"  --kvm PATH   default /dev/kvm\n";


/*
 * The guests, in real mode at GUEST_CODE_GPA.  bench_io is an OUT forever,
 * so each KVM_RUN is exactly one I/O exit round trip; bench_cpuid runs
 * KERNEL_EXITS CPUIDs between two OUTs, so one KVM_RUN holds KERNEL_EXITS
 * exits handled in the kernel and one round trip to user space.
 */
extern const unsigned char bench_io[], bench_io_end[];
__asm__(".pushsection .rodata\n"
	"bench_io:\n"
	".code16\n"
	"1:	out %al, $" STR(PORT_TICK) "\n"
	"	jmp 1b\n"
	".code64\n"
	"bench_io_end:\n"
	".popsection\n");

extern const unsigned char bench_cpuid[], bench_cpuid_end[];
__asm__(".pushsection .rodata\n"
	"bench_cpuid:\n"
	".code16\n"
	"1:	mov $" STR(KERNEL_EXITS) ", %edi\n"
	"2:	xor %eax, %eax\n"
	"	cpuid\n"
	"	dec %edi\n"
	"	jnz 2b\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	jmp 1b\n"
	".code64\n"
	"bench_cpuid_end:\n"
	".popsection\n");

/* bench_dirty: a store to every page of the logged slot, then an OUT. */
extern const unsigned char bench_dirty[], bench_dirty_end[];
__asm__(".pushsection .rodata\n"
	"bench_dirty:\n"
	".code32\n"
	"1:	mov $" STR(DIRTY_GPA) ", %edx\n"
	"2:	mov %edx, (%edx)\n"
	"	add $0x1000, %edx\n"
	"	cmp $" STR(DIRTY_END) ", %edx\n"
	"	jne 2b\n"
	"	out %al, $" STR(PORT_TICK) "\n"
	"	jmp 1b\n"
	".code64\n"
	"bench_dirty_end:\n"
	".popsection\n");

static int is_out(struct bench_vm *b, int r, int port)
{
	return r == KVM_EXIT_IO && b->vcpu.run->io.port == port &&
	       b->vcpu.run->io.direction == KVM_EXIT_IO_OUT;
}

static int is_tick(struct bench_vm *b, int r)
{
	return is_out(b, r, PORT_TICK);
}

static int is_done(struct bench_vm *b, int r)
{
	return is_out(b, r, PORT_DONE);
}

/* Microseconds per CPUID, an exit the kernel answers itself. */
static int bench_cpuid_exit(const char *dev, double *us)
{
	struct bench_vm b;
	int r;

	r = bench_open(&b, dev, GUEST_REAL, bench_cpuid, bench_cpuid_end);
	if (r)
		return r;
	r = bench_warm_timed(&b, is_done, KERNEL_EXITS, us);
	bench_close(&b);
	return r;
}

/*
 * bench_timer, in protected mode with the in-kernel local APIC: TIMER_IRQS
 * times, arm the APIC timer one-shot for TIMER_US (divide by 1, TIMER_US
 * thousand counts of KVM's 1 GHz APIC bus; SDM Vol. 3A 11.5.4), STI; HLT,
 * and take its interrupt (vector TIMER_VECTOR, whose handler writes EOI),
 * then an OUT.  The metric is how late each interrupt is: the time per
 * iteration less TIMER_US (the TMICT and EOI writes and the HLT are exits
 * the kernel handles; the hrtimer's interrupt wakes the halted vCPU).
 * With an initial count of 1 the sample never ended, on KVM as on hvx,
 * in the QEMU/SVM machine (not understood yet; hlt_with_irq_pending in
 * irqchip_test shows an interrupt waiting at STI; HLT taken on both).
 */
#define TIMER_IRQS	100
#define TIMER_US	1000
#define TIMER_VECTOR	0x40
#define APIC_PAGE	0xfee00000

extern const unsigned char bench_timer[], bench_timer_end[];
extern const unsigned char bench_timer_handler[];
__asm__(".pushsection .rodata\n"
	"bench_timer:\n"
	".code32\n"
	"	movl $0x1ff, " STR(APIC_PAGE) " + 0xf0\n"
	"	movl $0xb, " STR(APIC_PAGE) " + 0x3e0\n"
	"	movl $" STR(TIMER_VECTOR) ", " STR(APIC_PAGE) " + 0x320\n"
	"1:	mov $" STR(TIMER_IRQS) ", %edi\n"
	"2:	movl $" STR(TIMER_US) " * 1000, " STR(APIC_PAGE) " + 0x380\n"
	"	sti\n"
	"	hlt\n"
	"	cli\n"
	"	dec %edi\n"
	"	jnz 2b\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	jmp 1b\n"
	"bench_timer_handler:\n"
	"	movl $0, " STR(APIC_PAGE) " + 0xb0\n"
	"	iret\n"
	".code64\n"
	"bench_timer_end:\n"
	".popsection\n");

static int bench_irqchip(struct vm *vm)
{
	return ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0 ? -errno : 0;
}

/*
 * An interrupt gate (SDM Vol. 3A 6.11) for @vector at GUEST_IDT_GPA, to
 * the guest's code at offset @off.
 */
static int bench_set_gate(struct bench_vm *b, int vector, long off)
{
	uint32_t ip = GUEST_CODE_GPA + off;
	uint32_t *e = vm_gpa(&b->vm, GUEST_IDT_GPA + vector * 8);
	struct kvm_sregs s;

	if (!e || ioctl(b->vcpu.fd, KVM_GET_SREGS, &s) < 0)
		return -EINVAL;
	e[0] = (ip & 0xffff) | GDT_CODE32 << 16;
	e[1] = (ip & 0xffff0000) | 0x8e00;	/* present, DPL 0, 32-bit */
	s.idt.base = GUEST_IDT_GPA;
	s.idt.limit = 256 * 8 - 1;
	return ioctl(b->vcpu.fd, KVM_SET_SREGS, &s) < 0 ? -errno : 0;
}

/* Microseconds late, per 1 ms APIC timer interrupt to a halted vCPU. */
static int bench_timer_irq(const char *dev, double *us)
{
	struct bench_vm b;
	int r;

	r = bench_open_with(&b, dev, GUEST_PROT, bench_timer,
			    bench_timer_end, bench_irqchip);
	if (r)
		return r;
	r = bench_set_gate(&b, TIMER_VECTOR, bench_timer_handler - bench_timer);
	if (!r)
		r = bench_warm_timed(&b, is_done, TIMER_IRQS, us);
	if (!r)
		*us -= TIMER_US;
	bench_close(&b);
	return r;
}

/*
 * bench_ipi: vCPU 0 sends a fixed IPI (vector IPI_PING) to vCPU 1 by
 * physical APIC ID through the ICR (SDM Vol. 3A 11.6.1) and halts until
 * vCPU 1's handler answers with IPI_PONG, IPIS times, then an OUT.  vCPU
 * 1 (EDI 1) only halts and answers.  Each round trip is two IPIs, each
 * to a halted vCPU: a wake-up, or a kick out of guest mode.
 */
#define IPIS		200
#define IPI_PING	0x41
#define IPI_PONG	0x42
#define IPI_FLAG	0x3000		/* set by vCPU 0's IPI_PONG handler */

extern const unsigned char bench_ipi[], bench_ipi_end[];
extern const unsigned char bench_ipi_ping[], bench_ipi_pong[];
__asm__(".pushsection .rodata\n"
	"bench_ipi:\n"
	".code32\n"
	"	movl $0x1ff, " STR(APIC_PAGE) " + 0xf0\n"
	"	cmp $1, %edi\n"
	"	je 4f\n"
	"1:	mov $" STR(IPIS) ", %edi\n"
	"2:	movl $0, " STR(IPI_FLAG) "\n"
	"	movl $0x01000000, " STR(APIC_PAGE) " + 0x310\n"
	"	movl $" STR(IPI_PING) ", " STR(APIC_PAGE) " + 0x300\n"
	"3:	cli\n"
	"	cmpl $0, " STR(IPI_FLAG) "\n"
	"	jne 5f\n"
	"	sti\n"
	"	hlt\n"
	"	jmp 3b\n"
	"5:	dec %edi\n"
	"	jnz 2b\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	jmp 1b\n"
	"4:	sti\n"
	"	hlt\n"
	"	jmp 4b\n"
	"bench_ipi_pong:\n"		/* vCPU 0: the answer came */
	"	movl $1, " STR(IPI_FLAG) "\n"
	"	movl $0, " STR(APIC_PAGE) " + 0xb0\n"
	"	iret\n"
	"bench_ipi_ping:\n"		/* vCPU 1: answer vCPU 0 */
	"	movl $0, " STR(APIC_PAGE) " + 0xb0\n"
	"	movl $0, " STR(APIC_PAGE) " + 0x310\n"
	"	movl $" STR(IPI_PONG) ", " STR(APIC_PAGE) " + 0x300\n"
	"	iret\n"
	".code64\n"
	"bench_ipi_end:\n"
	".popsection\n");

struct bench_ap {
	struct vcpu vcpu;
	pthread_t thread;
	int r;
};

/* vCPU 1's thread: KVM_RUN until SIGALRM (a no-op handler) ends it. */
static void *bench_ap_run(void *arg)
{
	struct bench_ap *ap = arg;

	ap->r = vcpu_run(&ap->vcpu);
	return NULL;
}

/* vCPU 1 at bench_ipi with EDI 1, running (not waiting for a SIPI). */
static int bench_ap_start(struct bench_vm *b, struct bench_ap *ap)
{
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs s0, s1;
	struct kvm_regs regs;
	int r;

	r = vcpu_create(&b->vm, &ap->vcpu, 1);
	if (r)
		return r;
	if (vcpu_setup_mode(&ap->vcpu, GUEST_PROT, GUEST_CODE_GPA,
			    GUEST_STACK_TOP - 0x400) ||
	    vcpu_get_regs(&ap->vcpu, &regs) ||
	    ioctl(b->vcpu.fd, KVM_GET_SREGS, &s0) < 0 ||
	    ioctl(ap->vcpu.fd, KVM_GET_SREGS, &s1) < 0)
		goto fail;
	regs.rdi = 1;
	s1.idt = s0.idt;
	if (vcpu_set_regs(&ap->vcpu, &regs) ||
	    ioctl(ap->vcpu.fd, KVM_SET_SREGS, &s1) < 0 ||
	    ioctl(ap->vcpu.fd, KVM_SET_MP_STATE, &mp) < 0 ||
	    pthread_create(&ap->thread, NULL, bench_ap_run, ap))
		goto fail;
	return 0;
fail:
	vcpu_close(&ap->vcpu);
	return -EINVAL;
}

static void bench_ap_stop(struct bench_ap *ap)
{
	ap->vcpu.run->immediate_exit = 1;
	pthread_kill(ap->thread, SIGALRM);
	pthread_join(ap->thread, NULL);
	vcpu_close(&ap->vcpu);
}

/* Microseconds per IPI round trip between two halted vCPUs. */
static int bench_ipi_round(const char *dev, double *us)
{
	struct bench_ap ap;
	struct bench_vm b;
	int r;

	r = bench_open_with(&b, dev, GUEST_PROT, bench_ipi, bench_ipi_end,
			    bench_irqchip);
	if (r)
		return r;
	r = bench_set_gate(&b, IPI_PONG, bench_ipi_pong - bench_ipi);
	if (!r)
		r = bench_set_gate(&b, IPI_PING, bench_ipi_ping - bench_ipi);
	if (!r)
		r = bench_ap_start(&b, &ap);
	if (r) {
		bench_close(&b);
		return r;
	}
	r = bench_warm_timed(&b, is_done, IPIS, us);
	bench_ap_stop(&ap);
	bench_close(&b);
	return r;
}

static const struct bench_extra bench_x86_extra[] = {
	{ "apic_timer_late_us", "1 ms APIC timer: late by, halted vCPU",
	  bench_timer_irq },
	{ "ipi_round_trip_us", "IPI round trip, two halted vCPUs",
	  bench_ipi_round },
};

const struct bench_arch bench_arch = {
	.help = hvx_bench_help,
	.user_exit_name = "io_exit_us",
	.user_exit_what = "I/O exit round trip to user space",
	.user_exits = "I/O exits",
	.kernel_exit_name = "cpuid_exit_us",
	.kernel_exit_what = "CPUID exit handled in the kernel",
	.kernel_exits = "CPUIDs",
	.kernel_exit = bench_cpuid_exit,
	.mode = GUEST_REAL,
	.tick = bench_io,
	.tick_end = bench_io_end,
	.is_tick = is_tick,
	.dirty_mode = GUEST_PROT,
	.dirty = bench_dirty,
	.dirty_end = bench_dirty_end,
	.extra = bench_x86_extra,
	.nr_extra = 2,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench, x86 guests: an OUT to user space, and CPUID, which the
 * kernel answers itself.
 */

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
"hvx then KVM, and the next round KVM then hvx.  Four metrics:\n"
"  io_exit_us               one guest OUT: a round trip to user space\n"
"  cpuid_exit_us            one guest CPUID: an exit handled in the kernel\n"
"  create_to_first_exit_us  open the device, create VM, RAM and vCPU, run\n"
"                           until the guest's first OUT\n"
"  dirty_log_round_us       the guest writes every page of a logged 256 MiB\n"
"                           slot, then KVM_GET_DIRTY_LOG (3 rounds at most)\n"
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
	double t0;
	int r;

	r = bench_open(&b, dev, GUEST_REAL, bench_cpuid, bench_cpuid_end);
	if (r)
		return r;
	/* Untimed: one pass to fault the code page in. */
	r = bench_run_to(&b, is_done);
	t0 = bench_now_us();
	if (!r)
		r = bench_run_to(&b, is_done);
	*us = (bench_now_us() - t0) / KERNEL_EXITS;
	bench_close(&b);
	return r;
}

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
};

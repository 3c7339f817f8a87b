// SPDX-License-Identifier: GPL-2.0
/*
 * hvx bench, arm64 guests: an MMIO store to user space, and PSCI_VERSION
 * by HVC, which the kernel answers itself.
 */
#include "bench.h"
#include "hvx.h"

#define TICK_GPA	0x0a000000	/* outside RAM: every store exits */
#define DONE_GPA	(TICK_GPA + 8)

#define STR_(x)		#x
#define STR(x)		STR_(x)

/*
 * The guests' labels are local to their assembly: hidden, C addresses
 * them PC-relative, not through the GOT, where local labels of one
 * section would share one entry (the compiler's default PIE code).
 */
#define ASM_LABEL	__attribute__((visibility("hidden")))

const char hvx_bench_help[] =
"usage: hvx bench [--rounds N] [--hvx PATH] [--kvm PATH]\n"
"\n"
"Time hvx against KVM in this one process, alternating: each round measures\n"
"hvx then KVM, and the next round KVM then hvx.  Four metrics:\n"
"  mmio_exit_us             one guest store outside RAM: a round trip to\n"
"                           user space (KVM_EXIT_MMIO)\n"
"  hvc_exit_us              one PSCI_VERSION call by HVC: an exit handled\n"
"                           in the kernel\n"
"  create_to_first_exit_us  open the device, create VM, RAM and vCPU\n"
"                           (KVM_ARM_VCPU_INIT), run until the guest's\n"
"                           first MMIO store\n"
"  dirty_log_round_us       the guest writes every page of a logged 256 MiB\n"
"                           slot, then KVM_GET_DIRTY_LOG (3 rounds at most)\n"
"It prints the median of each on both devices and the ratio hvx/KVM, then\n"
"one line per metric for scripts:\n"
"  bench <metric> hvx=<us> kvm=<us> ratio=<hvx/kvm or unavailable>\n"
"A missing device is skipped and its figures read n/a.\n"
"\n"
"  --rounds N   rounds per metric, 1 to 64 (default 9)\n"
"  --hvx PATH   default /dev/hvx\n"
"  --kvm PATH   default /dev/kvm\n";

/*
 * The guests, at EL1 with the MMU off, at GUEST_CODE_GPA.  bench_mmio
 * stores to TICK_GPA forever, so each KVM_RUN is exactly one MMIO exit
 * round trip; bench_hvc makes KERNEL_EXITS PSCI_VERSION calls (function
 * 0x84000000, Arm DEN0022) between two stores to DONE_GPA, so one
 * KVM_RUN holds KERNEL_EXITS exits handled in the kernel and one round
 * trip to user space.  An SMCCC call may return results in X0-X3 (both
 * KVM and hvx zero X1-X3), so the loop keeps its state in X9 and X10.
 */
extern const unsigned char bench_mmio[] ASM_LABEL, bench_mmio_end[] ASM_LABEL;
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"bench_mmio:\n"
	"	movz x1, #(" STR(TICK_GPA) " >> 16), lsl #16\n"
	"1:	str w0, [x1]\n"
	"	b 1b\n"
	"bench_mmio_end:\n"
	".popsection\n");

extern const unsigned char bench_hvc[] ASM_LABEL, bench_hvc_end[] ASM_LABEL;
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"bench_hvc:\n"
	"	movz x10, #(" STR(TICK_GPA) " >> 16), lsl #16\n"
	"1:	movz w9, #" STR(KERNEL_EXITS) "\n"
	"2:	movz w0, #0\n"
	"	movk w0, #0x8400, lsl #16\n"
	"	hvc #0\n"
	"	subs w9, w9, #1\n"
	"	b.ne 2b\n"
	"	str w0, [x10, #8]\n"
	"	b 1b\n"
	"bench_hvc_end:\n"
	".popsection\n");

/* bench_dirty: a store to every page of the logged slot, then a tick. */
extern const unsigned char bench_dirty[] ASM_LABEL, bench_dirty_end[] ASM_LABEL;
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"bench_dirty:\n"
	"	movz x10, #(" STR(TICK_GPA) " >> 16), lsl #16\n"
	"	movz x2, #(" STR(DIRTY_END) " >> 16), lsl #16\n"
	"1:	movz x1, #(" STR(DIRTY_GPA) " >> 16), lsl #16\n"
	"2:	str w1, [x1]\n"
	"	add x1, x1, #0x1000\n"
	"	cmp x1, x2\n"
	"	b.ne 2b\n"
	"	str w0, [x10]\n"
	"	b 1b\n"
	"bench_dirty_end:\n"
	".popsection\n");

static int is_store(struct bench_vm *b, int r, uint64_t gpa)
{
	return r == KVM_EXIT_MMIO && b->vcpu.run->mmio.is_write &&
	       b->vcpu.run->mmio.phys_addr == gpa;
}

static int is_tick(struct bench_vm *b, int r)
{
	return is_store(b, r, TICK_GPA);
}

static int is_done(struct bench_vm *b, int r)
{
	return is_store(b, r, DONE_GPA);
}

/* Microseconds per PSCI_VERSION, an exit the kernel answers itself. */
static int bench_hvc_exit(const char *dev, double *us)
{
	struct bench_vm b;
	int r;

	r = bench_open(&b, dev, GUEST_EL1, bench_hvc, bench_hvc_end);
	if (r)
		return r;
	r = bench_warm_timed(&b, is_done, KERNEL_EXITS, us);
	bench_close(&b);
	return r;
}

const struct bench_arch bench_arch = {
	.help = hvx_bench_help,
	.user_exit_name = "mmio_exit_us",
	.user_exit_what = "MMIO exit round trip to user space",
	.user_exits = "MMIO exits",
	.kernel_exit_name = "hvc_exit_us",
	.kernel_exit_what = "PSCI_VERSION HVC handled in the kernel",
	.kernel_exits = "PSCI_VERSION calls",
	.kernel_exit = bench_hvc_exit,
	.mode = GUEST_EL1,
	.tick = bench_mmio,
	.tick_end = bench_mmio_end,
	.is_tick = is_tick,
	.dirty_mode = GUEST_EL1,
	.dirty = bench_dirty,
	.dirty_end = bench_dirty_end,
};

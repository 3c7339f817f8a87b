// SPDX-License-Identifier: GPL-2.0
/*
 * exit_test: the exits of every architecture, with KVM's semantics; the
 * architecture's own (port I/O, MMIO decoding, HLT, PSCI...) are in
 * x86/exit_test.c and arm64/exit_test.c.
 */
#include <signal.h>
#include <stdint.h>

#include "../lib/test.h"

/*
 * x86 guests that spin set RFLAGS.IF first.  External-interrupt exiting
 * makes the host's interrupts exit whatever the guest's IF (Intel SDM
 * Vol. 3C 25.2), but Bochs 2.7 (the VMX test machine) only delivers them
 * to a guest entered with IF set: with IF clear, KVM never leaves it, nor
 * hvx without vmx_slice_us (signal_masked below).  No interrupt is ever
 * injected, so IF changes nothing else.
 */
GUEST_CODE_X86(spin, GUEST_REAL, ".code16", "sti\n 1: jmp 1b\n");
GUEST_CODE_ARM64(spin, GUEST_EL1, "b .\n");

/* A signal ends KVM_RUN with EINTR and exit reason KVM_EXIT_INTR. */
static int expect_signal_ends_run(struct guest *g)
{
	test_arm_timer(100000);
	EXPECT_EXIT(g, -EINTR);
	EXPECT(g->vcpu.run->exit_reason == KVM_EXIT_INTR);
	return TEST_PASS;
}

static int test_signal(const char *dev)
{
	struct guest g;

	GUEST_START(&g, dev, spin);
	return expect_signal_ends_run(&g);
}

/*
 * The same with the guest's interrupts masked: RFLAGS.IF clear on x86,
 * PSTATE.I on arm64.  Neither masks the host's interrupts, which exit:
 * external-interrupt exiting (SDM 25.2); HCR_EL2.IMO takes physical IRQs
 * to EL2, where PSTATE.I at EL1 does not mask them (Arm ARM, HCR_EL2).
 * On Bochs 2.7 only hvx's VMX-preemption timer (vmx_slice_us) ends such
 * a run (guest/lib.sh).
 */
GUEST_CODE_X86(spin_masked, GUEST_REAL, ".code16", "cli\n 1: jmp 1b\n");
GUEST_CODE_ARM64(spin_masked, GUEST_EL1, "msr daifset, #0xf\n b .\n");

static int test_signal_masked(const char *dev)
{
	struct guest g;

	GUEST_START(&g, dev, spin_masked);
	return expect_signal_ends_run(&g);
}

GUEST_CODE_X86(out80, GUEST_REAL, ".code16",
	"mov $0x11, %al\n out %al, $0x80\n hlt\n");
GUEST_CODE_ARM64(out80, GUEST_EL1,
	"mov w0, #0x11\n" GUEST_OUT(0x80, "strb", "w0") GUEST_HALT);

/* kvm_run.immediate_exit: EINTR before the guest runs one instruction. */
static int test_immediate_exit(const char *dev)
{
	struct guest g;

	GUEST_START(&g, dev, out80);
	g.vcpu.run->immediate_exit = 1;
	EXPECT_EXIT(&g, -EINTR);
	g.vcpu.run->immediate_exit = 0;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
	EXPECT(*guest_port_data(&g) == 0x11);
	EXPECT_HALT(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "signal_eintr", test_signal },
	{ "signal_masked", test_signal_masked },
	{ "immediate_exit", test_immediate_exit },
};

TEST_MAIN_SHARED(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * A bound on how long one VM entry may run: the VMX-preemption timer
 * (Intel SDM Vol. 3C 26.5.1).  With the "activate VMX-preemption timer"
 * pin-based control set (25.6.1, bit 6), the value in the VMCS field
 * 0x482E counts down from VM entry at the rate of the TSC divided by
 * 2^IA32_VMX_MISC[4:0] (A.6); at zero the guest exits with basic reason
 * 52 (Appendix C), whatever its RFLAGS.IF or interruptibility.
 *
 * hvx does not need it on hardware: the host's own interrupts end a guest's
 * run through external-interrupt exiting (25.2).  It is a guard for
 * emulators in which that exit is late: Bochs 2.7 loads the guest's
 * RFLAGS at VM entry before it counts itself in VMX non-root operation, so
 * a guest entered with IF clear keeps the host's interrupt masked until the
 * guest sets IF, and a guest that spins with IF clear keeps the host's only
 * CPU for good.  The harness loads hvx with vmx_slice_us=... there.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/moduleparam.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmx.h"

static uint vmx_slice_us;
module_param(vmx_slice_us, uint, 0444);
MODULE_PARM_DESC(vmx_slice_us,
		 "VMX only: end every guest run after at most this many microseconds with a VMX-preemption timer exit, then enter again (default 0: off; for emulators whose external-interrupt exits come late)");

/* The pin-based control to ask for at load: none unless the guard is on. */
u32 vmx_slice_pin_control(void)
{
	return vmx_slice_us ? PIN_BASED_VMX_PREEMPTION_TIMER : 0;
}

/*
 * After the controls are settled: the timer's start value, in TSC ticks
 * shifted right by the rate of IA32_VMX_MISC[4:0] (SDM A.6); 0 when the
 * guard is off or the CPU has no such timer (one log line then).
 */
void vmx_slice_setup(void)
{
	u64 misc, ticks;

	vmx_caps.slice = 0;
	if (!vmx_slice_us)
		return;
	if (!(vmx_caps.pin & PIN_BASED_VMX_PREEMPTION_TIMER) || !tsc_khz) {
		pr_warn("vmx_slice_us=%u ignored: this CPU has no VMX-preemption timer or no known TSC rate\n",
			vmx_slice_us);
		return;
	}
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = ((u64)vmx_slice_us * tsc_khz / 1000) >>
		(misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	vmx_caps.slice = clamp_t(u64, ticks, 1, U32_MAX);
	pr_info("VM entries bounded to %u us by the VMX-preemption timer (%u)\n",
		vmx_slice_us, vmx_caps.slice);
}

/* Before each VM entry: the timer starts again from its full value. */
void vmx_slice_arm(void)
{
	if (vmx_caps.slice)
		vmx_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.slice);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: IA32_TSC_AUX (MSR 0xc0000103), the guest's own while it runs.
 *
 * RDTSCP returns IA32_TSC_AUX in ECX and RDPID returns it whole (Intel SDM
 * Vol. 2B; AMD APM Vol. 3), and neither exits: on VMX they run natively
 * under "enable RDTSCP" (SDM Vol. 3C 25.3), on SVM unless intercepted
 * (APM Vol. 2 15.9).  Neither the VMCS nor the VMCB holds the MSR, so the
 * guest would read the host's value, in which Linux keeps the CPU and node
 * number for getcpu() (setup_getcpu()).
 *
 * The guest's value is written to the MSR just before each entry, and the
 * host's is put back only when this CPU next returns to user space, by a
 * user-return notifier (as KVM does for the MSRs only user space reads):
 * the kernel itself never reads IA32_TSC_AUX (since Linux 5.12 its
 * paranoid entry finds the per-CPU base without RDPID), so the guest's
 * value may stay through exits, interrupts and other kernel work.  Every
 * value written is a guest's, checked in msr.c (bits 31:0 only).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/user-return-notifier.h>
#include <asm/msr.h>

#include "x86.h"

/* Set by the vendor backend at probe: RDTSCP or RDPID can run in a guest. */
bool x86_tsc_aux_ok;

struct x86_tsc_aux_cpu {
	struct user_return_notifier urn;
	bool guest;		/* the notifier is armed: the MSR is a guest's */
	u64 host;		/* this CPU's own value */
	u64 now;		/* what the MSR holds */
};

static DEFINE_PER_CPU(struct x86_tsc_aux_cpu, x86_tsc_aux_cpu);

/* Interrupts off, on the CPU of @c. */
static void x86_tsc_aux_restore(struct x86_tsc_aux_cpu *c)
{
	if (!c->guest)
		return;
	if (c->now != c->host)
		wrmsrl(MSR_TSC_AUX, c->host);
	c->guest = false;
	user_return_notifier_unregister(&c->urn);
}

static void x86_tsc_aux_on_user_return(struct user_return_notifier *urn)
{
	unsigned long flags;

	local_irq_save(flags);
	x86_tsc_aux_restore(container_of(urn, struct x86_tsc_aux_cpu, urn));
	local_irq_restore(flags);
}

/* Before entry, with preemption and interrupts off. */
void x86_load_guest_tsc_aux(struct x86_vcpu *x)
{
	struct x86_tsc_aux_cpu *c = this_cpu_ptr(&x86_tsc_aux_cpu);

	if (!x86_tsc_aux_ok)
		return;
	if (!c->guest) {
		rdmsrl(MSR_TSC_AUX, c->host);
		c->now = c->host;
		c->urn.on_user_return = x86_tsc_aux_on_user_return;
		user_return_notifier_register(&c->urn);
		c->guest = true;
	}
	if (c->now != x->tsc_aux) {
		wrmsrl(MSR_TSC_AUX, x->tsc_aux);
		c->now = x->tsc_aux;
	}
}

static void x86_tsc_aux_put_cpu(void *unused)
{
	x86_tsc_aux_restore(this_cpu_ptr(&x86_tsc_aux_cpu));
}

/*
 * This CPU's own value back and its notifier dropped, with interrupts off
 * on the CPU: before it leaves VMX or SVM operation for CPU hotplug,
 * suspend or reboot.  An offline CPU would otherwise keep the notifier (a
 * node in this module's per-CPU memory, passed from task to task by
 * TIF_USER_RETURN_NOTIFY) past the last VM and the module's unload, and
 * c->now would no longer say what the MSR holds once the CPU is back
 * (setup_getcpu() rewrites it), as KVM's drop_user_return_notifiers() at
 * each CPU's disable avoids.
 */
void x86_put_host_tsc_aux_this_cpu(void)
{
	if (x86_tsc_aux_ok)
		x86_tsc_aux_restore(this_cpu_ptr(&x86_tsc_aux_cpu));
}

/*
 * Every CPU gets its own value back and drops its notifier, which lives in
 * this module: called when the last VM is gone, before the module can go.
 */
void x86_put_host_tsc_aux(void)
{
	if (x86_tsc_aux_ok)
		on_each_cpu(x86_tsc_aux_put_cpu, NULL, 1);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx selftests, x86 half: port I/O, the ucall, HLT, exception handlers.
 */
#include <sys/ioctl.h>

#include "test.h"

/* KVM needs a CPUID table for long mode and its MSRs; hvx has one. */
int guest_arch_setup(struct guest *g)
{
	return vcpu_set_supported_cpuid(&g->vcpu);
}

int vcpu_set_arg0(struct vcpu *vcpu, uint64_t val)
{
	struct kvm_regs regs;
	int r = vcpu_get_regs(vcpu, &regs);

	if (r)
		return r;
	regs.rdi = val;
	return vcpu_set_regs(vcpu, &regs);
}

/* Run to the next exit and check it is this port access. */
int guest_expect_io(struct guest *g, int dir, int port, int size)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r != KVM_EXIT_IO) {
		guest_describe_exit(g, r, "io");
		return 0;
	}
	if (run->io.direction != dir || run->io.port != port ||
	    run->io.size != size) {
		printf("# io dir %d port %#x size %d, wanted %d %#x %d\n",
		       run->io.direction, run->io.port, run->io.size, dir,
		       port, size);
		return 0;
	}
	return 1;
}

int guest_expect_port(struct guest *g, int dir, int port, int size)
{
	return guest_expect_io(g, dir, port, size);
}

uint8_t *guest_port_data(struct guest *g)
{
	return vcpu_io_data(&g->vcpu);
}

int vcpu_exit_is_port(struct vcpu *vcpu, int r, int dir, int port)
{
	return r == KVM_EXIT_IO && vcpu->run->io.direction == dir &&
	       vcpu->run->io.port == port;
}

int guest_expect_halt(struct guest *g)
{
	return guest_expect_exit(g, KVM_EXIT_HLT);
}

int vcpu_exit_is_halt(struct vcpu *vcpu, int r)
{
	(void)vcpu;
	return r == KVM_EXIT_HLT;
}

/*
 * Run the guest to its next ucall and return its code, or -1 after saying
 * what happened instead.  A guest assertion is reported with the file of
 * the caller and the line the guest sent.
 */
int guest_ucall(struct guest *g, const char *file)
{
	struct kvm_run *run = g->vcpu.run;
	struct kvm_regs regs;
	uint32_t code;

	if (!guest_expect_io(g, KVM_EXIT_IO_OUT, UCALL_PORT, 4))
		return -1;
	code = *(uint32_t *)vcpu_io_data(&g->vcpu);
	if (run->io.count != 1 || vcpu_get_regs(&g->vcpu, &regs))
		return -1;
	g->ucall_arg = regs.rbx;
	if (code != UCALL_ASSERT)
		return code;
	printf("# %s:%u: guest assertion failed\n", file, g->ucall_arg);
	printf("# rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
	       (unsigned long long)regs.rcx, (unsigned long long)regs.rdx,
	       (unsigned long long)regs.rsi, (unsigned long long)regs.rdi);
	return code;
}

/*
 * Point exception or interrupt @vector at @handler, a label inside the
 * guest's blob.  Real mode uses the IVT at 0; the other modes an IDT of
 * interrupt gates at GUEST_IDT_GPA (Intel SDM Vol. 3A 6.11 and 6.14.1,
 * AMD APM Vol. 2 4.8.3).  Vectors without a handler stay not present.
 */
int guest_set_handler(struct guest *g, int vector,
		      const unsigned char *handler)
{
	uint64_t ip = GUEST_CODE_GPA + (uint64_t)(handler - g->code);
	int gate = g->mode == GUEST_LONG ? 16 : 8;
	struct kvm_sregs s;
	uint32_t *e;

	if (vector < 0 || vector > 255 ||
	    ioctl(g->vcpu.fd, KVM_GET_SREGS, &s) < 0)
		return -EINVAL;
	if (g->mode == GUEST_REAL) {
		e = vm_gpa(&g->vm, vector * 4);
		e[0] = (uint32_t)ip;		/* CS 0 : IP */
		s.idt.base = 0;
		s.idt.limit = 0x3ff;
	} else {
		uint16_t cs = g->mode == GUEST_LONG ? GDT_CODE64 : GDT_CODE32;

		e = vm_gpa(&g->vm, GUEST_IDT_GPA + vector * gate);
		if (s.idt.base != GUEST_IDT_GPA)
			memset(vm_gpa(&g->vm, GUEST_IDT_GPA), 0, 256 * gate);
		e[0] = (ip & 0xffff) | (uint32_t)cs << 16;
		e[1] = (ip & 0xffff0000) | 0x8e00;	/* P, DPL 0, intr gate */
		if (gate == 16) {
			e[2] = ip >> 32;
			e[3] = 0;
		}
		s.idt.base = GUEST_IDT_GPA;
		s.idt.limit = 256 * gate - 1;
	}
	return ioctl(g->vcpu.fd, KVM_SET_SREGS, &s) < 0 ? -errno : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * first_vmm: the smallest complete virtual machine monitor for /dev/hvx
 * (or /dev/kvm: the same ioctls), for x86-64 and arm64.  docs/first-vmm.md
 * explains it step by step.
 *
 *   first_vmm [DEVICE]      default /dev/hvx
 *
 * The guest prints "Hello from the guest!" one byte per exit (an OUT to
 * port 0x3f8 on x86, a store to 0x09000000 on arm64) and stops (HLT on
 * x86, PSCI SYSTEM_OFF on arm64).  Exit status 0 when it stopped that way.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define MEM_SIZE	0x10000		/* 64 KiB of guest RAM */

#if defined(__x86_64__)
#define MEM_GPA		0x0		/* guest-physical address of the RAM */
#define CODE_GPA	0x1000		/* where the guest starts, real mode */
static const uint8_t guest[] = {
	0xbe, 0x0f, 0x10,	/*	mov  $0x100f, %si   (msg)	*/
	0xba, 0xf8, 0x03,	/*	mov  $0x3f8, %dx		*/
	0xac,			/* 1:	lodsb  (%ds:%si -> %al, si++)	*/
	0x84, 0xc0,		/*	test %al, %al			*/
	0x74, 0x03,		/*	jz   2f				*/
	0xee,			/*	out  %al, %dx   (an exit)	*/
	0xeb, 0xf8,		/*	jmp  1b				*/
	0xf4,			/* 2:	hlt             (an exit)	*/
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', /* msg */
	't', 'h', 'e', ' ', 'g', 'u', 'e', 's', 't', '!', '\n', 0,
};
#elif defined(__aarch64__)
#define MEM_GPA		0x40000000	/* RAM where QEMU's virt board has it */
#define CODE_GPA	MEM_GPA
#define UART_GPA	0x09000000	/* no memory there: MMIO */
static const uint32_t guest[] = {
	0x10000121,		/*	adr   x1, msg			*/
	0xd2a12002,		/*	movz  x2, #0x0900, lsl #16	*/
	0x38401423,		/* 1:	ldrb  w3, [x1], #1		*/
	0x34000063,		/*	cbz   w3, 2f			*/
	0x39000043,		/*	strb  w3, [x2]   (an exit)	*/
	0x17fffffd,		/*	b     1b			*/
	0x52800100,		/* 2:	mov   w0, #0x8			*/
	0x72b08000,		/*	movk  w0, #0x8400, lsl #16	*/
	0xd4000002,		/*	hvc   #0  SYSTEM_OFF (an exit)	*/
	0x6c6c6548, 0x7266206f, 0x74206d6f, 0x67206568, /* msg */
	0x74736575, 0x00000a21,
};
#endif

static int xioctl(int fd, unsigned long req, void *arg, const char *name)
{
	int r = ioctl(fd, req, arg);

	if (r < 0) {
		perror(name);
		exit(1);
	}
	return r;
}

#if defined(__x86_64__)
/* Real mode with CS = 0: the first instruction is at CODE_GPA. */
static void setup_vcpu(int vm, int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 0x2 };

	(void)vm;
	xioctl(vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	xioctl(vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	xioctl(vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

/* 1: the guest goes on, 0: it stopped as it should, -1: anything else */
static int handle_exit(struct kvm_run *run)
{
	char *data = (char *)run + run->io.data_offset;

	if (run->exit_reason == KVM_EXIT_HLT)
		return 0;
	if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x3f8 &&
	    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1) {
		fwrite(data, 1, run->io.count, stdout);
		return 1;
	}
	return -1;
}
#elif defined(__aarch64__)
/* The vCPU model the host prefers, with PSCI 0.2 calls; PC at the code. */
static void setup_vcpu(int vm, int vcpu)
{
	struct kvm_vcpu_init init;
	uint64_t pc = CODE_GPA;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      KVM_REG_ARM_CORE_REG(regs.pc),
		.addr = (uint64_t)&pc,
	};

	xioctl(vm, KVM_ARM_PREFERRED_TARGET, &init, "KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	xioctl(vcpu, KVM_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT");
	xioctl(vcpu, KVM_SET_ONE_REG, &reg, "KVM_SET_ONE_REG");
}

static int handle_exit(struct kvm_run *run)
{
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	    run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
		return 0;
	if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	    run->mmio.phys_addr == UART_GPA && run->mmio.len == 1) {
		fwrite(run->mmio.data, 1, 1, stdout);
		return 1;
	}
	return -1;
}
#endif

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/hvx";
	struct kvm_userspace_memory_region region;
	struct kvm_run *run;
	int sys, vm, vcpu, size, exits = 0, r;
	void *mem;

	/* 1. The device, and the one API version there is. */
	sys = open(dev, O_RDWR | O_CLOEXEC);
	if (sys < 0) {
		perror(dev);
		return 1;
	}
	if (xioctl(sys, KVM_GET_API_VERSION, NULL, "KVM_GET_API_VERSION") != 12)
		return 1;

	/* 2. A VM, and guest RAM: ordinary memory of this process. */
	vm = xioctl(sys, KVM_CREATE_VM, NULL, "KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memcpy((char *)mem + (CODE_GPA - MEM_GPA), guest, sizeof(guest));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = MEM_GPA,
		.memory_size = MEM_SIZE, .userspace_addr = (uint64_t)mem,
	};
	xioctl(vm, KVM_SET_USER_MEMORY_REGION, &region,
	       "KVM_SET_USER_MEMORY_REGION");

	/* 3. A vCPU, and its run area shared with the kernel. */
	vcpu = xioctl(vm, KVM_CREATE_VCPU, (void *)0, "KVM_CREATE_VCPU");
	size = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, NULL,
		      "KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return 1;
	setup_vcpu(vm, vcpu);

	/* 4. Run until the guest needs us; do what it asked; again. */
	do {
		xioctl(vcpu, KVM_RUN, NULL, "KVM_RUN");
		exits++;
		r = handle_exit(run);
	} while (r == 1);
	fflush(stdout);
	fprintf(stderr, "first_vmm: %s after %d exits to user space (last: %u)\n",
		r ? "unexpected exit" : "guest stopped", exits, run->exit_reason);
	return r ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hello_arm64: the classic KVM "hello, world" for arm64, written
 * against <linux/kvm.h> and the literal path /dev/kvm only, the way KVM
 * tutorials write it.  It knows nothing of hvx: it is how hvx shows that
 * unmodified KVM programs run on it (bind /dev/hvx over /dev/kvm, or make
 * /dev/kvm a symlink).
 *
 * The machine looks like a tiny QEMU "virt" board: 2 MiB of RAM at
 * 0x40000000, a PL011 UART's data register at 0x09000000, PSCI by HVC.
 * The guest, at the start of RAM, writes "Hello, world!\n" to the UART one
 * byte per store (each an MMIO exit), stores 42 at RAM + 0x400 and powers
 * off with PSCI SYSTEM_OFF.  The host checks each step, then the text,
 * the system event, where the PC stopped and the 42, prints each check,
 * and exits 0 only if all of them hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define RAM_GPA		0x40000000ull	/* where QEMU's virt board has RAM */
#define RAM_SIZE	0x200000
#define RESULT_OFF	0x400
#define UART_GPA	0x09000000ull	/* PL011 UARTDR on the virt board */
#define GREETING	"Hello, world!\n"

/* KVM_SET_ONE_REG id of the PC (api.rst: arm64 core registers). */
#define REG_PC		(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(regs.pc))

/*
 * The guest, position-independent (ADR), entered at EL1 with the MMU off.
 * PSCI SYSTEM_OFF is function 0x84000008 in W0 (Arm DEN0022); HVC #0 is
 * how KVM takes PSCI calls.  It marks the instruction after its HVC,
 * where the PC must stand when the run ends.  Its labels are hidden, so
 * that C addresses them PC-relative: through the GOT (the compiler's
 * default PIE code for an extern symbol) labels local to the assembly
 * would share their section's one entry and all read as one address.
 */
#define ASM_LABEL	__attribute__((visibility("hidden")))

extern const unsigned char guest[] ASM_LABEL, guest_halted[] ASM_LABEL,
	guest_end[] ASM_LABEL;
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"guest:\n"
	"	adr x1, 3f\n"
	"	movz x2, #0x0900, lsl #16\n"		/* UART_GPA */
	"1:	ldrb w3, [x1], #1\n"
	"	cbz w3, 2f\n"
	"	strb w3, [x2]\n"			/* one MMIO exit */
	"	b 1b\n"
	"2:	mov w4, #42\n"
	"	movz x5, #0x4000, lsl #16\n"		/* RAM_GPA */
	"	str w4, [x5, #0x400]\n"			/* RESULT_OFF */
	"	movz w0, #0x0008\n"
	"	movk w0, #0x8400, lsl #16\n"		/* SYSTEM_OFF */
	"	hvc #0\n"
	"guest_halted:\n"
	"	b guest_halted\n"
	"3:	.asciz \"Hello, world!\\n\"\n"
	"	.balign 4\n"
	"guest_end:\n"
	".popsection\n");

struct vm {
	int sys_fd, fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
	int run_size;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_hello_arm64: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void need_cap(int sys_fd, int cap, const char *name)
{
	if (ioctl(sys_fd, KVM_CHECK_EXTENSION, cap) <= 0) {
		fprintf(stderr, "kvm_hello_arm64: %s is missing\n", name);
		exit(1);
	}
	printf("  ok: KVM_CHECK_EXTENSION(%s)\n", name);
}

static void check_api(int sys_fd)
{
	int api = ioctl(sys_fd, KVM_GET_API_VERSION, 0);

	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm_hello_arm64: KVM_GET_API_VERSION is %d, expected %d\n",
			api, KVM_API_VERSION);
		exit(1);
	}
	printf("  ok: KVM_GET_API_VERSION = %d\n", api);
	need_cap(sys_fd, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY");
	need_cap(sys_fd, KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG");
	need_cap(sys_fd, KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2");
}

static void vm_init(struct vm *vm)
{
	struct kvm_userspace_memory_region region;

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");
	check_api(vm->sys_fd);
	/* Type 0: the default guest-physical (IPA) size, 40 bits. */
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");

	vm->mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = RAM_GPA,
		.memory_size = RAM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	vm->vcpu_fd = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(*vm->run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
	printf("  ok: VM with %d KiB of RAM at %#llx and one vCPU (kvm_run: %d bytes)\n",
	       RAM_SIZE >> 10, RAM_GPA, vm->run_size);
}

/*
 * An arm64 vCPU must be initialised before it runs: the target the host
 * prefers, and PSCI 0.2 or later (without that feature KVM offers only
 * its own PSCI 0.1 function ids, and no SYSTEM_OFF).  It then starts at
 * EL1 with every exception masked and the MMU off; only the PC is ours
 * to set.
 */
static void vcpu_init(struct vm *vm, uint64_t pc)
{
	struct kvm_one_reg reg = { .id = REG_PC, .addr = (uintptr_t)&pc };
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	printf("  ok: KVM_ARM_PREFERRED_TARGET = %u\n", init.target);
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	printf("  ok: KVM_ARM_VCPU_INIT (PSCI 0.2 and later)\n");
	if (ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg) < 0)
		die("KVM_SET_ONE_REG (PC)");
	printf("  ok: KVM_SET_ONE_REG: PC = %#llx\n", (unsigned long long)pc);
}

static const char *exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_MMIO:
		return "KVM_EXIT_MMIO";
	case KVM_EXIT_SYSTEM_EVENT:
		return "KVM_EXIT_SYSTEM_EVENT";
	case KVM_EXIT_HYPERCALL:
		return "KVM_EXIT_HYPERCALL";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR";
	}
	return "another exit";
}

/* Runs the guest to its SYSTEM_OFF; returns the number of UART exits. */
static int run_vm(struct vm *vm, char *out, size_t out_size)
{
	struct kvm_run *run = vm->run;
	size_t n = 0;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		switch (run->exit_reason) {
		case KVM_EXIT_SYSTEM_EVENT:
			out[n] = 0;
			if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
				return n;
			fprintf(stderr, "kvm_hello_arm64: system event %u, expected %u (shutdown)\n",
				run->system_event.type,
				KVM_SYSTEM_EVENT_SHUTDOWN);
			return -1;
		case KVM_EXIT_MMIO:
			if (run->mmio.is_write && run->mmio.phys_addr == UART_GPA &&
			    run->mmio.len == 1 && n + 1 < out_size) {
				out[n++] = run->mmio.data[0];
				continue;
			}
			fprintf(stderr, "kvm_hello_arm64: unexpected MMIO: %s %#llx, %u bytes\n",
				run->mmio.is_write ? "write" : "read",
				(unsigned long long)run->mmio.phys_addr,
				run->mmio.len);
			return -1;
		default:
			fprintf(stderr, "kvm_hello_arm64: unexpected exit %u: %s\n",
				run->exit_reason, exit_name(run->exit_reason));
			return -1;
		}
	}
}

/* Compares what the guest did with what it was written to do. */
static int check_result(struct vm *vm, const char *out, int writes,
			uint64_t halted_pc)
{
	uint32_t result = *(uint32_t *)(vm->mem + RESULT_OFF);
	uint64_t pc = 0;
	struct kvm_one_reg reg = { .id = REG_PC, .addr = (uintptr_t)&pc };
	int bad = 0;

	bad |= strcmp(out, GREETING) != 0;
	printf("  %s: guest wrote \"%.*s\\n\" to the UART at %#llx (%d MMIO exits)\n",
	       bad ? "FAIL" : "ok", (int)strcspn(out, "\n"), out, UART_GPA,
	       writes);
	printf("  ok: KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_SHUTDOWN (PSCI SYSTEM_OFF)\n");

	if (ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg) < 0)
		die("KVM_GET_ONE_REG (PC)");
	printf("  %s: pc %#llx (expected %#llx, past the HVC)\n",
	       pc == halted_pc ? "ok" : "FAIL", (unsigned long long)pc,
	       (unsigned long long)halted_pc);
	bad |= pc != halted_pc;

	printf("  %s: memory at %#llx = %u (expected 42)\n",
	       result == 42 ? "ok" : "FAIL", RAM_GPA + RESULT_OFF, result);
	bad |= result != 42;
	return bad;
}

int main(void)
{
	char out[64];
	struct vm vm;
	int writes;

	/* Line-buffered, so the checks interleave with errors in a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kvm_hello_arm64: EL1, MMU off, on /dev/kvm\n");
	vm_init(&vm);
	memcpy(vm.mem, guest, guest_end - guest);
	vcpu_init(&vm, RAM_GPA);

	writes = run_vm(&vm, out, sizeof(out));
	if (writes < 0 || check_result(&vm, out, writes,
				       RAM_GPA + (guest_halted - guest))) {
		printf("FAIL: arm64\n");
		return 1;
	}
	printf("PASS: arm64\n");
	return 0;
}

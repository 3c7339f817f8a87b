// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hello: a classic KVM "hello, world", written against <linux/kvm.h>
 * and the literal path /dev/kvm only, as KVM tutorials are.  It knows
 * nothing of hvx: it is how hvx proves that unmodified KVM programs run on
 * it (bind /dev/hvx over /dev/kvm and run it).
 *
 *   kvm_hello -r|-s|-p|-l    real, protected, paged (32-bit) or long mode
 *
 * The guest prints "Hello, world!" on port 0xE9, stores 42 at 0x400 and
 * halts; the host checks all three.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define MEM_SIZE	0x200000
#define RESULT_GPA	0x400
#define PT_GPA		0x2000

#define CR0_PE	1u
#define CR0_MP	(1u << 1)
#define CR0_ET	(1u << 4)
#define CR0_NE	(1u << 5)
#define CR0_WP	(1u << 16)
#define CR0_AM	(1u << 18)
#define CR0_PG	(1u << 31)
#define CR4_PSE	(1u << 4)
#define CR4_PAE	(1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define PDE_P	1u
#define PDE_RW	(1u << 1)
#define PDE_US	(1u << 2)
#define PDE_PS	(1u << 7)

/* The guests, one per mode, loaded at guest-physical address 0. */
#define HELLO(name, mode, si, ax)					\
	extern const unsigned char name[], name##_end[];		\
	__asm__(".pushsection .rodata\n" #name ":\n" mode "\n"		\
		"mov $(1f - " #name "), %" si "\n"			\
		"2: lodsb\n test %al, %al\n jz 3f\n"			\
		"out %al, $0xe9\n jmp 2b\n"				\
		"3: mov $42, %" ax "\n mov %" ax ", (0x400)\n hlt\n"	\
		"1: .asciz \"Hello, world!\\n\"\n"			\
		#name "_end:\n .code64\n .popsection\n")

HELLO(guest16, ".code16", "si", "ax");
HELLO(guest32, ".code32", "esi", "eax");
HELLO(guest64, ".code64", "rsi", "rax");

struct vm {
	int sys_fd, fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void vm_init(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	int api, mmap_size;

	vm->sys_fd = open("/dev/kvm", O_RDWR);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");
	api = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm_hello: API version %d, expected %d\n",
			api, KVM_API_VERSION);
		exit(1);
	}
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000) < 0)
		die("KVM_SET_TSS_ADDR");
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	madvise(vm->mem, MEM_SIZE, MADV_MERGEABLE);
	region = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vm->vcpu_fd = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	mmap_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
}

static void set_flat_segments(struct kvm_sregs *s, int long_mode)
{
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 1 << 3,
		.present = 1, .type = 11, .dpl = 0, .db = !long_mode,
		.s = 1, .l = long_mode, .g = 1,
	};

	s->cs = seg;
	seg.type = 3;
	seg.selector = 2 << 3;
	seg.l = 0;
	seg.db = 1;
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
}

static void setup_real(struct vm *vm, struct kvm_sregs *s)
{
	(void)vm;
	s->cs.selector = 0;
	s->cs.base = 0;
}

static void setup_protected(struct vm *vm, struct kvm_sregs *s)
{
	(void)vm;
	set_flat_segments(s, 0);
	s->cr0 |= CR0_PE;
}

static void setup_paged(struct vm *vm, struct kvm_sregs *s)
{
	uint32_t *pd = (uint32_t *)(vm->mem + PT_GPA);

	pd[0] = PDE_P | PDE_RW | PDE_US | PDE_PS;	/* 4 MiB at 0 */
	set_flat_segments(s, 0);
	s->cr3 = PT_GPA;
	s->cr4 = CR4_PSE;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s->efer = 0;
}

static void setup_long(struct vm *vm, struct kvm_sregs *s)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + PT_GPA);
	uint64_t *pdpt = (uint64_t *)(vm->mem + PT_GPA + 0x1000);
	uint64_t *pd = (uint64_t *)(vm->mem + PT_GPA + 0x2000);

	pml4[0] = PDE_P | PDE_RW | PDE_US | (PT_GPA + 0x1000);
	pdpt[0] = PDE_P | PDE_RW | PDE_US | (PT_GPA + 0x2000);
	pd[0] = PDE_P | PDE_RW | PDE_US | PDE_PS;	/* 2 MiB at 0 */
	set_flat_segments(s, 1);
	s->cr3 = PT_GPA;
	s->cr4 = CR4_PAE;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s->efer = EFER_LME | EFER_LMA;
}

static int run_vm(struct vm *vm, char *out, size_t out_size)
{
	size_t n = 0;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		switch (vm->run->exit_reason) {
		case KVM_EXIT_HLT:
			out[n] = 0;
			return 0;
		case KVM_EXIT_IO:
			if (vm->run->io.direction == KVM_EXIT_IO_OUT &&
			    vm->run->io.size == 1 && vm->run->io.port == 0xe9 &&
			    n + 1 < out_size) {
				out[n++] = *((char *)vm->run +
					     vm->run->io.data_offset);
				continue;
			}
			/* fall through */
		default:
			fprintf(stderr, "kvm_hello: unexpected exit %u\n",
				vm->run->exit_reason);
			return -1;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *flag, *name;
		void (*setup)(struct vm *vm, struct kvm_sregs *s);
		const unsigned char *code, *end;
	} modes[] = {
		{ "-r", "real", setup_real, guest16, guest16_end },
		{ "-s", "protected", setup_protected, guest32, guest32_end },
		{ "-p", "paged", setup_paged, guest32, guest32_end },
		{ "-l", "long", setup_long, guest64, guest64_end },
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	char out[64];
	struct vm vm;
	size_t m;

	for (m = 0; m < 4; m++)
		if (argc == 2 && !strcmp(argv[1], modes[m].flag))
			break;
	if (m == 4) {
		fprintf(stderr, "usage: kvm_hello -r|-s|-p|-l  (real, protected, paged, long mode)\n");
		return 2;
	}
	vm_init(&vm);
	memcpy(vm.mem, modes[m].code, modes[m].end - modes[m].code);
	if (ioctl(vm.vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	modes[m].setup(&vm, &sregs);
	if (ioctl(vm.vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = 0;
	regs.rsp = MEM_SIZE;
	if (ioctl(vm.vcpu_fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	if (run_vm(&vm, out, sizeof(out)))
		return 1;
	printf("%s mode: guest said \"%.*s\", memory at 0x400 = %u\n",
	       modes[m].name, (int)strcspn(out, "\n"), out,
	       *(uint32_t *)(vm.mem + RESULT_GPA));
	if (strcmp(out, "Hello, world!\n") ||
	    *(uint32_t *)(vm.mem + RESULT_GPA) != 42) {
		fprintf(stderr, "kvm_hello: wrong output or result\n");
		return 1;
	}
	return 0;
}

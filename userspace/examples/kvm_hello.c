// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hello: a classic KVM "hello, world", written against <linux/kvm.h>
 * and the literal path /dev/kvm only, the way KVM tutorials write it.  It
 * knows nothing of hvx: it is how hvx shows that unmodified KVM programs
 * run on it (bind /dev/hvx over /dev/kvm, or make /dev/kvm a symlink).
 *
 *   kvm_hello -r|-s|-p|-l    real, protected, paged (32-bit) or long mode
 *
 * The guest, at guest-physical 0, prints "Hello, world!" on port 0xE9 one
 * byte per OUT, stores 42 at 0x400 and halts.  The host checks the text,
 * that the vCPU stopped with KVM_EXIT_HLT just past the HLT, and the 42,
 * prints each check, and exits 0 only if all of them hold.
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

#define MEM_SIZE	0x200000	/* 2 MiB of RAM at guest-physical 0 */
#define RESULT_GPA	0x400
#define PT_GPA		0x2000		/* page tables, when a mode needs them */
#define STACK_TOP	0x8000
#define DEBUG_PORT	0xe9
#define GREETING	"Hello, world!\n"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define CR0_PE		(1u << 0)
#define CR0_MP		(1u << 1)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_WP		(1u << 16)
#define CR0_AM		(1u << 18)
#define CR0_PG		(1u << 31)
#define CR4_PSE		(1u << 4)
#define CR4_PAE		(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)
#define PTE_P		(1u << 0)
#define PTE_RW		(1u << 1)
#define PTE_US		(1u << 2)
#define PTE_PS		(1u << 7)

/*
 * The guests, one per code size.  Each is position-dependent on being
 * loaded at 0 (the string's address is its offset), and marks the byte
 * after its HLT so the host knows where RIP must stand at KVM_EXIT_HLT.
 */
#define HELLO(name, mode, si, ax)					\
	extern const unsigned char name[], name##_halted[], name##_end[]; \
	__asm__(".pushsection .rodata\n"				\
		#name ":\n"						\
		mode "\n"						\
		"	mov $(1f - " #name "), %" si "\n"		\
		"2:	lodsb\n"					\
		"	test %al, %al\n"				\
		"	jz 3f\n"					\
		"	out %al, $0xe9\n"				\
		"	jmp 2b\n"					\
		"3:	mov $42, %" ax "\n"				\
		"	mov %" ax ", (0x400)\n"				\
		"	hlt\n"						\
		#name "_halted:\n"					\
		"	jmp 3b\n"					\
		"1:	.asciz \"Hello, world!\\n\"\n"			\
		#name "_end:\n"						\
		"	.code64\n"					\
		".popsection\n")

HELLO(guest16, ".code16", "si", "ax");
HELLO(guest32, ".code32", "esi", "eax");
HELLO(guest64, ".code64", "rsi", "rax");

struct vm {
	int sys_fd, fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
	int run_size;
};

static void die(const char *what)
{
	fprintf(stderr, "kvm_hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void check_api(int sys_fd)
{
	int api = ioctl(sys_fd, KVM_GET_API_VERSION, 0);

	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm_hello: KVM_GET_API_VERSION is %d, expected %d\n",
			api, KVM_API_VERSION);
		exit(1);
	}
	printf("  ok: KVM_GET_API_VERSION = %d\n", api);
	if (ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		fprintf(stderr, "kvm_hello: KVM_CAP_USER_MEMORY is missing\n");
		exit(1);
	}
	printf("  ok: KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY)\n");
}

static void vm_init(struct vm *vm)
{
	struct kvm_userspace_memory_region region;

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");
	check_api(vm->sys_fd);
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	/* Intel needs three pages for a real-mode TSS; out of RAM's way. */
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000) < 0)
		die("KVM_SET_TSS_ADDR");

	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory");
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
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
	printf("  ok: VM with %d KiB of RAM at 0 and one vCPU (kvm_run: %d bytes)\n",
	       MEM_SIZE >> 10, vm->run_size);
}

/* Flat 4 GiB segments; the descriptors need not exist in guest memory. */
static void set_flat_segments(struct kvm_sregs *s, int long_mode)
{
	struct kvm_segment seg = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = 1 << 3,
		.present = 1,
		.type = 11,		/* code: execute/read, accessed */
		.dpl = 0,
		.db = !long_mode,
		.s = 1,
		.l = long_mode,
		.g = 1,
	};

	s->cs = seg;
	seg.type = 3;			/* data: read/write, accessed */
	seg.selector = 2 << 3;
	seg.db = 1;
	seg.l = 0;
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

/* 32-bit paging: one 4 MiB page maps the RAM at its own address. */
static void setup_paged(struct vm *vm, struct kvm_sregs *s)
{
	uint32_t *pd = (uint32_t *)(vm->mem + PT_GPA);

	pd[0] = PTE_P | PTE_RW | PTE_US | PTE_PS;
	set_flat_segments(s, 0);
	s->cr3 = PT_GPA;
	s->cr4 = CR4_PSE;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s->efer = 0;
}

/* 4-level paging: PML4 -> PDPT -> PD, one 2 MiB page at 0. */
static void setup_long(struct vm *vm, struct kvm_sregs *s)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + PT_GPA);
	uint64_t *pdpt = (uint64_t *)(vm->mem + PT_GPA + 0x1000);
	uint64_t *pd = (uint64_t *)(vm->mem + PT_GPA + 0x2000);

	pml4[0] = PTE_P | PTE_RW | PTE_US | (PT_GPA + 0x1000);
	pdpt[0] = PTE_P | PTE_RW | PTE_US | (PT_GPA + 0x2000);
	pd[0] = PTE_P | PTE_RW | PTE_US | PTE_PS;
	set_flat_segments(s, 1);
	s->cr3 = PT_GPA;
	s->cr4 = CR4_PAE;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s->efer = EFER_LME | EFER_LMA;
}

static const char *exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO:
		return "KVM_EXIT_IO";
	case KVM_EXIT_HLT:
		return "KVM_EXIT_HLT";
	case KVM_EXIT_MMIO:
		return "KVM_EXIT_MMIO";
	case KVM_EXIT_SHUTDOWN:
		return "KVM_EXIT_SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR";
	}
	return "another exit";
}

/* Runs the guest to its HLT; returns the number of OUT exits, or -1. */
static int run_vm(struct vm *vm, char *out, size_t out_size)
{
	struct kvm_run *run = vm->run;
	size_t n = 0;
	int outs = 0;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			out[n] = 0;
			return outs;
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == DEBUG_PORT && run->io.size == 1 &&
			    run->io.count == 1 && n + 1 < out_size) {
				out[n++] = *((char *)run + run->io.data_offset);
				outs++;
				continue;
			}
			fprintf(stderr, "kvm_hello: unexpected I/O: %s port %#x, size %u, count %u\n",
				run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
				run->io.port, run->io.size, run->io.count);
			return -1;
		default:
			fprintf(stderr, "kvm_hello: unexpected exit %u: %s\n",
				run->exit_reason, exit_name(run->exit_reason));
			if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
				fprintf(stderr, "kvm_hello: hardware entry failure reason %#llx\n",
					(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return -1;
		}
	}
}

/* Compares what the guest did with what it was written to do. */
static int check_result(struct vm *vm, const char *out, int outs,
			uint64_t halted_rip)
{
	uint32_t result = *(uint32_t *)(vm->mem + RESULT_GPA);
	struct kvm_regs regs;
	int bad = 0;

	bad |= strcmp(out, GREETING) != 0;
	printf("  %s: guest wrote \"%.*s\\n\" on port %#x (%d OUT exits)\n",
	       bad ? "FAIL" : "ok", (int)strcspn(out, "\n"), out, DEBUG_PORT,
	       outs);

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		die("KVM_GET_REGS");
	printf("  %s: KVM_EXIT_HLT with rip %#llx (expected %#llx, past the HLT)\n",
	       regs.rip == halted_rip ? "ok" : "FAIL",
	       (unsigned long long)regs.rip,
	       (unsigned long long)halted_rip);
	bad |= regs.rip != halted_rip;

	printf("  %s: memory at %#x = %u (expected 42)\n",
	       result == 42 ? "ok" : "FAIL", RESULT_GPA, result);
	bad |= result != 42;
	return bad;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *flag, *name;
		void (*setup)(struct vm *vm, struct kvm_sregs *s);
		const unsigned char *code, *halted, *end;
	} modes[] = {
		{ "-r", "real", setup_real, guest16, guest16_halted,
		  guest16_end },
		{ "-s", "protected", setup_protected, guest32, guest32_halted,
		  guest32_end },
		{ "-p", "paged", setup_paged, guest32, guest32_halted,
		  guest32_end },
		{ "-l", "long", setup_long, guest64, guest64_halted,
		  guest64_end },
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	char out[64];
	struct vm vm;
	size_t m;
	int outs;

	for (m = 0; m < ARRAY_SIZE(modes); m++)
		if (argc == 2 && !strcmp(argv[1], modes[m].flag))
			break;
	if (m == ARRAY_SIZE(modes)) {
		fprintf(stderr, "usage: kvm_hello -r|-s|-p|-l  (real, protected, paged or long mode)\n");
		return 2;
	}
	/* Line-buffered, so the checks interleave with errors in a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kvm_hello: %s mode on /dev/kvm\n", modes[m].name);
	vm_init(&vm);
	memcpy(vm.mem, modes[m].code, modes[m].end - modes[m].code);

	if (ioctl(vm.vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	modes[m].setup(&vm, &sregs);
	if (ioctl(vm.vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;		/* bit 1 is reserved, always set */
	regs.rip = 0;
	regs.rsp = STACK_TOP;
	if (ioctl(vm.vcpu_fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	outs = run_vm(&vm, out, sizeof(out));
	if (outs < 0 || check_result(&vm, out, outs,
				     modes[m].halted - modes[m].code)) {
		printf("FAIL: %s mode\n", modes[m].name);
		return 1;
	}
	printf("PASS: %s mode\n", modes[m].name);
	return 0;
}

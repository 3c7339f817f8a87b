// SPDX-License-Identifier: GPL-2.0
/*
 * exit_test: every exit hvx reports, with KVM's semantics.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "../lib/test.h"

#define MMIO_GPA	0x10000000ull

/* OUT of 1, 2 and 4 bytes: direction, port, size, count, data. */
GUEST_CODE(outs, ".code16",
	"mov $0x11, %al\n out %al, $0x80\n"
	"mov $0x2233, %ax\n out %ax, $0x82\n"
	"mov $0x44556677, %eax\n out %eax, $0x84\n"
	"hlt\n");

static int test_io_out(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, outs);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x80, 1));
	EXPECT(g.vcpu.run->io.count == 1);
	EXPECT(*vcpu_io_data(&g.vcpu) == 0x11);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x82, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 0x2233);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x84, 4));
	EXPECT(*(uint32_t *)vcpu_io_data(&g.vcpu) == 0x44556677);
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	return TEST_PASS;
}

/* IN of 1, 2 and 4 bytes: the value lands in AL, AX, EAX. */
GUEST_CODE(ins, ".code16",
	"mov $-1, %eax\n in $0x80, %al\n mov %eax, (0x3000)\n"
	"mov $-1, %eax\n in $0x82, %ax\n mov %eax, (0x3004)\n"
	"in $0x84, %eax\n mov %eax, (0x3008)\n"
	"hlt\n");

static int test_io_in(const char *dev)
{
	struct guest g;
	uint32_t *m;
	struct kvm_regs r;

	GUEST(&g, dev, GUEST_REAL, ins);
	m = vm_gpa(&g.vm, 0x3000);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_IN, 0x80, 1));
	*vcpu_io_data(&g.vcpu) = 0x5a;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_IN, 0x82, 2));
	*(uint16_t *)vcpu_io_data(&g.vcpu) = 0x1234;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_IN, 0x84, 4));
	*(uint32_t *)vcpu_io_data(&g.vcpu) = 0xdeadbeef;
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	EXPECT(m[0] == 0xffffff5a && m[1] == 0xffff1234 && m[2] == 0xdeadbeef);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	/* RIP is past the final HLT: every IN completed and moved on. */
	EXPECT(r.rip == GUEST_CODE_GPA + (uint64_t)(ins_end - ins_start));
	return TEST_PASS;
}

/* REP OUTSB: the byte stream, whatever the number of exits. */
GUEST_CODE(outsb, ".code16",
	"cld\n mov $0x3000, %si\n mov $11, %cx\n mov $0xe9, %dx\n"
	"rep outsb\n"
	"outsb\n"
	"hlt\n");

static int test_io_outsb(const char *dev)
{
	char out[64] = "";
	struct guest g;
	size_t n = 0;
	int r;

	GUEST(&g, dev, GUEST_REAL, outsb);
	memcpy(vm_gpa(&g.vm, 0x3000), "hello world!", 12);
	while ((r = guest_run(&g)) == KVM_EXIT_IO && n < 32) {
		struct kvm_run *run = g.vcpu.run;

		EXPECT(run->io.port == 0xe9 && run->io.size == 1);
		EXPECT(run->io.direction == KVM_EXIT_IO_OUT);
		memcpy(out + n, vcpu_io_data(&g.vcpu), run->io.count);
		n += run->io.count;
	}
	EXPECT(r == KVM_EXIT_HLT);
	printf("# %zu bytes: \"%.*s\"\n", n, (int)n, out);
	EXPECT(n == 12 && !memcmp(out, "hello world!", 12));
	return TEST_PASS;
}

/* REP INSB into memory at ES:DI. */
GUEST_CODE(insb, ".code16",
	"cld\n mov $0x3000, %di\n mov $6, %cx\n mov $0x60, %dx\n"
	"rep insb\n"
	"hlt\n");

static int test_io_insb(const char *dev)
{
	struct guest g;
	char next = 'a';
	int r;

	GUEST(&g, dev, GUEST_REAL, insb);
	while ((r = guest_run(&g)) == KVM_EXIT_IO) {
		struct kvm_run *run = g.vcpu.run;
		uint32_t i;

		EXPECT(run->io.port == 0x60 && run->io.size == 1);
		EXPECT(run->io.direction == KVM_EXIT_IO_IN);
		EXPECT(next + run->io.count <= 'f' + 1);
		for (i = 0; i < run->io.count; i++)
			vcpu_io_data(&g.vcpu)[i] = next++;
	}
	EXPECT(r == KVM_EXIT_HLT);
	printf("# memory: \"%.6s\"\n", (char *)vm_gpa(&g.vm, 0x3000));
	EXPECT(!memcmp(vm_gpa(&g.vm, 0x3000), "abcdef", 6));
	return TEST_PASS;
}

static int expect_mmio(struct guest *g, int write, int len, uint64_t data)
{
	struct kvm_run *run = g->vcpu.run;
	uint64_t got = 0;
	int r = guest_run(g);

	if (r != KVM_EXIT_MMIO) {
		printf("# exit %d, wanted mmio\n", r);
		return 0;
	}
	memcpy(&got, run->mmio.data, run->mmio.len);
	if (run->mmio.phys_addr != MMIO_GPA || run->mmio.is_write != write ||
	    (int)run->mmio.len != len || (write && got != data)) {
		printf("# mmio %#llx w%d len %u data %#llx\n",
		       (unsigned long long)run->mmio.phys_addr,
		       run->mmio.is_write, run->mmio.len,
		       (unsigned long long)got);
		return 0;
	}
	if (!write)
		memcpy(run->mmio.data, &data, sizeof(data));
	return 1;
}

/* MOV to MMIO, 1 to 8 bytes, from registers and immediates. */
GUEST_CODE(mmiow, ".code64",
	"mov $0x10000000, %rbx\n"
	"mov $0x11, %al\n mov %al, (%rbx)\n"
	"mov $0x2233, %ax\n mov %ax, (%rbx)\n"
	"mov $0x44556677, %eax\n mov %eax, (%rbx)\n"
	"mov $0x8899aabbccddeeff, %rax\n mov %rax, (%rbx)\n"
	"mov $0x12, %ch\n mov %ch, (%rbx)\n"
	"mov $0x77, %r9b\n mov %r9b, (%rbx)\n"
	"movb $0x5a, (%rbx)\n"
	"movw $0x1234, (%rbx)\n"
	"movl $0xdeadbeef, (%rbx)\n"
	"movq $-2, (%rbx)\n"
	"hlt\n");

static int test_mmio_write(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mmiow);
	EXPECT(expect_mmio(&g, 1, 1, 0x11));
	EXPECT(expect_mmio(&g, 1, 2, 0x2233));
	EXPECT(expect_mmio(&g, 1, 4, 0x44556677));
	EXPECT(expect_mmio(&g, 1, 8, 0x8899aabbccddeeffull));
	EXPECT(expect_mmio(&g, 1, 1, 0x12));
	EXPECT(expect_mmio(&g, 1, 1, 0x77));
	EXPECT(expect_mmio(&g, 1, 1, 0x5a));
	EXPECT(expect_mmio(&g, 1, 2, 0x1234));
	EXPECT(expect_mmio(&g, 1, 4, 0xdeadbeef));
	EXPECT(expect_mmio(&g, 1, 8, 0xfffffffffffffffeull));
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	return TEST_PASS;
}

/* MOV from MMIO: merging of 8/16-bit, zeroing of 32-bit destinations. */
GUEST_CODE(mmior, ".code64",
	"mov $0x10000000, %rbx\n"
	"mov $-1, %r8\n mov (%rbx), %r8b\n"
	"mov $-1, %rdx\n mov (%rbx), %dx\n"
	"mov $-1, %rsi\n mov (%rbx), %esi\n"
	"mov (%rbx), %rdi\n"
	"mov $-1, %rcx\n mov (%rbx), %ch\n"
	"mov (0x10000000), %eax\n"
	"hlt\n");

static int test_mmio_read(const char *dev)
{
	const uint64_t v = 0x8182838485868788ull;
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mmior);
	EXPECT(expect_mmio(&g, 0, 1, v));
	EXPECT(expect_mmio(&g, 0, 2, v));
	EXPECT(expect_mmio(&g, 0, 4, v));
	EXPECT(expect_mmio(&g, 0, 8, v));
	EXPECT(expect_mmio(&g, 0, 1, v));
	EXPECT(expect_mmio(&g, 0, 4, v));
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT(r.r8 == 0xffffffffffffff88ull);
	EXPECT(r.rdx == 0xffffffffffff8788ull);
	EXPECT(r.rsi == 0x85868788ull);
	EXPECT(r.rdi == v);
	EXPECT(r.rcx == 0xffffffffffff88ffull);
	EXPECT(r.rax == 0x85868788ull);
	return TEST_PASS;
}

/* MOVZX and MOVSX from MMIO. */
GUEST_CODE(mmioext, ".code64",
	"mov $0x10000000, %rbx\n"
	"movzbl (%rbx), %r9d\n"
	"movsbq (%rbx), %r10\n"
	"mov $-1, %r11\n movswl (%rbx), %r11d\n"
	"movzwq (%rbx), %r12\n"
	"movsbw (%rbx), %r13w\n"
	"hlt\n");

static int test_mmio_extend(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, mmioext);
	EXPECT(expect_mmio(&g, 0, 1, 0x80));
	EXPECT(expect_mmio(&g, 0, 1, 0x80));
	EXPECT(expect_mmio(&g, 0, 2, 0x8000));
	EXPECT(expect_mmio(&g, 0, 2, 0x8000));
	EXPECT(expect_mmio(&g, 0, 1, 0xff));
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT(r.r9 == 0x80);
	EXPECT(r.r10 == 0xffffffffffffff80ull);
	EXPECT(r.r11 == 0xffff8000ull);
	EXPECT(r.r12 == 0x8000);
	EXPECT((r.r13 & 0xffff) == 0xffff);
	return TEST_PASS;
}

/* MMIO from real mode, with 16-bit addressing and a segment. */
GUEST_CODE(mmio16, ".code16",
	"mov $0xa000, %ax\n mov %ax, %ds\n"
	"movw $0x5678, (0x10)\n"
	"mov (%bx,%si), %cx\n"
	"mov %cx, %ax\n out %ax, $0x10\n"
	"hlt\n");

static int test_mmio_real_mode(const char *dev)
{
	struct kvm_userspace_memory_region r = { .slot = 0 };
	struct kvm_run *run;
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, mmio16);
	run = g.vcpu.run;
	/* Only 512 KiB of RAM: 0xa0000 up is a device, as on a PC. */
	r.userspace_addr = (uintptr_t)g.vm.mem;
	EXPECT(ioctl(g.vm.fd, KVM_SET_USER_MEMORY_REGION, &r) == 0);
	r.memory_size = 0x80000;
	EXPECT(ioctl(g.vm.fd, KVM_SET_USER_MEMORY_REGION, &r) == 0);
	EXPECT(guest_run(&g) == KVM_EXIT_MMIO);
	EXPECT(run->mmio.phys_addr == 0xa0010 && run->mmio.is_write);
	EXPECT(run->mmio.len == 2 && *(uint16_t *)run->mmio.data == 0x5678);
	EXPECT(guest_run(&g) == KVM_EXIT_MMIO);
	EXPECT(run->mmio.phys_addr == 0xa0000 && !run->mmio.is_write);
	*(uint16_t *)run->mmio.data = 0x4321;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 0x4321);
	return TEST_PASS;
}

GUEST_CODE(halt, ".code16", "nop\n hlt\n");

static int test_hlt(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, halt);
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	EXPECT(vcpu_get_regs(&g.vcpu, &r) == 0);
	EXPECT(r.rip == GUEST_CODE_GPA + 2);
	return TEST_PASS;
}

/* An empty IDT: INT3 faults, the #GP faults, the #DF faults: shutdown. */
GUEST_CODE(triple, ".code16", "lidt (0x3000)\n int3\n hlt\n");

static int test_triple_fault(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, triple);
	memset(vm_gpa(&g.vm, 0x3000), 0, 6);
	EXPECT(guest_run(&g) == KVM_EXIT_SHUTDOWN);
	return TEST_PASS;
}

/*
 * CR0.PG without CR0.PE cannot be entered: KVM on SVM reports
 * KVM_EXIT_FAIL_ENTRY; refusing it in KVM_SET_SREGS is accepted too.
 */
static int test_fail_entry(const char *dev)
{
	struct kvm_sregs s;
	struct guest g;
	int r;

	GUEST(&g, dev, GUEST_REAL, halt);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.cr0 = 0x80000000;
	if (ioctl(g.vcpu.fd, KVM_SET_SREGS, &s) < 0) {
		EXPECT(errno == EINVAL);
		return TEST_PASS;
	}
	r = guest_run(&g);
	EXPECT(r == KVM_EXIT_FAIL_ENTRY);
	printf("# hardware_entry_failure_reason %#llx\n",
	       (unsigned long long)g.vcpu.run->fail_entry.hardware_entry_failure_reason);
	return TEST_PASS;
}

/* CPUID is answered in the kernel: the next exit is the OUT after it. */
GUEST_CODE(cpuid, ".code32",
	"xor %eax, %eax\n cpuid\n"
	"mov $1, %eax\n cpuid\n"
	"mov %ebx, %eax\n out %eax, $0x10\n hlt\n");

static int test_cpuid(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_PROT, cpuid);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(guest_run(&g) == KVM_EXIT_HLT);
	return TEST_PASS;
}

static void on_alarm(int sig)
{
	(void)sig;
}

GUEST_CODE(spin, ".code16", "1: jmp 1b\n");

static int test_signal(const char *dev)
{
	struct itimerval t = { .it_value = { .tv_usec = 100000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, spin);
	EXPECT(sigaction(SIGALRM, &sa, NULL) == 0);
	EXPECT(setitimer(ITIMER_REAL, &t, NULL) == 0);
	EXPECT(guest_run(&g) == -EINTR);
	EXPECT(g.vcpu.run->exit_reason == KVM_EXIT_INTR);
	return TEST_PASS;
}

static int test_immediate_exit(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_REAL, outs);
	g.vcpu.run->immediate_exit = 1;
	EXPECT(guest_run(&g) == -EINTR);
	g.vcpu.run->immediate_exit = 0;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x80, 1));
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "io_out_sizes", test_io_out },
	{ "io_in_sizes", test_io_in },
	{ "io_rep_outsb", test_io_outsb },
	{ "io_rep_insb", test_io_insb },
	{ "mmio_write", test_mmio_write },
	{ "mmio_read", test_mmio_read },
	{ "mmio_movzx_movsx", test_mmio_extend },
	{ "mmio_real_mode", test_mmio_real_mode },
	{ "hlt", test_hlt },
	{ "triple_fault_shutdown", test_triple_fault },
	{ "fail_entry", test_fail_entry },
	{ "cpuid_in_kernel", test_cpuid },
	{ "signal_eintr", test_signal },
	{ "immediate_exit", test_immediate_exit },
};

TEST_MAIN(cases)

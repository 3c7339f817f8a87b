// SPDX-License-Identifier: GPL-2.0
/*
 * string_test: MOVS, STOS and LODS with an operand in MMIO, with and
 * without REP, in both directions, as firmware uses them on device memory
 * (a VGA BIOS clears its text window with REP STOSD).  Each element is
 * one KVM_EXIT_MMIO; RSI, RDI and RCX end as the SDM says (Vol. 2B MOVS,
 * STOS, LODS, REP).
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../lib/test.h"

#define MMIO_GPA	0x10000000ull

static int regs(struct guest *g, struct kvm_regs *r)
{
	return vcpu_get_regs(&g->vcpu, r) == 0;
}

/* REP STOSD, then single STOSB and STOSQ: each element one write exit. */
GUEST_CODE(stos64, ".code64",
	"mov $0x10000000, %rdi\n mov $3, %ecx\n mov $0x11223344, %eax\n"
	"rep stosl\n"
	"mov $0xaa, %al\n stosb\n"
	"mov $0x8877665544332211, %rax\n stosq\n"
	"hlt\n");

static int test_stos(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, stos64);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 1, 4, 0x11223344));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 4, 1, 4, 0x11223344));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 8, 1, 4, 0x11223344));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 12, 1, 1, 0xaa));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 13, 1, 8,
				 0x8877665544332211ull));
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rcx == 0 && r.rdi == MMIO_GPA + 21);
	guest_destroy(&g);
	return TEST_PASS;
}

/* With EFLAGS.DF set, the destination index goes down. */
GUEST_CODE(stos_down, ".code64",
	"std\n mov $0x10000010, %rdi\n mov $2, %ecx\n mov $0x5a5b, %ax\n"
	"rep stosw\n cld\n hlt\n");

static int test_stos_down(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, stos_down);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 0x10, 1, 2, 0x5a5b));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 0x0e, 1, 2, 0x5a5b));
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rcx == 0 && r.rdi == MMIO_GPA + 0x0c);
	guest_destroy(&g);
	return TEST_PASS;
}

/* REP MOVSQ from RAM to MMIO: the data comes from the guest's memory. */
GUEST_CODE(movs_out, ".code64",
	"mov $0x3000, %rsi\n mov $0x10000000, %rdi\n mov $2, %ecx\n"
	"rep movsq\n hlt\n");

static int test_movs_to_mmio(const char *dev)
{
	struct kvm_regs r;
	struct guest g;
	uint64_t *m;

	GUEST(&g, dev, GUEST_LONG, movs_out);
	m = vm_gpa(&g.vm, 0x3000);
	m[0] = 0x0102030405060708ull;
	m[1] = 0xf1f2f3f4f5f6f7f8ull;
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 1, 8, m[0]));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 8, 1, 8, m[1]));
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rcx == 0 && r.rsi == 0x3010 && r.rdi == MMIO_GPA + 16);
	guest_destroy(&g);
	return TEST_PASS;
}

/* REP MOVSW from MMIO to RAM: each read's answer lands in memory. */
GUEST_CODE(movs_in, ".code64",
	"mov $0x10000000, %rsi\n mov $0x3000, %rdi\n mov $3, %ecx\n"
	"rep movsw\n hlt\n");

static int test_movs_from_mmio(const char *dev)
{
	struct kvm_regs r;
	struct guest g;
	uint16_t *m;

	GUEST(&g, dev, GUEST_LONG, movs_in);
	m = vm_gpa(&g.vm, 0x3000);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 0, 2, 0x1111));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 2, 0, 2, 0x2222));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 4, 0, 2, 0x3333));
	EXPECT_HALT(&g);
	EXPECT(m[0] == 0x1111 && m[1] == 0x2222 && m[2] == 0x3333);
	EXPECT(regs(&g, &r));
	EXPECT(r.rcx == 0 && r.rsi == MMIO_GPA + 6 && r.rdi == 0x3006);
	guest_destroy(&g);
	return TEST_PASS;
}

/* MOVSD from MMIO to MMIO: the read, then the write of what it read. */
GUEST_CODE(movs_mm, ".code64",
	"mov $0x10000000, %rsi\n mov $0x10001000, %rdi\n movsl\n hlt\n");

static int test_movs_mmio_to_mmio(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, movs_mm);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 0, 4, 0xcafef00d));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 0x1000, 1, 4, 0xcafef00d));
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rsi == MMIO_GPA + 4 && r.rdi == MMIO_GPA + 0x1004);
	guest_destroy(&g);
	return TEST_PASS;
}

/* LODSB merges into AL; LODSD zero-extends into RAX (SDM Vol. 1 3.4.1.1). */
GUEST_CODE(lods, ".code64",
	"mov $0x10000000, %rsi\n mov $-1, %rax\n lodsb\n mov %rax, %rbx\n"
	"lodsl\n hlt\n");

static int test_lods(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, lods);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 0, 1, 0x77));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 1, 0, 4, 0x89abcdef));
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rbx == 0xffffffffffffff77ull && r.rax == 0x89abcdef);
	EXPECT(r.rsi == MMIO_GPA + 5);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * Real mode, as a PC's firmware: 512 KiB of RAM, then devices.  REP STOSD
 * through ES into the VGA text window; a REP STOSB that starts in RAM and
 * runs on into MMIO (the RAM part runs natively, then one exit per byte);
 * a MOVSB whose source has an FS override.
 */
GUEST_CODE(vga16, ".code16",
	"mov $0xb800, %ax\n mov %ax, %es\n xor %di, %di\n mov $3, %cx\n"
	"mov $0x07200741, %eax\n rep stosl\n"
	"mov %di, %ax\n out %ax, $0x10\n"
	"mov $0x7fff, %ax\n mov %ax, %es\n mov $0xc, %di\n mov $6, %cx\n"
	"mov $0x42, %al\n rep stosb\n"
	"mov %di, %ax\n out %ax, $0x12\n"
	"xor %ax, %ax\n mov %ax, %es\n mov $0x3000, %di\n"
	"mov $0xa000, %ax\n mov %ax, %fs\n mov $0x20, %si\n"
	"fs movsb\n"
	"mov %si, %ax\n out %ax, $0x14\n"
	"hlt\n");

static int test_real_mode(const char *dev)
{
	struct kvm_userspace_memory_region mr = { .slot = 0 };
	struct guest g;
	uint8_t *ram;

	GUEST(&g, dev, GUEST_REAL, vga16);
	mr.userspace_addr = (uintptr_t)g.vm.mem;
	EXPECT(ioctl(g.vm.fd, KVM_SET_USER_MEMORY_REGION, &mr) == 0);
	mr.memory_size = 0x80000;
	EXPECT(ioctl(g.vm.fd, KVM_SET_USER_MEMORY_REGION, &mr) == 0);
	ram = g.vm.mem;
	EXPECT(guest_expect_mmio(&g, 0xb8000, 1, 4, 0x07200741));
	EXPECT(guest_expect_mmio(&g, 0xb8004, 1, 4, 0x07200741));
	EXPECT(guest_expect_mmio(&g, 0xb8008, 1, 4, 0x07200741));
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 12);
	EXPECT(guest_expect_mmio(&g, 0x80000, 1, 1, 0x42));
	EXPECT(guest_expect_mmio(&g, 0x80001, 1, 1, 0x42));
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x12, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 0x12);
	EXPECT(ram[0x7fffc] == 0x42 && ram[0x7ffff] == 0x42);
	EXPECT(guest_expect_mmio(&g, 0xa0020, 0, 1, 0x9c));
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x14, 2));
	EXPECT(*(uint16_t *)vcpu_io_data(&g.vcpu) == 0x21);
	EXPECT_HALT(&g);
	EXPECT(ram[0x3000] == 0x9c);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * User space moves RIP while a REP STOS is between two elements: it has
 * taken over, and the rest of the instruction does not happen (as for
 * every exit: the instruction completes only on the next KVM_RUN).
 */
GUEST_CODE(stos_abandon, ".code64",
	"mov $0x10000000, %rdi\n mov $4, %ecx\n xor %eax, %eax\n"
	"rep stosb\n hlt\n");

static int test_abandon(const char *dev)
{
	struct kvm_regs r;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, stos_abandon);
	EXPECT(guest_expect_mmio(&g, MMIO_GPA, 1, 1, 0));
	EXPECT(guest_expect_mmio(&g, MMIO_GPA + 1, 1, 1, 0));
	EXPECT(regs(&g, &r));
	/* Skip past the 2-byte REP STOSB. */
	r.rip += 2;
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);
	EXPECT_HALT(&g);
	EXPECT(regs(&g, &r));
	EXPECT(r.rcx == 2 && r.rdi == MMIO_GPA + 2);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * REP INSB with RCX changed by user space at the exit (KVM_SET_REGS,
 * RIP kept), as the kernel's userspace_io_test does: the instruction goes
 * on with the new count, taking at most the elements of the exit it has.
 * Lowered below what the exit carried: one element, then RCX is 0 (it
 * must not wrap).  Raised: more exits until RCX is 0.
 */
GUEST_CODE(ins_rcx, ".code64",
	"cld\n mov $0x3000, %rdi\n mov $0x80, %dx\n"
	"rep insb\n hlt\n");

static int ins_rcx(const char *dev, uint64_t rcx, uint64_t new_rcx,
		   const char *want)
{
	struct kvm_run *run;
	struct kvm_regs r;
	struct guest g;
	char next = 'a';
	uint32_t i;
	int exit;

	GUEST(&g, dev, GUEST_LONG, ins_rcx);
	EXPECT(regs(&g, &r));
	r.rcx = rcx;
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);
	run = g.vcpu.run;
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_IN, 0x80, 1));
	EXPECT(run->io.count == rcx);
	for (i = 0; i < run->io.count; i++)
		vcpu_io_data(&g.vcpu)[i] = next++;
	EXPECT(regs(&g, &r));
	r.rcx = new_rcx;
	EXPECT(vcpu_set_regs(&g.vcpu, &r) == 0);
	while ((exit = guest_run(&g)) == KVM_EXIT_IO) {
		EXPECT(run->io.port == 0x80 && run->io.count <= 8);
		for (i = 0; i < run->io.count; i++)
			vcpu_io_data(&g.vcpu)[i] = next++;
	}
	EXPECT(exit == KVM_EXIT_HLT);
	EXPECT(regs(&g, &r));
	printf("# rcx %#llx rdi %#llx memory \"%.8s\"\n",
	       (unsigned long long)r.rcx, (unsigned long long)r.rdi,
	       (char *)vm_gpa(&g.vm, 0x3000));
	EXPECT(r.rcx == 0 && r.rdi == 0x3000 + strlen(want));
	/*
	 * Which data land where is not ABI once RCX changed (the kernel's
	 * test says so): KVM's emulator, with RCX raised, stores other bytes
	 * than it was given.  hvx stores what each exit brought, in order.
	 */
	EXPECT((!test_is_hvx(dev) && new_rcx > rcx) ||
	       !memcmp(vm_gpa(&g.vm, 0x3000), want, strlen(want) + 1));
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_ins_rcx_lowered(const char *dev)
{
	return ins_rcx(dev, 2, 1, "a");
}

static int test_ins_rcx_raised(const char *dev)
{
	return ins_rcx(dev, 2, 5, "abcde");
}

/*
 * INSB into MMIO: the port's data would have to be written to a device.
 * KVM's emulator takes the port's byte (KVM_EXIT_IO) and then writes it
 * out (KVM_EXIT_MMIO); hvx does not emulate port strings into MMIO and
 * ends the run at the port access with KVM_EXIT_INTERNAL_ERROR
 * (emulation) rather than failing KVM_RUN later (README, "Exits").
 */
GUEST_CODE(ins_mmio, ".code64",
	"cld\n mov $0x10000000, %rdi\n mov $0x80, %dx\n"
	"insb\n hlt\n");

static int test_ins_to_mmio(const char *dev)
{
	struct guest g;
	int r;

	GUEST(&g, dev, GUEST_LONG, ins_mmio);
	r = guest_run(&g);
	if (test_is_hvx(dev)) {
		EXPECT(r == KVM_EXIT_INTERNAL_ERROR);
		EXPECT(g.vcpu.run->internal.suberror ==
		       KVM_INTERNAL_ERROR_EMULATION);
	} else {
		EXPECT(r == KVM_EXIT_IO && g.vcpu.run->io.port == 0x80);
		vcpu_io_data(&g.vcpu)[0] = 0x5a;
		EXPECT(guest_expect_mmio(&g, MMIO_GPA, 1, 1, 0x5a));
		EXPECT_HALT(&g);
	}
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "string_stos", test_stos },
	{ "string_stos_down", test_stos_down },
	{ "string_movs_to_mmio", test_movs_to_mmio },
	{ "string_movs_from_mmio", test_movs_from_mmio },
	{ "string_movs_mmio_to_mmio", test_movs_mmio_to_mmio },
	{ "string_lods", test_lods },
	{ "string_real_mode", test_real_mode },
	{ "string_abandon", test_abandon },
	{ "string_ins_rcx_lowered", test_ins_rcx_lowered },
	{ "string_ins_rcx_raised", test_ins_rcx_raised },
	{ "string_ins_to_mmio", test_ins_to_mmio },
};

TEST_MAIN(cases)

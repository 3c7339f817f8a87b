// SPDX-License-Identifier: GPL-2.0
/*
 * memslot_test: KVM_SET_USER_MEMORY_REGION, with KVM's errno for each bad
 * request, and guest memory that is the process's own memory.  Every
 * architecture runs these; the guests report through ports (port I/O on
 * x86, the port window on arm64: lib/test-arm64.h).  The arm64 guests run
 * with the MMU and caches on (GUEST_EL1_MMU), so that what they read is
 * coherent with what the process wrote through its cacheable mapping.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../lib/test.h"

#define SLOT1_GPA	0x10000000ull
#define SLOT1_MOVED	0x20000000ull

static int set_region(struct vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static void *anon(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int test_create_delete(const char *dev)
{
	void *mem = anon(0x10000);
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(set_region(&vm, 1, 0, SLOT1_GPA, 0x10000, mem) == 0);
	EXPECT(set_region(&vm, 2, 0, SLOT1_GPA + 0x10000, 0x10000,
			  (char *)mem) == 0);
	EXPECT(set_region(&vm, 1, 0, SLOT1_GPA, 0, mem) == 0);
	/* Deleting a slot that does not exist is an error in KVM 6.1. */
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA, 0, mem), EINVAL);
	EXPECT(set_region(&vm, 1, 0, SLOT1_GPA, 0x10000, mem) == 0);
	return TEST_PASS;
}

static int test_misaligned(const char *dev)
{
	char *mem = anon(0x10000);
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA + 8, 0x1000, mem), EINVAL);
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA, 0x1008, mem), EINVAL);
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA, 0x1000, mem + 8), EINVAL);
	return TEST_PASS;
}

/*
 * Slot ids run from 0 to KVM_CAP_NR_MEMSLOTS - 1; bits 16 and up pick an
 * address space, of which only x86 has a second one (SMM).
 */
static int test_bad_flags_and_slot(const char *dev)
{
	void *mem = anon(0x10000);
	struct vm vm;
	int nr;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	nr = ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	EXPECT(nr > 0 && nr < 0x10000);
	EXPECT_ERRNO(set_region(&vm, 1, 1u << 7, SLOT1_GPA, 0x1000, mem),
		     EINVAL);
	EXPECT_ERRNO(set_region(&vm, nr, 0, SLOT1_GPA, 0x1000, mem), EINVAL);
	EXPECT_ERRNO(set_region(&vm, 5u << 16, 0, SLOT1_GPA, 0x1000, mem),
		     EINVAL);
	return TEST_PASS;
}

static int test_overlap(const char *dev)
{
	void *mem = anon(0x10000);
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	/* Slot 0 covers [0, 2 MiB). KVM answers EEXIST for an overlap. */
	EXPECT_ERRNO(set_region(&vm, 1, 0, 0x100000, 0x10000, mem), EEXIST);
	EXPECT(set_region(&vm, 1, 0, SLOT1_GPA, 0x10000, mem) == 0);
	EXPECT_ERRNO(set_region(&vm, 2, 0, SLOT1_GPA + 0xf000, 0x2000, mem),
		     EEXIST);
	return TEST_PASS;
}

static int test_wrap(const char *dev)
{
	void *mem = anon(0x10000);
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(set_region(&vm, 1, 0, 0xfffffffffffff000ull, 0x2000, mem),
		     EINVAL);
	return TEST_PASS;
}

static int test_resize(const char *dev)
{
	char *mem = anon(0x10000);
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(set_region(&vm, 1, 0, SLOT1_GPA, 0x4000, mem) == 0);
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA, 0x8000, mem), EINVAL);
	EXPECT_ERRNO(set_region(&vm, 1, 0, SLOT1_GPA, 0x4000, mem + 0x4000),
		     EINVAL);
	return TEST_PASS;
}

/* Guest writes reach the process's memory at once, and the other way. */
GUEST_CODE_X86(shared, GUEST_REAL, ".code16",
	"movw $0x1234, (0x3000)\n"
	"out %al, $0x10\n"
	"mov (0x3002), %ax\n"
	"out %ax, $0x11\n"
	"hlt\n");
GUEST_CODE_ARM64(shared, GUEST_EL1_MMU,
	"mov x0, #0x3000\n"
	"mov w1, #0x1234\n strh w1, [x0]\n"
	GUEST_OUT(0x10, "strb", "w1")
	"ldrh w1, [x0, #2]\n"
	GUEST_OUT(0x11, "strh", "w1")
	GUEST_HALT);

static int test_shared_memory(const char *dev)
{
	struct guest g;
	uint16_t *p;

	GUEST_START(&g, dev, shared);
	p = vm_gpa(&g.vm, 0x3000);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 1));
	EXPECT(p[0] == 0x1234);
	p[1] = 0xbeef;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x11, 2));
	EXPECT(*(uint16_t *)guest_port_data(&g) == 0xbeef);
	EXPECT_HALT(&g);
	return TEST_PASS;
}

/*
 * A slot backed by a shared file mapping: the guest's store shows through
 * a second mapping of the same file, and a store there reaches the guest.
 * Only the same physical pages, never a copy, can do that.
 */
GUEST_CODE_X86(alias, GUEST_PROT, ".code32",
	"movl $0xa11a5, (0x10000000)\n out %al, $0x10\n"
	"mov (0x10000004), %eax\n out %eax, $0x11\n hlt\n");
GUEST_CODE_ARM64(alias, GUEST_EL1_MMU,
	"movz x0, #0x1000, lsl #16\n"
	"ldr w1, =0xa11a5\n str w1, [x0]\n"
	GUEST_OUT(0x10, "strb", "w1")
	"ldr w1, [x0, #4]\n"
	GUEST_OUT(0x11, "str", "w1")
	GUEST_HALT);

static int test_file_alias(const char *dev)
{
	int fd = memfd_create("hvx-slot", 0);
	uint32_t *a, *b;
	struct guest g;

	EXPECT(fd >= 0 && ftruncate(fd, 0x1000) == 0);
	a = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(a != MAP_FAILED && b != MAP_FAILED);
	GUEST_START(&g, dev, alias);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_GPA, 0x1000, a) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 1));
	EXPECT(b[0] == 0xa11a5);
	b[1] = 0xb0b;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x11, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0xb0b);
	EXPECT_HALT(&g);
	return TEST_PASS;
}

/*
 * The process replaces a page of guest RAM under the running VM with
 * mmap(MAP_FIXED): the guest must see the new page from then on, as KVM
 * does through its MMU notifier, never the old one.
 */
GUEST_CODE_X86(remap, GUEST_REAL, ".code16",
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	"movl $0x77665544, (0x3004)\n out %al, $0x11\n hlt\n");
GUEST_CODE_ARM64(remap, GUEST_EL1_MMU,
	"mov x0, #0x3000\n"
	"ldr w1, [x0]\n" GUEST_OUT(0x10, "str", "w1")
	"ldr w1, [x0]\n" GUEST_OUT(0x10, "str", "w1")
	"ldr w1, =0x77665544\n str w1, [x0, #4]\n"
	GUEST_OUT(0x11, "strb", "w1")
	GUEST_HALT);

static int test_hva_remapped(const char *dev)
{
	struct guest g;
	uint32_t *page;

	GUEST_START(&g, dev, remap);
	*(uint32_t *)vm_gpa(&g.vm, 0x3000) = 0x01d;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x01d);
	page = mmap(vm_gpa(&g.vm, 0x3000), 0x1000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	EXPECT(page == vm_gpa(&g.vm, 0x3000));
	page[0] = 0x2e3;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x2e3);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x11, 1));
	EXPECT(page[1] == 0x77665544);
	EXPECT_HALT(&g);
	return TEST_PASS;
}

/* A flat guest: read SLOT1_MOVED, then SLOT1_GPA. */
GUEST_CODE_X86(readhigh, GUEST_PROT, ".code32",
	"mov (0x20000000), %eax\n"
	"out %eax, $0x10\n"
	"mov (0x10000000), %eax\n"
	"hlt\n");
GUEST_CODE_ARM64(readhigh, GUEST_EL1_MMU,
	"movz x0, #0x2000, lsl #16\n"
	"ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	"movz x0, #0x1000, lsl #16\n"
	"ldr w1, [x0]\n"
	GUEST_HALT);

static int test_move(const char *dev)
{
	uint32_t *mem = anon(0x1000);
	struct guest g;

	GUEST_START(&g, dev, readhigh);
	mem[0] = 0xcafe;
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_GPA, 0x1000, mem) == 0);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_MOVED, 0x1000, mem) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0xcafe);
	/* Nothing is at the old address any more: MMIO. */
	EXPECT_EXIT(&g, KVM_EXIT_MMIO);
	EXPECT(g.vcpu.run->mmio.phys_addr == SLOT1_GPA);
	EXPECT(g.vcpu.run->mmio.len == 4 && !g.vcpu.run->mmio.is_write);
	return TEST_PASS;
}

static int test_deleted_is_mmio(const char *dev)
{
	uint32_t *mem = anon(0x1000);
	struct guest g;

	GUEST_START(&g, dev, readhigh);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_MOVED, 0x1000, mem) == 0);
	mem[0] = 7;
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 7);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_MOVED, 0, mem) == 0);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_GPA, 0x1000, mem) == 0);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_GPA, 0, mem) == 0);
	/*
	 * Restart at the first read: the deleted slot now exits as MMIO.
	 * The port access is completed first, so that moving the PC is not
	 * mixed up with finishing the access (on arm64 that steps the PC).
	 */
	EXPECT(vcpu_complete_exit(&g.vcpu) == 0);
	EXPECT(vcpu_set_pc(&g.vcpu, GUEST_CODE_GPA) == 0);
	EXPECT_EXIT(&g, KVM_EXIT_MMIO);
	EXPECT(g.vcpu.run->mmio.phys_addr == SLOT1_MOVED);
	return TEST_PASS;
}

/*
 * KVM_CAP_JOIN_MEMORY_REGIONS_WORKS: two slots that touch, end to start,
 * are one stretch of guest memory; a read across the boundary takes two
 * bytes from each, and each slot's memory is still its own.
 */
GUEST_CODE_X86(straddle, GUEST_PROT, ".code32",
	"mov (0x10000ffe), %eax\n"
	"out %eax, $0x10\n"
	"hlt\n");
GUEST_CODE_ARM64(straddle, GUEST_EL1_MMU,
	"movz x0, #0x1000, lsl #16\n"
	"add x0, x0, #0xffe\n"
	"ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	GUEST_HALT);

static int test_adjacent_slots(const char *dev)
{
	uint16_t *lo = anon(0x1000), *hi = anon(0x1000);
	struct guest g;

	EXPECT(lo != MAP_FAILED && hi != MAP_FAILED);
	lo[0x7ff] = 0x3344;
	hi[0] = 0x1122;
	GUEST_START(&g, dev, straddle);
	EXPECT(set_region(&g.vm, 1, 0, SLOT1_GPA, 0x1000, lo) == 0);
	EXPECT(set_region(&g.vm, 2, 0, SLOT1_GPA + 0x1000, 0x1000, hi) == 0);
	EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 0x11223344);
	return TEST_PASS;
}

/* Many slots at once, each read by the guest through its own page. */
GUEST_CODE_X86(readslots, GUEST_PROT, ".code32",
	"mov $0x10000000, %ebx\n"
	"1: mov (%ebx), %eax\n"
	"out %eax, $0x10\n"
	"add $0x1000, %ebx\n"
	"jmp 1b\n");
GUEST_CODE_ARM64(readslots, GUEST_EL1_MMU,
	"movz x0, #0x1000, lsl #16\n"
	"1: ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	"add x0, x0, #0x1000\n"
	"b 1b\n");

static int test_many_slots(const char *dev)
{
	uint32_t *mem = anon(16 * 0x1000);
	struct guest g;
	int i;

	GUEST_START(&g, dev, readslots);
	for (i = 0; i < 16; i++) {
		mem[i * 1024] = 100 + i;
		EXPECT(set_region(&g.vm, 1 + i, 0, SLOT1_GPA + i * 0x1000,
				  0x1000, (char *)mem + i * 0x1000) == 0);
	}
	for (i = 0; i < 16; i++) {
		EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
		EXPECT(*(uint32_t *)guest_port_data(&g) == 100u + i);
	}
	EXPECT_EXIT(&g, KVM_EXIT_MMIO);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "slot_create_delete", test_create_delete },
	{ "slot_misaligned", test_misaligned },
	{ "slot_bad_flags_and_id", test_bad_flags_and_slot },
	{ "slot_overlap", test_overlap },
	{ "slot_wrap", test_wrap },
	{ "slot_resize", test_resize },
	{ "shared_memory", test_shared_memory },
	{ "slot_file_alias", test_file_alias },
	{ "slot_hva_remapped", test_hva_remapped },
	{ "slot_move", test_move },
	{ "deleted_slot_is_mmio", test_deleted_is_mmio },
	{ "adjacent_slots", test_adjacent_slots },
	{ "many_slots", test_many_slots },
};

TEST_MAIN_SHARED(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * memslot_test, arm64 part: stage 2 as the guest sees it.  Every
 * guest-physical address outside the memory slots is MMIO, however far
 * from RAM; two VMs of one process see only their own memory, even run
 * in turns on one thread; a slot must lie below the VM's IPA size.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../lib/test.h"

/*
 * Loads from just past RAM, from below 1 GiB, and from the last page
 * below 2^40 (the default IPA size), each one KVM_EXIT_MMIO read whose
 * answer the guest reports.
 */
GUEST_CODE(farload,
	"ldr x0, =0x200000\n ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	"ldr x0, =0x3ffff000\n ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	"ldr x0, =0xfffffff008\n ldr w1, [x0]\n"
	GUEST_OUT(0x10, "str", "w1")
	GUEST_DONE);

static int test_unmapped_ipa_is_mmio(const char *dev)
{
	static const uint64_t gpa[] = { 0x200000, 0x3ffff000,
					0xfffffff008ull };
	struct kvm_run *run;
	struct guest g;
	size_t i;

	GUEST(&g, dev, GUEST_EL1, farload);
	run = g.vcpu.run;
	for (i = 0; i < ARRAY_SIZE(gpa); i++) {
		EXPECT_EXIT(&g, KVM_EXIT_MMIO);
		printf("# mmio %#llx len %u\n",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		EXPECT(run->mmio.phys_addr == gpa[i]);
		EXPECT(run->mmio.len == 4 && !run->mmio.is_write);
		*(uint32_t *)run->mmio.data = 0x100 + i;
		EXPECT(guest_expect_port(&g, PORT_OUT, 0x10, 4));
		EXPECT(*(uint32_t *)guest_port_data(&g) == 0x100 + i);
	}
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * Two VMs, same guest-physical addresses, run in turns on one thread:
 * each reads its own 0x3000 and writes its X0 to its own 0x3004.
 */
GUEST_CODE(twovm,
	"mov x1, #0x3000\n"
	"ldr w2, [x1]\n"
	GUEST_OUT(0x10, "str", "w2")
	"str w0, [x1, #4]\n"
	"ldr w2, [x1]\n"
	GUEST_OUT(0x10, "str", "w2")
	GUEST_DONE);

static int test_two_vms_isolated(const char *dev)
{
	struct guest a, b;
	uint32_t *ma, *mb;

	GUEST(&a, dev, GUEST_EL1_MMU, twovm);
	GUEST(&b, dev, GUEST_EL1_MMU, twovm);
	ma = vm_gpa(&a.vm, 0x3000);
	mb = vm_gpa(&b.vm, 0x3000);
	ma[0] = 0xaaaa;
	mb[0] = 0xbbbb;
	EXPECT(vcpu_set_arg0(&a.vcpu, 1) == 0);
	EXPECT(vcpu_set_arg0(&b.vcpu, 2) == 0);
	EXPECT(guest_expect_port(&a, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&a) == 0xaaaa);
	EXPECT(guest_expect_port(&b, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&b) == 0xbbbb);
	ma[0] = 0xaaa1;
	mb[0] = 0xbbb1;
	EXPECT(guest_expect_port(&a, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&a) == 0xaaa1);
	EXPECT(guest_expect_port(&b, PORT_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&b) == 0xbbb1);
	EXPECT_DONE(&a);
	EXPECT_DONE(&b);
	EXPECT(ma[1] == 1 && mb[1] == 2);
	return TEST_PASS;
}

/*
 * A VM of 32-bit IPAs takes a slot that ends at 4 GiB, not one that goes
 * beyond (KVM: EFAULT; EINVAL is accepted too).
 */
static int test_slot_beyond_ipa(const char *dev)
{
	struct kvm_userspace_memory_region r = { .slot = 1 };
	void *mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vm vm;

	EXPECT(mem != MAP_FAILED);
	EXPECT(vm_create(&vm, dev, VM_TYPE_IPA_BITS(32), 0,
			 GUEST_MIN_MEM) == 0);
	r.userspace_addr = (uintptr_t)mem;
	r.memory_size = 0x1000;
	r.guest_phys_addr = 0xfffff000;
	EXPECT(ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &r) == 0);
	r.slot = 2;
	r.guest_phys_addr = 0x100000000ull;
	errno = 0;
	EXPECT(ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &r) == -1);
	printf("# errno %d (%s)\n", errno, strerror(errno));
	EXPECT(errno == EFAULT || errno == EINVAL);
	return TEST_PASS;
}

static const struct test_case arm64_cases[] = {
	{ "unmapped_ipa_is_mmio", test_unmapped_ipa_is_mmio },
	{ "two_vms_isolated", test_two_vms_isolated },
	{ "slot_beyond_ipa", test_slot_beyond_ipa },
};

TEST_ARCH_CASES(arm64_cases);

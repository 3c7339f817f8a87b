// SPDX-License-Identifier: GPL-2.0
/*
 * api_test, x86 part: KVM_GET/SET_REGS and SREGS, the reset state, and
 * the x86 side of the shared cases (common/api_test.c).
 */
#include <sys/ioctl.h>

#include "../lib/test.h"

int arch_check_extension(int sys_fd);
int arch_bad_vcpu_pointers(struct vcpu *vcpu);

/* KVM 6.1's x86 VM ioctls answer ENOTTY to what they do not know. */
const int arch_kvm_vm_unknown_errno = ENOTTY;

int arch_check_extension(int fd)
{
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) == 1);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_SET_IDENTITY_MAP_ADDR) == 1);
	/*
	 * Claimed without an irqchip (gsi_routing_no_irqchip shows how), as
	 * the most GSIs a table takes, KVM_MAX_IRQ_ROUTES: QEMU's split
	 * irqchip sizes its GSI space by it.
	 */
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING) == 4096);
	return TEST_PASS;
}

int arch_bad_vcpu_pointers(struct vcpu *vcpu)
{
	void *nowhere = (void *)8;

	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_REGS, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_REGS, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_SREGS, nowhere), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, nowhere), EFAULT);
	return TEST_PASS;
}

static int test_regs_roundtrip(const char *dev)
{
	struct kvm_regs in = { .rax = 1, .rbx = 2, .rcx = 3, .rdx = 4,
			       .rsi = 5, .rdi = 6, .rsp = 7, .rbp = 8,
			       .r8 = 9, .r15 = 0x1122334455667788ull,
			       .rip = 0x1234, .rflags = 0x2 | 0x1 };
	struct kvm_regs out;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(vcpu_set_regs(&vcpu, &in) == 0);
	EXPECT(vcpu_get_regs(&vcpu, &out) == 0);
	EXPECT(!memcmp(&in, &out, sizeof(in)));
	return TEST_PASS;
}

static int test_sregs_roundtrip(const char *dev)
{
	struct kvm_sregs in, out;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(vcpu_setup_mode(&vcpu, GUEST_LONG, 0x8000, 0x8000) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_GET_SREGS, &in) == 0);
	in.cr2 = 0xdead000;
	in.fs.base = 0x12340000;
	in.gdt.limit = 0x37;
	EXPECT(ioctl(vcpu.fd, KVM_SET_SREGS, &in) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_GET_SREGS, &out) == 0);
	EXPECT(out.cr0 == in.cr0 && out.cr3 == in.cr3 && out.cr4 == in.cr4);
	EXPECT(out.efer == in.efer && out.cr2 == in.cr2);
	EXPECT(out.fs.base == in.fs.base && out.gdt.limit == 0x37);
	EXPECT(out.cs.l == 1 && out.cs.selector == in.cs.selector);
	return TEST_PASS;
}

/* Long mode active without PAE is not a state SET_SREGS accepts. */
static int test_sregs_invalid(const char *dev)
{
	struct kvm_sregs s;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_GET_SREGS, &s) == 0);
	s.cr0 = 0x80000001;
	s.cr4 = 0;
	s.efer = 0x500;
	EXPECT_ERRNO(ioctl(vcpu.fd, KVM_SET_SREGS, &s), EINVAL);
	return TEST_PASS;
}

/* Power-on state, as both vendors' manuals define it. */
static int test_reset_state(const char *dev)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_GET_SREGS, &s) == 0);
	EXPECT(vcpu_get_regs(&vcpu, &r) == 0);
	EXPECT(r.rip == 0xfff0 && r.rflags == 2);
	EXPECT(s.cs.selector == 0xf000 && s.cs.base == 0xffff0000);
	EXPECT((s.cr0 & 1) == 0 && s.efer == 0);
	return TEST_PASS;
}

/*
 * KVM_SET_IDENTITY_MAP_ADDR (QEMU sets 0xfeffc000): taken before the
 * first vCPU, refused after it with EINVAL (KVM checks that before it
 * reads the argument); a bad pointer is EFAULT.
 */
static int test_identity_map_addr(const char *dev)
{
	uint64_t addr = 0xfeffc000;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) == 0);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, (void *)8),
		     EFAULT);
	EXPECT(ioctl(vm.fd, KVM_SET_TSS_ADDR, addr + 0x1000) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &addr), EINVAL);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, (void *)8),
		     EINVAL);
	return TEST_PASS;
}

/*
 * KVM_SET_GSI_ROUTING without an in-kernel irqchip (hvx never has one;
 * KVM without KVM_CREATE_IRQCHIP): the header is read (EFAULT for a bad
 * pointer), then any table, even an empty one, is EINVAL.
 */
static int test_gsi_routing_no_irqchip(const char *dev)
{
	struct {
		struct kvm_irq_routing h;
		struct kvm_irq_routing_entry e[1];
	} r;
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	memset(&r, 0, sizeof(r));
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	r.h.nr = 1;
	r.e[0].gsi = 4;
	r.e[0].type = KVM_IRQ_ROUTING_MSI;
	r.e[0].u.msi.address_lo = 0xfee00000;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_GSI_ROUTING, (void *)8), EFAULT);
	return TEST_PASS;
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID) (api.rst 7.32): more than
 * KVM_CHECK_EXTENSION says is EINVAL; set once (the same value again is
 * accepted, another is EINVAL); then a vCPU ID at or above it is EINVAL.
 */
static int test_max_vcpu_id(const char *dev)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_MAX_VCPU_ID };
	struct vcpu vcpu;
	struct vm vm;
	int max;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	max = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	EXPECT(max >= 2);
	cap.args[0] = max + 1;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_ENABLE_CAP, &cap), EINVAL);
	cap.args[0] = 2;
	EXPECT(ioctl(vm.fd, KVM_ENABLE_CAP, &cap) == 0);
	EXPECT(ioctl(vm.fd, KVM_ENABLE_CAP, &cap) == 0);
	cap.args[0] = 3;
	EXPECT_ERRNO(ioctl(vm.fd, KVM_ENABLE_CAP, &cap), EINVAL);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_VCPU, 2), EINVAL);
	EXPECT(vcpu_create(&vm, &vcpu, 1) == 0);
	return TEST_PASS;
}

/*
 * KVM_SET_NR_MMU_PAGES and KVM_GET_NR_MMU_PAGES
 * (KVM_CAP_MMU_SHADOW_CACHE_CONTROL): at least 64 pages; read back as
 * set; a small VM's default is the minimum, 64.
 */
static int test_nr_mmu_pages(const char *dev)
{
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_MMU_SHADOW_CACHE_CONTROL) == 1);
	EXPECT(ioctl(vm.fd, KVM_GET_NR_MMU_PAGES) == 64);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_NR_MMU_PAGES, 63ul), EINVAL);
	EXPECT(ioctl(vm.fd, KVM_SET_NR_MMU_PAGES, 1000ul) == 0);
	EXPECT(ioctl(vm.fd, KVM_GET_NR_MMU_PAGES) == 1000);
	EXPECT(ioctl(vm.fd, KVM_SET_NR_MMU_PAGES, 64ul) == 0);
	EXPECT(ioctl(vm.fd, KVM_GET_NR_MMU_PAGES) == 64);
	return TEST_PASS;
}

static const struct test_case x86_cases[] = {
	{ "regs_roundtrip", test_regs_roundtrip },
	{ "sregs_roundtrip", test_sregs_roundtrip },
	{ "sregs_invalid", test_sregs_invalid },
	{ "reset_state", test_reset_state },
	{ "identity_map_addr", test_identity_map_addr },
	{ "gsi_routing_no_irqchip", test_gsi_routing_no_irqchip },
	{ "max_vcpu_id", test_max_vcpu_id },
	{ "nr_mmu_pages", test_nr_mmu_pages },
};

TEST_ARCH_CASES(x86_cases);

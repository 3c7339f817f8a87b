// SPDX-License-Identifier: GPL-2.0
/*
 * split_irqchip_test: KVM_CAP_SPLIT_IRQCHIP (api.rst 7.14), the local
 * APIC in the kernel and the PIC and I/O APIC in user space: its errors
 * and the ioctls it leaves out, an ExtINT from user space's PIC through
 * KVM_INTERRUPT (with ready_for_interrupt_injection around it), and the
 * EOI of a level-triggered interrupt of user space's I/O APIC coming back
 * as KVM_EXIT_IOAPIC_EOI, where an edge one does not.
 *
 * The guests run in protected mode (flat segments reach the APIC page);
 * a handler reports its vector with a 4-byte OUT to port 0x10.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "chip_guest.h"

#define EXT_VECTOR	0x30
#define LEVEL_VECTOR	0x31
#define EDGE_VECTOR	0x32
#define MSI_LEVEL	(1u << 15)	/* MSI data: trigger mode (SDM 11.11.2) */

#define APIC_ON		"movl $0x1ff, 0xfee000f0\n"
#define APIC_EOI	"movl $0, 0xfee000b0\n"

static int enable_split(struct vm *vm, uint64_t pins)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = pins,
	};

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/*
 * The capability (api.rst 7.14): more pins than routes EINVAL; once, and
 * not with KVM_CREATE_IRQCHIP or after a vCPU (EEXIST both ways); then
 * the PIC and I/O APIC state ioctls are ENXIO, a route to them EINVAL, an
 * MSI route fine, KVM_IRQ_LINE_STATUS of a GSI without a route -1 (the
 * table starts empty), and the vCPU has its in-kernel APIC.
 */
static int test_split_create(const char *dev)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} t = { .r.nr = 1 };
	struct kvm_irq_level line = { .irq = 5, .level = 1 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_lapic_state lapic;
	struct vcpu v;
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) == 1);
	EXPECT_ERRNO(enable_split(&vm, 4097), EINVAL);
	EXPECT(enable_split(&vm, CHIP_PINS) == 0);
	EXPECT_ERRNO(enable_split(&vm, CHIP_PINS), EEXIST);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0), EEXIST);
	EXPECT(ioctl(vm.fd, KVM_IRQ_LINE_STATUS, &line) == 0);
	EXPECT(line.status == -1);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_GET_IRQCHIP, &chip), ENXIO);
	t.e[0] = (struct kvm_irq_routing_entry) { .gsi = 4,
		.type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 4 } };
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &t), EINVAL);
	t.e[0] = (struct kvm_irq_routing_entry) { .gsi = 4,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = LEVEL_VECTOR } };
	EXPECT(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &t) == 0);
	EXPECT(vcpu_create(&vm, &v, 0) == 0);
	EXPECT(ioctl(v.fd, KVM_GET_LAPIC, &lapic) == 0);
	vcpu_close(&v);
	vm_close(&vm);
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &v, 0) == 0);
	EXPECT_ERRNO(enable_split(&vm, CHIP_PINS), EEXIST);
	vcpu_close(&v);
	vm_close(&vm);
	return TEST_PASS;
}

/*
 * An ExtINT (SDM 11.5.1): after reset vCPU 0's LVT0 takes the PIC's
 * interrupt.  User space's KVM_INTERRUPT is taken by the guest's handler
 * (EEXIST for a second while one waits), including by a guest halted in
 * the kernel; ready_for_interrupt_injection is 1 with the guest's IF
 * set, 0 inside the handler (an interrupt gate clears IF).
 */
GUEST_CODE(split_ext, ".code32",
	"sti\n nop\n" GUEST_SYNC(1)
	"1: hlt\n jmp 1b\n"
	"split_ext_handler:\n"
	"mov $" TEST_STR(EXT_VECTOR) ", %eax\n" OUT_EAX "iret\n");
GUEST_LABEL(split_ext_handler);

static int test_split_extint(const char *dev)
{
	struct kvm_interrupt irq = { .irq = EXT_VECTOR };
	struct kvm_run *run;
	struct guest g;

	CHIP_GUEST(&g, dev, CHIP_SPLIT, split_ext);
	run = g.vcpu.run;
	EXPECT(guest_set_handler(&g, EXT_VECTOR, split_ext_handler) == 0);
	test_arm_timer(5000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(run->ready_for_interrupt_injection == 1);
	EXPECT(ioctl(g.vcpu.fd, KVM_INTERRUPT, &irq) == 0);
	EXPECT_ERRNO(ioctl(g.vcpu.fd, KVM_INTERRUPT, &irq), EEXIST);
	EXPECT_VAL(&g, EXT_VECTOR);
	EXPECT(run->ready_for_interrupt_injection == 0);
	/* Back in its HLT, which the kernel's APIC waits in: wake it. */
	EXPECT(ioctl(g.vcpu.fd, KVM_INTERRUPT, &irq) == 0);
	EXPECT_VAL(&g, EXT_VECTOR);
	test_arm_timer(0);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * User space's I/O APIC: its pins' routes are level MSIs in the first
 * CHIP_PINS GSIs.  A level MSI's EOI (the handler's write to the EOI
 * register) ends the run with KVM_EXIT_IOAPIC_EOI and its vector, before
 * the handler goes on; an edge MSI's does not.
 */
GUEST_CODE(split_eoi, ".code32",
	APIC_ON "sti\n nop\n" GUEST_SYNC(1)
	"1: hlt\n jmp 1b\n"
	"split_eoi_level:\n" APIC_EOI
	"mov $" TEST_STR(LEVEL_VECTOR) ", %eax\n" OUT_EAX "iret\n"
	"split_eoi_edge:\n" APIC_EOI
	"mov $" TEST_STR(EDGE_VECTOR) ", %eax\n" OUT_EAX "iret\n");
GUEST_LABEL(split_eoi_level);
GUEST_LABEL(split_eoi_edge);

static int test_split_eoi(const char *dev)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} t = { .r.nr = 1 };
	struct kvm_msi level = {
		.address_lo = 0xfee00000, .data = LEVEL_VECTOR | MSI_LEVEL,
	};
	struct kvm_msi edge = { .address_lo = 0xfee00000, .data = EDGE_VECTOR };
	struct kvm_run *run;
	struct guest g;

	CHIP_GUEST(&g, dev, CHIP_SPLIT, split_eoi);
	run = g.vcpu.run;
	t.e[0] = (struct kvm_irq_routing_entry) { .gsi = 10,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000,
			   .data = LEVEL_VECTOR | MSI_LEVEL } };
	EXPECT(ioctl(g.vm.fd, KVM_SET_GSI_ROUTING, &t) == 0);
	EXPECT(guest_set_handler(&g, LEVEL_VECTOR, split_eoi_level) == 0);
	EXPECT(guest_set_handler(&g, EDGE_VECTOR, split_eoi_edge) == 0);
	test_arm_timer(5000000);
	EXPECT_UCALL(&g, UCALL_SYNC, 1);
	EXPECT(ioctl(g.vm.fd, KVM_SIGNAL_MSI, &level) == 1);
	EXPECT_EXIT(&g, KVM_EXIT_IOAPIC_EOI);
	EXPECT(run->eoi.vector == LEVEL_VECTOR);
	EXPECT_VAL(&g, LEVEL_VECTOR);
	EXPECT(ioctl(g.vm.fd, KVM_SIGNAL_MSI, &edge) == 1);
	EXPECT_VAL(&g, EDGE_VECTOR);
	test_arm_timer(0);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "split_create", test_split_create },
	{ "split_extint", test_split_extint },
	{ "split_eoi", test_split_eoi },
};

TEST_MAIN(cases)

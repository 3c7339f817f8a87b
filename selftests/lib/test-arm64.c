// SPDX-License-Identifier: GPL-2.0
/*
 * hvx selftests, arm64 half: the port window, the ucall, the halt port,
 * and a guest's exception vectors.
 */
#include <sys/ioctl.h>

#include "test.h"

_Static_assert(PSCI_FN_VERSION == PSCI_0_2_FN_PSCI_VERSION, "PSCI id");
_Static_assert(PSCI_FN_CPU_OFF == PSCI_0_2_FN_CPU_OFF, "PSCI id");
_Static_assert(PSCI_FN_SYSTEM_OFF == PSCI_0_2_FN_SYSTEM_OFF, "PSCI id");
_Static_assert(PSCI_FN_SYSTEM_RESET == PSCI_0_2_FN_SYSTEM_RESET, "PSCI id");
_Static_assert(PSCI_FN_FEATURES == PSCI_1_0_FN_PSCI_FEATURES, "PSCI id");

#define VECTOR_SIZE	0x80
#define NR_VECTORS	16

/*
 * The default vector table: entry N reports UCALL_EXCEPTION with
 * argument N and stops.  It is copied to GUEST_VECTORS_GPA, which is
 * 2 KiB aligned as VBAR_EL1 needs, so the blob is aligned alike here for
 * its entries to fall every 0x80 bytes from its start.
 */
extern const unsigned char guest_vectors_start[] GUEST_ASM_SYMBOL,
	guest_vectors_end[] GUEST_ASM_SYMBOL;
__asm__(".pushsection .rodata\n"
	".balign 2048\n"
	"guest_vectors_start:\n"
	".irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	".balign 0x80\n"
	"movz x26, #" TEST_STR(UCALL_EXCEPTION) "\n"
	"movk x26, #\\n, lsl #32\n"
	GUEST_OUT(UCALL_PORT, "str", "x26")
	"b .\n"
	".endr\n"
	"guest_vectors_end:\n"
	".popsection\n");

int guest_arch_setup(struct guest *g)
{
	int r = vm_load(&g->vm, GUEST_VECTORS_GPA, guest_vectors_start,
			guest_vectors_end - guest_vectors_start);

	if (!r)
		r = vcpu_set_reg(&g->vcpu, REG_VBAR_EL1, GUEST_VECTORS_GPA);
	return r;
}

/*
 * Make vector entry @vector branch to @handler, a label in the guest's
 * blob: B with a 26-bit word offset (Arm ARM, "B": 0x14000000 | imm26).
 */
int guest_set_vector(struct guest *g, int vector,
		     const unsigned char *handler)
{
	uint64_t from = GUEST_VECTORS_GPA + vector * VECTOR_SIZE;
	uint64_t to = GUEST_CODE_GPA + (uint64_t)(handler - g->code);
	int64_t off = (int64_t)(to - from);
	uint32_t *entry = vm_gpa(&g->vm, from);

	if (vector < 0 || vector >= NR_VECTORS || !entry)
		return -EINVAL;
	*entry = 0x14000000u | (uint32_t)((off >> 2) & 0x03ffffff);
	return 0;
}

int vcpu_set_arg0(struct vcpu *vcpu, uint64_t val)
{
	return vcpu_set_reg(vcpu, REG_X(0), val);
}

uint64_t guest_reg(struct guest *g, uint64_t id)
{
	uint64_t v = 0;
	int r = vcpu_get_reg(&g->vcpu, id, &v);

	if (r) {
		printf("# KVM_GET_ONE_REG %#llx: %s\n", (unsigned long long)id,
		       strerror(-r));
		return 0xdeadbeefdeadbeefull;
	}
	return v;
}

static int is_port(struct kvm_run *run, int dir, int port)
{
	return run->mmio.phys_addr == ARM64_PORT_ADDR(port) &&
	       run->mmio.is_write == (dir == PORT_OUT);
}

static void report_exception(struct guest *g, const char *file);

/* A ucall where a port access was due: say which, and an exception's cause. */
static void describe_stray_ucall(struct guest *g)
{
	uint64_t data;

	memcpy(&data, g->vcpu.run->mmio.data, 8);
	g->ucall_arg = data >> 32;
	printf("# ucall %#x arg %u\n", (uint32_t)data, g->ucall_arg);
	if ((uint32_t)data == UCALL_EXCEPTION)
		report_exception(g, "guest");
}

int guest_expect_port(struct guest *g, int dir, int port, int size)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r != KVM_EXIT_MMIO) {
		guest_describe_exit(g, r, "mmio to the port window");
		return 0;
	}
	if (!is_port(run, dir, port) || (int)run->mmio.len != size) {
		printf("# mmio %s %#llx len %u, wanted %s port %#x (%#llx) len %d\n",
		       run->mmio.is_write ? "write" : "read",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len,
		       dir == PORT_OUT ? "write" : "read", port,
		       (unsigned long long)ARM64_PORT_ADDR(port), size);
		if (port != UCALL_PORT && is_port(run, PORT_OUT, UCALL_PORT))
			describe_stray_ucall(g);
		return 0;
	}
	return 1;
}

uint8_t *guest_port_data(struct guest *g)
{
	return g->vcpu.run->mmio.data;
}

int vcpu_exit_is_port(struct vcpu *vcpu, int r, int dir, int port)
{
	return r == KVM_EXIT_MMIO && is_port(vcpu->run, dir, port);
}

int vcpu_exit_is_halt(struct vcpu *vcpu, int r)
{
	return vcpu_exit_is_port(vcpu, r, PORT_OUT, HALT_PORT);
}

int guest_expect_halt(struct guest *g)
{
	int r = guest_run(g);

	if (vcpu_exit_is_halt(&g->vcpu, r))
		return 1;
	guest_describe_exit(g, r, "a store to the halt port");
	return 0;
}

static void report_exception(struct guest *g, const char *file)
{
	uint64_t esr = guest_reg(g, REG_ESR_EL1);

	printf("# %s: guest exception through vector %u: ESR_EL1 %#llx (EC %#llx) FAR_EL1 %#llx ELR_EL1 %#llx\n",
	       file, g->ucall_arg, (unsigned long long)esr,
	       (unsigned long long)ESR_EC(esr),
	       (unsigned long long)guest_reg(g, REG_FAR_EL1),
	       (unsigned long long)guest_reg(g, REG_ELR_EL1));
}

/*
 * Run the guest to its next ucall and return its code, or -1 after saying
 * what happened instead.  A guest assertion is reported with the file of
 * the caller and the line the guest sent; an exception that reached the
 * default vectors with what ESR_EL1, FAR_EL1 and ELR_EL1 say of it.
 */
int guest_ucall(struct guest *g, const char *file)
{
	uint64_t data;

	if (!guest_expect_port(g, PORT_OUT, UCALL_PORT, 8))
		return -1;
	memcpy(&data, g->vcpu.run->mmio.data, 8);
	g->ucall_arg = data >> 32;
	if ((uint32_t)data == UCALL_EXCEPTION)
		report_exception(g, file);
	if ((uint32_t)data != UCALL_ASSERT)
		return (uint32_t)data;
	printf("# %s:%u: guest assertion failed\n", file, g->ucall_arg);
	printf("# x0 %#llx x1 %#llx x2 %#llx x3 %#llx x25 %#llx\n",
	       (unsigned long long)guest_reg(g, REG_X(0)),
	       (unsigned long long)guest_reg(g, REG_X(1)),
	       (unsigned long long)guest_reg(g, REG_X(2)),
	       (unsigned long long)guest_reg(g, REG_X(3)),
	       (unsigned long long)guest_reg(g, REG_X(25)));
	return UCALL_ASSERT;
}

int test_device_attr(int fd, unsigned long nr, uint32_t group, uint64_t attr,
		     void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(unsigned long)val,
	};

	return ioctl(fd, nr, &a);
}

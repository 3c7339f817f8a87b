// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_test: the CPU model, KVM_GET_SUPPORTED_CPUID, KVM_SET/GET_CPUID2
 * and how the guest's CPUID reads the table, KVM_GET_MSR_INDEX_LIST,
 * KVM_GET/SET_MSRS and the guest's RDMSR/WRMSR, the TSC.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/hvx.h>

#include "../lib/test.h"

#define QUERY_GPA	0x3000	/* guest input: pairs or MSR indexes */
#define RESULT_GPA	0x4000	/* guest output */
#define QUERY_END	0xffffffffu

#define MSR_IA32_TSC		0x10
#define MSR_IA32_APICBASE	0x1b
#define MSR_MTRRcap		0xfe
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MISC_ENABLE		0x1a0
#define MSR_MTRR_BASE0		0x200
#define MSR_MTRR_MASK0		0x201
#define MSR_PAT			0x277
#define MSR_MTRR_DEFTYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SFMASK		0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_NOBODY		0x12345678

/* "GenuineIntel" and "AuthenticAMD" as CPUID.0 returns them. */
#define INTEL_EBX	0x756e6547
#define INTEL_EDX	0x49656e69
#define INTEL_ECX	0x6c65746e
#define AMD_EBX		0x68747541
#define AMD_EDX		0x69746e65
#define AMD_ECX		0x444d4163

static struct kvm_cpuid2 *cpuid_alloc(unsigned int nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      nent * sizeof(c->entries[0]));

	if (c)
		c->nent = nent;
	return c;
}

static const struct kvm_cpuid_entry2 *
cpuid_find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}

struct msrs {
	struct kvm_msrs h;
	struct kvm_msr_entry e[16];
};

static int msrs_io(struct vcpu *vcpu, unsigned long ioctl_nr,
		   struct msrs *m, const uint32_t *index, const uint64_t *data,
		   unsigned int n)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->h.nmsrs = n;
	for (i = 0; i < n; i++) {
		m->e[i].index = index[i];
		m->e[i].data = data ? data[i] : 0;
	}
	return ioctl(vcpu->fd, ioctl_nr, m);
}

static int cpu_caps(const char *dev)
{
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) == 1);
	EXPECT(ioctl(vm.sys_fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_GET_TSC_KHZ) == 1);
	return TEST_PASS;
}

/*
 * KVM_GET_SUPPORTED_CPUID: E2BIG for too small an array, a larger one
 * than needed is fine; every basic and extended leaf lies within the
 * maximum its range's first leaf gives; CPUID.1:EDX.APIC is offered, for
 * user space's own local APIC or the kernel's.  hvx also hides what it
 * does not virtualize (KVM offers nested virtualization).
 */
static int test_supported_cpuid(const char *dev)
{
	const struct kvm_cpuid_entry2 *e, *basic, *ext;
	struct kvm_cpuid2 *c = cpuid_alloc(1);
	struct vm vm;
	unsigned int i;

	EXPECT(c && vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	free(c);
	c = cpuid_alloc(1000);
	EXPECT(c && ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0);
	EXPECT(c->nent > 2 && c->nent <= 256);
	basic = cpuid_find(c, 0, 0);
	ext = cpuid_find(c, 0x80000000, 0);
	EXPECT(basic && ext && basic->eax >= 1);
	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		EXPECT(!(e->flags & ~KVM_CPUID_FLAG_SIGNIFCANT_INDEX));
		EXPECT(!e->padding[0] && !e->padding[1] && !e->padding[2]);
		if (e->function < 0x40000000)
			EXPECT(e->function <= basic->eax);
		else if (e->function >= 0x80000000)
			EXPECT(e->function <= ext->eax);
	}
	e = cpuid_find(c, 1, 0);
	EXPECT(e && (e->edx & (1u << 9)));
	if (!test_is_hvx(dev))
		return TEST_PASS;
	/* Hypervisor bit, x2APIC (as KVM); no VMX, MONITOR, TSC-deadline. */
	EXPECT((e->ecx & (1u << 31 | 1u << 21)) == (1u << 31 | 1u << 21));
	EXPECT(!(e->ecx & (1u << 5 | 1u << 3 | 1u << 24)));
	e = cpuid_find(c, 0x80000001, 0);
	EXPECT(!e || !(e->ecx & (1u << 2)));		/* no SVM */
	e = cpuid_find(c, 0xa, 0);
	EXPECT(!e || !(e->eax | e->ebx | e->ecx | e->edx));	/* no PMU */
	e = cpuid_find(c, 7, 0);
	EXPECT(!e || !(e->edx & (1u << 26 | 1u << 29)));	/* no SPEC_CTRL */
	return TEST_PASS;
}

static const struct kvm_cpuid_entry2 table_entries[] = {
	{ .function = 0, .eax = 7 },
	{ .function = 1, .eax = 0x1234, .ebx = 0x5678, .ecx = 1, .edx = 0 },
	{ .function = 2, .eax = 0x11, .ebx = 0x22, .ecx = 0x33, .edx = 0x44 },
	{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 0x71, .ebx = 0x72, .ecx = 0x73, .edx = 0x74 },
	{ .function = 0x80000000, .eax = 0x80000001 },
	{ .function = 0x80000001, .eax = 0x81, .ecx = 0x83, .edx = 0x84 },
};

/* A small table with the vendor @ebx/@edx/@ecx in leaf 0. */
static struct kvm_cpuid2 *cpuid_table(uint32_t b, uint32_t d, uint32_t c)
{
	unsigned int n = ARRAY_SIZE(table_entries);
	struct kvm_cpuid2 *t = cpuid_alloc(n);

	if (!t)
		return NULL;
	memcpy(t->entries, table_entries, sizeof(table_entries));
	t->entries[0].ebx = b;
	t->entries[0].edx = d;
	t->entries[0].ecx = c;
	return t;
}

/*
 * KVM_SET_CPUID2 and KVM_GET_CPUID2: what was set comes back (leaves
 * without state-mirroring bits); E2BIG for too many entries to set and
 * too small an array to get into.
 */
static int test_cpuid2_roundtrip(const char *dev)
{
	struct kvm_cpuid2 *t = cpuid_table(INTEL_EBX, INTEL_EDX, INTEL_ECX);
	struct kvm_cpuid2 *out = cpuid_alloc(300);
	struct vm vm;
	struct vcpu vcpu;
	unsigned int i;

	EXPECT(t && out);
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_GET_CPUID2, out) == 0);
	EXPECT(ioctl(vcpu.fd, KVM_SET_CPUID2, t) == 0);
	out->nent = 1;
	EXPECT_ERRNO(ioctl(vcpu.fd, KVM_GET_CPUID2, out), E2BIG);
	out->nent = 300;
	EXPECT(ioctl(vcpu.fd, KVM_GET_CPUID2, out) == 0);
	/* KVM 6.1 leaves nent as given on success; later ones set it. */
	EXPECT(out->nent == t->nent || out->nent == 300);
	for (i = 0; i < t->nent; i++)
		if (t->entries[i].function != 1)
			EXPECT(!memcmp(&out->entries[i], &t->entries[i],
				       sizeof(t->entries[i])));
	out->nent = 257;
	EXPECT_ERRNO(ioctl(vcpu.fd, KVM_SET_CPUID2, out), E2BIG);
	return TEST_PASS;
}

/* CPUID for each (leaf, subleaf) at QUERY_GPA; EAX..EDX to RESULT_GPA. */
GUEST_CODE(cpuid_queries, ".code32",
	"mov $" TEST_STR(QUERY_GPA) ", %esi\n"
	"mov $" TEST_STR(RESULT_GPA) ", %edi\n"
	"1: mov (%esi), %eax\n cmp $" TEST_STR(QUERY_END) ", %eax\n je 2f\n"
	"mov 4(%esi), %ecx\n cpuid\n"
	"mov %eax, (%edi)\n mov %ebx, 4(%edi)\n"
	"mov %ecx, 8(%edi)\n mov %edx, 12(%edi)\n"
	"add $8, %esi\n add $16, %edi\n jmp 1b\n"
	"2:\n"
	GUEST_DONE);

struct cpuid_query {
	uint32_t fn, idx;
	uint32_t intel[4];	/* EAX, EBX, ECX, EDX with an Intel vendor */
	uint32_t amd[4];	/* with an AMD vendor */
};

/*
 * How the guest reads the table (KVM's rules): a leaf without the
 * significant-index flag matches any subleaf; a missing subleaf within
 * range reads zeros; a leaf beyond its range's maximum reads the highest
 * basic leaf, with the subleaf asked for, if the vendor is Intel, zeros
 * if it is AMD.  CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN, set at
 * reset, even though the table leaves it clear.
 */
static const struct cpuid_query queries[] = {
	{ 2, 5, { 0x11, 0x22, 0x33, 0x44 }, { 0x11, 0x22, 0x33, 0x44 } },
	{ 7, 1, { 0x71, 0x72, 0x73, 0x74 }, { 0x71, 0x72, 0x73, 0x74 } },
	{ 7, 0, { 0 }, { 0 } },
	{ 5, 0, { 0 }, { 0 } },
	{ 1, 0, { 0x1234, 0x5678, 1, 0x200 }, { 0x1234, 0x5678, 1, 0x200 } },
	{ 0x80000001, 0, { 0x81, 0, 0x83, 0x84 }, { 0x81, 0, 0x83, 0x84 } },
	{ 0x10, 1, { 0x71, 0x72, 0x73, 0x74 }, { 0 } },
	{ 0x80000008, 1, { 0x71, 0x72, 0x73, 0x74 }, { 0 } },
	{ 0x40000000, 1, { 0x71, 0x72, 0x73, 0x74 }, { 0 } },
	{ 0x10, 0, { 0 }, { 0 } },
};

static int cpuid_from_table(const char *dev, bool amd)
{
	struct kvm_cpuid2 *t = amd ? cpuid_table(AMD_EBX, AMD_EDX, AMD_ECX) :
				     cpuid_table(INTEL_EBX, INTEL_EDX, INTEL_ECX);
	unsigned int i, n = ARRAY_SIZE(queries);
	uint32_t *q, *res;
	struct guest g;

	EXPECT(t);
	GUEST(&g, dev, GUEST_PROT, cpuid_queries);
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, t) == 0);
	q = vm_gpa(&g.vm, QUERY_GPA);
	for (i = 0; i < n; i++) {
		q[2 * i] = queries[i].fn;
		q[2 * i + 1] = queries[i].idx;
	}
	q[2 * n] = QUERY_END;
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	for (i = 0; i < n; i++) {
		const uint32_t *want = amd ? queries[i].amd : queries[i].intel;

		if (memcmp(&res[4 * i], want, 16)) {
			printf("# %s CPUID %#x.%u: %#x %#x %#x %#x, wanted %#x %#x %#x %#x\n",
			       amd ? "AMD" : "Intel", queries[i].fn,
			       queries[i].idx, res[4 * i], res[4 * i + 1],
			       res[4 * i + 2], res[4 * i + 3], want[0], want[1],
			       want[2], want[3]);
			return TEST_FAIL;
		}
	}
	return TEST_PASS;
}

static int test_cpuid_from_table(const char *dev)
{
	if (cpuid_from_table(dev, false) != TEST_PASS)
		return TEST_FAIL;
	return cpuid_from_table(dev, true);
}

/*
 * No local APIC: clearing IA32_APIC_BASE.EN clears CPUID.1:EDX.APIC
 * whatever the table says (KVM without an in-kernel APIC behaves so);
 * IA32_APIC_BASE's reserved bits are refused.
 */
static int test_cpuid_apic_bit(const char *dev)
{
	struct kvm_cpuid2 *t = cpuid_table(INTEL_EBX, INTEL_EDX, INTEL_ECX);
	uint32_t apic = MSR_IA32_APICBASE, *q, *res;
	uint64_t off = 0xfee00100, bad = 0xfee00901;
	struct msrs m;
	struct guest g;

	EXPECT(t);
	t->entries[1].edx = 1u << 9;
	GUEST(&g, dev, GUEST_PROT, cpuid_queries);
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, t) == 0);
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, &apic, &bad, 1) == 0);
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, &apic, &off, 1) == 1);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, &apic, NULL, 1) == 1);
	EXPECT(m.e[0].data == off);
	q = vm_gpa(&g.vm, QUERY_GPA);
	q[0] = 1;
	q[1] = 0;
	q[2] = QUERY_END;
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	EXPECT(res[0] == 0x1234 && res[3] == 0);
	return TEST_PASS;
}

/* Once the vCPU ran, KVM_SET_CPUID2 takes only the table it has. */
static int test_cpuid2_after_run(const char *dev)
{
	struct kvm_cpuid2 *t = cpuid_table(INTEL_EBX, INTEL_EDX, INTEL_ECX);
	struct guest g;

	EXPECT(t);
	GUEST(&g, dev, GUEST_PROT, cpuid_queries);
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, t) == 0);
	*(uint32_t *)vm_gpa(&g.vm, QUERY_GPA) = QUERY_END;
	EXPECT_DONE(&g);
	EXPECT(ioctl(g.vcpu.fd, KVM_SET_CPUID2, t) == 0);
	t->entries[2].eax++;
	EXPECT_ERRNO(ioctl(g.vcpu.fd, KVM_SET_CPUID2, t), EINVAL);
	return TEST_PASS;
}

static int msr_list_has(const struct kvm_msr_list *l, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == index)
			return 1;
	return 0;
}

/*
 * KVM_GET_MSR_INDEX_LIST: nmsrs is set to the list's length even when
 * the array is too short (E2BIG); the MSRs every VMM saves are in it,
 * and kvmclock's four (KVM lists its emulated MSRs there too).
 */
static int test_msr_index_list(const char *dev)
{
	static const uint32_t basics[] = {
		MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_STAR,
		MSR_LSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_IA32_TSC,
		MSR_PAT, MSR_MISC_ENABLE,
		0x11, 0x12, 0x4b564d00, 0x4b564d01,	/* kvmclock's */
	};
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 1024 * 4);
	struct vm vm;
	unsigned int i, n;

	EXPECT(l && vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT_ERRNO(ioctl(vm.sys_fd, KVM_GET_MSR_INDEX_LIST, l), E2BIG);
	n = l->nmsrs;
	EXPECT(n >= ARRAY_SIZE(basics) && n < 1024);
	l->nmsrs = 1024;
	EXPECT(ioctl(vm.sys_fd, KVM_GET_MSR_INDEX_LIST, l) == 0);
	EXPECT(l->nmsrs == n);
	for (i = 0; i < ARRAY_SIZE(basics); i++)
		EXPECT(msr_list_has(l, basics[i]));
	return TEST_PASS;
}

static const uint32_t rt_index[] = {
	MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_STAR, MSR_LSTAR, MSR_SFMASK,
	MSR_KERNEL_GS_BASE, MSR_PAT, MSR_MTRR_DEFTYPE, MSR_MTRR_BASE0,
	MSR_MTRR_MASK0, MSR_MISC_ENABLE,
};
static const uint64_t rt_data[] = {
	0x10, 0x12345000, 0x0023001000000000ull, 0xffffffff81000000ull,
	0x47700, 0xffff888000000000ull, 0x0007010600070106ull, 0xc06,
	0x6, 0xfc0000800ull, 0x1801,
};

/* RDMSR each index at QUERY_GPA (until 0) into RESULT_GPA; then WRMSR. */
GUEST_CODE(rdmsrs, ".code64",
	"mov $" TEST_STR(QUERY_GPA) ", %esi\n"
	"mov $" TEST_STR(RESULT_GPA) ", %edi\n"
	"1: mov (%rsi), %ecx\n test %ecx, %ecx\n jz 2f\n"
	"rdmsr\n mov %eax, (%rdi)\n mov %edx, 4(%rdi)\n"
	"add $4, %rsi\n add $8, %rdi\n jmp 1b\n"
	"2: mov $" TEST_STR(MSR_SYSENTER_EIP) ", %ecx\n"
	"mov $0x5555, %eax\n xor %edx, %edx\n wrmsr\n"
	GUEST_DONE);

/*
 * KVM_SET_MSRS then KVM_GET_MSRS give back what was set; the guest's
 * RDMSR sees it, and KVM_GET_MSRS sees the guest's WRMSR.  Both ioctls
 * stop at the first MSR they refuse and return how many they did.
 */
static int test_msrs_roundtrip(const char *dev)
{
	unsigned int i, n = ARRAY_SIZE(rt_index);
	uint32_t bad_index[3] = { MSR_SYSENTER_CS, MSR_NOBODY,
				  MSR_SYSENTER_ESP };
	uint32_t bad_set[3] = { MSR_SYSENTER_CS, MSR_MTRR_DEFTYPE,
				MSR_SYSENTER_ESP };
	uint64_t bad_data[3] = { 1, 2, 3 }, cap_data;
	uint32_t eip = MSR_SYSENTER_EIP, cap = MSR_MTRRcap;
	struct kvm_msrs *big;
	struct msrs m;
	struct guest g;
	uint32_t *q;
	uint64_t *res;

	GUEST(&g, dev, GUEST_LONG, rdmsrs);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, bad_index, NULL, 3) == 1);
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, bad_set, bad_data, 3) == 1);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, bad_set, NULL, 3) == 3);
	EXPECT(m.e[0].data == 1 && m.e[2].data != 3);
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, rt_index, rt_data, n) ==
	       (int)n);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, rt_index, NULL, n) ==
	       (int)n);
	for (i = 0; i < n; i++)
		EXPECT(m.e[i].data == rt_data[i]);
	/* MTRRcap: fixed ranges, eight variable ones; read-only. */
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, &cap, NULL, 1) == 1);
	EXPECT((m.e[0].data & 0x1ff) == 0x108);
	cap_data = m.e[0].data;
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, &cap, &cap_data, 1) == 0);
	big = calloc(1, sizeof(*big) + 256 * sizeof(big->entries[0]));
	EXPECT(big);
	big->nmsrs = 256;
	EXPECT_ERRNO(ioctl(g.vcpu.fd, KVM_GET_MSRS, big), E2BIG);

	q = vm_gpa(&g.vm, QUERY_GPA);
	memcpy(q, rt_index, sizeof(rt_index));
	q[n] = 0;
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	for (i = 0; i < n; i++) {
		if (res[i] != rt_data[i])
			printf("# guest RDMSR %#x: %#llx, wanted %#llx\n",
			       rt_index[i], (unsigned long long)res[i],
			       (unsigned long long)rt_data[i]);
		EXPECT(res[i] == rt_data[i]);
	}
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, &eip, NULL, 1) == 1);
	EXPECT(m.e[0].data == 0x5555);
	return TEST_PASS;
}

#define MSR_HWCR		0xc0010015
#define MSR_UCODE_REV		0x8b
#define MSR_FEAT_CTL		0x3a
#define MSR_CSTAR		0xc0000083
#define MSR_MTRR_FIX64K		0x250
#define MSR_MTRR_FIX16K_80000	0x258
#define MSR_MTRR_FIX16K_A0000	0x259
#define MSR_MTRR_FIX4K_C0000	0x268	/* ... 0x26f, F8000 */
#define MTRR_WB_ALL		0x0606060606060606ull
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MCG_CTL		0x17b
#define MSR_MC0_CTL		0x400	/* bank i: CTL, STATUS, ADDR, MISC */
#define MCG_CTL_P		(1ull << 8)
#define MCG_SER_P		(1ull << 24)
#define QEMU_MCE_BANKS		10

/*
 * Where KVM_CAP_MCE is offered (KVM, not hvx), QEMU first sets up the
 * machine-check capabilities it models: MCG_CTL, recovery, ten banks,
 * less what KVM_X86_GET_MCE_CAP_SUPPORTED lacks.  Without the
 * capability it writes the same MSRs all the same.
 */
static int qemu_setup_mce(struct vcpu *vcpu)
{
	uint64_t cap = MCG_CTL_P | MCG_SER_P | QEMU_MCE_BANKS, supported;

	if (ioctl(vcpu->vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE) <= 0)
		return 0;
	if (ioctl(vcpu->vm->sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported))
		return -1;
	cap &= supported | 0xff;
	return ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap);
}

/*
 * What QEMU 7.2 writes with one KVM_SET_MSRS when it resets a qemu64 vCPU
 * (kvm_put_msrs, full state; the MSRs it found in KVM_GET_MSR_INDEX_LIST,
 * the MTRRs because CPUID.1:EDX.MTRR is set; kvm_init_msrs sets the
 * microcode revision when the vCPU is created), then reads back with
 * KVM_GET_MSRS: every entry is taken, and reads back as written.  The
 * values are a running guest's (SeaBIOS's MTRRs, Linux's SYSCALL MSRs).
 */
static int msr_listed(const char *dev, uint32_t index)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 1024 * 4);
	int fd = open(dev, O_RDWR), r = 0;

	if (l && fd >= 0) {
		l->nmsrs = 1024;
		r = !ioctl(fd, KVM_GET_MSR_INDEX_LIST, l) &&
		    msr_list_has(l, index);
	}
	if (fd >= 0)
		close(fd);
	free(l);
	return r;
}

static int test_msrs_qemu_set(const char *dev)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e[128]; } m;
	uint32_t index[128];
	uint64_t data[128];
	unsigned int i, n = 0;
	struct vm vm;
	struct vcpu vcpu;
	int r;

#define ADD(msr, val)	(index[n] = (msr), data[n++] = (val))
	/*
	 * 32-bit SYSENTER values: KVM on AMD keeps only bits 31:0 unless the
	 * guest's CPUID says Intel (AMD's SYSENTER is for legacy mode).
	 */
	ADD(MSR_SYSENTER_CS, 0x10);
	ADD(MSR_SYSENTER_ESP, 0xfe003000);
	ADD(MSR_SYSENTER_EIP, 0x81a01570);
	ADD(MSR_PAT, 0x0407050600070106ull);
	ADD(MSR_STAR, 0x0023001000000000ull);
	ADD(MSR_MISC_ENABLE, 1);	/* fast strings */
	/* These two only where KVM_GET_MSR_INDEX_LIST names them. */
	if (msr_listed(dev, MSR_FEAT_CTL))
		ADD(MSR_FEAT_CTL, 0);
	if (msr_listed(dev, MSR_HWCR))
		ADD(MSR_HWCR, 0);
	/* kvm_init_msrs: the revision of QEMU's AMD models, at creation. */
	if (msr_listed(dev, MSR_UCODE_REV))
		ADD(MSR_UCODE_REV, 0x01000065);
	ADD(MSR_CSTAR, 0xffffffff81a01700ull);
	ADD(MSR_KERNEL_GS_BASE, 0xffff88800f400000ull);
	ADD(MSR_SFMASK, 0x47700);
	ADD(MSR_LSTAR, 0xffffffff81a00080ull);
	ADD(MSR_IA32_TSC, 0x123456789ull);
	ADD(MSR_MTRR_DEFTYPE, 0xc06);
	ADD(MSR_MTRR_FIX64K, MTRR_WB_ALL);
	ADD(MSR_MTRR_FIX16K_80000, MTRR_WB_ALL);
	ADD(MSR_MTRR_FIX16K_A0000, 0);	/* UC: the VGA window */
	for (i = 0; i < 8; i++)
		ADD(MSR_MTRR_FIX4K_C0000 + i, i < 4 ? 0x0505050505050505ull :
						       MTRR_WB_ALL);
	ADD(MSR_MTRR_BASE0, 0x80000000ull);		/* UC from 2 GiB */
	/*
	 * 2 GiB, valid.  Within 36 address bits: KVM takes a MAXPHYADDR of
	 * 36 before KVM_SET_CPUID2 (no leaf 0x80000008), hvx the host's.
	 */
	ADD(MSR_MTRR_MASK0, 0xf80000800ull);
	for (i = 1; i < 8; i++) {
		ADD(MSR_MTRR_BASE0 + 2 * i, 0x100000ull * i | 6);
		ADD(MSR_MTRR_MASK0 + 2 * i, 0);
	}
	/* Machine check: QEMU's reset values (mce_init), ten banks. */
	ADD(MSR_MCG_STATUS, 0);
	ADD(MSR_MCG_CTL, ~0ull);
	for (i = 0; i < QEMU_MCE_BANKS * 4; i++)
		ADD(MSR_MC0_CTL + i, i % 4 ? 0 : ~0ull);
#undef ADD
	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(qemu_setup_mce(&vcpu) == 0);
	memset(&m, 0, sizeof(m));
	m.h.nmsrs = n;
	for (i = 0; i < n; i++) {
		m.e[i].index = index[i];
		m.e[i].data = data[i];
	}
	r = ioctl(vcpu.fd, KVM_SET_MSRS, &m);
	if (r >= 0 && r < (int)n)
		printf("# KVM_SET_MSRS stopped at MSR %#x = %#llx\n", index[r],
		       (unsigned long long)data[r]);
	EXPECT(r == (int)n);
	for (i = 0; i < n; i++)
		m.e[i].data = 0;
	EXPECT(ioctl(vcpu.fd, KVM_GET_MSRS, &m) == (int)n);
	for (i = 0; i < n; i++) {
		/* The TSC ran on meanwhile. */
		if (index[i] == MSR_IA32_TSC) {
			EXPECT(m.e[i].data >= data[i]);
			continue;
		}
		/*
		 * hvx's HWCR reads TscFreqSel (bit 24) as one whatever was
		 * written (the TSC runs at P0's rate, APM Vol. 2 A.7; Linux
		 * warns otherwise); KVM 6.1 gives back what was written.
		 */
		if (index[i] == MSR_HWCR && test_is_hvx(dev))
			m.e[i].data &= ~(1ull << 24);
		if (m.e[i].data != data[i])
			printf("# MSR %#x: %#llx, wanted %#llx\n", index[i],
			       (unsigned long long)m.e[i].data,
			       (unsigned long long)data[i]);
		EXPECT(m.e[i].data == data[i]);
	}
	return TEST_PASS;
}

/*
 * Values an MSR cannot hold, each refused by KVM_SET_MSRS (0 entries
 * processed) with the MSR unchanged: a reserved PAT or MTRR memory type
 * (2, 3; above 7 for PAT, SDM 12.12.2; 7 for MTRRs, SDM 12.11.2), the
 * reserved bits of MTRRdefType (63:12, 9:8), of a variable range's base
 * (11:8, MAXPHYADDR and up) and mask (10:0), a non-canonical LSTAR or
 * KERNEL_GS_BASE, a write to the read-only IA32_MCG_CAP, an MCG_CTL or
 * MCi_CTL other than 0 or all ones (SDM 16.3.1.3, 16.3.2.1); and in one array with a bad entry in the middle, the
 * entries before it are done, the ones after it are not.
 */
static int test_msr_reserved_bits(const char *dev)
{
	static const struct { uint32_t index; uint64_t data; } bad[] = {
		{ MSR_PAT, 0x0007040600070206ull },
		{ MSR_PAT, 0x0007040600070806ull },
		{ MSR_MTRR_DEFTYPE, 0x1c06 },
		{ MSR_MTRR_DEFTYPE, 0xd06 },
		{ MSR_MTRR_DEFTYPE, 0xc02 },
		{ MSR_MTRR_FIX64K, 0x0606060603060606ull },
		{ MSR_MTRR_FIX4K_C0000, 0x0706060606060606ull },
		{ MSR_MTRR_BASE0, 0x80000106ull },
		{ MSR_MTRR_BASE0, 0x80000007ull },
		{ MSR_MTRR_BASE0, 1ull << 63 | 6 },
		{ MSR_MTRR_MASK0, 0xff80000801ull },
		{ MSR_MTRR_MASK0, 1ull << 63 | 0x800 },
		{ MSR_LSTAR, 0x0000800000000000ull },
		{ MSR_KERNEL_GS_BASE, 0x8000000000000000ull },
		{ MSR_MCG_CAP, 0 },
		{ MSR_MCG_CTL, 0x1234 },
		{ MSR_MC0_CTL, 0xff },
	};
	uint32_t mid[3] = { MSR_SYSENTER_CS, MSR_PAT, MSR_STAR };
	uint64_t mid_data[3] = { 0x33, 0x0007040600070203ull, 0x1234 };
	uint64_t pat;
	unsigned int i;
	struct msrs m;
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t before, after;

		EXPECT(msrs_io(&vcpu, KVM_GET_MSRS, &m, &bad[i].index, NULL,
			       1) == 1);
		before = m.e[0].data;
		if (msrs_io(&vcpu, KVM_SET_MSRS, &m, &bad[i].index,
			    &bad[i].data, 1) != 0)
			printf("# MSR %#x took %#llx\n", bad[i].index,
			       (unsigned long long)bad[i].data);
		EXPECT(msrs_io(&vcpu, KVM_SET_MSRS, &m, &bad[i].index,
			       &bad[i].data, 1) == 0);
		EXPECT(msrs_io(&vcpu, KVM_GET_MSRS, &m, &bad[i].index, NULL,
			       1) == 1);
		after = m.e[0].data;
		EXPECT(before == after);
	}
	EXPECT(msrs_io(&vcpu, KVM_GET_MSRS, &m, &mid[1], NULL, 1) == 1);
	pat = m.e[0].data;
	EXPECT(msrs_io(&vcpu, KVM_SET_MSRS, &m, mid, mid_data, 3) == 1);
	EXPECT(msrs_io(&vcpu, KVM_GET_MSRS, &m, mid, NULL, 3) == 3);
	EXPECT(m.e[0].data == 0x33 && m.e[1].data == pat &&
	       m.e[2].data != 0x1234);
	return TEST_PASS;
}

/*
 * The guest's WRMSR of the same kind of values: #GP each time (the
 * handler counts and skips the WRMSR), and the MSR keeps its value.
 * The last is a non-zero MC0_STATUS, which only an AMD guest that set
 * HWCR.McStatusWrEn may write.  Not LSTAR: KVM on AMD lets the guest
 * write it without an exit, and QEMU's emulated CPU (the test machine)
 * takes any value there.
 */
GUEST_CODE(msr_resv, ".code64",
	"mov $" TEST_STR(MSR_PAT) ", %ecx\n mov $0x00070206, %eax\n"
	"mov $0x00070406, %edx\n wrmsr\n"
	"mov $" TEST_STR(MSR_MTRR_DEFTYPE) ", %ecx\n mov $0x1c06, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"mov $" TEST_STR(MSR_MTRR_BASE0) ", %ecx\n mov $0x80000106, %eax\n"
	"wrmsr\n"
	"mov $" TEST_STR(MSR_MTRR_MASK0) ", %ecx\n mov $0x80000801, %eax\n"
	"wrmsr\n"
	"mov $" TEST_STR(MSR_MTRR_FIX64K) ", %ecx\n mov $0x06060602, %eax\n"
	"wrmsr\n"
	"mov $" TEST_STR(MSR_MC0_CTL) " + 1, %ecx\n mov $1, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"mov $" TEST_STR(MSR_PAT) ", %ecx\n rdmsr\n"
	"cmp $0x00070406, %eax\n"
	GUEST_ASSERT("je")
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"msr_resv_handler:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(msr_resv_handler);

static int test_msr_reserved_gp(const char *dev)
{
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, msr_resv);
	EXPECT(guest_set_handler(&g, 13, msr_resv_handler) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 6);
	EXPECT_DONE(&g);
	return TEST_PASS;
}

/*
 * #GP for an MSR nobody models and for a value an MSR does not take
 * (MTRR type 2, a write to the read-only MTRRcap); the handler counts
 * them and the guest reports the count with an OUT.  hvx counts each in
 * HVX_STAT_MSR_GP.
 */
GUEST_CODE(msr_gp, ".code64",
	"mov $" TEST_STR(MSR_NOBODY) ", %ecx\n rdmsr\n wrmsr\n"
	"mov $" TEST_STR(MSR_MTRR_DEFTYPE) ", %ecx\n mov $2, %eax\n"
	"xor %edx, %edx\n wrmsr\n"
	"mov $" TEST_STR(MSR_MTRRcap) ", %ecx\n rdmsr\n wrmsr\n"
	"mov $" TEST_STR(MSR_PAT) ", %ecx\n rdmsr\n"
	"mov (0x3000), %eax\n out %eax, $0x10\n"
	GUEST_DONE
	"msr_gp_handler:\n"
	"incl (0x3000)\n add $8, %rsp\n addq $2, (%rsp)\n iretq\n");
GUEST_LABEL(msr_gp_handler);

static int test_msr_gp(const char *dev)
{
	struct hvx_vcpu_stats st;
	struct guest g;

	GUEST(&g, dev, GUEST_LONG, msr_gp);
	EXPECT(guest_set_handler(&g, 13, msr_gp_handler) == 0);
	EXPECT(guest_expect_io(&g, KVM_EXIT_IO_OUT, 0x10, 4));
	EXPECT(*(uint32_t *)guest_port_data(&g) == 4);
	EXPECT_DONE(&g);
	if (!test_is_hvx(dev))
		return TEST_PASS;
	EXPECT(ioctl(g.vcpu.fd, HVX_GET_VCPU_STATS, &st) == 0);
	EXPECT(st.exits[HVX_STAT_MSR_GP] == 4);
	return TEST_PASS;
}

/*
 * RDTSC twice per pass, 100 passes: never backwards.  Then WRMSR
 * IA32_TSC = 1 << 32 and RDTSC: at least that, and not far above.
 */
GUEST_CODE(tsc, ".code64",
	"rdtsc\n shl $32, %rdx\n or %rax, %rdx\n mov %rdx, (0x4000)\n"
	"mov $100, %ecx\n mov %rdx, %rsi\n"
	"1: rdtsc\n shl $32, %rdx\n or %rax, %rdx\n"
	"cmp %rsi, %rdx\n"
	GUEST_ASSERT("jae")
	"mov %rdx, %rsi\n dec %ecx\n jnz 1b\n"
	"mov %rsi, (0x4008)\n"
	"mov $" TEST_STR(MSR_IA32_TSC) ", %ecx\n xor %eax, %eax\n"
	"mov $1, %edx\n wrmsr\n"
	"rdtsc\n shl $32, %rdx\n or %rax, %rdx\n mov %rdx, (0x4010)\n"
	GUEST_DONE);

/* Keep to one host CPU: the emulated host's TSCs need not agree. */
static void pin_to_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The guest's TSC starts near 0 when the vCPU is created, runs at the
 * host's rate and never backwards; KVM_SET_MSRS and the guest's WRMSR
 * move it.  "Near": under 2^36 cycles (about 20 s at 3 GHz).
 */
static int test_tsc(const char *dev)
{
	const uint64_t near = 1ull << 36, start = 1ull << 40;
	uint32_t tsc = MSR_IA32_TSC;
	uint64_t *res;
	struct msrs m;
	struct guest g;

	pin_to_this_cpu();
	GUEST(&g, dev, GUEST_LONG, tsc);
	EXPECT(ioctl(g.vcpu.fd, KVM_GET_TSC_KHZ) > 0);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, &tsc, NULL, 1) == 1);
	EXPECT(m.e[0].data < near);
	EXPECT(msrs_io(&g.vcpu, KVM_SET_MSRS, &m, &tsc, &start, 1) == 1);
	EXPECT_DONE(&g);
	res = vm_gpa(&g.vm, RESULT_GPA);
	printf("# guest TSC %#llx .. %#llx, after WRMSR %#llx\n",
	       (unsigned long long)res[0], (unsigned long long)res[1],
	       (unsigned long long)res[2]);
	EXPECT(res[0] >= start && res[0] < start + near);
	EXPECT(res[1] >= res[0] && res[1] < start + near);
	EXPECT(res[2] >= (1ull << 32) && res[2] < (1ull << 32) + near);
	EXPECT(msrs_io(&g.vcpu, KVM_GET_MSRS, &m, &tsc, NULL, 1) == 1);
	EXPECT(m.e[0].data >= res[2] && m.e[0].data < (1ull << 32) + near);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "cpu_caps", cpu_caps },
	{ "supported_cpuid", test_supported_cpuid },
	{ "cpuid2_roundtrip", test_cpuid2_roundtrip },
	{ "cpuid_from_table", test_cpuid_from_table },
	{ "cpuid_apic_bit", test_cpuid_apic_bit },
	{ "cpuid2_after_run", test_cpuid2_after_run },
	{ "msr_index_list", test_msr_index_list },
	{ "msrs_roundtrip", test_msrs_roundtrip },
	{ "msr_gp", test_msr_gp },
	{ "msrs_qemu_set", test_msrs_qemu_set },
	{ "msr_reserved_bits", test_msr_reserved_bits },
	{ "msr_reserved_gp", test_msr_reserved_gp },
	{ "tsc", test_tsc },
};

TEST_MAIN(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * isolation_test: a guest reaches its own memory slots and nothing else.
 * Every access outside them, whatever lies there in the host (its RAM,
 * another VM's memory, a slot that moved or was deleted, the vCPU's run
 * page, hvx's own stage-2 tables), is an MMIO exit to user space
 * (api.rst, KVM_EXIT_MMIO): a load gets what user space answers and a
 * store reaches only user space.
 *
 * The guest walks a table of addresses at TABLE_GPA (zero-terminated;
 * 32-bit entries on x86, whose guest runs in flat protected mode, 64-bit
 * on arm64): for each it loads the 32-bit word there, adds one and
 * stores it back, then reports a SYNC ucall and starts over, so that the
 * process can change the table and the slots between walks.  A load the
 * process answers with V is then stored as V + 1: the guest saw V, not
 * what the host keeps at that address.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../lib/test.h"

#define TABLE_GPA	0x3000
#define SLOT1_GPA	0x400000ull
#define SLOT1_MOVED	0x800000ull
#define SLOT1_SIZE	0x10000ull
#define ANSWER		0x5a5a0000u	/* what the process answers, + n */
#define MARKER		0x484f5354u	/* "HOST": what the host keeps */
#define HVX_DEBUGFS	"/sys/kernel/debug/hvx"

GUEST_CODE_X86(walk, GUEST_PROT, ".code32",
	"1: mov $" TEST_STR(TABLE_GPA) ", %esi\n"
	"2: mov (%esi), %ebx\n test %ebx, %ebx\n jz 3f\n"
	"mov (%ebx), %eax\n inc %eax\n mov %eax, (%ebx)\n"
	"add $4, %esi\n jmp 2b\n"
	"3:" GUEST_SYNC(0) "jmp 1b\n");
GUEST_CODE_ARM64(walk, GUEST_EL1_MMU,
	"1: ldr x5, =" TEST_STR(TABLE_GPA) "\n"
	"2: ldr x1, [x5], #8\n cbz x1, 3f\n"
	"ldr w2, [x1]\n add w2, w2, #1\n str w2, [x1]\n b 2b\n"
	"3:" GUEST_SYNC(0) "b 1b\n");

#if defined(__x86_64__)
typedef uint32_t table_entry;
#define GUEST_ADDR_LIMIT	(1ull << 32)	/* flat protected mode */
#else
typedef uint64_t table_entry;
#define GUEST_ADDR_LIMIT	(1ull << 32)	/* GUEST_EL1_MMU's map */
#endif

/* The guest's next walk covers @addrs (at most 16). */
static void set_table(struct guest *g, const uint64_t *addrs, int n)
{
	table_entry *t = vm_gpa(&g->vm, TABLE_GPA);
	int i;

	for (i = 0; i < n; i++)
		t[i] = addrs[i];
	t[n] = 0;
}

/* The walk's access to @gpa, outside every slot: two MMIO exits. */
static int expect_outside(struct guest *g, uint64_t gpa, uint32_t answer)
{
	if (!guest_expect_mmio(g, gpa, 0, 4, answer) ||
	    !guest_expect_mmio(g, gpa, 1, 4, answer + 1)) {
		printf("# the access to %#llx\n", (unsigned long long)gpa);
		return 0;
	}
	return 1;
}

#define EXPECT_OUTSIDE(g, gpa, n) EXPECT(expect_outside(g, gpa, ANSWER + (n)))

static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa,
		    uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static uint32_t *anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Past slot 0, below and past slot 1, where the host's RAM starts on
 * arm64 (1 GiB on QEMU's virt), the top of the 32-bit space; slot 1 itself
 * is memory (and proves the walk reaches memory when it may).
 */
static int test_outside_slots(const char *dev)
{
	const uint64_t addrs[] = {
		GUEST_MIN_MEM, SLOT1_GPA - 4, SLOT1_GPA, SLOT1_GPA + SLOT1_SIZE,
		0x40000000, 0xfffffffc,
	};
	uint32_t *mem = anon(SLOT1_SIZE);
	struct guest g;
	unsigned int i;

	EXPECT(mem);
	mem[0] = 41;
	GUEST_START(&g, dev, walk);
	EXPECT(set_slot(&g.vm, 1, SLOT1_GPA, SLOT1_SIZE, mem) == 0);
	set_table(&g, addrs, ARRAY_SIZE(addrs));
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		if (addrs[i] != SLOT1_GPA)
			EXPECT_OUTSIDE(&g, addrs[i], i);
	EXPECT_UCALL(&g, UCALL_SYNC, 0);
	EXPECT(mem[0] == 42);
	guest_destroy(&g);
	return TEST_PASS;
}

/*
 * VM B has memory at SLOT1_GPA, mapped by its guest's walk; VM A has
 * none there, and its walk there exits: B's memory is B's.
 */
static int test_other_vm(const char *dev)
{
	const uint64_t addrs[] = { SLOT1_GPA, SLOT1_GPA + 0x1000 };
	uint32_t *mem = anon(SLOT1_SIZE);
	struct guest a, b;

	EXPECT(mem);
	mem[0] = MARKER;
	mem[0x1000 / 4] = MARKER;
	GUEST_START(&b, dev, walk);
	EXPECT(set_slot(&b.vm, 1, SLOT1_GPA, SLOT1_SIZE, mem) == 0);
	set_table(&b, addrs, ARRAY_SIZE(addrs));
	EXPECT_UCALL(&b, UCALL_SYNC, 0);
	EXPECT(mem[0] == MARKER + 1 && mem[0x1000 / 4] == MARKER + 1);

	GUEST_START(&a, dev, walk);
	set_table(&a, addrs, ARRAY_SIZE(addrs));
	EXPECT_OUTSIDE(&a, SLOT1_GPA, 0);
	EXPECT_OUTSIDE(&a, SLOT1_GPA + 0x1000, 1);
	EXPECT_UCALL(&a, UCALL_SYNC, 0);
	EXPECT(mem[0] == MARKER + 1 && mem[0x1000 / 4] == MARKER + 1);
	/* B still sees its own memory, A's stores went to user space. */
	EXPECT_UCALL(&b, UCALL_SYNC, 0);
	EXPECT(mem[0] == MARKER + 2);
	guest_destroy(&a);
	guest_destroy(&b);
	return TEST_PASS;
}

/*
 * A slot the guest has used (so mapped in its stage 2) moves: its old
 * place exits, its new place is the same memory; deleted, both exit and
 * the memory keeps what the process wrote there afterwards.
 */
static int test_moved_slot(const char *dev)
{
	const uint64_t before[] = { SLOT1_GPA };
	const uint64_t moved[] = { SLOT1_GPA, SLOT1_MOVED };
	const uint64_t deleted[] = { SLOT1_MOVED, SLOT1_GPA };
	uint32_t *mem = anon(SLOT1_SIZE);
	struct guest g;

	EXPECT(mem);
	mem[0] = 7;
	GUEST_START(&g, dev, walk);
	EXPECT(set_slot(&g.vm, 1, SLOT1_GPA, SLOT1_SIZE, mem) == 0);
	set_table(&g, before, ARRAY_SIZE(before));
	EXPECT_UCALL(&g, UCALL_SYNC, 0);
	EXPECT(mem[0] == 8);

	EXPECT(set_slot(&g.vm, 1, SLOT1_MOVED, SLOT1_SIZE, mem) == 0);
	set_table(&g, moved, ARRAY_SIZE(moved));
	EXPECT_OUTSIDE(&g, SLOT1_GPA, 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 0);
	EXPECT(mem[0] == 9);

	EXPECT(set_slot(&g.vm, 1, SLOT1_MOVED, 0, mem) == 0);
	mem[0] = MARKER;
	set_table(&g, deleted, ARRAY_SIZE(deleted));
	EXPECT_OUTSIDE(&g, SLOT1_MOVED, 1);
	EXPECT_OUTSIDE(&g, SLOT1_GPA, 2);
	EXPECT_UCALL(&g, UCALL_SYNC, 0);
	EXPECT(mem[0] == MARKER);
	guest_destroy(&g);
	return TEST_PASS;
}

/* The physical address of the page at @va (root only), 0 if unknown. */
static uint64_t phys_addr(const void *va)
{
	uint64_t e = 0, page = (uintptr_t)va / 4096;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), page * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ull << 63)))	/* not present */
		return 0;
	return (e & ((1ull << 55) - 1)) * 4096;
}

/*
 * hvx's stage-2 root of this process's newest VM, from its vCPU 0's
 * debugfs file (module/debugfs.c): SVM's nested_cr3, VMX's EPT_POINTER,
 * EL2's VTTBR_EL2 (Arm ARM D17.2.173: BADDR in bits 47:1); 0 if none.
 */
static uint64_t hvx_table_root(void)
{
	static const char *const names[] = {
		"nested_cr3", "EPT_POINTER", "VTTBR_EL2",
	};
	char path[300], line[256];
	int best = -1, n, pid;
	uint64_t root = 0;
	struct dirent *e;
	unsigned int i;
	FILE *f;
	DIR *d;

	if (access(HVX_DEBUGFS, F_OK))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	d = opendir(HVX_DEBUGFS);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "%d-%d", &pid, &n) == 2 &&
		    pid == getpid() && n > best)
			best = n;
	closedir(d);
	snprintf(path, sizeof(path), HVX_DEBUGFS "/%d-%d/vcpu0", getpid(),
		 best);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!root && fgets(line, sizeof(line), f))
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strstr(line, names[i]))
				root = strtoull(strrchr(line, ' ') + 1, NULL,
						0);
	fclose(f);
	return root & 0x0000fffffffff000ull;
}

/*
 * The host's own pages as guest-physical addresses: the vCPU's run page,
 * a page of the process outside every slot holding MARKER, and on hvx
 * the stage-2 root table.  An address inside slot 0 or beyond what the
 * guest's mode reaches is left out, saying so.
 */
static int test_host_pages(const char *dev)
{
	uint32_t *host = anon(4096);
	uint64_t addrs[3];
	const char *what[3];
	struct guest g;
	int i, n = 0;

	EXPECT(host);
	host[0] = MARKER;
	GUEST_START(&g, dev, walk);
	set_table(&g, addrs, 0);
	EXPECT_UCALL(&g, UCALL_SYNC, 0);	/* tables made, run page in */
	addrs[n] = phys_addr(g.vcpu.run);
	what[n++] = "the run page";
	addrs[n] = phys_addr(host);
	what[n++] = "a page of the process";
	addrs[n] = test_is_hvx(dev) ? hvx_table_root() : 0;
	what[n++] = "hvx's stage-2 root";
	for (i = 0; i < n; i++) {
		printf("# %s: %#llx\n", what[i], (unsigned long long)addrs[i]);
		if (addrs[i] && addrs[i] >= g.vm.mem_size &&
		    addrs[i] < GUEST_ADDR_LIMIT)
			continue;
		printf("#   left out: %s\n", !addrs[i] ? "not known" :
		       addrs[i] < g.vm.mem_size ? "inside slot 0" :
		       "beyond the guest's reach");
		memmove(&addrs[i], &addrs[i + 1], (n - i - 1) * sizeof(*addrs));
		memmove(&what[i], &what[i + 1], (n - i - 1) * sizeof(*what));
		n--;
		i--;
	}
	if (!n) {
		guest_destroy(&g);
		return test_skip("no host page's physical address known and within the guest's reach");
	}
	set_table(&g, addrs, n);
	for (i = 0; i < n; i++)
		EXPECT_OUTSIDE(&g, addrs[i], i);
	EXPECT_UCALL(&g, UCALL_SYNC, 0);
	EXPECT(host[0] == MARKER);
	guest_destroy(&g);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "isolation_outside_slots", test_outside_slots },
	{ "isolation_other_vm", test_other_vm },
	{ "isolation_moved_slot", test_moved_slot },
	{ "isolation_host_pages", test_host_pages },
};

TEST_MAIN_SHARED(cases)

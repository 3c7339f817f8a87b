// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux/x86 boot protocol, 64-bit entry (Documentation/arch/x86/
 * boot.rst, "64-bit Boot Protocol"; the zero page is zero-page.rst):
 *
 *   - the bzImage starts with the real-mode setup, (setup_sects + 1)
 *     sectors of 512 bytes; the protected-mode kernel follows and is
 *     loaded at its pref_address (or 1 MiB), with init_size bytes of RAM
 *     free from there for it to decompress into;
 *   - the setup header (offset 0x1f1 up to 0x202 + the byte at 0x201) is
 *     copied into a zeroed struct boot_params, the "zero page", and the
 *     loader fills in its fields: loader type, command line, initrd, the
 *     e820 memory map;
 *   - the kernel is entered at its load address + 0x200 in 64-bit mode,
 *     with paging on and the kernel, zero page and command line identity
 *     mapped, a GDT with a flat code segment at __BOOT_CS (0x10) and a
 *     flat data segment at __BOOT_DS (0x18) loaded into CS and DS/ES/SS,
 *     interrupts off and RSI pointing at the zero page.
 *
 * Guest-physical layout (RAM from 0, no BIOS):
 *   0x1000   GDT          0x7000   zero page     0x9000   PML4
 *   0xa000   PDPT         0xb000-0xefff  4 page directories (4 GiB, 2 MiB
 *   pages)                0x20000  command line
 *   kernel at pref_address (16 MiB for Debian's), the initrd at the top of
 *   RAM below initrd_addr_max.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "hvx.h"
#include "linux.h"

#define BOOT_GDT_GPA		0x1000
#define BOOT_ZERO_PAGE_GPA	0x7000
#define BOOT_STACK_TOP		0x8ff0
#define BOOT_PML4_GPA		0x9000
#define BOOT_CMDLINE_GPA	0x20000
#define BOOT_CMDLINE_MAX	0x10000
#define BOOT_CS			0x10
#define BOOT_DS			0x18

/* Setup header fields, offsets into the bzImage and the zero page. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_END		0x201
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
/* Zero page fields outside the setup header. */
#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_E820_ENTRIES		0x1e8
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_MAX		128

#define BOOT_MAGIC		0x53726448	/* "HdrS" */
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff
#define VID_MODE_NORMAL		0xffff
#define E820_RAM		1
#define MIN_PROTOCOL		0x20c		/* xloadflags, 64-bit entry */
#define MAX_KERNEL_FILE		(256u << 20)

#define X86_CR0_PE		(1u << 0)
#define X86_CR0_ET		(1u << 4)
#define X86_CR0_NE		(1u << 5)
#define X86_CR0_PG		(1u << 31)
#define X86_CR4_PAE		(1u << 5)
#define X86_CR4_OSXSAVE		(1u << 18)
#define EFER_LME		(1u << 8)
#define EFER_LMA		(1u << 10)

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_DEFAULT	0xfee00000	/* SDM Vol. 3A 11.4.4 */
#define APICBASE_BSP		(1u << 8)
#define APICBASE_ENABLE		(1u << 11)
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MISC_ENABLE_FAST_STRING	(1u << 0)
#define TSC_KHZ_ARG		"tsc_early_khz="

/* CPUID.1:EDX.APIC[bit 9], CPUID.1:ECX.x2APIC[bit 21], TSC-deadline[24]. */
#define CPUID1_EDX_APIC		(1u << 9)
#define CPUID1_ECX_X2APIC	(1u << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1u << 24)
/* CPUID.80000001h:ECX.ExtApicSpace[bit 3] (AMD APM vol. 3, E.4.2). */
#define CPUID81_ECX_EXTAPIC	(1u << 3)

/*
 * KVM's paravirtual CPUID leaves (Documentation/virt/kvm/x86/cpuid.rst):
 * the signature "KVMKVMKVM\0\0\0" in 0x40000000, the features in
 * 0x40000001:EAX.  Of the features, only kvmclock: KVM_FEATURE_CLOCKSOURCE
 * [0], _CLOCKSOURCE2 [3] and _CLOCKSOURCE_STABLE_BIT [24].
 */
#define KVM_CPUID_SIGNATURE	0x40000000
#define KVM_CPUID_FEATURES	0x40000001
#define KVM_FEATURES_CLOCK	((1u << 0) | (1u << 3) | (1u << 24))
/*
 * CPUID.1:ECX[31], which both vendors leave to hypervisors: Linux looks at
 * 0x40000000 only when it is set.  hvx's supported table has it, KVM's
 * does not (QEMU sets it itself).
 */
#define CPUID1_ECX_HYPERVISOR	(1u << 31)

/*
 * What needs XSAVE-managed state (SDM vol. 1, 13.1 and 14.3; AMD APM
 * vol. 3, appendix E): CPUID.1:ECX FMA[12], XSAVE[26], OSXSAVE[27],
 * AVX[28], F16C[29]; CPUID.(7,0):EBX AVX2[5] and AVX-512 F, DQ, IFMA, PF,
 * ER, CD, BW, VL[16,17,21,26,27,28,30,31]; CPUID.(7,0):ECX AVX512_VBMI[1],
 * PKU[3], OSPKE[4], AVX512_VBMI2[6], VAES[9], VPCLMULQDQ[10],
 * AVX512_VNNI[11], AVX512_BITALG[12], AVX512_VPOPCNTDQ[14];
 * CPUID.(7,0):EDX AVX512_4VNNIW[2], AVX512_4FMAPS[3],
 * AVX512_VP2INTERSECT[8], AMX-BF16[22], AVX512_FP16[23], AMX-TILE[24],
 * AMX-INT8[25]; CPUID.(7,1):EAX AVX-VNNI[4], AVX512_BF16[5];
 * CPUID.80000001h:ECX XOP[11], FMA4[16].
 */
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_XSAVE_ALL	((1u << 12) | (0xfu << 26))
#define CPUID7_EBX_XSAVE_ALL	((1u << 5) | (3u << 16) | (1u << 21) | \
				 (7u << 26) | (3u << 30))
#define CPUID7_ECX_XSAVE_ALL	((1u << 1) | (3u << 3) | (1u << 6) | \
				 (0xfu << 9) | (1u << 14))
#define CPUID7_EDX_XSAVE_ALL	((3u << 2) | (1u << 8) | (0xfu << 22))
#define CPUID7_1_EAX_XSAVE_ALL	(3u << 4)
#define CPUID81_ECX_XSAVE_ALL	((1u << 11) | (1u << 16))

/* XCR0 bits 0 and 1: x87 and SSE state (SDM vol. 1, 13.3). */
#define XCR0_X87_SSE		3u
#define XSETBV_PROBE_PORT	0x10

struct file_buf {
	uint8_t *data;
	size_t size;
};

static uint16_t get16(const uint8_t *p, unsigned int off)
{
	return p[off] | p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	return get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	return get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	p[off] = v;
	p[off + 1] = v >> 8;
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	put16(p, off, v);
	put16(p, off + 2, v >> 16);
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	put32(p, off, v);
	put32(p, off + 4, v >> 32);
}

static int read_file(const char *what, const char *path, struct file_buf *f)
{
	struct stat st;
	ssize_t n;
	int fd;

	f->data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "hvx run: cannot open %s '%s': %s\n", what,
			path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_KERNEL_FILE) {
		fprintf(stderr, "hvx run: %s '%s' is not a regular file of at most 256 MiB\n",
			what, path);
		goto fail;
	}
	f->size = st.st_size;
	f->data = malloc(f->size ? f->size : 1);
	n = f->data ? read(fd, f->data, f->size) : -1;
	if (n != (ssize_t)f->size) {
		fprintf(stderr, "hvx run: cannot read %s '%s'\n", what, path);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	free(f->data);
	f->data = NULL;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* A bzImage this loader can start at its 64-bit entry, or -1. */
static int check_bzimage(const char *path, const struct file_buf *k)
{
	const uint8_t *d = k->data;
	const char *why = NULL;

	if (k->size < 0x270 || get16(d, HDR_BOOT_FLAG) != 0xaa55 ||
	    get32(d, HDR_MAGIC) != BOOT_MAGIC)
		why = "not a bzImage (no boot flag or \"HdrS\" setup header)";
	else if (get16(d, HDR_VERSION) < MIN_PROTOCOL)
		why = "boot protocol older than 2.12 (no 64-bit entry)";
	else if (!(get16(d, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		why = "no 64-bit entry point (XLF_KERNEL_64 clear)";
	else if ((d[HDR_SETUP_SECTS] + 1u) * 512 >= k->size)
		why = "shorter than its own setup code";
	if (!why)
		return 0;
	fprintf(stderr, "hvx run: kernel '%s': %s\n", path, why);
	return -1;
}

static void write_gdt(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, BOOT_GDT_GPA);

	memset(gdt, 0, 0x1000);
	gdt[BOOT_CS / 8] = 0x00af9b000000ffffull;	/* code, L=1 */
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffull;	/* data, 4 GiB */
}

/* Identity map of the first 4 GiB with 2 MiB pages. */
static void write_page_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, BOOT_PML4_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;
	int i;

	memset(pml4, 0, 6 * 0x1000);
	pml4[0] = (BOOT_PML4_GPA + 0x1000) | 0x3;		/* P, RW */
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PML4_GPA + 0x2000 + i * 0x1000) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;		/* P, RW, PS */
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	unsigned int n = zp[ZP_E820_ENTRIES], off = ZP_E820_TABLE + n * 20;

	if (n >= ZP_E820_MAX)
		return;
	put64(zp, off, addr);
	put64(zp, off + 8, size);
	put32(zp, off + 16, type);
	zp[ZP_E820_ENTRIES] = n + 1;
}

/*
 * Conventional memory up to the EBDA/VGA hole at 640 KiB, then RAM from
 * 1 MiB.  The hole is not RAM to the guest but is backed by the same
 * memory slot, so a probe of the VGA window or the BIOS area reads zeros.
 */
static void write_e820(struct vm *vm, uint8_t *zp)
{
	e820_add(zp, 0, 0x9fc00, E820_RAM);
	e820_add(zp, 0x100000, vm->mem_size - 0x100000, E820_RAM);
}

/* The kernel's placement: pref_address if RAM holds init_size there. */
static int place_kernel(struct vm *vm, const uint8_t *hdr, size_t pm_size,
			struct linux_layout *l)
{
	uint64_t size = get32(hdr, HDR_INIT_SIZE);

	if (size < pm_size)
		size = pm_size;
	l->kernel = get64(hdr, HDR_PREF_ADDRESS);
	if (l->kernel < 0x100000 || l->kernel + size > vm->mem_size)
		l->kernel = 0x100000;
	l->kernel_end = l->kernel + size;
	if (l->kernel_end > vm->mem_size) {
		fprintf(stderr, "hvx run: the kernel needs %llu MiB from %#llx to decompress into; --mem %llu MiB is too small\n",
			(unsigned long long)size >> 20,
			(unsigned long long)l->kernel,
			(unsigned long long)vm->mem_size >> 20);
		return -1;
	}
	l->entry = l->kernel + 0x200;
	return 0;
}

/* The initrd at the top of RAM, page aligned, below initrd_addr_max. */
static int place_initrd(struct vm *vm, const uint8_t *hdr,
			const struct file_buf *rd, struct linux_layout *l)
{
	uint64_t top = (uint64_t)get32(hdr, HDR_INITRD_ADDR_MAX) + 1;

	if (top > vm->mem_size)
		top = vm->mem_size;
	l->initrd_size = rd->size;
	if (rd->size > top || ((top - rd->size) & ~0xfffull) < l->kernel_end) {
		fprintf(stderr, "hvx run: the initrd (%zu KiB) does not fit between the kernel (up to %#llx) and %#llx; see --mem\n",
			rd->size >> 10, (unsigned long long)l->kernel_end,
			(unsigned long long)top);
		return -1;
	}
	l->initrd = (top - rd->size) & ~0xfffull;
	memcpy(vm_gpa(vm, l->initrd), rd->data, rd->size);
	return 0;
}

static uint64_t tsc_now_ns(uint64_t *tsc)
{
	struct timespec t;
	uint32_t lo, hi;

	clock_gettime(CLOCK_MONOTONIC, &t);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	*tsc = (uint64_t)hi << 32 | lo;
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/*
 * The TSC's rate in kHz, measured against CLOCK_MONOTONIC over 20 ms.
 * The guest's TSC runs at the host's rate (offset, not scaled).
 */
static unsigned long tsc_khz(void)
{
	struct timespec d = { 0, 20000000 };
	uint64_t tsc0, tsc1, t0, t1;

	t0 = tsc_now_ns(&tsc0);
	nanosleep(&d, NULL);
	t1 = tsc_now_ns(&tsc1);
	if (t1 <= t0 || tsc1 <= tsc0)
		return 0;
	return (tsc1 - tsc0) * 1000000 / (t1 - t0);
}

/*
 * Linux calibrates the TSC against the PIT by counting how many times it
 * can read port 0x61 while channel 2 counts 10 ms down, and gives up
 * when each read takes more than some microseconds: true of every exit
 * to user space under software emulation.  So, unless the command line
 * says otherwise, tell it the rate (tsc_early_khz=, kernel-parameters).
 */
static int write_cmdline(struct vm *vm, const uint8_t *hdr, const char *cmd)
{
	size_t len, max = get32(hdr, HDR_CMDLINE_SIZE);
	char *dst = vm_gpa(vm, BOOT_CMDLINE_GPA);
	unsigned long khz = 0;

	if (max >= BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX - 1;
	if (!strstr(cmd, TSC_KHZ_ARG))
		khz = tsc_khz();
	if (khz)
		len = snprintf(dst, BOOT_CMDLINE_MAX, "%s%s" TSC_KHZ_ARG "%lu",
			       cmd, *cmd ? " " : "", khz);
	else
		len = snprintf(dst, BOOT_CMDLINE_MAX, "%s", cmd);
	if (len > max) {
		fprintf(stderr, "hvx run: the command line has %zu bytes; this kernel takes %zu\n",
			len, max);
		return -1;
	}
	return 0;
}

static void write_zero_page(struct vm *vm, const uint8_t *k,
			    const struct linux_layout *l)
{
	uint8_t *zp = vm_gpa(vm, BOOT_ZERO_PAGE_GPA);
	unsigned int end = 0x202 + k[HDR_JUMP_END];

	memset(zp, 0, 0x1000);
	if (end > 0x1000)
		end = 0x1000;
	memcpy(zp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS,
	       end - HDR_SETUP_SECTS);
	put16(zp, HDR_VID_MODE, VID_MODE_NORMAL);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CODE32_START, l->kernel);
	put32(zp, HDR_CMD_LINE_PTR, BOOT_CMDLINE_GPA);
	put32(zp, ZP_EXT_CMD_LINE_PTR, 0);
	put32(zp, HDR_RAMDISK_IMAGE, l->initrd);
	put32(zp, HDR_RAMDISK_SIZE, l->initrd_size);
	put32(zp, ZP_EXT_RAMDISK_IMAGE, l->initrd >> 32);
	put32(zp, ZP_EXT_RAMDISK_SIZE, l->initrd_size >> 32);
	write_e820(vm, zp);
}

int linux_load(struct vm *vm, const struct linux_opts *o,
	       struct linux_layout *l)
{
	struct file_buf k, rd = { NULL, 0 };
	size_t pm_off;
	int r = HVX_EXIT_USAGE;

	memset(l, 0, sizeof(*l));
	if (read_file("kernel", o->kernel, &k))
		return HVX_EXIT_USAGE;
	if (check_bzimage(o->kernel, &k))
		goto out;
	if (o->initrd && read_file("initrd", o->initrd, &rd))
		goto out;
	pm_off = (k.data[HDR_SETUP_SECTS] + 1u) * 512;
	if (place_kernel(vm, k.data, k.size - pm_off, l))
		goto out;
	memcpy(vm_gpa(vm, l->kernel), k.data + pm_off, k.size - pm_off);
	if (rd.data && place_initrd(vm, k.data, &rd, l))
		goto out;
	if (write_cmdline(vm, k.data, o->cmdline ? o->cmdline : ""))
		goto out;
	write_zero_page(vm, k.data, l);
	write_gdt(vm);
	write_page_tables(vm);
	l->zero_page = BOOT_ZERO_PAGE_GPA;
	r = 0;
out:
	free(k.data);
	free(rd.data);
	return r;
}

static void boot_segment(struct kvm_segment *s, uint16_t sel, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;	/* execute/read, read/write; accessed */
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

static int boot_sregs(struct vcpu *v)
{
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	boot_segment(&s.cs, BOOT_CS, 1);
	boot_segment(&s.ds, BOOT_DS, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = BOOT_GDT_GPA;
	s.gdt.limit = 4 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	s.cr3 = BOOT_PML4_GPA;
	s.cr4 = X86_CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	return 0;
}

/* Whether the table's 0x40000000 leaf is KVM's signature. */
static int cpuid_is_kvm(const struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == KVM_CPUID_SIGNATURE)
			return !memcmp(&c->entries[i].ebx, "KVMK", 4) &&
			       !memcmp(&c->entries[i].ecx, "VMKV", 4) &&
			       !memcmp(&c->entries[i].edx, "M\0\0\0", 4);
	return 0;
}

/*
 * The device's supported CPUID table, without an in-kernel irqchip with
 * the local APIC taken out (CPUID.1:EDX.APIC and x2APIC, TSC-deadline,
 * AMD's extended APIC space), so that Linux runs its interrupts through
 * the 8259A.  Of the hypervisor
 * leaves (0x40000000-0x4fffffff), KVM's signature and of its paravirtual
 * features kvmclock alone, so that the guest uses the same clock on both
 * devices (KVM offers more: PV EOI and PV IPIs need a local APIC, async
 * page faults and steal time hvx does not have), with the hypervisor bit
 * that sends the guest there; none if the device does not say KVM.
 */
static void cpuid_filter(struct kvm_cpuid2 *c, int lapic)
{
	int kvm = cpuid_is_kvm(c);
	struct kvm_cpuid_entry2 *e;
	unsigned int i, n = 0;

	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if ((e->function & 0xf0000000) == 0x40000000) {
			if (!kvm || e->function > KVM_CPUID_FEATURES)
				continue;
			if (e->function == KVM_CPUID_SIGNATURE) {
				e->eax = KVM_CPUID_FEATURES;
			} else {
				e->eax &= KVM_FEATURES_CLOCK;
				e->ebx = e->ecx = e->edx = 0;
			}
		}
		if (e->function == 1) {
			if (!lapic) {
				e->edx &= ~CPUID1_EDX_APIC;
				e->ecx &= ~(CPUID1_ECX_X2APIC |
					    CPUID1_ECX_TSC_DEADLINE);
			}
			if (kvm)
				e->ecx |= CPUID1_ECX_HYPERVISOR;
		} else if (e->function == 0x80000001 && !lapic) {
			e->ecx &= ~CPUID81_ECX_EXTAPIC;
		}
		c->entries[n++] = *e;
	}
	c->nent = n;
}

/*
 * XSETBV in a guest must exit to the hypervisor, which keeps the guest's
 * XCR0 and loads it on every VM entry (AMD APM vol. 2, 15.9, the XSETBV
 * intercept; SDM vol. 3C, 26.1.3, XSETBV always exits).  Some emulated
 * machines do not implement that exit (QEMU's nested SVM up to at least
 * 7.2): the guest's XSETBV then changes the emulated processor's XCR0
 * behind the hypervisor's back, and the hypervisor puts its own idea of
 * it (the reset value, x87 only) back at the next VM entry.  A guest that
 * enables XSAVE there finds the sizes of CPUID leaf 0xD, which follow the
 * hypervisor's XCR0, disagreeing with the XCR0 it set (Linux warns and
 * falls back to FXSAVE), and would lose state in XSAVE/XRSTOR.
 *
 * The probe: a guest with CR4.OSXSAVE sets XCR0 to x87|SSE, exits to user
 * space (a VM exit and entry, where the hypervisor switches XCR0), and
 * reports what XGETBV then reads.  Returns 1 if XCR0 held, 0 if not,
 * -errno if the probe could not run (nothing is concluded then).
 */
static const uint8_t xsetbv_probe_code[] = {
	0x31, 0xc9,			/* xor %ecx, %ecx */
	0xb8, XCR0_X87_SSE, 0, 0, 0,	/* mov $3, %eax */
	0x31, 0xd2,			/* xor %edx, %edx */
	0x0f, 0x01, 0xd1,		/* xsetbv */
	0xe6, XSETBV_PROBE_PORT,	/* out %al, $0x10: an exit */
	0x31, 0xc9,			/* xor %ecx, %ecx */
	0x0f, 0x01, 0xd0,		/* xgetbv */
	0xe6, XSETBV_PROBE_PORT,	/* out %al, $0x10: XCR0[7:0] */
	0xf4,				/* hlt */
};

static int xsetbv_probe_out(struct vcpu *v, uint8_t *al)
{
	int r = vcpu_run(v);

	if (r < 0)
		return r;
	if (r != KVM_EXIT_IO || v->run->io.port != XSETBV_PROBE_PORT ||
	    v->run->io.direction != KVM_EXIT_IO_OUT)
		return -EPROTO;
	*al = *vcpu_io_data(v);
	return 0;
}

static int xsetbv_probe(const char *dev, const struct kvm_cpuid2 *c)
{
	struct kvm_sregs s;
	struct vcpu v;
	struct vm vm;
	uint8_t al;
	int r;

	r = vm_open(&vm, dev, GUEST_MIN_MEM);
	if (r)
		return r;
	r = vcpu_create(&vm, &v, 0);
	if (r)
		goto out_vm;
	r = ioctl(v.fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	if (!r)
		r = vm_load(&vm, GUEST_CODE_GPA, xsetbv_probe_code,
			    sizeof(xsetbv_probe_code));
	if (!r)
		r = vcpu_setup_mode(&v, GUEST_LONG, GUEST_CODE_GPA,
				    GUEST_STACK_TOP);
	if (!r && ioctl(v.fd, KVM_GET_SREGS, &s) < 0)
		r = -errno;
	if (!r) {
		s.cr4 |= X86_CR4_OSXSAVE;
		if (ioctl(v.fd, KVM_SET_SREGS, &s) < 0)
			r = -errno;
	}
	if (!r)
		r = xsetbv_probe_out(&v, &al);
	if (!r)
		r = xsetbv_probe_out(&v, &al);
	if (!r)
		r = (al & XCR0_X87_SSE) == XCR0_X87_SSE;
	vcpu_close(&v);
out_vm:
	vm_close(&vm);
	return r;
}

/* Takes XSAVE, and all that needs it, out of the table (see above). */
static void cpuid_hide_xsave(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e;
	unsigned int i, n = 0;

	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 0xd)
			continue;
		if (e->function == 1) {
			e->ecx &= ~CPUID1_ECX_XSAVE_ALL;
		} else if (e->function == 7 && e->index == 0) {
			e->ebx &= ~CPUID7_EBX_XSAVE_ALL;
			e->ecx &= ~CPUID7_ECX_XSAVE_ALL;
			e->edx &= ~CPUID7_EDX_XSAVE_ALL;
		} else if (e->function == 7 && e->index == 1) {
			e->eax &= ~CPUID7_1_EAX_XSAVE_ALL;
		} else if (e->function == 0x80000001) {
			e->ecx &= ~CPUID81_ECX_XSAVE_ALL;
		}
		c->entries[n++] = *e;
	}
	c->nent = n;
}

/*
 * The table's XSAVE, kept only if the device keeps the guest's XCR0; the
 * probe runs for vCPU 0, the other vCPUs of the machine follow it.
 */
static void cpuid_check_xsave(const struct vcpu *v, struct kvm_cpuid2 *c)
{
	static int xcr0_lost;
	const struct kvm_cpuid_entry2 *e = NULL;
	unsigned int i;

	for (i = 0; i < c->nent && !e; i++)
		if (c->entries[i].function == 1)
			e = &c->entries[i];
	if (!e || !(e->ecx & CPUID1_ECX_XSAVE))
		return;
	if (!v->id) {
		xcr0_lost = xsetbv_probe(v->vm->dev, c) == 0;
		if (xcr0_lost)
			fprintf(stderr, "hvx run: %s does not keep the guest's XCR0 (XSETBV does not exit: an emulator's nested virtualization?): XSAVE hidden from the guest\n",
				v->vm->dev);
	}
	if (xcr0_lost)
		cpuid_hide_xsave(c);
}

/*
 * The vCPU's initial APIC ID where CPUID reports it: CPUID.1:EBX[31:24],
 * the x2APIC ID in EDX of leaves 0xB and 0x1F (SDM Vol. 2A, CPUID), AMD's
 * extended APIC ID in 0x8000001E:EAX (APM Vol. 3, E.4.24).  Linux checks
 * it against the MP table's ("APIC id mismatch").
 */
static void cpuid_set_apic_id(struct kvm_cpuid2 *c, uint32_t id)
{
	struct kvm_cpuid_entry2 *e;
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | id << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
		else if (e->function == 0x8000001e)
			e->eax = id;
	}
}

static int linux_set_cpuid(struct vcpu *v, int lapic)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int nent = 64;
	int r;

	if (ioctl(v->vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		return -ENOTTY;
	do {
		free(c);
		nent *= 2;
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = nent;
		r = ioctl(v->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c);
	} while (r < 0 && errno == E2BIG && nent < 4096);
	if (r >= 0) {
		cpuid_filter(c, lapic);
		cpuid_check_xsave(v, c);
		cpuid_set_apic_id(c, v->id);
		r = ioctl(v->fd, KVM_SET_CPUID2, c);
	}
	r = r < 0 ? -errno : 0;
	free(c);
	return r;
}

/*
 * MSRs as firmware leaves them: IA32_APIC_BASE at its default base with
 * BSP set on vCPU 0 only, the APIC enabled (bit 11) with an in-kernel
 * irqchip and globally disabled without one, which also clears
 * CPUID.1:EDX.APIC (Intel SDM vol. 3A, 11.4.3 and 11.4.4; KVM keeps that
 * CPUID bit in step with the MSR); fast string operations enabled in
 * IA32_MISC_ENABLE (SDM vol. 4, table 2-2).  Returns how many of them the
 * device took, or -errno.
 */
static int linux_set_msrs(struct vcpu *v, int lapic)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m;
	int r;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 2;
	m.e[0].index = MSR_IA32_APICBASE;
	m.e[0].data = APICBASE_DEFAULT | (v->id ? 0 : APICBASE_BSP) |
		      (lapic ? APICBASE_ENABLE : 0);
	m.e[1].index = MSR_IA32_MISC_ENABLE;
	m.e[1].data = MISC_ENABLE_FAST_STRING;
	r = ioctl(v->fd, KVM_SET_MSRS, &m);
	return r < 0 ? -errno : r;
}

int linux_setup_vcpu(struct vcpu *v, const struct linux_layout *l,
		     int lapic)
{
	struct kvm_regs regs = { .rsp = BOOT_STACK_TOP, .rflags = 2 };
	int r;

	r = linux_set_cpuid(v, lapic);
	if (r)
		fprintf(stderr, "hvx run: warning: no CPUID table for %s (%s): the guest may see a local APIC (add nolapic)\n",
			v->vm->dev, strerror(-r));
	r = linux_set_msrs(v, lapic);
	if (r != 2)
		fprintf(stderr, "hvx run: warning: %s took %d of 2 MSRs (IA32_APIC_BASE, IA32_MISC_ENABLE)%s%s\n",
			v->vm->dev, r < 0 ? 0 : r, r < 0 ? ": " : "",
			r < 0 ? strerror(-r) : "");
	if (!l)
		return 0;	/* an AP: its reset state, until INIT and SIPI */
	regs.rip = l->entry;
	regs.rsi = l->zero_page;
	r = boot_sregs(v);
	if (!r)
		r = vcpu_set_regs(v, &regs);
	if (r) {
		fprintf(stderr, "hvx run: cannot set the 64-bit boot state on %s: %s\n",
			v->vm->dev, strerror(-r));
		return HVX_EXIT_DEVICE;
	}
	return 0;
}

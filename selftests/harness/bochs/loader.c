// SPDX-License-Identifier: GPL-2.0
/*
 * hvxboot: boots Debian's x86-64 kernel under Bochs in seconds.
 *
 * Bochs cannot load a kernel itself, and the usual route (a GRUB ISO, GRUB
 * reading bzImage through the BIOS, the kernel's own decompressor) spends
 * most of a Bochs boot unpacking the xz-compressed kernel: about 4.5
 * billion emulated instructions, some 50 s. hvxboot boots the uncompressed
 * kernel instead, through its PVH entry point (the one QEMU and Xen use to
 * start a vmlinux directly; Documentation/x86/boot.rst, "PVH"), with the
 * initramfs as the first module:
 *
 *   - the harness writes one disk image: this loader (HVXBOOT_SECTORS
 *     sectors), a parameter sector (text, below), the kernel's loadable
 *     segments as one flat image from their lowest physical address (the
 *     all-zero tail left out), and the initramfs;
 *   - boot.S, the boot sector, loads the loader, reads the E820 map from
 *     the BIOS and enters 32-bit protected mode;
 *   - loader_main() reads the kernel and the initramfs with the ATA
 *     controller's PIO data port (`rep insw`, which Bochs moves in bulk),
 *     fills a struct hvm_start_info and jumps to the PVH entry in 32-bit
 *     protected mode, paging off, with EBX pointing to it.
 *
 * The parameter sector, each field on its own line, numbers in C syntax:
 *
 *   hvxboot 1
 *   kernel LBA BYTES LOAD_ADDR END_ADDR ENTRY
 *   initrd LBA BYTES
 *   cmdline TEXT
 *
 * Progress and errors go to COM1 as lines starting with "hvxboot:".
 */

#include "hvxboot.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

/* struct hvm_start_info and friends, from Xen's public/arch-x86/hvm/start_info.h */
#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	u32 magic;
	u32 version;		/* 1: the memory map fields are valid */
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;		/* 0: the kernel scans the BIOS area */
	u64 memmap_paddr;
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;		/* E820 types */
	u32 reserved;
};

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 ext;
} __attribute__((packed));

#define E820_RAM 1

extern struct e820_entry e820_map[E820_MAX];
extern u16 e820_count;
extern u8 __bss_start[], __bss_end[];

static struct hvm_start_info start_info;
static struct hvm_modlist_entry module;
static struct hvm_memmap_table_entry memmap[E820_MAX];
static char params[512];
static char cmdline[512];

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ------------------------------------------------------------ COM1 */

#define COM1 0x3f8

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);	/* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0x07);	/* FIFO on, cleared */
}

static void putc(char c)
{
	if (c == '\n')
		putc('\r');
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(u64 v)
{
	int i;

	puts("0x");
	for (i = 60; i > 0 && !(v >> i); i -= 4)
		;
	for (; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

static void __attribute__((noreturn)) fail(const char *why)
{
	puts("hvxboot: error: ");
	puts(why);
	puts("\n");
	for (;;)
		asm volatile("cli; hlt");
}

/* ------------------------------------------------------------- ATA */

/* The primary channel's master, which the BIOS booted from. */
#define ATA_DATA	0x1f0
#define ATA_COUNT	0x1f2
#define ATA_LBA0	0x1f3
#define ATA_LBA1	0x1f4
#define ATA_LBA2	0x1f5
#define ATA_DRIVE	0x1f6
#define ATA_CMD		0x1f7	/* status when read */
#define ATA_CTRL	0x3f6	/* alternate status when read */
#define ATA_READ_SECTORS 0x20
#define ATA_BSY		0x80
#define ATA_DF		0x20
#define ATA_DRQ		0x08
#define ATA_ERR		0x01

static u8 ata_wait(void)
{
	u8 st;

	while ((st = inb(ATA_CMD)) & ATA_BSY)
		;
	if (st & (ATA_ERR | ATA_DF))
		fail("disk read error");
	return st;
}

/* Reads COUNT sectors from LBA into DST, with PIO and polling (LBA28). */
static void ata_read(u32 lba, u32 count, void *dst)
{
	u16 *p = dst;
	u32 n, i, words;

	outb(ATA_CTRL, 0x02);	/* nIEN: no interrupts */
	while (count) {
		n = count > 256 ? 256 : count;
		ata_wait();
		outb(ATA_DRIVE, 0xe0 | ((lba >> 24) & 0x0f));
		outb(ATA_COUNT, n & 0xff);	/* 0 means 256 */
		outb(ATA_LBA0, lba);
		outb(ATA_LBA1, lba >> 8);
		outb(ATA_LBA2, lba >> 16);
		outb(ATA_CMD, ATA_READ_SECTORS);
		for (i = 0; i < n; i++) {
			inb(ATA_CTRL);	/* the 400 ns the status needs to settle */
			if (!(ata_wait() & ATA_DRQ))
				fail("disk did not offer data");
			words = 256;
			asm volatile("rep insw"
				     : "+D"(p), "+c"(words)
				     : "d"(ATA_DATA)
				     : "memory");
		}
		lba += n;
		count -= n;
	}
}

/* Reads BYTES bytes from LBA to DST; the last sector's excess lands at
 * DST + BYTES, which the caller has room for. */
static void disk_read(u32 lba, u32 bytes, u32 dst)
{
	ata_read(lba, (bytes + 511) / 512, (void *)dst);
}

/* --------------------------------------------------------- parsing */

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static const char *number(const char *s, u64 *v)
{
	u64 base = 10, d;

	s = skip_spaces(s);
	*v = 0;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		*v = *v * base + d;
	}
	if (*s != ' ' && *s != '\n' && *s != '\0')
		fail("bad number in the parameter sector");
	return s;
}

/* The line that starts with KEY, after KEY and a space; fails if none. */
static const char *field(const char *key)
{
	const char *s = params, *k;

	while (*s) {
		for (k = key; *k && *k == *s; k++, s++)
			;
		if (!*k && *s == ' ')
			return s + 1;
		while (*s && *s++ != '\n')
			;
	}
	puts("hvxboot: no line '");
	puts(key);
	puts("'\n");
	fail("bad parameter sector");
}

/* ------------------------------------------------------------ main */

static void *memset(void *dst, int c, u32 n)
{
	void *d = dst;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void loader_main(void);

void loader_main(void)
{
	u64 k_lba, k_bytes, k_load, k_end, k_entry, i_lba, i_bytes;
	u64 top = 0, dst, end;
	const char *s;
	char *c;
	int i, n = 0;

	memset(__bss_start, 0, __bss_end - __bss_start);
	serial_init();
	puts("\nhvxboot: reading the kernel\n");

	ata_read(HVXBOOT_PARAMS_LBA, 1, params);
	params[sizeof(params) - 1] = '\0';
	if (field("hvxboot")[0] != '1')
		fail("parameter sector of another version");
	s = field("kernel");
	s = number(s, &k_lba);
	s = number(s, &k_bytes);
	s = number(s, &k_load);
	s = number(s, &k_end);
	number(s, &k_entry);
	s = number(field("initrd"), &i_lba);
	number(s, &i_bytes);
	s = skip_spaces(field("cmdline"));
	for (c = cmdline; *s && *s != '\n' && c < cmdline + sizeof(cmdline) - 1;)
		*c++ = *s++;

	/*
	 * The kernel goes to its link-time physical address (a PVH kernel is
	 * not relocated), the initramfs to the top of the highest RAM below
	 * 4 GiB, as boot loaders do; both must be RAM.
	 */
	for (i = 0; i < e820_count; i++) {
		struct e820_entry *e = &e820_map[i];

		if (e->type == E820_RAM) {
			end = e->addr + e->size;
			if (end > 0x100000000ull)
				end = 0x100000000ull;
			if (end > top && e->addr < end)
				top = end;
			if (e->addr <= k_load && k_end <= end)
				n = 1;
		}
		memmap[i].addr = e->addr;
		memmap[i].size = e->size;
		memmap[i].type = e->type;
	}
	if (!n)
		fail("the kernel's physical range is not RAM (more megs: in bochsrc?)");
	dst = (top - i_bytes - 512) & ~0xfffull;
	if (dst < k_end || top < i_bytes + 512)
		fail("no room for the initramfs above the kernel (more megs: in bochsrc?)");

	memset((void *)(u32)(k_load + k_bytes), 0, k_end - k_load - k_bytes);
	disk_read(k_lba, k_bytes, k_load);
	puts("hvxboot: reading the initramfs\n");
	disk_read(i_lba, i_bytes, dst);

	module.paddr = dst;
	module.size = i_bytes;
	start_info.magic = HVM_START_MAGIC;
	start_info.version = 1;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (u32)&module;
	start_info.cmdline_paddr = (u32)cmdline;
	start_info.memmap_paddr = (u32)memmap;
	start_info.memmap_entries = e820_count;

	puts("hvxboot: starting the kernel at ");
	puthex(k_entry);
	puts(", initramfs at ");
	puthex(dst);
	puts("\n");
	/* Protected mode, paging off, flat CS/DS/ES/SS, interrupts off. */
	asm volatile("cli; jmp *%0" : : "r"((u32)k_entry), "b"(&start_info) : "memory");
	__builtin_unreachable();
}

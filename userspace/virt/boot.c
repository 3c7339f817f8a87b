// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --kernel on arm64: the Linux boot protocol of
 * Documentation/arch/arm64/booting.rst.
 *
 * The Image starts with a 64-byte header: code0/code1, text_offset and
 * image_size (the kernel's whole footprint, BSS included; 0 in kernels
 * before 3.17, which then load at text_offset 0x80000), flags (bit 0 big
 * endian, bit 3 "may be placed anywhere"), and the magic "ARM\x64" at
 * byte 56.  The kernel goes at a 2 MiB aligned base plus text_offset,
 * here the start of RAM.  The device tree, at most 2 MiB on an 8-byte
 * boundary, goes in the last 2 MiB block of RAM, alone in it ("it must
 * not be placed within any 2M region which must be mapped with any
 * specific attributes"); the initrd, page aligned, just below.
 *
 * The boot CPU then starts at the Image's first byte with x0 = the device
 * tree's address, x1-x3 zero, the MMU and caches off and every exception
 * masked at EL1h: what KVM_ARM_VCPU_INIT leaves, but for x0 and PC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../hvx.h"
#include "virt.h"

#define IMAGE_MAGIC		0x644d5241u	/* "ARM\x64" */
#define IMAGE_FLAG_BE		(1ull << 0)
#define IMAGE_OLD_TEXT_OFFSET	0x80000ull
#define SZ_2M			(2ull << 20)
#define FDT_MAX			SZ_2M
#define PAGE			4096ull

struct image_header {
	uint32_t code0, code1;
	uint64_t text_offset, image_size, flags;
	uint64_t res2, res3, res4;
	uint32_t magic, res5;
};

/*
 * Reads the whole of @path into guest memory at @gpa, at most @room bytes;
 * its size in *@size.  0, or -1 after saying why not.
 */
static int load_file(struct vm *vm, const char *what, const char *path,
		     uint64_t gpa, uint64_t room, uint64_t *size)
{
	uint8_t *dst = vm_gpa(vm, gpa);
	struct stat st;
	uint64_t done = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "hvx run: cannot read %s '%s': %s\n", what,
			path, fd < 0 ? strerror(errno) : "not a regular file");
		goto fail;
	}
	if (!dst || (uint64_t)st.st_size > room) {
		fprintf(stderr, "hvx run: %s '%s' (%llu KiB) does not fit in RAM (%llu KiB free there; see --mem)\n",
			what, path, (unsigned long long)st.st_size >> 10,
			(unsigned long long)room >> 10);
		goto fail;
	}
	while (done < (uint64_t)st.st_size) {
		n = read(fd, dst + done, st.st_size - done);
		if (n <= 0)
			break;
		done += n;
	}
	if (done != (uint64_t)st.st_size) {
		fprintf(stderr, "hvx run: cannot read %s '%s'\n", what, path);
		goto fail;
	}
	*size = done;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The Image's header: its text_offset and footprint, or -1. */
static int read_header(const char *path, uint64_t *text_offset,
		       uint64_t *image_size)
{
	struct image_header h;
	ssize_t n = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		n = read(fd, &h, sizeof(h));
	if (fd >= 0)
		close(fd);
	if (n != sizeof(h) || h.magic != IMAGE_MAGIC) {
		fprintf(stderr, "hvx run: '%s' is not an arm64 Linux Image (no \"ARM\\x64\" magic at byte 56; a compressed vmlinuz must be unpacked first)\n",
			path);
		return -1;
	}
	if (h.image_size && (h.flags & IMAGE_FLAG_BE)) {
		fprintf(stderr, "hvx run: '%s' is a big-endian kernel\n", path);
		return -1;
	}
	*text_offset = h.image_size ? h.text_offset : IMAGE_OLD_TEXT_OFFSET;
	*image_size = h.image_size;
	if (*text_offset >= SZ_2M * 256) {
		fprintf(stderr, "hvx run: '%s': text_offset %#llx is implausible\n",
			path, (unsigned long long)*text_offset);
		return -1;
	}
	return 0;
}

int virt_load(struct vm *vm, const struct linux_opts *o,
	      struct virt_layout *l)
{
	uint64_t ram_end = vm->mem_gpa + vm->mem_size, text_offset, size;
	uint64_t image_size;
	struct stat st;

	memset(l, 0, sizeof(*l));
	if (read_header(o->kernel, &text_offset, &image_size))
		return HVX_EXIT_USAGE;
	l->dtb = (ram_end - FDT_MAX) & ~(SZ_2M - 1);
	l->entry = vm->mem_gpa + text_offset;
	if (l->dtb <= l->entry ||
	    load_file(vm, "kernel", o->kernel, l->entry, l->dtb - l->entry,
		      &size))
		return HVX_EXIT_USAGE;
	l->kernel_end = l->entry + (size > image_size ? size : image_size);
	if (l->kernel_end > l->dtb) {
		fprintf(stderr, "hvx run: kernel needs %llu KiB, more than RAM holds (see --mem)\n",
			(unsigned long long)(l->kernel_end - l->entry) >> 10);
		return HVX_EXIT_USAGE;
	}
	if (!o->initrd)
		return 0;
	if (stat(o->initrd, &st) < 0) {
		fprintf(stderr, "hvx run: cannot read initrd '%s': %s\n",
			o->initrd, strerror(errno));
		return HVX_EXIT_USAGE;
	}
	l->initrd = (l->dtb - st.st_size) & ~(PAGE - 1);
	if ((uint64_t)st.st_size > l->dtb - l->kernel_end ||
	    l->initrd < l->kernel_end) {
		fprintf(stderr, "hvx run: initrd '%s' does not fit in RAM after the kernel (see --mem)\n",
			o->initrd);
		return HVX_EXIT_USAGE;
	}
	if (load_file(vm, "initrd", o->initrd, l->initrd,
		      l->dtb - l->initrd, &l->initrd_size))
		return HVX_EXIT_USAGE;
	return 0;
}

int virt_setup_boot_cpu(struct vcpu *v, const struct virt_layout *l)
{
	int r, i;

	r = vcpu_set_reg(v, REG_PC, l->entry);
	for (i = 0; !r && i < 4; i++)
		r = vcpu_set_reg(v, REG_X(i), i ? 0 : l->dtb);
	return r;
}

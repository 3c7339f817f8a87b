// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run: load a guest, run it, print its serial output.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/hvx.h>

#include "hvx.h"
#include "lib/vmlib.h"

#define PORT_COM1	0x3f8
#define PORT_COM1_LSR	0x3fd
#define PORT_E9		0xe9
#define PORT_EXIT	0xf4
#define LSR_THRE_TEMT	0x60	/* transmitter empty: always ready */

struct run_opts {
	const char *device;
	uint64_t mem;
	int stats;
	int mode;		/* -1: from the file */
	const char *guest;
};

struct image {
	uint8_t *data;
	size_t size;
};

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		end++;
	}
	if (*end || !v || v & 0xfff)
		return -1;
	*out = v;
	return 0;
}

static int parse_mode(const char *s)
{
	static const char * const names[] = { "real", "prot", "paged", "long" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	*o = (struct run_opts) { "/dev/hvx", 16 << 20, 0, -1, NULL };
	while ((c = getopt_long(argc, argv, "d:m:M:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->device = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o->mem) || o->mem < GUEST_MIN_MEM)
				return hvx_usage_error("bad --mem '%s' (at least 2M, page-aligned)", optarg);
			break;
		case 'M':
			o->mode = parse_mode(optarg);
			if (o->mode < 0)
				return hvx_usage_error("bad --mode '%s' (real, prot, paged, long)", optarg);
			break;
		case 's':
			o->stats = 1;
			break;
		case 'h':
			hvx_print_usage();
			exit(0);
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return hvx_usage_error("%s", "run needs exactly one GUEST file");
	o->guest = argv[optind];
	return 0;
}

static int read_file(const char *path, struct image *img)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "hvx: cannot open guest '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	img->size = st.st_size;
	img->data = malloc(img->size ? img->size : 1);
	if (!img->data || read(fd, img->data, img->size) != (ssize_t)img->size) {
		fprintf(stderr, "hvx: cannot read guest '%s'\n", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Copy one PT_LOAD segment to its physical address. */
static int load_segment(struct vm *vm, const struct image *img,
			uint64_t off, uint64_t filesz, uint64_t memsz,
			uint64_t paddr)
{
	uint8_t *dst;

	if (off > img->size || filesz > img->size - off || filesz > memsz ||
	    paddr > vm->mem_size || memsz > vm->mem_size - paddr) {
		fprintf(stderr, "hvx: ELF segment at %#llx does not fit in guest memory\n",
			(unsigned long long)paddr);
		return -1;
	}
	dst = vm_gpa(vm, paddr);
	memcpy(dst, img->data + off, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	return 0;
}

#define ELF_LOADER(bits)						\
static int load_elf##bits(struct vm *vm, const struct image *img,	\
			   uint64_t *entry)				\
{									\
	const Elf##bits##_Ehdr *eh = (const void *)img->data;		\
	int i;								\
									\
	if (img->size < sizeof(*eh) || eh->e_phoff > img->size ||	\
	    (uint64_t)eh->e_phnum * sizeof(Elf##bits##_Phdr) >		\
	    img->size - eh->e_phoff)					\
		return -1;						\
	for (i = 0; i < eh->e_phnum; i++) {				\
		const Elf##bits##_Phdr *ph = (const void *)(img->data +	\
			eh->e_phoff + i * sizeof(*ph));			\
		if (ph->p_type == PT_LOAD &&				\
		    load_segment(vm, img, ph->p_offset, ph->p_filesz,	\
				 ph->p_memsz, ph->p_paddr))		\
			return -1;					\
	}								\
	*entry = eh->e_entry;						\
	return 0;							\
}

ELF_LOADER(32)
ELF_LOADER(64)

/* Returns the guest mode the image asks for, or -1. */
static int load_image(struct vm *vm, const struct image *img,
		      uint64_t *entry)
{
	if (img->size >= SELFMAG && !memcmp(img->data, ELFMAG, SELFMAG)) {
		if (img->size > EI_CLASS && img->data[EI_CLASS] == ELFCLASS32)
			return load_elf32(vm, img, entry) ? -1 : GUEST_PROT;
		if (img->size > EI_CLASS && img->data[EI_CLASS] == ELFCLASS64)
			return load_elf64(vm, img, entry) ? -1 : GUEST_LONG;
		return -1;
	}
	*entry = GUEST_CODE_GPA;
	return vm_load(vm, GUEST_CODE_GPA, img->data, img->size) ? -1 :
		GUEST_REAL;
}

struct counts {
	unsigned long exits[64];
	unsigned long out_bytes;
};

/* Port I/O: the console, the exit port, and nothing else. */
static int handle_io(struct vcpu *v, int *status)
{
	struct kvm_run *run = v->run;
	uint8_t *data = vcpu_io_data(v);
	uint32_t i, n = run->io.size * run->io.count;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		memset(data, run->io.port == PORT_COM1_LSR ? LSR_THRE_TEMT :
		       (run->io.port >= PORT_COM1 && run->io.port < PORT_COM1 + 8)
		       ? 0 : 0xff, n);
		return 0;
	}
	if (run->io.port == PORT_EXIT) {
		*status = data[0];
		return 1;
	}
	if (run->io.port == PORT_COM1 || run->io.port == PORT_E9)
		for (i = 0; i < n; i += run->io.size)
			putchar(data[i]);
	return 0;
}

/* Runs until the guest stops; returns the tool's exit status. */
static int run_loop(struct vcpu *v, struct counts *c)
{
	struct kvm_run *run = v->run;
	int status = 0, r;

	for (;;) {
		r = vcpu_run(v);
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "hvx: KVM_RUN failed: %s\n", strerror(-r));
			return 7;
		}
		c->exits[r < 64 ? r : 63]++;
		switch (r) {
		case KVM_EXIT_IO:
			if (handle_io(v, &status))
				return status;
			continue;
		case KVM_EXIT_HLT:
			return 0;
		}
		fflush(stdout);
		switch (r) {
		case KVM_EXIT_MMIO:
			fprintf(stderr, "hvx: guest %s %u bytes at unbacked address %#llx\n",
				run->mmio.is_write ? "wrote" : "read",
				run->mmio.len,
				(unsigned long long)run->mmio.phys_addr);
			return 3;
		case KVM_EXIT_SHUTDOWN:
			fprintf(stderr, "hvx: guest triple-faulted (shutdown)\n");
			return 4;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "hvx: VM entry failed, hardware reason %#llx\n",
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return 5;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "hvx: internal error, suberror %u\n",
				run->internal.suberror);
			return 6;
		default:
			fprintf(stderr, "hvx: unexpected exit %d (%s)\n", r,
				exit_reason_name(r));
			return 6;
		}
	}
}

static void print_stats(struct vcpu *v, const struct counts *c)
{
	struct hvx_vcpu_stats ks;
	unsigned int i;

	fprintf(stderr, "exits to user space:\n");
	for (i = 0; i < 64; i++)
		if (c->exits[i])
			fprintf(stderr, "  %-20s %lu\n", exit_reason_name(i),
				c->exits[i]);
	if (ioctl(v->fd, HVX_GET_VCPU_STATS, &ks) < 0) {
		fprintf(stderr, "exits handled in the kernel: not available on %s (hvx only)\n",
			v->vm->dev);
		return;
	}
	fprintf(stderr, "all exits, from the kernel (HVX_GET_VCPU_STATS):\n");
	for (i = 0; i < HVX_STAT_NR; i++)
		if (ks.exits[i] && hvx_stat_name(i))
			fprintf(stderr, "  %-20s %llu\n", hvx_stat_name(i),
				(unsigned long long)ks.exits[i]);
}

int hvx_run_main(int argc, char **argv)
{
	struct counts counts = { 0 };
	struct run_opts o;
	struct image img;
	struct vcpu v;
	struct vm vm;
	uint64_t entry;
	int r, mode;

	r = parse_run_opts(argc, argv, &o);
	if (r)
		return r;
	if (read_file(o.guest, &img))
		return 2;
	r = vm_open(&vm, o.device, o.mem);
	if (!r)
		r = vcpu_create(&vm, &v, 0);
	if (r) {
		fprintf(stderr, "hvx: cannot create a VM on %s: %s\n",
			o.device, strerror(-r));
		return 7;
	}
	mode = load_image(&vm, &img, &entry);
	if (mode < 0) {
		fprintf(stderr, "hvx: cannot load '%s'\n", o.guest);
		return 2;
	}
	if (o.mode >= 0)
		mode = o.mode;
	r = vcpu_setup_mode(&v, mode, entry, GUEST_STACK_TOP);
	if (r) {
		fprintf(stderr, "hvx: cannot set up %s mode: %s\n",
			guest_mode_name(mode), strerror(-r));
		return 7;
	}
	r = run_loop(&v, &counts);
	fflush(stdout);
	if (o.stats)
		print_stats(&v, &counts);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run: load a guest, run it on one vCPU, print its serial output.
 *
 * This file is what every architecture shares: options, the guest file
 * (flat binary or ELF), the run loop and its statistics.  The machine
 * itself, deliberately tiny, is the architecture's (run.h): RAM, a serial
 * port, a way to stop; run-x86.c and run-arm64.c describe theirs.
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
#include "linux.h"
#include "run.h"
#include "trace.h"

#define DEFAULT_MEM		(16ull << 20)
#define MAX_MEM			(64ull << 30)
#define MAX_GUEST_FILE		(256u << 20)
#define MODE_FROM_FILE		(-1)

struct run_opts {
	const char *device;
	uint64_t mem;
	int mem_given;
	int stats;
	unsigned int trace;	/* TRACE_* classes of --trace, or 0 */
	int mode;		/* enum guest_mode, or MODE_FROM_FILE */
	const char *guest;
	/* --kernel: a Linux guest (linux.h) instead of GUEST */
	const char *kernel, *initrd, *append;
	unsigned int smp;	/* --smp, 0 if not given */
	int irqchip;		/* --irqchip: IRQCHIP_* */
};

enum { IRQCHIP_DEFAULT, IRQCHIP_USER, IRQCHIP_KERNEL };
/* Long options without a short one. */
enum { OPT_SMP = 0x100, OPT_IRQCHIP };

struct image {
	const char *path;
	uint8_t *data;
	size_t size;
};

/* One PT_LOAD segment, whatever the ELF class. */
struct segment {
	uint64_t offset, filesz, memsz, paddr;
};

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'G': case 'g':
		shift = 30;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'K': case 'k':
		shift = 10;
		break;
	}
	if (shift)
		end++;
	if (*end || v > (MAX_MEM >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int bad_mode(const char *s)
{
	char names[128] = "";
	int i;

	for (i = 0; i < GUEST_NR_MODES; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? (i == GUEST_NR_MODES - 1 ? " or " : ", ") :
			 "", guest_mode_name(i));
	return hvx_usage_error("run", "bad --mode '%s' (%s)", s, names);
}

/* --kernel takes no GUEST and no --mode; RAM defaults to more. */
static int check_linux_opts(int argc, char **argv, struct run_opts *o)
{
	if (!o->kernel)
		return hvx_usage_error("run", "--initrd, --append, --smp and --irqchip go with --kernel");
	if (o->smp > (run_arch.linux_max_cpus ? run_arch.linux_max_cpus : 1))
		return hvx_usage_error("run", "--smp %u: this machine has at most %u vCPUs",
				       o->smp, run_arch.linux_max_cpus ?
				       run_arch.linux_max_cpus : 1);
	if (optind != argc)
		return hvx_usage_error("run", "unexpected argument '%s' (--kernel takes no GUEST)",
				       argv[optind]);
	if (o->mode != MODE_FROM_FILE)
		return hvx_usage_error("run", "--mode does not go with --kernel (the boot protocol sets the mode)");
	if (access(o->kernel, R_OK) || (o->initrd && access(o->initrd, R_OK)))
		return hvx_usage_error("run", "cannot read '%s': %s",
				       access(o->kernel, R_OK) ? o->kernel :
				       o->initrd, strerror(errno));
	if (!o->mem_given)
		o->mem = LINUX_DEFAULT_MEM;
	if (o->mem < LINUX_MIN_MEM || o->mem > LINUX_MAX_MEM)
		return hvx_usage_error("run", "bad --mem for --kernel (32M to 3G)");
	if (o->smp > 1 && o->irqchip == IRQCHIP_USER)
		return hvx_usage_error("run", "--smp %u needs --irqchip=kernel (user space has no local APICs)",
				       o->smp);
	return 0;
}

/* --smp N and --irqchip=kernel|user, which go with --kernel. */
static int parse_smp_opt(int c, struct run_opts *o)
{
	char *end;

	if (c == OPT_IRQCHIP) {
		o->irqchip = !strcmp(optarg, "kernel") ? IRQCHIP_KERNEL :
			     !strcmp(optarg, "user") ? IRQCHIP_USER : -1;
		if (o->irqchip < 0)
			return hvx_usage_error("run", "bad --irqchip '%s' (kernel or user)",
					       optarg);
		return 0;
	}
	o->smp = strtoul(optarg, &end, 10);
	if (*optarg < '1' || *optarg > '9' || *end || o->smp < 1 ||
	    o->smp > LINUX_MAX_SMP)
		return hvx_usage_error("run", "bad --smp '%s' (1 to %u)",
				       optarg, LINUX_MAX_SMP);
	return 0;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "stats", no_argument, NULL, 's' },
		{ "trace", optional_argument, NULL, 'T' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "smp", required_argument, NULL, OPT_SMP },
		{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	*o = (struct run_opts) {
		.device = "/dev/hvx", .mem = DEFAULT_MEM,
		.mode = MODE_FROM_FILE,
	};
	while ((c = getopt_long(argc, argv, ":d:m:M:sk:i:a:S:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			o->device = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o->mem) ||
			    o->mem < GUEST_MIN_MEM || o->mem & 0xfff)
				return hvx_usage_error("run", "bad --mem '%s' (a multiple of 4K, from 2M to 64G)",
						       optarg);
			o->mem_given = 1;
			break;
		case 'k':
			o->kernel = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'a':
			o->append = optarg;
			break;
		case OPT_SMP:
		case OPT_IRQCHIP:
			if (parse_smp_opt(c, o))
				return HVX_EXIT_USAGE;
			break;
		case 'M':
			o->mode = guest_mode_parse(optarg);
			if (o->mode < 0)
				return bad_mode(optarg);
			break;
		case 's':
			o->stats = 1;
			break;
		case 'T':
			if (trace_parse_classes(optarg, &o->trace))
				return hvx_usage_error("run", "bad --trace '%s' (classes: %s)",
						       optarg, trace_class_names);
			break;
		case 'h':
			hvx_usage("run");
			exit(0);
		default:
			return hvx_bad_option("run", argv, c);
		}
	}
	if (o->trace && o->kernel)
		return hvx_usage_error("run", "--trace does not go with --kernel");
	if (o->kernel || o->initrd || o->append || o->smp || o->irqchip)
		return check_linux_opts(argc, argv, o);
	if (optind == argc)
		return hvx_usage_error("run", "missing GUEST file");
	if (optind != argc - 1)
		return hvx_usage_error("run", "unexpected argument '%s' (one GUEST only)",
				       argv[optind + 1]);
	o->guest = argv[optind];
	return 0;
}

static int read_image(const char *path, struct image *img)
{
	struct stat st;
	ssize_t n;
	int fd;

	img->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "hvx run: cannot open guest '%s': %s\n", path,
			strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || !st.st_size ||
	    st.st_size > MAX_GUEST_FILE) {
		fprintf(stderr, "hvx run: guest '%s' is not a regular file of 1 byte to 256 MiB\n",
			path);
		goto fail;
	}
	img->size = st.st_size;
	img->data = malloc(img->size);
	n = img->data ? read(fd, img->data, img->size) : -1;
	if (n != (ssize_t)img->size) {
		fprintf(stderr, "hvx run: cannot read guest '%s'\n", path);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int image_is_elf(const struct image *img)
{
	return img->size >= SELFMAG && !memcmp(img->data, ELFMAG, SELFMAG);
}

/*
 * An ELF guest must be little-endian, of a class and machine that the
 * architecture takes (run_arch.elf_mode), which also picks the default
 * mode.  Returns the mode, or -1 after saying why not.
 */
static int elf_check(const struct image *img)
{
	const Elf32_Ehdr *e32 = (const void *)img->data;
	const Elf64_Ehdr *e64 = (const void *)img->data;
	int class = img->size > EI_CLASS ? img->data[EI_CLASS] : 0;
	int mode = -1;

	if (img->size > EI_DATA && img->data[EI_DATA] != ELFDATA2LSB)
		class = ELFCLASSNONE;
	if (class == ELFCLASS32 && img->size >= sizeof(*e32) &&
	    e32->e_phentsize == sizeof(Elf32_Phdr))
		mode = run_arch.elf_mode(class, e32->e_machine);
	if (class == ELFCLASS64 && img->size >= sizeof(*e64) &&
	    e64->e_phentsize == sizeof(Elf64_Phdr))
		mode = run_arch.elf_mode(class, e64->e_machine);
	if (mode < 0)
		fprintf(stderr, "hvx run: '%s' is not %s\n", img->path,
			run_arch.elf_what);
	return mode;
}

static uint64_t elf_entry(const struct image *img)
{
	if (img->data[EI_CLASS] == ELFCLASS32)
		return ((const Elf32_Ehdr *)img->data)->e_entry;
	return ((const Elf64_Ehdr *)img->data)->e_entry;
}

/*
 * Program header @i of either class: 1 with @seg filled for PT_LOAD, 0 for
 * any other type, -1 when it lies outside the file.
 */
static int elf32_segment(const struct image *img, unsigned int i,
			 struct segment *seg)
{
	const Elf32_Ehdr *eh = (const void *)img->data;
	const Elf32_Phdr *ph;
	uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(*ph);

	if (off > img->size || img->size - off < sizeof(*ph))
		return -1;
	ph = (const void *)(img->data + off);
	*seg = (struct segment) { ph->p_offset, ph->p_filesz, ph->p_memsz,
				  ph->p_paddr };
	return ph->p_type == PT_LOAD;
}

static int elf64_segment(const struct image *img, unsigned int i,
			 struct segment *seg)
{
	const Elf64_Ehdr *eh = (const void *)img->data;
	const Elf64_Phdr *ph;
	uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(*ph);

	if (off > img->size || img->size - off < sizeof(*ph))
		return -1;
	ph = (const void *)(img->data + off);
	*seg = (struct segment) { ph->p_offset, ph->p_filesz, ph->p_memsz,
				  ph->p_paddr };
	return ph->p_type == PT_LOAD;
}

static int elf_segment(const struct image *img, unsigned int i,
		       struct segment *seg)
{
	if (img->data[EI_CLASS] == ELFCLASS32)
		return elf32_segment(img, i, seg);
	return elf64_segment(img, i, seg);
}

static unsigned int elf_phnum(const struct image *img)
{
	if (img->data[EI_CLASS] == ELFCLASS32)
		return ((const Elf32_Ehdr *)img->data)->e_phnum;
	return ((const Elf64_Ehdr *)img->data)->e_phnum;
}

/*
 * The guest must fit in RAM, and stay clear of what vcpu_setup_mode()
 * writes there in its mode (run_arch.reserved): a guest placed on top of
 * that would be silently overwritten, so refuse it.
 */
static int check_placement(const struct vm *vm, int mode, uint64_t gpa,
			   uint64_t len)
{
	uint64_t off = gpa - vm->mem_gpa;
	size_t i;

	if (gpa < vm->mem_gpa || off > vm->mem_size ||
	    len > vm->mem_size - off) {
		fprintf(stderr, "hvx run: guest bytes %#llx-%#llx do not fit in %llu KiB of RAM at %#llx (see --mem)\n",
			(unsigned long long)gpa,
			(unsigned long long)(gpa + len),
			(unsigned long long)vm->mem_size >> 10,
			(unsigned long long)vm->mem_gpa);
		return -1;
	}
	for (i = 0; i < run_arch.nr_reserved; i++) {
		const struct run_reserved *r = &run_arch.reserved[i];

		if (!(r->modes & 1u << mode) || !len ||
		    gpa >= r->end || gpa + len <= r->start)
			continue;
		fprintf(stderr, "hvx run: guest bytes %#llx-%#llx overlap the %s that %s mode needs at %#llx-%#llx\n",
			(unsigned long long)gpa,
			(unsigned long long)(gpa + len),
			r->what, guest_mode_name(mode),
			(unsigned long long)r->start,
			(unsigned long long)r->end);
		return -1;
	}
	return 0;
}

static int load_elf(struct vm *vm, const struct image *img, int mode,
		    uint64_t *entry)
{
	unsigned int i, n = elf_phnum(img), loaded = 0;
	struct segment s;
	uint8_t *dst;
	int r;

	for (i = 0; i < n; i++) {
		r = elf_segment(img, i, &s);
		if (r == 0)
			continue;
		if (r < 0 || s.offset > img->size ||
		    s.filesz > img->size - s.offset || s.filesz > s.memsz) {
			fprintf(stderr, "hvx run: '%s': program header %u is malformed\n",
				img->path, i);
			return -1;
		}
		if (check_placement(vm, mode, s.paddr, s.memsz))
			return -1;
		dst = vm_gpa(vm, s.paddr);
		memcpy(dst, img->data + s.offset, s.filesz);
		memset(dst + s.filesz, 0, s.memsz - s.filesz);
		loaded++;
	}
	if (!loaded) {
		fprintf(stderr, "hvx run: '%s' has no PT_LOAD segment\n",
			img->path);
		return -1;
	}
	*entry = elf_entry(img);
	return 0;
}

static int load_flat(struct vm *vm, const struct image *img, int mode,
		     uint64_t *entry)
{
	if (check_placement(vm, mode, run_arch.flat_gpa, img->size))
		return -1;
	*entry = run_arch.flat_gpa;
	return vm_load(vm, run_arch.flat_gpa, img->data, img->size);
}

/* An exit that ends the run other than the guest's way (run.h). */
int run_report_exit(struct vcpu *v, int reason)
{
	struct kvm_run *run = v->run;
	char rule[256];

	fflush(stdout);
	switch (reason) {
	case KVM_EXIT_MMIO:
		fprintf(stderr, "hvx run: guest %s %u bytes at %#llx, outside its RAM (%llu KiB at %#llx): no device there\n",
			run->mmio.is_write ? "wrote" : "read", run->mmio.len,
			(unsigned long long)run->mmio.phys_addr,
			(unsigned long long)v->vm->mem_size >> 10,
			(unsigned long long)v->vm->mem_gpa);
		return HVX_EXIT_MMIO;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, "hvx run: guest shut down (triple fault)\n");
		return HVX_EXIT_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "hvx run: VM entry failed, hardware reason %#llx\n",
			(unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		if (trace_entry_failure(v->id, rule, sizeof(rule)))
			fprintf(stderr, "hvx run: the rule it broke: %s\n",
				rule);
		return HVX_EXIT_FAIL_ENTRY;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "hvx run: %s reported an internal error, suberror %u\n",
			v->vm->dev, run->internal.suberror);
		return HVX_EXIT_INTERNAL;
	}
	fprintf(stderr, "hvx run: unexpected exit %d (%s)\n", reason,
		exit_reason_name(reason));
	return HVX_EXIT_UNEXPECTED;
}

/* Runs until the guest stops; returns the tool's exit status. */
static int run_loop(struct vcpu *v, struct counts *c)
{
	int status = 0, r;

	for (;;) {
		r = vcpu_run(v);
		trace_drain(v);
		if (r == -EINTR) {
			c->signals++;
			continue;
		}
		if (r < 0) {
			fflush(stdout);
			return run_arch.run_error(v, r);
		}
		c->exits[r < NR_COUNTED_EXITS ? r : NR_COUNTED_EXITS - 1]++;
		switch (run_arch.exit(v, r, c, &status)) {
		case 0:
			continue;
		case 1:
			return status;
		default:
			return run_report_exit(v, r);
		}
	}
}

static void print_stats(struct vcpu *v, const struct counts *c)
{
	struct hvx_vcpu_stats ks;
	unsigned int i;

	fprintf(stderr, "exits to user space, seen by hvx run:\n");
	for (i = 0; i < NR_COUNTED_EXITS; i++)
		if (c->exits[i])
			fprintf(stderr, "  %-20s %lu\n", exit_reason_name(i),
				c->exits[i]);
	if (c->signals)
		fprintf(stderr, "  %-20s %lu\n", "eintr", c->signals);
	if (c->hypercalls)
		fprintf(stderr, "  (hypercalls answered NOT_SUPPORTED %lu)\n",
			c->hypercalls);
	fprintf(stderr, "  (console bytes %lu)\n", c->console_bytes);
	memset(&ks, 0, sizeof(ks));
	if (ioctl(v->fd, HVX_GET_VCPU_STATS, &ks) < 0) {
		fprintf(stderr, "all exits, counted by the kernel: not available on %s (%s; HVX_GET_VCPU_STATS is hvx's own)\n",
			v->vm->dev, strerror(errno));
		return;
	}
	fprintf(stderr, "all exits, counted by the kernel (HVX_GET_VCPU_STATS):\n");
	for (i = 0; i < HVX_STAT_NR; i++)
		if (ks.exits[i])
			fprintf(stderr, "  %-20s %llu\n",
				hvx_stat_name(i) ? hvx_stat_name(i) : "stat?",
				(unsigned long long)ks.exits[i]);
}

/* Picks the mode, creates the VM and vCPU, loads the guest. */
static int prepare(const struct run_opts *o, const struct image *img,
		   struct vm *vm, struct vcpu *v)
{
	int elf = image_is_elf(img), mode, r;
	uint64_t entry;

	mode = elf ? elf_check(img) : run_arch.flat_mode;
	if (mode < 0)
		return HVX_EXIT_USAGE;
	if (o->mode != MODE_FROM_FILE)
		mode = o->mode;
	r = vm_create(vm, o->device, 0, run_arch.ram_gpa, o->mem);
	if (!r) {
		r = vcpu_create(vm, v, 0);
		if (r)
			vm_close(vm);
	}
	if (r) {
		fprintf(stderr, "hvx run: cannot create a VM on %s: %s\n",
			o->device, strerror(-r));
		return HVX_EXIT_DEVICE;
	}
	r = elf ? load_elf(vm, img, mode, &entry) :
		  load_flat(vm, img, mode, &entry);
	if (r) {
		r = HVX_EXIT_USAGE;
		goto close_vm;
	}
	r = run_arch.setup(v, mode, entry);
	if (r)
		goto close_vm;
	return 0;
close_vm:
	vcpu_close(v);
	vm_close(vm);
	return r;
}

static int run_linux(const struct run_opts *ro)
{
	struct linux_opts o = {
		.device = ro->device, .kernel = ro->kernel,
		.initrd = ro->initrd, .cmdline = ro->append, .mem = ro->mem,
		.stats = ro->stats, .use_stdin = 1,
		.smp = ro->smp ? ro->smp : 1,
		/* The in-kernel irqchip: asked for, or needed for SMP. */
		.kernel_irqchip = ro->irqchip == IRQCHIP_KERNEL ||
				  (ro->irqchip == IRQCHIP_DEFAULT && ro->smp > 1),
	};

	if (!run_arch.linux_run) {
		fprintf(stderr, "hvx run: --kernel: no Linux machine on this architecture\n");
		return HVX_EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run_arch.linux_run(&o);
}

int hvx_run_main(int argc, char **argv)
{
	struct counts counts = { 0 };
	struct run_opts o;
	struct image img;
	struct vcpu v;
	struct vm vm;
	int r;

	r = parse_run_opts(argc, argv, &o);
	if (r)
		return r;
	if (o.kernel)
		return run_linux(&o);
	if (read_image(o.guest, &img))
		return HVX_EXIT_USAGE;
	r = prepare(&o, &img, &vm, &v);
	free(img.data);
	if (!r && o.trace)
		r = trace_start(o.device, o.trace);
	if (r)
		return r;
	/* Line-buffered, so a guest killed by a timeout still shows its log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = run_loop(&v, &counts);
	fflush(stdout);
	if (o.stats)
		print_stats(&v, &counts);
	vcpu_close(&v);
	vm_close(&vm);
	return r;
}

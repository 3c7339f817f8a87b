// SPDX-License-Identifier: GPL-2.0
/*
 * trace_test: tracepoints, read through tracefs (Documentation/trace/
 * events.rst) in a trace instance of the test's own, so that nothing
 * else tracing on the machine is disturbed.
 *
 * A known guest writes 5, 4, 3, 2, 1 to port 0x80 (x86 port I/O; on
 * arm64 a byte store to that port's MMIO address), each an exit to user
 * space.  On hvx the events are hvx's own (module/hvx_trace.h): one
 * hvx_pio or hvx_mmio per write with its value, hvx_exit for each exit
 * (and one with the guest-physical address of the code page, the
 * stage-2 fault of its first fetch), hvx_entry for each entry.  KVM has
 * other events, named per architecture: there the case checks KVM's
 * kvm_pio (x86) or kvm_mmio (arm64) for the same five writes.
 *
 * hvx_run_trace runs `hvx run --trace` (userspace/trace.c) on a guest of
 * its own and checks its lines one by one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "../lib/test.h"

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_BYTES	(4 << 20)

#include "outs_guest.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* tracefs at TRACEFS, mounted there if it is not yet. */
static int tracefs_ready(void)
{
	struct stat st;

	if (!stat(TRACEFS "/instances", &st))
		return 1;
	mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	return !stat(TRACEFS "/instances", &st);
}

struct instance {
	char dir[128];
	char *text;	/* the trace, once read */
};

static int instance_create(struct instance *in)
{
	snprintf(in->dir, sizeof(in->dir), TRACEFS "/instances/hvx_test_%d",
		 getpid());
	in->text = NULL;
	return mkdir(in->dir, 0700) ? -errno : 0;
}

/* Turn on events/@what (a system, or system/event) in the instance. */
static int instance_enable(struct instance *in, const char *what, int on)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/enable", in->dir, what);
	return write_file(path, on ? "1" : "0");
}

static int instance_read(struct instance *in)
{
	char path[256];
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", in->dir);
	in->text = calloc(1, TRACE_BYTES + 1);
	fd = open(path, O_RDONLY);
	if (!in->text || fd < 0)
		return -1;
	while (len < TRACE_BYTES &&
	       (n = read(fd, in->text + len, TRACE_BYTES - len)) > 0)
		len += n;
	close(fd);
	return 0;
}

static void instance_destroy(struct instance *in)
{
	free(in->text);
	rmdir(in->dir);
}

/* How many lines of the trace contain @what. */
static int count_lines(const char *text, const char *what)
{
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* The next line after @from that contains @what, or NULL. */
static const char *find_line(const char *from, const char *what)
{
	return from ? strstr(from, what) : NULL;
}

/*
 * hvx: the five writes in order, with their values; as many entries as
 * exits, give or take the one in flight at either end; an exit with the
 * code page's address.
 */
static int check_hvx_trace(const char *t)
{
	char want[128], page[64];
	const char *p = t;
	int exits, entries, i;

	for (i = NR_OUTS; i > 0; i--) {
#if defined(__x86_64__)
		snprintf(want, sizeof(want),
			 "hvx_pio: vcpu 0 out port 0x80 size 1 count 1 data %#x",
			 i);
#else
		snprintf(want, sizeof(want),
			 "hvx_mmio: vcpu 0 write gpa %#llx len 1 data %#x",
			 (unsigned long long)ARM64_PORT_GPA + 8 * 0x80, i);
#endif
		p = find_line(p, want);
		if (!p)
			printf("# missing: %s\n", want);
		EXPECT(p);
	}
	exits = count_lines(t, "hvx_exit: vcpu 0 ");
	entries = count_lines(t, "hvx_entry: vcpu 0");
	printf("# hvx_exit %d, hvx_entry %d\n", exits, entries);
	EXPECT(exits >= NR_OUTS + 2 && entries >= exits - 1 &&
	       entries <= exits + 1);
	snprintf(page, sizeof(page), " gpa %#llx\n",
		 (unsigned long long)GUEST_CODE_GPA);
	if (!strstr(t, page))
		printf("# no hvx_exit with%s", page);
	EXPECT(strstr(t, page));
	return 1;
}

/* KVM 6.1's own events for the same writes (kvm_pio, kvm_mmio). */
static int check_kvm_trace(const char *t)
{
	char want[128];
	const char *p = t;
	int i;

	for (i = NR_OUTS; i > 0; i--) {
#if defined(__x86_64__)
		snprintf(want, sizeof(want),
			 "kvm_pio: pio_write at 0x80 size 1 count 1 val %#x", i);
#else
		snprintf(want, sizeof(want),
			 "kvm_mmio: mmio write len 1 gpa %#llx val %#x",
			 (unsigned long long)ARM64_PORT_GPA + 8 * 0x80, i);
#endif
		p = find_line(p, want);
		if (!p)
			printf("# missing: %s\n", want);
		EXPECT(p);
	}
	return 1;
}

static int test_trace_known_guest(const char *dev)
{
	int hvx = test_is_hvx(dev), i, ok;
	struct instance in;
	struct guest g;

	if (!tracefs_ready())
		return test_skip("no tracefs at " TRACEFS);
	EXPECT(instance_create(&in) == 0);
#if defined(__x86_64__)
	EXPECT(instance_enable(&in, hvx ? "hvx" : "kvm/kvm_pio", 1) == 0);
#else
	EXPECT(instance_enable(&in, hvx ? "hvx" : "kvm/kvm_mmio", 1) == 0);
#endif
	GUEST_START(&g, dev, outs);
	for (i = NR_OUTS; i > 0; i--) {
		EXPECT(guest_expect_port(&g, PORT_OUT, 0x80, 1));
		EXPECT(*guest_port_data(&g) == i);
	}
	EXPECT_DONE(&g);
	EXPECT_HALT(&g);
	guest_destroy(&g);
	EXPECT(instance_enable(&in, hvx ? "hvx" : "kvm", 0) == 0);
	EXPECT(instance_read(&in) == 0);
	ok = hvx ? check_hvx_trace(in.text) : check_kvm_trace(in.text);
	if (!ok)
		printf("# trace:\n%.2000s\n", in.text);
	instance_destroy(&in);
	return ok ? TEST_PASS : TEST_FAIL;
}

/* Every hvx event is in tracefs with the fields it documents. */
static int test_trace_formats(const char *dev)
{
	static const struct {
		const char *event, *fields[5];
	} ev[] = {
		{ "hvx_entry", { "vcpu" } },
		{ "hvx_exit", { "vcpu", "reason", "pc", "info", "gpa" } },
		{ "hvx_inject", { "vcpu", "kind", "vector", "error" } },
		{ "hvx_mmio", { "vcpu", "write", "gpa", "len", "data" } },
		{ "hvx_pio", { "vcpu", "out", "port", "size", "count" } },
		{ "hvx_return", { "vcpu", "ret", "exit_reason" } },
	};
	char path[128], *buf, field[64];
	unsigned int i, j;
	int fd;
	ssize_t n;

	if (!test_is_hvx(dev))
		return test_skip("hvx's own tracepoints");
	if (!tracefs_ready())
		return test_skip("no tracefs at " TRACEFS);
	buf = calloc(1, 8192);
	EXPECT(buf);
	for (i = 0; i < ARRAY_SIZE(ev); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/hvx/%s/format",
			 ev[i].event);
		fd = open(path, O_RDONLY);
		EXPECT(fd >= 0);
		n = read(fd, buf, 8191);
		close(fd);
		EXPECT(n > 0);
		buf[n] = 0;
		for (j = 0; j < ARRAY_SIZE(ev[i].fields) && ev[i].fields[j];
		     j++) {
			snprintf(field, sizeof(field), " %s;", ev[i].fields[j]);
			EXPECT(strstr(buf, field));
		}
	}
	free(buf);
	return TEST_PASS;
}

/*
 * The guest of hvx_run_trace, a flat binary for hvx run's machine
 * (userspace/run-x86.c, run-arm64.c): "hi\n" on the serial port, one
 * byte per exit to user space, a CPUID (x86, answered in the kernel),
 * then HLT (x86) or PSCI SYSTEM_OFF (arm64).
 */
GUEST_CODE_X86(hi, GUEST_REAL, ".code16",
	"mov $0x3f8, %dx\n"			/* 0x8000 */
	"mov $0x68, %al\n out %al, %dx\n"	/* OUT at 0x8005 */
	"mov $0x69, %al\n out %al, %dx\n"	/* 0x8008 */
	"mov $0x0a, %al\n out %al, %dx\n"	/* 0x800b */
	"xor %eax, %eax\n cpuid\n"		/* CPUID at 0x800f */
	"hlt\n");				/* 0x8011 */
GUEST_CODE_ARM64(hi, GUEST_EL1,
	"movz x1, #0x0900, lsl #16\n"		/* the PL011's UARTDR */
	"mov w0, #0x68\n strb w0, [x1]\n"	/* STRB at 0x40080008 */
	"mov w0, #0x69\n strb w0, [x1]\n"	/* 0x40080010 */
	"mov w0, #0x0a\n strb w0, [x1]\n"	/* 0x40080018 */
	"movz w0, #0x8400, lsl #16\n movk w0, #8\n" /* SYSTEM_OFF */
	"hvc #0\n");

#if defined(__x86_64__)
#define HI_CLASSES	"io,hlt,cpuid"
static const char *const hi_lines[] = {
	"vcpu0 io: out port 0x3f8 size 1 data 0x68, pc 0x8005 [ee] = user (KVM_EXIT_IO)",
	"vcpu0 io: out port 0x3f8 size 1 data 0x69, pc 0x8008 [ee] = user (KVM_EXIT_IO)",
	"vcpu0 io: out port 0x3f8 size 1 data 0xa, pc 0x800b [ee] = user (KVM_EXIT_IO)",
	"vcpu0 cpuid: cpuid, pc 0x800f [0f a2] = kernel",
	"vcpu0 hlt: hlt, pc 0x8011 [f4] = user (KVM_EXIT_HLT)",
};
/* The first instruction's fetch: a nested page fault or EPT violation. */
#define HI_FIRST_FAULT	" gpa 0x8000, pc 0x8000"
#else
#define HI_CLASSES	"mmio,hypercall"
static const char *const hi_lines[] = {
	"vcpu0 mmio: write gpa 0x9000000 len 1 data 0x68, pc 0x40080008 [39000020] = user (KVM_EXIT_MMIO)",
	"vcpu0 mmio: write gpa 0x9000000 len 1 data 0x69, pc 0x40080010 [39000020] = user (KVM_EXIT_MMIO)",
	"vcpu0 mmio: write gpa 0x9000000 len 1 data 0xa, pc 0x40080018 [39000020] = user (KVM_EXIT_MMIO)",
	"vcpu0 hypercall: hvc #0, pc 0x40080024 [d4000002] = user (KVM_EXIT_SYSTEM_EVENT)",
};
#define HI_FIRST_FAULT	" gpa 0x40080000, pc 0x40080000"
#endif

static char run_out[64 * 1024];

/*
 * `hvx run --device @dev --trace@classes GUEST`: 0 with its stderr in
 * run_out when it ran and printed "hi\n" on stdout, else -1.
 */
static int run_hvx_trace(const char *tool, const char *dev,
			 const char *classes, const char *guest)
{
	char cmd[512], out[64], err[64];
	int fd, r, n = 0;
	ssize_t k;

	snprintf(out, sizeof(out), "/tmp/hvx_run_trace_%d.out", getpid());
	snprintf(err, sizeof(err), "/tmp/hvx_run_trace_%d.err", getpid());
	snprintf(cmd, sizeof(cmd), "%s run --device %s --trace%s %s >%s 2>%s",
		 tool, dev, classes, guest, out, err);
	r = system(cmd);
	fd = open(out, O_RDONLY);
	k = fd < 0 ? -1 : read(fd, run_out, sizeof(run_out) - 1);
	if (fd >= 0)
		close(fd);
	if (r || k != 3 || memcmp(run_out, "hi\n", 3)) {
		printf("# '%s': status %#x, stdout %zd bytes\n", cmd, r, k);
		r = -1;
	}
	fd = open(err, O_RDONLY);
	while (fd >= 0 && (k = read(fd, run_out + n,
				     sizeof(run_out) - 1 - n)) > 0)
		n += k;
	if (fd >= 0)
		close(fd);
	run_out[n] = 0;
	unlink(out);
	unlink(err);
	return r;
}

/* @line with its time stamp (the first word) cut off, or NULL. */
static const char *untimed(const char *line)
{
	const char *p = line + strspn(line, " ");

	p = strchr(p, ' ');
	return p ? p + 1 : NULL;
}

/* The line of run_out with @what in it ends with @end. */
static int line_ends(const char *what, const char *end)
{
	const char *p = strstr(run_out, what), *nl;

	if (!p)
		return 0;
	nl = strchr(p, '\n');
	if (!nl)
		nl = p + strlen(p);
	return nl - p >= (long)strlen(end) &&
	       !strncmp(nl - strlen(end), end, strlen(end));
}

/* Every line of run_out, in order, is one of @want's. */
static int check_lines(const char *const *want, int n)
{
	char *line, *save;
	int i = 0, ok = 1;

	for (line = strtok_r(run_out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		const char *l = untimed(line);

		if (i >= n || !l || strcmp(l, want[i])) {
			printf("# line %d: '%s'\n#  wanted: '%s'\n", i + 1,
			       line, i < n ? want[i] : "(none)");
			ok = 0;
		}
	}
	if (i != n)
		printf("# %d lines, wanted %d\n", i, n);
	return ok && i == n;
}

/*
 * hvx run --trace=CLASSES on a known guest prints exactly its exits of
 * those classes, each decoded, with its instruction and where it was
 * handled; plain --trace also shows the exits handled in the kernel, the
 * first being the fetch of the first instruction (a stage-2 fault), and
 * as many user exits as the guest made.
 */
static int test_hvx_run_trace(const char *dev)
{
	const char *tool = getenv("HVX_TOOL") ?: "/hvx/bin/hvx";
	char guest[64];
	int fd, ok;
	ssize_t len = hi_end - hi_start;

	(void)hi_mode;	/* hvx run's machine picks it: real mode, EL1 */

	if (access(tool, X_OK))
		return test_skip("no hvx tool at /hvx/bin/hvx or $HVX_TOOL");
	snprintf(guest, sizeof(guest), "/tmp/hvx_run_trace_%d.bin", getpid());
	fd = open(guest, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	EXPECT(fd >= 0 && write(fd, hi_start, len) == len);
	close(fd);
	ok = run_hvx_trace(tool, dev, "=" HI_CLASSES, guest) == 0 &&
	     check_lines(hi_lines, ARRAY_SIZE(hi_lines));
	if (ok) {
		ok = run_hvx_trace(tool, dev, "", guest) == 0;
		printf("# --trace: %d lines, %d kernel, %d user\n",
		       count_lines(run_out, "\n"),
		       count_lines(run_out, "= kernel"),
		       count_lines(run_out, "= user"));
		ok = ok && line_ends(HI_FIRST_FAULT, "= kernel") &&
		     count_lines(run_out, "= user") ==
		     (int)ARRAY_SIZE(hi_lines) - (HI_CLASSES[0] == 'i');
	}
	if (!ok)
		printf("# stderr:\n%.3000s\n", run_out);
	unlink(guest);
	return ok ? TEST_PASS : TEST_FAIL;
}

static const struct test_case cases[] = {
	{ "trace_known_guest", test_trace_known_guest },
	{ "trace_formats", test_trace_formats, TEST_HVX_ONLY },
	{ "hvx_run_trace", test_hvx_run_trace, TEST_HVX_ONLY },
};

TEST_MAIN_SHARED(cases)

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
 */
#include <fcntl.h>
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

static const struct test_case cases[] = {
	{ "trace_known_guest", test_trace_known_guest },
	{ "trace_formats", test_trace_formats, TEST_HVX_ONLY },
};

TEST_MAIN_SHARED(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --trace: the guest's exits, one line each, strace-style:
 *
 *   TIME vcpuN CLASS: WHAT, pc PC [INSTRUCTION] = kernel
 *   TIME vcpuN CLASS: WHAT, pc PC [INSTRUCTION] = user (KVM_EXIT_...)
 *
 * TIME is seconds since the first event.  The lines come from hvx's
 * tracepoints (module/hvx_trace.h) in a tracefs instance of the tool's
 * own, instances/hvx-PID, with set_event_pid holding the tool's pid so
 * that other VMs' events stay out (Documentation/trace/events.rst,
 * ftrace.rst "instances").  Its trace_pipe is drained after every
 * KVM_RUN, so a line appears as soon as the exit reaches user space, and
 * an exit is "kernel" when the next event is the vCPU's next entry
 * (hvx_entry) or an injection, "user" when it is KVM_RUN's return
 * (hvx_return).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/hvx.h>

#include "hvx.h"
#include "lib/vmlib.h"
#include "trace.h"

#define TRACEFS		"/sys/kernel/tracing"
#define DEBUGFS		"/sys/kernel/debug"
#define TRACE_BUF_KB	"2048"

static const char *const class_names[] = {
	"io", "mmio", "hlt", "irq", "cpuid", "msr", "hypercall", "fault",
	"exception", "other",
};

const char trace_class_names[] =
	"io, mmio, hlt, irq, cpuid, msr, hypercall, fault, exception, other, all";

static struct {
	char dir[64];		/* the instance, "" when there is none */
	int pipe;		/* its trace_pipe, non-blocking */
	unsigned int classes;
	unsigned int backend;
	int have_t0;
	double t0;
	char partial[512];	/* a line not yet complete */
	/* The last hvx_exit, until the next event says where it went. */
	int pending;
	unsigned int vcpu;
	double t;
	struct trace_exit exit;
	struct trace_decoded dec;
} tr = { .pipe = -1 };

int trace_parse_classes(const char *s, unsigned int *mask)
{
	char buf[128], *tok, *save;
	unsigned int i;

	*mask = 0;
	if (!s || !*s)
		s = "all";
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*mask |= TRACE_ALL;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(class_names); i++)
			if (!strcmp(tok, class_names[i]))
				break;
		if (i == ARRAY_SIZE(class_names))
			return -1;
		*mask |= 1u << i;
	}
	return *mask ? 0 : -1;
}

static const char *class_name(unsigned int class)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(class_names); i++)
		if (class == 1u << i)
			return class_names[i];
	return "other";
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int backend_of(const char *dev, unsigned int *backend)
{
	struct hvx_info info;
	int fd = open(dev, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, HVX_GET_INFO, &info);
	close(fd);
	*backend = info.backend;
	return r;
}

static int tracefs_ready(void)
{
	struct stat st;

	if (!stat(TRACEFS "/instances", &st))
		return 1;
	mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	return !stat(TRACEFS "/instances", &st);
}

void trace_stop(void)
{
	if (tr.pipe >= 0)
		close(tr.pipe);
	tr.pipe = -1;
	if (!tr.dir[0])
		return;
	write_text(tr.dir, "events/hvx/enable", "0");
	rmdir(tr.dir);
	tr.dir[0] = 0;
}

int trace_start(const char *dev, unsigned int classes)
{
	char pid[32], path[128];
	int r;

	if (backend_of(dev, &tr.backend)) {
		fprintf(stderr, "hvx run: --trace reads hvx's own tracepoints: %s does not answer HVX_GET_INFO (%s), so it is not hvx\n",
			dev, strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	if (!tracefs_ready()) {
		fprintf(stderr, "hvx run: --trace: no tracefs at " TRACEFS " (%s)\n",
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	tr.classes = classes;
	snprintf(tr.dir, sizeof(tr.dir), TRACEFS "/instances/hvx-%d",
		 getpid());
	if (mkdir(tr.dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "hvx run: --trace: cannot create %s: %s\n",
			tr.dir, strerror(errno));
		tr.dir[0] = 0;
		return HVX_EXIT_DEVICE;
	}
	atexit(trace_stop);
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_text(tr.dir, "buffer_size_kb", TRACE_BUF_KB);
	r = write_text(tr.dir, "set_event_pid", pid);
	if (!r)
		r = write_text(tr.dir, "events/hvx/enable", "1");
	snprintf(path, sizeof(path), "%s/trace_pipe", tr.dir);
	if (!r) {
		tr.pipe = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		r = tr.pipe < 0 ? -errno : 0;
	}
	if (r) {
		fprintf(stderr, "hvx run: --trace: cannot turn on hvx's events in %s: %s\n",
			tr.dir, strerror(-r));
		trace_stop();
		return HVX_EXIT_DEVICE;
	}
	return 0;
}

/* A line's time stamp, relative to the first event's. */
static double rel_time(double t)
{
	if (!tr.have_t0) {
		tr.t0 = t;
		tr.have_t0 = 1;
	}
	return t - tr.t0;
}

/* KVM_EXIT_* by name: "IO" for KVM_EXIT_IO. */
static const char *kvm_exit_name(unsigned int reason, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "%s", exit_reason_name(reason));
	for (i = 0; buf[i]; i++)
		buf[i] = toupper((unsigned char)buf[i]);
	return buf;
}

/* The pending exit, with where it went: "kernel" or the KVM_EXIT_*. */
static void flush_exit(struct vcpu *v, int user, unsigned int reason)
{
	char insn[64], name[32];

	if (!tr.pending)
		return;
	tr.pending = 0;
	if (!(tr.classes & tr.dec.class))
		return;
	trace_arch_insn(v, &tr.dec, tr.dec.pc, insn, sizeof(insn));
	fprintf(stderr, "%11.6f vcpu%u %s: %s, pc %#llx%s%s = ", tr.t,
		tr.vcpu, class_name(tr.dec.class), tr.dec.what,
		(unsigned long long)tr.dec.pc, *insn ? " " : "", insn);
	if (user)
		fprintf(stderr, "user (KVM_EXIT_%s)\n",
			kvm_exit_name(reason, name, sizeof(name)));
	else
		fprintf(stderr, "kernel\n");
}

static void on_exit_event(struct vcpu *v, const char *args, double t)
{
	unsigned long long reason, pc, info, gpa;
	unsigned int vcpu;

	if (sscanf(args, "vcpu %u reason %llx pc %llx info %llx gpa %llx",
		   &vcpu, &reason, &pc, &info, &gpa) != 5)
		return;
	flush_exit(v, 0, 0);
	tr.exit = (struct trace_exit) { reason, pc, info, gpa };
	tr.vcpu = vcpu;
	tr.t = t;
	memset(&tr.dec, 0, sizeof(tr.dec));
	tr.dec.pc = pc;
	trace_arch_decode(tr.backend, &tr.exit, &tr.dec);
	tr.pending = 1;
}

/* hvx_pio and hvx_mmio: what user space is given for the pending exit. */
static void on_user_access(const char *name, const char *args)
{
	unsigned long long gpa, data;
	unsigned int vcpu, len, port, size, count, d;
	char dir[8];

	if (!tr.pending)
		return;
	if (!strcmp(name, "hvx_pio") &&
	    sscanf(args, "vcpu %u %3s port %x size %u count %u data %x",
		   &vcpu, dir, &port, &size, &count, &d) == 6) {
		tr.dec.class = TRACE_IO;
		snprintf(tr.dec.what, sizeof(tr.dec.what),
			 "%s port %#x size %u", dir, port, size);
		if (count != 1)
			snprintf(tr.dec.what + strlen(tr.dec.what),
				 sizeof(tr.dec.what) - strlen(tr.dec.what),
				 " count %u", count);
		if (!strcmp(dir, "out"))
			snprintf(tr.dec.what + strlen(tr.dec.what),
				 sizeof(tr.dec.what) - strlen(tr.dec.what),
				 " data %#x", d);
	} else if (!strcmp(name, "hvx_mmio") &&
		   sscanf(args, "vcpu %u %7s gpa %llx len %u data %llx",
			  &vcpu, dir, &gpa, &len, &data) == 5) {
		tr.dec.class = TRACE_MMIO;
		snprintf(tr.dec.what, sizeof(tr.dec.what),
			 "%s gpa %#llx len %u", dir, gpa, len);
		if (!strcmp(dir, "write"))
			snprintf(tr.dec.what + strlen(tr.dec.what),
				 sizeof(tr.dec.what) - strlen(tr.dec.what),
				 " data %#llx", data);
	}
}

static void on_inject(struct vcpu *v, const char *args, double t)
{
	unsigned long long error;
	unsigned int vcpu, vector;
	char kind[16];

	flush_exit(v, 0, 0);
	if (!(tr.classes & TRACE_IRQ) ||
	    sscanf(args, "vcpu %u %15s vector %u error %llx", &vcpu, kind,
		   &vector, &error) != 4)
		return;
	fprintf(stderr, "%11.6f vcpu%u irq: inject %s vector %u", t, vcpu,
		kind, vector);
	if (error)
		fprintf(stderr, " error %#llx", error);
	fprintf(stderr, "\n");
}

static void on_return(struct vcpu *v, const char *args, double t)
{
	unsigned int vcpu, reason;
	char name[32];
	int ret;

	if (sscanf(args, "vcpu %u ret %d exit_reason %u", &vcpu, &ret,
		   &reason) != 3)
		return;
	if (tr.pending && !ret) {
		flush_exit(v, 1, reason);
		return;
	}
	flush_exit(v, 0, 0);
	if (!(tr.classes & TRACE_OTHER))
		return;
	if (ret)
		fprintf(stderr, "%11.6f vcpu%u other: KVM_RUN = %d (%s)\n", t,
			vcpu, ret, strerror(-ret));
	else
		fprintf(stderr, "%11.6f vcpu%u other: KVM_RUN = user (KVM_EXIT_%s)\n",
			t, vcpu, kvm_exit_name(reason, name, sizeof(name)));
}

/*
 * One line of trace_pipe:
 *   "  hvx-123  [001] d..2.  12.345678: hvx_exit: vcpu 0 reason ..."
 */
static void on_line(struct vcpu *v, char *line)
{
	char *ev = strstr(line, ": hvx_"), *args, *ts;
	double t;

	if (!ev)
		return;
	*ev = 0;
	ts = strrchr(line, ' ');
	t = rel_time(strtod(ts ? ts + 1 : line, NULL));
	ev += 2;
	args = strchr(ev, ':');
	if (!args)
		return;
	*args++ = 0;
	args += strspn(args, " ");
	if (!strcmp(ev, "hvx_exit"))
		on_exit_event(v, args, t);
	else if (!strcmp(ev, "hvx_entry"))
		flush_exit(v, 0, 0);
	else if (!strcmp(ev, "hvx_inject"))
		on_inject(v, args, t);
	else if (!strcmp(ev, "hvx_return"))
		on_return(v, args, t);
	else
		on_user_access(ev, args);
}

void trace_drain(struct vcpu *v)
{
	char buf[4096], line[sizeof(tr.partial) + sizeof(buf)];
	char *p, *nl;
	ssize_t n;

	if (tr.pipe < 0)
		return;
	while ((n = read(tr.pipe, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		p = buf;
		while ((nl = strchr(p, '\n'))) {
			*nl = 0;
			snprintf(line, sizeof(line), "%s%s", tr.partial, p);
			tr.partial[0] = 0;
			on_line(v, line);
			p = nl + 1;
		}
		if (strlen(tr.partial) + strlen(p) < sizeof(tr.partial))
			strcat(tr.partial, p);
	}
}

/* The debugfs directory of this process's newest VM, or -1. */
static int newest_vm_dir(char *out, size_t size)
{
	int best = -1, pid = getpid(), p, n;
	struct dirent *e;
	DIR *d;

	if (access(DEBUGFS "/hvx", F_OK))
		mount("none", DEBUGFS, "debugfs", 0, NULL);
	d = opendir(DEBUGFS "/hvx");
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "%d-%d", &p, &n) == 2 && p == pid &&
		    n > best)
			best = n;
	closedir(d);
	if (best < 0)
		return -1;
	snprintf(out, size, DEBUGFS "/hvx/%d-%d", pid, best);
	return 0;
}

const char *trace_entry_failure(int vcpu_id, char *buf, size_t size)
{
	static const char key[] = "last entry failure: ";
	static const char ref[] = "entry failure rule from: ";
	char dir[128], path[160], line[512];
	const char *r = NULL;
	FILE *f;

	if (newest_vm_dir(dir, sizeof(dir)))
		return NULL;
	snprintf(path, sizeof(path), "%s/vcpu%d", dir, vcpu_id);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, key, strlen(key))) {
			snprintf(buf, size, "%s", line + strlen(key));
			r = strcmp(buf, "none") ? buf : NULL;
		} else if (r && !strncmp(line, ref, strlen(ref))) {
			snprintf(buf + strlen(buf), size - strlen(buf),
				 " (%s)", line + strlen(ref));
		}
	}
	fclose(f);
	return r;
}

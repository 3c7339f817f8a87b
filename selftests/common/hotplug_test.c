// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_test: host CPU 1 taken offline and brought back online
 * (/sys/devices/system/cpu/cpu1/online) around a VM.  Virtualization is
 * per CPU (EFER.SVME and the host save area on AMD, VMXON and the active
 * VMCSs on Intel), and an x86 CPU coming back online has been through
 * INIT: the hypervisor must turn it off on the way down and on again on
 * the way up, and the guest must not notice.  Each case puts CPU 1 back
 * online before it ends, and skips, with the reason, on a machine with
 * one CPU or without CPU hotplug.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "../lib/test.h"

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define TICKS		20

/*
 * The guest counts in a register (RBX, X1) and in memory at 0x3000, and
 * writes the count to port 0x10 after each step: every exit shows whether
 * its registers and memory came through the last entry intact.
 */
GUEST_CODE_X86(ticker, GUEST_LONG, ".code64",
	"xor %ebx, %ebx\n"
	"1: inc %rbx\n"
	"mov %rbx, 0x3000\n"
	"mov %ebx, %eax\n"
	"out %eax, $0x10\n"
	"jmp 1b\n");
GUEST_CODE_ARM64(ticker, GUEST_EL1,
	"mov x1, #0\n mov x2, #0x3000\n"
	"1: add x1, x1, #1\n str x1, [x2]\n"
	GUEST_OUT(0x10, "str", "w1")
	"b 1b\n");

/* "0" or "1" to CPU 1's online file; 0 or -errno. */
static int cpu1_set_online(int online)
{
	int fd = open(CPU1_ONLINE, O_WRONLY), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, online ? "1" : "0", 1) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Why CPU 1 cannot be taken offline here, or NULL if it can. */
static const char *cpu1_unpluggable(void)
{
	if (sysconf(_SC_NPROCESSORS_CONF) < 2)
		return "one CPU: no CPU 1 to take offline";
	if (access(CPU1_ONLINE, W_OK))
		return "no writable " CPU1_ONLINE " (no CPU hotplug)";
	return NULL;
}

/* Run this thread on @cpu only, and check it is there now. */
static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	EXPECT(sched_setaffinity(0, sizeof(set), &set) == 0);
	EXPECT(sched_getcpu() == cpu);
	return TEST_PASS;
}

/*
 * Run @n steps of the ticker on this thread's CPU: each exit must carry
 * the next count, in the port data and in guest memory.
 */
static int tick(struct guest *g, uint32_t *count, int n)
{
	uint64_t *mem = vm_gpa(&g->vm, 0x3000);
	uint32_t seen;
	int i;

	for (i = 0; i < n; i++) {
		EXPECT(guest_expect_port(g, PORT_OUT, 0x10, 4));
		memcpy(&seen, guest_port_data(g), sizeof(seen));
		++*count;
		if (seen != *count || *mem != *count)
			printf("# step %u: port says %u, memory %llu\n", *count,
			       seen, (unsigned long long)*mem);
		EXPECT(seen == *count && *mem == *count);
	}
	return TEST_PASS;
}

/*
 * The case proper, with CPU 1 put back online afterwards whatever
 * happened, so that the cases after it find the machine as it was.
 */
static int with_cpu1(int (*fn)(const char *dev), const char *dev)
{
	const char *why = cpu1_unpluggable();
	int r;

	if (why)
		return test_skip(why);
	EXPECT(cpu1_set_online(1) == 0);
	r = fn(dev);
	errno = 0;
	if (cpu1_set_online(1)) {
		test_diag(__FILE__, __LINE__, "CPU 1 back online");
		return TEST_FAIL;
	}
	return r;
}

/*
 * A vCPU that ran on CPU 1 runs on CPU 0 while CPU 1 is offline, then on
 * CPU 1 again once it is back: the hypervisor turned CPU 1 off and on
 * with the VM alive, and moved the vCPU's state (on VMX its VMCS, which
 * had to be VMCLEARed on CPU 1 before it went, SDM 24.11.1).
 */
static int offline_with_vm(const char *dev)
{
	uint32_t count = 0;
	struct guest g;

	GUEST_START(&g, dev, ticker);
	EXPECT(pin_to(1) == TEST_PASS);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(pin_to(0) == TEST_PASS);
	EXPECT(cpu1_set_online(0) == 0);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(sched_getcpu() == 0);
	EXPECT(cpu1_set_online(1) == 0);
	EXPECT(pin_to(1) == TEST_PASS);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(sched_getcpu() == 1);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_offline_with_vm(const char *dev)
{
	return with_cpu1(offline_with_vm, dev);
}

/*
 * CPU 1 goes offline and comes back with no VM alive; a VM created after
 * that runs on it.
 */
static int offline_without_vm(const char *dev)
{
	uint32_t count = 0;
	struct guest g;

	EXPECT(cpu1_set_online(0) == 0);
	EXPECT(cpu1_set_online(1) == 0);
	GUEST_START(&g, dev, ticker);
	EXPECT(pin_to(1) == TEST_PASS);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(pin_to(0) == TEST_PASS);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_offline_without_vm(const char *dev)
{
	return with_cpu1(offline_without_vm, dev);
}

/*
 * A VM created while CPU 1 is offline, so CPU 1 was not turned on with
 * the others: once it is back online its vCPU runs there.
 */
static int online_under_vm(const char *dev)
{
	uint32_t count = 0;
	struct guest g;

	EXPECT(pin_to(0) == TEST_PASS);
	EXPECT(cpu1_set_online(0) == 0);
	GUEST_START(&g, dev, ticker);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(cpu1_set_online(1) == 0);
	EXPECT(pin_to(1) == TEST_PASS);
	EXPECT(tick(&g, &count, TICKS) == TEST_PASS);
	EXPECT(sched_getcpu() == 1);
	guest_destroy(&g);
	return TEST_PASS;
}

static int test_online_under_vm(const char *dev)
{
	return with_cpu1(online_under_vm, dev);
}

static const struct test_case cases[] = {
	{ "cpu1_offline_with_vm", test_offline_with_vm },
	{ "cpu1_offline_without_vm", test_offline_without_vm },
	{ "cpu1_online_under_vm", test_online_under_vm },
};

TEST_MAIN_SHARED(cases)

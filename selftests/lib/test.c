// SPDX-License-Identifier: GPL-2.0
/*
 * hvx selftest harness: TAP output, the device loop, guest helpers.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/hvx.h>

#include "test.h"

#define TEST_TIMEOUT_S	60

void test_diag(const char *file, int line, const char *what)
{
	printf("# %s:%d: expected %s (errno %d: %s)\n", file, line, what,
	       errno, strerror(errno));
	fflush(stdout);
}

/* A device is hvx's if it answers HVX_GET_INFO. */
int test_is_hvx(const char *dev)
{
	struct hvx_info info;
	int fd = open(dev, O_RDWR), r;

	if (fd < 0)
		return 0;
	r = ioctl(fd, HVX_GET_INFO, &info) == 0;
	close(fd);
	return r;
}

static const char *dev_label(const char *dev)
{
	return test_is_hvx(dev) ? "hvx" : "kvm";
}

static int run_child(const struct test_case *tc, const char *dev)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return TEST_FAIL;
	if (!pid) {
		alarm(TEST_TIMEOUT_S);
		exit(tc->fn(dev));
	}
	if (waitpid(pid, &status, 0) < 0)
		return TEST_FAIL;
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d%s\n", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
		return TEST_FAIL;
	}
	return WEXITSTATUS(status);
}

static void run_case(const struct test_case *tc, const char *dev, int *n)
{
	struct stat st;
	int r;

	++*n;
	if (stat(dev, &st)) {
		printf("ok %d - %s [%s] # SKIP %s absent\n", *n, tc->name,
		       strstr(dev, "hvx") ? "hvx" : "kvm", dev);
		return;
	}
	if ((tc->flags & TEST_HVX_ONLY) && !test_is_hvx(dev)) {
		printf("ok %d - %s [%s] # SKIP hvx extension\n", *n,
		       tc->name, dev_label(dev));
		return;
	}
	r = run_child(tc, dev);
	if (r == TEST_SKIP)
		printf("ok %d - %s [%s] # SKIP\n", *n, tc->name, dev_label(dev));
	else
		printf("%sok %d - %s [%s]\n", r == TEST_PASS ? "" : "not ",
		       *n, tc->name, dev_label(dev));
	fflush(stdout);
}

int test_main(const struct test_case *cases, int nr)
{
	const char *env = getenv("HVX_TEST_DEVICES");
	char devs[512], *save, *dev;
	int ndev = 0, n = 0, i;

	snprintf(devs, sizeof(devs), "%s", env ? env : "/dev/hvx /dev/kvm");
	for (dev = strtok_r(devs, " ", &save); dev;
	     dev = strtok_r(NULL, " ", &save))
		ndev++;
	printf("TAP version 13\n1..%d\n", nr * ndev);
	for (i = 0; i < nr; i++) {
		snprintf(devs, sizeof(devs), "%s",
			 env ? env : "/dev/hvx /dev/kvm");
		for (dev = strtok_r(devs, " ", &save); dev;
		     dev = strtok_r(NULL, " ", &save))
			run_case(&cases[i], dev, &n);
	}
	return 0;
}

int guest_create(struct guest *g, const char *dev, enum guest_mode mode,
		 const unsigned char *start, const unsigned char *end)
{
	int r = vm_open(&g->vm, dev, GUEST_MIN_MEM);

	if (r)
		return r;
	r = vcpu_create(&g->vm, &g->vcpu, 0);
	if (!r)
		r = vm_load(&g->vm, GUEST_CODE_GPA, start, end - start);
	if (!r)
		r = vcpu_setup_mode(&g->vcpu, mode, GUEST_CODE_GPA,
				    GUEST_STACK_TOP);
	return r;
}

void guest_destroy(struct guest *g)
{
	vcpu_close(&g->vcpu);
	vm_close(&g->vm);
}

int guest_run(struct guest *g)
{
	return vcpu_run(&g->vcpu);
}

/* Run to the next exit and check it is this port access. */
int guest_expect_io(struct guest *g, int dir, int port, int size)
{
	struct kvm_run *run = g->vcpu.run;
	int r = guest_run(g);

	if (r != KVM_EXIT_IO) {
		printf("# exit %d (%s), wanted io\n", r,
		       r >= 0 ? exit_reason_name(r) : strerror(-r));
		return 0;
	}
	if (run->io.direction != dir || run->io.port != port ||
	    run->io.size != size) {
		printf("# io dir %d port %#x size %d, wanted %d %#x %d\n",
		       run->io.direction, run->io.port, run->io.size, dir,
		       port, size);
		return 0;
	}
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * api_test: the system, VM and vCPU ioctls of <linux/kvm.h>, and the
 * errors bad requests must get.  The cases here hold on every
 * architecture; x86/api_test.c and arm64/api_test.c add their own
 * registers and the hooks below.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../lib/test.h"

/* The architecture's part of the shared cases. */
int arch_check_extension(int sys_fd);
int arch_bad_vcpu_pointers(struct vcpu *vcpu);
extern const int arch_kvm_vm_unknown_errno;

static int test_api_version(const char *dev)
{
	int fd = open(dev, O_RDWR);

	EXPECT(fd >= 0);
	EXPECT(ioctl(fd, KVM_GET_API_VERSION, 0) == 12);
	return TEST_PASS;
}

/* The capabilities every KVM program relies on, and a number none has. */
static int test_check_extension(const char *dev)
{
	int fd = open(dev, O_RDWR);

	EXPECT(fd >= 0);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) == 1);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) == 1);
	/* QEMU requires the next two; memslot_test shows what they promise. */
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_DESTROY_MEMORY_REGION_WORKS) == 1);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_JOIN_MEMORY_REGIONS_WORKS) == 1);
	/* exit_test's internal_error_data shows what this one promises. */
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_INTERNAL_ERROR_DATA) == 1);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS) > 0);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS) > 0);
	EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, 0x7fffff) == 0);
	return arch_check_extension(fd);
}

/*
 * With KVM_CAP_CHECK_EXTENSION_VM, the VM fd answers KVM_CHECK_EXTENSION
 * too, for that VM: here the same answers as the system fd.
 */
static int test_check_extension_vm(const char *dev)
{
	struct vm vm;
	int slots;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	if (ioctl(vm.sys_fd, KVM_CHECK_EXTENSION,
		  KVM_CAP_CHECK_EXTENSION_VM) != 1)
		return TEST_SKIP;
	slots = ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) == 1);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS) ==
	       slots);
	EXPECT(ioctl(vm.fd, KVM_CHECK_EXTENSION, 0x7fffff) == 0);
	return TEST_PASS;
}

static int test_vcpu_mmap_size(const char *dev)
{
	int fd = open(dev, O_RDWR);

	EXPECT(fd >= 0);
	EXPECT(ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0) >= 4096);
	return TEST_PASS;
}

static int test_create_vm_bad_type(const char *dev)
{
	int fd = open(dev, O_RDWR);

	EXPECT(fd >= 0);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0x12345), EINVAL);
	return TEST_PASS;
}

/*
 * An ioctl nobody implements, on each kind of file descriptor: hvx says
 * ENOTTY everywhere; KVM 6.1 says EINVAL on the system and vCPU fds, and
 * on the VM fd what its architecture's VM ioctls say.
 */
static int unknown_errno_ok(const char *dev)
{
	return errno == ENOTTY || (!test_is_hvx(dev) && errno == EINVAL);
}

static int unknown_vm_errno_ok(const char *dev)
{
	int err = errno;	/* test_is_hvx() makes ioctls of its own */

	return test_is_hvx(dev) ? err == ENOTTY :
				  err == arch_kvm_vm_unknown_errno;
}

static int test_unknown_ioctls(const char *dev)
{
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT(ioctl(vm.sys_fd, _IO(KVMIO, 0xfe)) == -1 &&
	       unknown_errno_ok(dev));
	EXPECT(ioctl(vm.fd, _IO(KVMIO, 0xfe)) == -1 &&
	       unknown_vm_errno_ok(dev));
	EXPECT(ioctl(vcpu.fd, _IO(KVMIO, 0xfe)) == -1 &&
	       unknown_errno_ok(dev));
	EXPECT(ioctl(vm.fd, KVM_RUN, 0) == -1 && unknown_vm_errno_ok(dev));
	EXPECT(ioctl(vm.sys_fd, KVM_CREATE_VCPU, 0) == -1 &&
	       unknown_errno_ok(dev));
	return TEST_PASS;
}

static int test_bad_fds(const char *dev)
{
	int fd = open("/dev/null", O_RDWR);

	(void)dev;
	EXPECT_ERRNO(ioctl(-1, KVM_CREATE_VM, 0), EBADF);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0), ENOTTY);
	close(fd);
	EXPECT_ERRNO(ioctl(fd, KVM_RUN, 0), EBADF);
	return TEST_PASS;
}

/* Arguments that point nowhere: EFAULT, and nothing else happens. */
static int test_bad_user_pointers(const char *dev)
{
	void *nowhere = (void *)8;
	struct vcpu vcpu;
	struct vm vm;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, nowhere),
		     EFAULT);
	return arch_bad_vcpu_pointers(&vcpu);
}

static int test_create_vcpu_ids(const char *dev)
{
	struct vm vm;
	int a, b;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	a = ioctl(vm.fd, KVM_CREATE_VCPU, 0);
	b = ioctl(vm.fd, KVM_CREATE_VCPU, 1);
	EXPECT(a >= 0 && b >= 0 && a != b);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_VCPU, 0), EEXIST);
	EXPECT_ERRNO(ioctl(vm.fd, KVM_CREATE_VCPU, 1 << 20), EINVAL);
	return TEST_PASS;
}

static int test_run_mmap(const char *dev)
{
	struct vm vm;
	struct vcpu vcpu;
	void *again;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	vcpu.run->immediate_exit = 1;
	EXPECT(vcpu_run(&vcpu) == -EINTR);
	/* A second mapping shows the same page. */
	again = mmap(NULL, vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     vcpu.fd, 0);
	EXPECT(again != MAP_FAILED);
	EXPECT(((struct kvm_run *)again)->immediate_exit == 1);
	return TEST_PASS;
}

static int test_run_bad_arg(const char *dev)
{
	struct vm vm;
	struct vcpu vcpu;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vcpu_create(&vm, &vcpu, 0) == 0);
	EXPECT_ERRNO(ioctl(vcpu.fd, KVM_RUN, 1), EINVAL);
	return TEST_PASS;
}

/* A VM belongs to the process that made it: another one gets EIO. */
static int test_foreign_process(const char *dev)
{
	struct vm vm;
	int status;
	pid_t pid;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	pid = fork();
	if (!pid)
		_exit(ioctl(vm.fd, KVM_CREATE_VCPU, 0) == -1 && errno == EIO);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	return TEST_PASS;
}

static int test_many_vms(const char *dev)
{
	struct vm vms[8];
	int i;

	for (i = 0; i < 8; i++)
		EXPECT(vm_open(&vms[i], dev, GUEST_MIN_MEM) == 0);
	for (i = 0; i < 8; i++)
		vm_close(&vms[i]);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "api_version", test_api_version },
	{ "check_extension", test_check_extension },
	{ "check_extension_vm", test_check_extension_vm },
	{ "vcpu_mmap_size", test_vcpu_mmap_size },
	{ "create_vm_bad_type", test_create_vm_bad_type },
	{ "unknown_ioctls", test_unknown_ioctls },
	{ "bad_fds", test_bad_fds },
	{ "bad_user_pointers", test_bad_user_pointers },
	{ "create_vcpu_ids", test_create_vcpu_ids },
	{ "run_mmap", test_run_mmap },
	{ "run_bad_arg", test_run_bad_arg },
	{ "foreign_process", test_foreign_process },
	{ "many_vms", test_many_vms },
};

TEST_MAIN_SHARED(cases)

// SPDX-License-Identifier: GPL-2.0
/*
 * smp_test: several vCPUs of one VM on their own threads, and several VMs
 * at once.  A vCPU thread may be preempted and migrate at any time; the
 * counts must still come out exact.  The arm64 guests run with the MMU
 * on: exclusives need Normal memory.
 */
#include <pthread.h>
#include <stdint.h>

#include "../lib/test.h"

#define NR_VCPUS	4
#define NR_LOOPS	200

/*
 * Each vCPU adds 1 NR_LOOPS times to its own counter at 0x3000 + 8 * id,
 * its id in its first argument register (RDI, X0), with a port write
 * every iteration so that it exits and re-enters often.
 */
GUEST_CODE_X86(counter, GUEST_LONG, ".code64",
	"lea 0x3000(,%rdi,8), %rbx\n"
	"mov $200, %ecx\n"
	"1: incq (%rbx)\n"
	"out %al, $0x10\n"
	"dec %ecx\n jnz 1b\n"
	"hlt\n");
GUEST_CODE_ARM64(counter, GUEST_EL1_MMU,
	"mov x1, #0x3000\n add x1, x1, x0, lsl #3\n"
	"mov w2, #200\n"
	"1: ldr x3, [x1]\n add x3, x3, #1\n str x3, [x1]\n"
	GUEST_OUT(0x10, "strb", "w3")
	"subs w2, w2, #1\n b.ne 1b\n"
	GUEST_HALT);

struct worker {
	struct vcpu vcpu;
	int halted;
};

/* Runs the vCPU to its GUEST_HALT, through its port writes. */
static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t pc = 0;
	int r;

	do
		r = vcpu_run(&w->vcpu);
	while (vcpu_exit_is_port(&w->vcpu, r, PORT_OUT, 0x10));
	w->halted = vcpu_exit_is_halt(&w->vcpu, r);
	if (!w->halted) {
		vcpu_get_pc(&w->vcpu, &pc);
		printf("# vCPU %d stopped with %d (%s) at pc %#llx: suberror %u data %#llx %#llx\n",
		       w->vcpu.id, r, r < 0 ? strerror(-r) : exit_reason_name(r),
		       (unsigned long long)pc,
		       w->vcpu.run->internal.suberror,
		       (unsigned long long)w->vcpu.run->internal.data[0],
		       (unsigned long long)w->vcpu.run->internal.data[1]);
	}
	return NULL;
}

static int start_vcpu(struct vm *vm, struct worker *w, int id, int mode)
{
	EXPECT(vcpu_create(vm, &w->vcpu, id) == 0);
	EXPECT(vcpu_setup_mode(&w->vcpu, mode, GUEST_CODE_GPA,
			       GUEST_STACK_TOP - id * 0x100) == 0);
	EXPECT(vcpu_set_arg0(&w->vcpu, id) == 0);
	return TEST_PASS;
}

/* Runs NR_VCPUS vCPUs of one new VM on their own threads, to the halt. */
static int run_vcpus(const char *dev, struct vm *vm, int mode,
		     const unsigned char *start, const unsigned char *end)
{
	struct worker w[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	int i;

	EXPECT(vm_open(vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vm_load(vm, GUEST_CODE_GPA, start, end - start) == 0);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT(start_vcpu(vm, &w[i], i, mode) == TEST_PASS);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT(!pthread_create(&t[i], NULL, vcpu_thread, &w[i]));
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT(w[i].halted);
	return TEST_PASS;
}

static int test_vcpus_on_threads(const char *dev)
{
	uint64_t *count;
	struct vm vm;
	int i;

	EXPECT(run_vcpus(dev, &vm, counter_mode, counter_start, counter_end) ==
	       TEST_PASS);
	count = vm_gpa(&vm, 0x3000);
	for (i = 0; i < NR_VCPUS; i++)
		EXPECT(count[i] == NR_LOOPS);
	return TEST_PASS;
}

/*
 * All vCPUs add to one counter atomically (LOCK INC, LDXR/STXR), exiting
 * after each add: the total is exact only if guest memory is truly shared
 * and atomic.
 */
GUEST_CODE_X86(shared, GUEST_LONG, ".code64",
	"mov $200, %ecx\n"
	"1: lock incq (0x3100)\n"
	"out %al, $0x10\n"
	"dec %ecx\n jnz 1b\n"
	"hlt\n");
GUEST_CODE_ARM64(shared, GUEST_EL1_MMU,
	"mov x1, #0x3100\n"
	"mov w2, #200\n"
	"1: ldxr x3, [x1]\n add x3, x3, #1\n stxr w4, x3, [x1]\n cbnz w4, 1b\n"
	GUEST_OUT(0x10, "strb", "w3")
	"subs w2, w2, #1\n b.ne 1b\n"
	GUEST_HALT);

static int test_shared_counter(const char *dev)
{
	struct vm vm;

	EXPECT(run_vcpus(dev, &vm, shared_mode, shared_start, shared_end) ==
	       TEST_PASS);
	EXPECT(*(uint64_t *)vm_gpa(&vm, 0x3100) == NR_VCPUS * NR_LOOPS);
	return TEST_PASS;
}

/*
 * vCPU ids need not be dense; a vCPU created after others have run
 * starts at the reset state and runs too.
 */
static int test_sparse_ids(const char *dev)
{
	static const int ids[] = { 3, 0, 7 };
	struct worker w[3];
	uint64_t *count;
	struct vm vm;
	int i;

	EXPECT(vm_open(&vm, dev, GUEST_MIN_MEM) == 0);
	EXPECT(vm_load(&vm, GUEST_CODE_GPA, counter_start,
		       counter_end - counter_start) == 0);
	count = vm_gpa(&vm, 0x3000);
	for (i = 0; i < 3; i++) {
		EXPECT(start_vcpu(&vm, &w[i], ids[i], counter_mode) ==
		       TEST_PASS);
		vcpu_thread(&w[i]);
		EXPECT(w[i].halted);
		EXPECT(count[ids[i]] == NR_LOOPS);
	}
	return TEST_PASS;
}

struct vm_worker {
	const char *dev;
	int result;
};

static void *vm_thread(void *arg)
{
	struct vm_worker *vw = arg;
	struct worker w;
	struct vm vm;

	vw->result = -1;
	if (vm_open(&vm, vw->dev, GUEST_MIN_MEM) ||
	    vm_load(&vm, GUEST_CODE_GPA, counter_start,
		    counter_end - counter_start) ||
	    start_vcpu(&vm, &w, 0, counter_mode) != TEST_PASS)
		return NULL;
	vcpu_thread(&w);
	if (w.halted &&
	    *(uint64_t *)vm_gpa(&vm, 0x3000) == NR_LOOPS)
		vw->result = 0;
	vcpu_close(&w.vcpu);
	vm_close(&vm);
	return NULL;
}

static int test_vms_at_once(const char *dev)
{
	struct vm_worker vw[3];
	pthread_t t[3];
	int i;

	for (i = 0; i < 3; i++) {
		vw[i].dev = dev;
		EXPECT(!pthread_create(&t[i], NULL, vm_thread, &vw[i]));
	}
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 3; i++)
		EXPECT(vw[i].result == 0);
	return TEST_PASS;
}

static const struct test_case cases[] = {
	{ "vcpus_on_threads", test_vcpus_on_threads },
	{ "vms_at_once", test_vms_at_once },
	{ "shared_counter", test_shared_counter },
	{ "sparse_vcpu_ids", test_sparse_ids },
};

TEST_MAIN_SHARED(cases)

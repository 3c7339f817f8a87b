// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --kernel on arm64: the machine (virt.h) and its run.
 *
 * The interrupt controller and the timer are the kernel's: a virtual
 * GICv3 (KVM_CREATE_DEVICE of KVM_DEV_TYPE_ARM_VGIC_V3, its distributor
 * and redistributor bases through KVM_DEV_ARM_VGIC_GRP_ADDR, then
 * KVM_DEV_ARM_VGIC_CTRL_INIT once every vCPU exists;
 * Documentation/virt/kvm/devices/arm-vgic-v3.rst), which also carries
 * the virtual timer's PPI.  The PL011's line goes in as SPI 1 with
 * KVM_IRQ_LINE (api.rst, "KVM_IRQ_LINE", irq_type KVM_ARM_IRQ_TYPE_SPI).
 *
 * vCPUs are initialised with KVM_ARM_VCPU_PSCI_0_2 (PSCI in the kernel:
 * CPU_ON, CPU_OFF, AFFINITY_INFO); every vCPU but the first starts
 * powered off (KVM_SET_MP_STATE, KVM_MP_STATE_STOPPED) until the guest's
 * PSCI CPU_ON.  PSCI SYSTEM_OFF and SYSTEM_RESET reach user space as
 * KVM_EXIT_SYSTEM_EVENT and end the run (status 0, HVX_EXIT_RESET).
 *
 * Threads: one per vCPU, each in its own KVM_RUN loop (a powered-off
 * vCPU sleeps inside KVM_RUN), and an event thread that polls stdin
 * (while the PL011 takes input) and watches the run's deadline.  To stop, a
 * thread sets machine.stop and sends SIGUSR1 to every vCPU thread; the
 * handler sets its own thread's kvm_run.immediate_exit, so that a signal
 * landing just before KVM_RUN is not lost (api.rst, "immediate_exit").
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/hvx.h>

#include "../hvx.h"
#include "../run.h"
#include "../vcpu-kick.h"
#include "virt.h"

/* SMCCC's "not supported" (DEN0028), for calls nobody answers. */
#define SMCCC_RET_NOT_SUPPORTED	(~0ull)
#define SPI_BASE		32

struct virt_machine;

struct virt_cpu {
	struct virt_machine *m;
	struct vcpu v;
	pthread_t thread;
	int started;
};

struct virt_machine {
	struct vm vm;
	struct virt_cpu cpu[VIRT_MAX_CPUS];
	unsigned int nr_cpus;
	const struct linux_opts *o;
	pthread_mutex_t lock;
	pthread_t event_thread;
	int event_started;
	struct pl011 uart;
	int uart_line;
	int gic_fd, wake_fd;
	int stdin_open, stdin_polled;
	uint64_t deadline_ns;
	volatile int stop;
	int status;
	/* Statistics for --stats. */
	unsigned long exits[NR_COUNTED_EXITS], uart_irqs, absorbed_mmio;
	uint64_t mmio_first;
};

/* With the lock held: end the run with @status (the first one counts). */
static void machine_stop(struct virt_machine *m, int status)
{
	uint64_t one = 1;
	unsigned int i;

	if (!m->stop) {
		m->status = status;
		m->stop = 1;
	}
	for (i = 0; i < m->nr_cpus; i++)
		if (m->cpu[i].started)
			pthread_kill(m->cpu[i].thread, SIGUSR1);
	if (write(m->wake_fd, &one, sizeof(one)) < 0)
		return;		/* the counter is full: a wake-up is pending */
}

/* With the lock held: the PL011's line into the GIC. */
static void uart_update(struct virt_machine *m)
{
	struct kvm_irq_level irq = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT |
		       (SPI_BASE + VIRT_UART_SPI),
	};
	int level = pl011_irq(&m->uart);
	uint64_t one = 1;

	if (level != m->uart_line) {
		irq.level = level;
		if (ioctl(m->vm.fd, KVM_IRQ_LINE, &irq) < 0) {
			fprintf(stderr, "hvx run: KVM_IRQ_LINE of SPI %d failed on %s: %s\n",
				VIRT_UART_SPI, m->vm.dev, strerror(errno));
			machine_stop(m, HVX_EXIT_DEVICE);
		}
		m->uart_line = level;
		m->uart_irqs += level;
	}
	/* The event thread polls stdin only while the UART takes input. */
	if (m->stdin_open && !m->stdin_polled && pl011_rx_ready(&m->uart) &&
	    pl011_rx_room(&m->uart) && write(m->wake_fd, &one, sizeof(one)) < 0)
		return;		/* the counter is full: a wake-up is pending */
}

static void event_stdin(struct virt_machine *m)
{
	uint8_t buf[PL011_FIFO];
	unsigned int room;
	ssize_t n, i;

	pthread_mutex_lock(&m->lock);
	room = pl011_rx_room(&m->uart);
	pthread_mutex_unlock(&m->lock);
	if (!room)
		return;
	n = read(STDIN_FILENO, buf, room);
	pthread_mutex_lock(&m->lock);
	if (!n || (n < 0 && errno != EINTR && errno != EAGAIN))
		m->stdin_open = 0;
	for (i = 0; i < n; i++)
		pl011_receive(&m->uart, buf[i]);
	uart_update(m);
	pthread_mutex_unlock(&m->lock);
}

/* The poll() timeout: the run's deadline, and a look at vcpu_stop_signal. */
static int event_timeout_ms(struct virt_machine *m)
{
	uint64_t now = now_ns();

	if (vcpu_stop_signal) {
		fprintf(stderr, "hvx run: stopped by signal %d\n",
			(int)vcpu_stop_signal);
		machine_stop(m, 128 + vcpu_stop_signal);
	}
	if (m->deadline_ns && now >= m->deadline_ns)
		machine_stop(m, HVX_EXIT_TIMEOUT);
	return 200;
}

static void *event_main(void *arg)
{
	struct virt_machine *m = arg;
	struct pollfd p[2];
	int nfds, timeout;
	uint64_t n;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		timeout = event_timeout_ms(m);
		m->stdin_polled = m->stdin_open && pl011_rx_ready(&m->uart) &&
				  pl011_rx_room(&m->uart);
		nfds = m->stdin_polled ? 2 : 1;
		if (m->stop) {
			pthread_mutex_unlock(&m->lock);
			return NULL;
		}
		pthread_mutex_unlock(&m->lock);
		p[0] = (struct pollfd) { .fd = m->wake_fd, .events = POLLIN };
		p[1] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(p, nfds, timeout) < 0)
			continue;
		if (p[0].revents & POLLIN &&
		    read(m->wake_fd, &n, sizeof(n)) < 0)
			continue;
		if (nfds == 2 && p[1].revents & (POLLIN | POLLHUP | POLLERR))
			event_stdin(m);
	}
}

static void exit_mmio(struct virt_machine *m, struct kvm_run *run)
{
	uint64_t off = run->mmio.phys_addr - VIRT_UART;

	pthread_mutex_lock(&m->lock);
	if (off < VIRT_UART_SIZE) {
		pl011_mmio(&m->uart, off, run->mmio.is_write, run->mmio.data,
			   run->mmio.len);
		uart_update(m);
	} else {
		/* Nothing there: reads return 0, writes vanish. */
		if (!m->absorbed_mmio++)
			m->mmio_first = run->mmio.phys_addr;
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
	}
	pthread_mutex_unlock(&m->lock);
}

/* An exit of @reason on @c: 0 to run on, else the run's exit status. */
static int cpu_exit(struct virt_cpu *c, int reason)
{
	struct kvm_run *run = c->v.run;

	switch (reason) {
	case KVM_EXIT_MMIO:
		exit_mmio(c->m, run);
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			return -1;
		if (run->system_event.type != KVM_SYSTEM_EVENT_RESET)
			break;
		fflush(stdout);
		fprintf(stderr, "hvx run: the guest asked for a reset (PSCI SYSTEM_RESET)\n");
		return HVX_EXIT_RESET;
	case KVM_EXIT_HYPERCALL:
		if (vcpu_set_reg(&c->v, REG_X(0), SMCCC_RET_NOT_SUPPORTED))
			return HVX_EXIT_DEVICE;
		return 0;
	}
	return run_report_exit(&c->v, reason);
}

static void *cpu_main(void *arg)
{
	struct virt_cpu *c = arg;
	struct virt_machine *m = c->m;
	int r;

	vcpu_kick_set_run(c->v.run);
	while (!m->stop) {
		r = vcpu_run(&c->v);
		if (r == -EINTR) {
			c->v.run->immediate_exit = 0;
			continue;
		}
		if (r < 0) {
			fflush(stdout);
			r = run_arch.run_error(&c->v, r);
		} else {
			__atomic_fetch_add(&m->exits[r < NR_COUNTED_EXITS ? r :
				NR_COUNTED_EXITS - 1], 1, __ATOMIC_RELAXED);
			r = cpu_exit(c, r);
		}
		if (r) {
			pthread_mutex_lock(&m->lock);
			machine_stop(m, r < 0 ? 0 : r);
			pthread_mutex_unlock(&m->lock);
		}
	}
	return NULL;
}

static int gic_attr(struct virt_machine *m, uint32_t group, uint64_t attr,
		    uint64_t val)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr,
		.addr = (uint64_t)(unsigned long)&val,
	};

	return ioctl(m->gic_fd, KVM_SET_DEVICE_ATTR, &a);
}

/* The vGICv3, once every vCPU exists; 0 or -1 after saying why not. */
static int gic_create(struct virt_machine *m)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	const char *what = "KVM_CREATE_DEVICE of a GICv3";

	m->gic_fd = -1;
	if (ioctl(m->vm.fd, KVM_CREATE_DEVICE, &cd) < 0)
		goto fail;
	m->gic_fd = cd.fd;
	what = "the GIC's addresses or its CTRL_INIT";
	if (gic_attr(m, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		     VIRT_GIC_DIST) ||
	    gic_attr(m, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST, VIRT_GIC_REDIST) ||
	    gic_attr(m, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, 0))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "hvx run: %s failed on %s: %s\n", what, m->vm.dev,
		strerror(errno));
	return -1;
}

static int cpus_create(struct virt_machine *m)
{
	struct kvm_mp_state off = { .mp_state = KVM_MP_STATE_STOPPED };
	unsigned int i;
	int r;

	for (i = 0; i < m->nr_cpus; i++) {
		m->cpu[i].m = m;
		r = vcpu_create(&m->vm, &m->cpu[i].v, i);
		if (r) {
			fprintf(stderr, "hvx run: cannot create vCPU %u on %s: %s\n",
				i, m->vm.dev, strerror(-r));
			goto undo;
		}
		if (i && ioctl(m->cpu[i].v.fd, KVM_SET_MP_STATE, &off) < 0) {
			fprintf(stderr, "hvx run: KVM_SET_MP_STATE (stopped) of vCPU %u failed on %s: %s\n",
				i, m->vm.dev, strerror(errno));
			i++;
			goto undo;
		}
	}
	return 0;
undo:
	while (i--)
		vcpu_close(&m->cpu[i].v);
	return -1;
}

/* VM, vCPUs, GIC, guest memory: 0 or an exit status. */
static int machine_create(struct virt_machine *m)
{
	struct virt_layout l;
	int r;

	r = vm_create(&m->vm, m->o->device, 0, VIRT_RAM, m->o->mem);
	if (r) {
		fprintf(stderr, "hvx run: cannot create a VM on %s: %s\n",
			m->o->device, strerror(-r));
		return HVX_EXIT_DEVICE;
	}
	r = HVX_EXIT_DEVICE;
	if (cpus_create(m))
		goto close_vm;
	if (gic_create(m))
		goto close_cpus;
	r = virt_load(&m->vm, m->o, &l);
	if (r)
		goto close_cpus;
	if (virt_fdt(vm_gpa(&m->vm, l.dtb), m->vm.mem_gpa + m->vm.mem_size -
		     l.dtb, &m->vm, m->nr_cpus, m->o, &l)) {
		fprintf(stderr, "hvx run: the device tree does not fit in 2 MiB\n");
		r = HVX_EXIT_USAGE;
		goto close_cpus;
	}
	if (virt_setup_boot_cpu(&m->cpu[0].v, &l)) {
		fprintf(stderr, "hvx run: cannot set the boot registers on %s: %s\n",
			m->vm.dev, strerror(errno));
		goto close_cpus;
	}
	return 0;
close_cpus:
	if (m->gic_fd >= 0)
		close(m->gic_fd);
	while (m->nr_cpus--)
		vcpu_close(&m->cpu[m->nr_cpus].v);
close_vm:
	vm_close(&m->vm);
	return r;
}

static void machine_destroy(struct virt_machine *m)
{
	unsigned int i;

	close(m->gic_fd);
	for (i = 0; i < m->nr_cpus; i++)
		vcpu_close(&m->cpu[i].v);
	vm_close(&m->vm);
	close(m->wake_fd);
	pthread_mutex_destroy(&m->lock);
}

/* On /dev/hvx, every exit of @v as the kernel counted it. */
static void print_kernel_stats(struct vcpu *v)
{
	struct hvx_vcpu_stats ks;
	unsigned int i;

	memset(&ks, 0, sizeof(ks));
	if (ioctl(v->fd, HVX_GET_VCPU_STATS, &ks) < 0)
		return;
	fprintf(stderr, "vCPU %d, all exits, counted by the kernel (HVX_GET_VCPU_STATS):\n",
		v->id);
	for (i = 0; i < HVX_STAT_NR; i++)
		if (ks.exits[i])
			fprintf(stderr, "  %-20s %llu\n",
				hvx_stat_name(i) ? hvx_stat_name(i) : "stat?",
				(unsigned long long)ks.exits[i]);
}

static void print_stats(struct virt_machine *m)
{
	unsigned int i;

	fprintf(stderr, "exits to user space, seen by hvx run (%u vCPUs):\n",
		m->nr_cpus);
	for (i = 0; i < NR_COUNTED_EXITS; i++)
		if (m->exits[i])
			fprintf(stderr, "  %-20s %lu\n", exit_reason_name(i),
				m->exits[i]);
	fprintf(stderr, "  (PL011 interrupts raised %lu)\n", m->uart_irqs);
	if (m->absorbed_mmio)
		fprintf(stderr, "  (MMIO with no device %lu, first at %#llx)\n",
			m->absorbed_mmio, (unsigned long long)m->mmio_first);
	for (i = 0; i < m->nr_cpus; i++)
		print_kernel_stats(&m->cpu[i].v);
}

static int machine_start(struct virt_machine *m)
{
	unsigned int i;

	if (vcpu_kick_install())
		return -1;
	if (pthread_create(&m->event_thread, NULL, event_main, m))
		return -1;
	m->event_started = 1;
	for (i = 0; i < m->nr_cpus; i++) {
		pthread_mutex_lock(&m->lock);
		if (!m->stop &&
		    !pthread_create(&m->cpu[i].thread, NULL, cpu_main,
				    &m->cpu[i]))
			m->cpu[i].started = 1;
		pthread_mutex_unlock(&m->lock);
	}
	return 0;
}

int virt_run(const struct linux_opts *o)
{
	struct virt_machine *m = calloc(1, sizeof(*m));
	unsigned int i;
	int r;

	if (!m)
		return HVX_EXIT_DEVICE;
	m->o = o;
	m->gic_fd = -1;
	m->nr_cpus = o->smp ? o->smp : 1;
	m->stdin_open = o->use_stdin;
	pl011_init(&m->uart, o->out ? o->out : stdout_byte, o->out_ctx);
	pthread_mutex_init(&m->lock, NULL);
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = machine_create(m);
	if (r) {
		close(m->wake_fd);
		free(m);
		return r;
	}
	if (o->timeout_s)
		m->deadline_ns = now_ns() + o->timeout_s * 1000000000ull;
	if (m->wake_fd < 0 || machine_start(m)) {
		fprintf(stderr, "hvx run: cannot start the machine's threads\n");
		m->status = HVX_EXIT_DEVICE;
	}
	for (i = 0; i < m->nr_cpus; i++)
		if (m->cpu[i].started)
			pthread_join(m->cpu[i].thread, NULL);
	pthread_mutex_lock(&m->lock);
	machine_stop(m, 0);
	pthread_mutex_unlock(&m->lock);
	if (m->event_started)
		pthread_join(m->event_thread, NULL);
	fflush(stdout);
	if (o->stats)
		print_stats(m);
	r = m->status;
	machine_destroy(m);
	free(m);
	return r;
}

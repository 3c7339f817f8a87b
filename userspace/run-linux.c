// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run --kernel: the PC that a Linux guest boots on (see linux.h for
 * the parts), and its run loop.
 *
 * Port map: 0x20/0x21 and 0xa0/0xa1 the 8259A pair, 0x4d0/0x4d1 their
 * ELCR, 0x40-0x43 the 8254, 0x61 port B, 0x70/0x71 the RTC, 0x3f8-0x3ff
 * COM1, 0xe9 a debug console, 0x64 (command 0xfe: pulse the reset line)
 * and 0xcf9 (a byte with bit 2 set: hard reset) the reset paths.  Every
 * other port is nothing: reads return all ones, writes vanish; so do
 * accesses to physical addresses beyond RAM (MMIO exits).
 *
 * Interrupts, with KVM's user-space irqchip (Documentation/virt/kvm/
 * api.rst, KVM_INTERRUPT and struct kvm_run): before every KVM_RUN, if the
 * 8259A asserts INT and kvm_run.ready_for_interrupt_injection says the
 * vCPU can take an external interrupt now, the INTA cycle runs here and
 * KVM_INTERRUPT queues its vector; otherwise request_interrupt_window
 * asks KVM to exit (KVM_EXIT_IRQ_WINDOW_OPEN) as soon as it can.
 *
 * Threads: one per vCPU runs KVM_RUN and emulates port I/O.  The
 * event thread sleeps in poll() on the PIT's timerfd and stdin; when an
 * event raises an interrupt it kicks the vCPU thread out of KVM_RUN with
 * SIGUSR1, whose handler sets kvm_run.immediate_exit so that a kick
 * landing just before KVM_RUN is not lost (KVM_RUN then returns EINTR at
 * once).  HLT with interrupts enabled exits to user space (no in-kernel
 * irqchip), and the vCPU thread waits on the machine's condition variable
 * until an interrupt is pending.  HLT with interrupts disabled is a
 * halted machine: Linux's poweroff without ACPI ends that way, and the
 * run ends with status 0; so does a reset.  A triple fault ends it with
 * HVX_EXIT_SHUTDOWN.
 *
 * --irqchip=kernel (pc/smp.c): interrupts go in with KVM_IRQ_LINE and
 * HLT waits in the kernel; the event thread kicks every vCPU thread every
 * CENSUS_MS, and each one out of KVM_RUN says whether its vCPU is off
 * (halted with interrupts disabled, or never started): when all are, in
 * one round, the machine is off.  The APs' threads start with the BSP's;
 * their KVM_RUN waits in the kernel for INIT and SIPI (KVM then returns
 * EAGAIN once, when the AP leaves that wait: it is run again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
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
#include <sys/timerfd.h>

#include "hvx.h"
#include "linux.h"
#include "vcpu-kick.h"
#include "run.h"

#define X86_EFLAGS_IF		(1u << 9)
#define IRQ_PIT			0
#define IRQ_COM1		4
#define PORT_DEBUGCON		0xe9
#define PORT_KBC_CMD		0x64
#define KBC_CMD_RESET		0xfe
#define PORT_RESET_CTRL		0xcf9
#define RESET_CTRL_RST_CPU	0x04
/* A periodic PIT faster than this is slowed down to it. */
#define MIN_TIMER_PERIOD_NS	50000ull
/* --irqchip=kernel: how often the vCPUs are asked whether they are off. */
#define CENSUS_MS		100

enum machine_stop { RUNNING, STOP_HALT, STOP_RESET, STOP_ERROR };

struct machine {
	struct vm vm;
	struct vcpu vcpu[LINUX_MAX_SMP];
	unsigned int ncpus, threads;	/* vCPUs; their threads started */
	int lapic;			/* --irqchip=kernel */
	const struct linux_opts *o;
	pthread_mutex_t lock;
	pthread_cond_t irq_cond;	/* an interrupt became pending */
	pthread_t vcpu_thread[LINUX_MAX_SMP], event_thread;
	struct pic pic;
	struct pit pit;
	struct uart uart;
	struct cmos cmos;
	int timer_fd, wake_fd;
	int stdin_open, quit, timed_out;
	uint64_t deadline_ns;		/* o->timeout_s from the start */
	int stdin_full;			/* event thread waits for FIFO room */
	enum machine_stop stop;		/* set once, with the lock held */
	int status;			/* the run's exit status */
	int irq4;			/* COM1's line, as KVM_IRQ_LINE has it */
	/* The census round, and the last in which each vCPU was off. */
	unsigned int census, off_in[LINUX_MAX_SMP];
	uint64_t census_at_ns;
	/* Statistics for --stats. */
	unsigned long exits[64], kicks, injected, timer_irqs, absorbed_io,
		      absorbed_mmio, hlt_waits;
	unsigned long port_bytes[0x10000];	/* bytes moved, by port */
	uint64_t mmio_first, mmio_last;
};

/* With the lock held: let the event thread see a new timer or FIFO room. */
static void machine_wake_events(struct machine *m)
{
	uint64_t one = 1;

	if (write(m->wake_fd, &one, sizeof(one)) < 0)
		return;		/* the counter is full: a wake-up is pending */
}

/* With the lock held: the PIT's channel 0 timing into the timerfd. */
static void machine_program_timer(struct machine *m)
{
	struct itimerspec its = { 0 };
	uint64_t at = m->pit.irq_at_ns, period = m->pit.period_ns;

	m->pit.changed = 0;
	if (period && period < MIN_TIMER_PERIOD_NS)
		period = MIN_TIMER_PERIOD_NS;
	if (at) {
		its.it_value.tv_sec = at / 1000000000ull;
		its.it_value.tv_nsec = at % 1000000000ull;
		its.it_interval.tv_sec = period / 1000000000ull;
		its.it_interval.tv_nsec = period % 1000000000ull;
	}
	timerfd_settime(m->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* With the lock held: the run ends for every vCPU; the first reason stays. */
static void machine_end_locked(struct machine *m, enum machine_stop why,
			       int status)
{
	unsigned int i;

	if (m->stop == RUNNING) {
		m->status = status;
		__atomic_store_n(&m->stop, why, __ATOMIC_RELEASE);
	}
	for (i = 0; i < m->threads; i++)
		if (!pthread_equal(m->vcpu_thread[i], pthread_self()))
			pthread_kill(m->vcpu_thread[i], SIGUSR1);
	pthread_cond_broadcast(&m->irq_cond);
}

static void machine_end(struct machine *m, enum machine_stop why, int status)
{
	pthread_mutex_lock(&m->lock);
	machine_end_locked(m, why, status);
	pthread_mutex_unlock(&m->lock);
}

static int machine_running(struct machine *m)
{
	return __atomic_load_n(&m->stop, __ATOMIC_ACQUIRE) == RUNNING;
}

/* With the lock held: ISA IRQ @irq to @level on the in-kernel irqchip. */
static void machine_irq_line(struct machine *m, uint32_t irq, int level)
{
	int r = pc_irq_line(&m->vm, irq, level);

	if (r) {
		fprintf(stderr, "hvx run: KVM_IRQ_LINE %u failed on %s: %s\n",
			irq, m->vm.dev, strerror(-r));
		machine_end_locked(m, STOP_ERROR, HVX_EXIT_DEVICE);
	}
}

/* With the lock held: device outputs to the PIC, a new PIT timing. */
static void machine_update(struct machine *m)
{
	int irq4 = uart_irq(&m->uart);

	if (!m->lapic)
		pic_set_irq(&m->pic, IRQ_COM1, irq4);
	else if (irq4 != m->irq4)
		machine_irq_line(m, IRQ_COM1, irq4);
	m->irq4 = irq4;
	if (m->pit.changed)
		machine_program_timer(m);
	if (m->stdin_full && uart_rx_room(&m->uart)) {
		m->stdin_full = 0;
		machine_wake_events(m);
	}
}

/* With the lock held: an interrupt may be pending; kick the vCPU. */
static void machine_kick(struct machine *m)
{
	if (m->lapic || !pic_pending(&m->pic))
		return;
	pthread_cond_broadcast(&m->irq_cond);
	pthread_kill(m->vcpu_thread[0], SIGUSR1);
	m->kicks++;
}

/* With the lock held: every vCPU thread out of KVM_RUN once. */
static void machine_kick_all(struct machine *m)
{
	unsigned int i;

	pthread_cond_broadcast(&m->irq_cond);
	for (i = 0; i < m->threads; i++)
		pthread_kill(m->vcpu_thread[i], SIGUSR1);
	m->kicks += m->threads;
}

static void event_timer(struct machine *m)
{
	uint64_t n;

	if (read(m->timer_fd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&m->lock);
	/* Expirations that piled up are lost ticks, as on a busy PC. */
	if (m->lapic) {
		machine_irq_line(m, IRQ_PIT, 1);
		machine_irq_line(m, IRQ_PIT, 0);
	} else {
		pic_pulse_irq(&m->pic, IRQ_PIT);
	}
	m->timer_irqs++;
	machine_kick(m);
	pthread_mutex_unlock(&m->lock);
}

static void event_stdin(struct machine *m)
{
	uint8_t buf[UART_FIFO];
	unsigned int room;
	ssize_t n, i;

	pthread_mutex_lock(&m->lock);
	room = uart_rx_room(&m->uart);
	pthread_mutex_unlock(&m->lock);
	if (!room)
		return;
	n = read(STDIN_FILENO, buf, room);
	pthread_mutex_lock(&m->lock);
	if (n <= 0 && errno != EINTR && errno != EAGAIN)
		m->stdin_open = 0;
	for (i = 0; i < n; i++)
		uart_receive(&m->uart, buf[i]);
	machine_update(m);
	machine_kick(m);
	pthread_mutex_unlock(&m->lock);
}

/* With the lock held: a new census round when one is due; ms to the next. */
static int event_census(struct machine *m, uint64_t now)
{
	if (!m->lapic)
		return -1;
	if (now >= m->census_at_ns) {
		m->census++;
		m->census_at_ns = now + CENSUS_MS * 1000000ull;
		machine_kick_all(m);
	}
	return (m->census_at_ns - now) / 1000000 + 1;
}

/* With the lock held: the poll() timeout until the next event, or -1. */
static int event_timeout_ms(struct machine *m)
{
	uint64_t now = now_ns();
	int census = event_census(m, now), t;

	if (!m->deadline_ns)
		return census;
	if (now < m->deadline_ns) {
		t = (m->deadline_ns - now) / 1000000 + 1;
		return census >= 0 && census < t ? census : t;
	}
	m->timed_out = 1;
	machine_end_locked(m, STOP_ERROR, HVX_EXIT_TIMEOUT);
	m->deadline_ns = 0;
	return census;
}

static void *event_main(void *arg)
{
	struct machine *m = arg;
	struct pollfd p[3];
	int nfds, timeout;
	sigset_t sigs;
	uint64_t n;

	/* Signals are for the vCPU threads, whose KVM_RUN they end. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	for (;;) {
		pthread_mutex_lock(&m->lock);
		if (m->quit) {
			pthread_mutex_unlock(&m->lock);
			return NULL;
		}
		nfds = 2;
		m->stdin_full = m->stdin_open && !uart_rx_room(&m->uart);
		if (m->stdin_open && !m->stdin_full)
			nfds = 3;
		timeout = event_timeout_ms(m);
		pthread_mutex_unlock(&m->lock);
		p[0] = (struct pollfd) { .fd = m->timer_fd, .events = POLLIN };
		p[1] = (struct pollfd) { .fd = m->wake_fd, .events = POLLIN };
		p[2] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(p, nfds, timeout) < 0)
			continue;
		if (p[0].revents & POLLIN)
			event_timer(m);
		if (p[1].revents & POLLIN &&
		    read(m->wake_fd, &n, sizeof(n)) < 0)
			continue;
		if (nfds == 3 && p[2].revents & (POLLIN | POLLHUP | POLLERR))
			event_stdin(m);
	}
}

/* Port 0x64 command 0xfe and port 0xcf9 bit 2: the machine resets. */
static int port_reset(struct machine *m, uint16_t port, int size,
		      uint8_t val)
{
	if ((port == PORT_KBC_CMD && val == KBC_CMD_RESET) ||
	    (port == PORT_RESET_CTRL && size == 1 &&
	     (val & RESET_CTRL_RST_CPU))) {
		machine_end_locked(m, STOP_RESET, 0);
		return 1;
	}
	return 0;
}

/* With the lock held: one byte of port I/O. */
static void port_io(struct machine *m, uint16_t port, int size, int is_write,
		    uint8_t *val)
{
	uint64_t t = now_ns();

	m->port_bytes[port]++;
	if ((!m->lapic && pic_io(&m->pic, port, is_write, val)) ||
	    pit_io(&m->pit, port, is_write, val, t) ||
	    uart_io(&m->uart, port, is_write, val) ||
	    cmos_io(&m->cmos, port, is_write, val))
		return;
	if (is_write && port_reset(m, port, size, *val))
		return;
	if (port == PORT_DEBUGCON) {
		if (is_write)
			m->uart.out(m->uart.out_ctx, *val);
		else
			*val = PORT_DEBUGCON;
		return;
	}
	if (port == PORT_RESET_CTRL && !is_write) {
		*val = 0;
		return;
	}
	m->absorbed_io++;
	if (!is_write)
		*val = 0xff;
}

/*
 * KVM_EXIT_IO: count accesses of size bytes at one port; a wider access
 * is one byte per consecutive port, as on the ISA bus.
 */
static int exit_io(struct machine *m, struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = vcpu_io_data(v);
	uint32_t size = run->io.size, n = size * run->io.count, i;
	int is_write = run->io.direction == KVM_EXIT_IO_OUT;

	if (!size || run->io.data_offset > (uint32_t)m->vm.run_size ||
	    n > m->vm.run_size - run->io.data_offset) {
		fprintf(stderr, "hvx run: KVM_EXIT_IO data (offset %llu, %u x %u bytes) lies outside the kvm_run area\n",
			(unsigned long long)run->io.data_offset,
			run->io.count, size);
		return HVX_EXIT_INTERNAL;
	}
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < n; i++)
		port_io(m, run->io.port + i % size, size, is_write, &data[i]);
	machine_update(m);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static void exit_mmio(struct machine *m, struct vcpu *v)
{
	struct kvm_run *run = v->run;

	pthread_mutex_lock(&m->lock);
	if (!m->absorbed_mmio++)
		m->mmio_first = run->mmio.phys_addr;
	m->mmio_last = run->mmio.phys_addr;
	pthread_mutex_unlock(&m->lock);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
}

/*
 * KVM_EXIT_HLT: with IF set, sleep until the PIC has an interrupt, which
 * the loop then injects; with IF clear nothing can wake the vCPU (no NMI
 * source here), so the machine is off.
 */
static int exit_hlt(struct machine *m, struct vcpu *v)
{
	struct kvm_regs regs;

	if (vcpu_get_regs(v, &regs)) {
		fprintf(stderr, "hvx run: KVM_GET_REGS failed at HLT: %s\n",
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	if (!(regs.rflags & X86_EFLAGS_IF)) {
		machine_end(m, STOP_HALT, 0);
		return 0;
	}
	pthread_mutex_lock(&m->lock);
	m->hlt_waits++;
	while (!pic_pending(&m->pic) && machine_running(m) && !vcpu_stop_signal) {
		struct timespec until;

		/* Timed, so that SIGINT/SIGTERM end a wait with no interrupt. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec++;
		pthread_cond_timedwait(&m->irq_cond, &m->lock, &until);
	}
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* With the lock held: deliver the PIC's interrupt, or ask for a window. */
static int machine_inject(struct machine *m)
{
	struct kvm_run *run = m->vcpu[0].run;
	struct kvm_interrupt irq;

	if (!pic_pending(&m->pic)) {
		run->request_interrupt_window = 0;
		return 0;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return 0;
	}
	irq.irq = pic_ack(&m->pic);
	if (ioctl(m->vcpu[0].fd, KVM_INTERRUPT, &irq) < 0) {
		fprintf(stderr, "hvx run: KVM_INTERRUPT of vector %#x failed on %s: %s\n",
			irq.irq, m->vm.dev, strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	m->injected++;
	run->request_interrupt_window = pic_pending(&m->pic);
	return 0;
}

/* One exit; 0 to run on, else the run's exit status. */
static int machine_exit(struct machine *m, struct vcpu *v, int reason)
{
	__atomic_add_fetch(&m->exits[reason < 64 ? reason : 63], 1,
			   __ATOMIC_RELAXED);
	switch (reason) {
	case KVM_EXIT_IO:
		return exit_io(m, v);
	case KVM_EXIT_MMIO:
		exit_mmio(m, v);
		return 0;
	case KVM_EXIT_HLT:
		return exit_hlt(m, v);
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		return 0;
	default:
		return run_report_exit(v, reason);
	}
}

/*
 * --irqchip=kernel, @v out of KVM_RUN for a signal: whether it is off,
 * in this census round; the machine is off when every vCPU is.
 */
static void machine_census(struct machine *m, struct vcpu *v)
{
	int off = pc_vcpu_off(v);
	unsigned int i;

	pthread_mutex_lock(&m->lock);
	m->off_in[v->id] = off > 0 ? m->census : 0;
	for (i = 0; i < m->ncpus && m->off_in[i] == m->census; i++)
		;
	if (i == m->ncpus)
		machine_end_locked(m, STOP_HALT, 0);
	pthread_mutex_unlock(&m->lock);
}

/* Where the vCPU and the interrupt path stood, on stderr. */
static void machine_dump(struct machine *m)
{
	struct kvm_run *run = m->vcpu[0].run;
	const struct pic_chip *p = m->pic.chip;
	const struct pit_channel *c = &m->pit.ch[0];
	struct kvm_regs regs;

	fflush(stdout);
	fprintf(stderr, "hvx run: stopped by signal %d\n", (int)vcpu_stop_signal);
	if (!vcpu_get_regs(&m->vcpu[0], &regs))
		fprintf(stderr, "  rip %#llx rflags %#llx\n",
			(unsigned long long)regs.rip,
			(unsigned long long)regs.rflags);
	fprintf(stderr, "  kvm_run: ready_for_interrupt_injection %u if_flag %u request_interrupt_window %u\n",
		run->ready_for_interrupt_injection, run->if_flag,
		run->request_interrupt_window);
	pthread_mutex_lock(&m->lock);
	if (!m->lapic)
		fprintf(stderr, "  8259A master irr %#x isr %#x imr %#x base %#x, slave irr %#x isr %#x imr %#x base %#x, INT %d\n",
			p[0].irr, p[0].isr, p[0].imr, p[0].base, p[1].irr,
			p[1].isr, p[1].imr, p[1].base, pic_pending(&m->pic));
	else
		pc_irqchip_dump(&m->vm);
	fprintf(stderr, "  8254 channel 0 mode %u count %u %s, next IRQ0 in %lld us, period %llu us\n",
		c->mode, c->reload, c->counting ? "counting" : "stopped",
		m->pit.irq_at_ns ?
		(long long)(m->pit.irq_at_ns - now_ns()) / 1000 : 0,
		(unsigned long long)m->pit.period_ns / 1000);
	fprintf(stderr, "  16550A ier %#x thr_ipending %u rx %u, IRQ4 %d\n",
		m->uart.ier, m->uart.thr_ipending, m->uart.rx_count,
		uart_irq(&m->uart));
	pthread_mutex_unlock(&m->lock);
}

/* What one vCPU's thread does until the machine stops; the run's status. */
static int vcpu_loop(struct machine *m, struct vcpu *v)
{
	struct kvm_run *run = v->run;
	int r;

	vcpu_kick_set_run(run);
	while (machine_running(m)) {
		if (vcpu_stop_signal)
			return 128 + vcpu_stop_signal;
		pthread_mutex_lock(&m->lock);
		r = m->timed_out ? HVX_EXIT_TIMEOUT :
		    m->lapic ? 0 : machine_inject(m);
		pthread_mutex_unlock(&m->lock);
		if (r)
			return r;
		r = vcpu_run(v);
		run->immediate_exit = 0;
		/* EAGAIN: KVM's AP left its wait for INIT/SIPI. */
		if (r == -EINTR || r == -EAGAIN) {
			if (m->lapic)
				machine_census(m, v);
			continue;
		}
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "hvx run: KVM_RUN failed on vCPU %d: %s\n",
				v->id, strerror(-r));
			return HVX_EXIT_DEVICE;
		}
		r = machine_exit(m, v, r);
		if (r)
			return r;
	}
	return 0;
}

static void vcpu_loop_end(struct machine *m, struct vcpu *v)
{
	int r = vcpu_loop(m, v);

	if (r)
		machine_end(m, STOP_ERROR, r);
}

static void *ap_main(void *arg)
{
	struct vcpu *v = arg;
	struct machine *m = (struct machine *)((char *)v->vm -
					       offsetof(struct machine, vm));

	vcpu_loop_end(m, v);
	return NULL;
}

/* How the run ended, on stderr; its exit status. */
static int machine_result(struct machine *m)
{
	fflush(stdout);
	if (vcpu_stop_signal && m->status == 128 + vcpu_stop_signal)
		machine_dump(m);
	else if (m->status == HVX_EXIT_TIMEOUT)
		fprintf(stderr, "hvx run: the guest still runs after %u s: run abandoned\n",
			m->o->timeout_s);
	else if (m->stop == STOP_RESET)
		fprintf(stderr, "hvx run: guest reset the machine: run ends\n");
	else if (m->stop == STOP_HALT && m->o->stats)
		fprintf(stderr, "hvx run: guest halted with interrupts off%s: run ends\n",
			m->ncpus > 1 ? " on every vCPU" : "");
	return m->status;
}

/* The ports the guest used most, busiest first. */
static void machine_port_stats(const struct machine *m)
{
	unsigned int i, k, top[8] = { 0 }, n = 0;

	for (i = 1; i < ARRAY_SIZE(m->port_bytes); i++) {
		if (!m->port_bytes[i])
			continue;
		for (k = n < 8 ? n++ : 8; k > 0 &&
		     m->port_bytes[top[k - 1]] < m->port_bytes[i]; k--)
			if (k < 8)
				top[k] = top[k - 1];
		if (k < 8)
			top[k] = i;
	}
	fprintf(stderr, "  busiest ports (bytes):");
	for (k = 0; k < n; k++)
		fprintf(stderr, " %#x:%lu", top[k], m->port_bytes[top[k]]);
	fprintf(stderr, "\n");
}

static void machine_stats(const struct machine *m)
{
	unsigned int i;

	fprintf(stderr, "exits to user space, seen by hvx run:\n");
	for (i = 0; i < ARRAY_SIZE(m->exits); i++)
		if (m->exits[i])
			fprintf(stderr, "  %-20s %lu\n", exit_reason_name(i),
				m->exits[i]);
	if (m->lapic)
		fprintf(stderr, "  (in-kernel irqchip, %u vCPUs: PIT ticks %lu, kicks %lu, census rounds %u)\n",
			m->ncpus, m->timer_irqs, m->kicks, m->census - 1);
	else
		fprintf(stderr, "  (interrupts injected %lu, PIT ticks %lu, kicks %lu, HLT waits %lu)\n",
			m->injected, m->timer_irqs, m->kicks, m->hlt_waits);
	fprintf(stderr, "  (accesses to nothing: %lu port bytes, %lu MMIO",
		m->absorbed_io, m->absorbed_mmio);
	if (m->absorbed_mmio)
		fprintf(stderr, ", first at %#llx, last at %#llx",
			(unsigned long long)m->mmio_first,
			(unsigned long long)m->mmio_last);
	fprintf(stderr, ")\n");
	machine_port_stats(m);
}

static int machine_signals(void)
{
	return vcpu_kick_install();
}

static void machine_restore_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

/*
 * Without KVM_INTERRUPT the guest would never see an interrupt and hang
 * at its first wait for one.  A vector above 255 asks without queuing
 * anything: EINVAL where the ioctl exists, ENOTTY where it does not.
 */
static int machine_check_interrupt(struct machine *m)
{
	struct kvm_interrupt irq = { .irq = 256 };

	if (ioctl(m->vcpu[0].fd, KVM_INTERRUPT, &irq) < 0 && errno == ENOTTY) {
		fprintf(stderr, "hvx run: %s has no KVM_INTERRUPT (ENOTTY): no way to deliver the guest's interrupts\n",
			m->vm.dev);
		return HVX_EXIT_DEVICE;
	}
	return 0;
}

static void machine_close(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < m->ncpus; i++)
		vcpu_close(&m->vcpu[i]);
	vm_close(&m->vm);
}

/* The VM, its irqchip with --irqchip=kernel, and the vCPUs. */
static int machine_create_vcpus(struct machine *m, const struct linux_opts *o)
{
	const char *what = "a VM";
	unsigned int i;
	int r;

	r = vm_create(&m->vm, o->device, 0, 0, o->mem);
	if (r)
		goto fail;
	what = "the in-kernel irqchip (KVM_CREATE_IRQCHIP, KVM_SET_GSI_ROUTING)";
	if (m->lapic)
		r = pc_irqchip_create(&m->vm);
	what = "the vCPUs";
	while (!r && m->ncpus < (o->smp ? o->smp : 1)) {
		r = vcpu_create(&m->vm, &m->vcpu[m->ncpus], m->ncpus);
		if (!r)
			m->ncpus++;
	}
	what = "the APs' wait for INIT and SIPI (KVM_SET_MP_STATE)";
	for (i = 1; !r && i < m->ncpus; i++)
		r = pc_ap_wait_sipi(&m->vcpu[i]);
	if (!r)
		return 0;
	machine_close(m);
fail:
	fprintf(stderr, "hvx run: cannot create %s on %s: %s\n", what,
		o->device, strerror(-r));
	return HVX_EXIT_DEVICE;
}

static int machine_create(struct machine *m, const struct linux_opts *o)
{
	struct linux_layout l;
	unsigned int i;
	int r;

	r = machine_create_vcpus(m, o);
	if (r)
		return r;
	r = m->lapic ? 0 : machine_check_interrupt(m);
	if (!r)
		r = linux_load(&m->vm, o, &l);
	if (!r && m->lapic)
		mptable_write(&m->vm, m->ncpus);
	for (i = 0; !r && i < m->ncpus; i++)
		r = linux_setup_vcpu(&m->vcpu[i], i ? NULL : &l, m->lapic);
	if (r)
		machine_close(m);
	return r;
}

static int machine_init(struct machine *m, const struct linux_opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	m->lapic = o->kernel_irqchip;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->irq_cond, NULL);
	/*
	 * Non-blocking: a vCPU thread may re-arm or disarm the timer
	 * (timerfd_settime() clears the expirations) between the event
	 * thread's poll() and its read(), which would then wait for an
	 * expiry that never comes, and with it the census and the end.
	 */
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->timer_fd < 0 || m->wake_fd < 0 || machine_signals()) {
		fprintf(stderr, "hvx run: cannot set up timers: %s\n",
			strerror(errno));
		return HVX_EXIT_DEVICE;
	}
	pic_init(&m->pic);
	pit_init(&m->pit);
	uart_init(&m->uart, o->out ? o->out : stdout_byte, o->out_ctx);
	cmos_init(&m->cmos);
	m->stdin_open = o->use_stdin;
	if (o->use_stdin)
		fcntl(STDIN_FILENO, F_SETFL,
		      fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	m->vcpu_thread[0] = pthread_self();
	m->census = 1;
	return 0;
}

static void machine_fini(struct machine *m)
{
	machine_restore_signals();
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	if (m->wake_fd >= 0)
		close(m->wake_fd);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->irq_cond);
}

/* The event thread and the APs' threads; the BSP's is this one. */
static int machine_start(struct machine *m)
{
	unsigned int i;

	if (pthread_create(&m->event_thread, NULL, event_main, m)) {
		fprintf(stderr, "hvx run: cannot start the event thread\n");
		return HVX_EXIT_DEVICE;
	}
	pthread_mutex_lock(&m->lock);
	m->threads = 1;
	for (i = 1; i < m->ncpus; i++) {
		if (pthread_create(&m->vcpu_thread[i], NULL, ap_main,
				   &m->vcpu[i])) {
			fprintf(stderr, "hvx run: cannot start vCPU %u's thread\n",
				i);
			machine_end_locked(m, STOP_ERROR, HVX_EXIT_DEVICE);
			break;
		}
		m->threads++;
	}
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* Every thread ends: the APs' (the run has stopped), then the event one. */
static void machine_join(struct machine *m)
{
	unsigned int i;

	for (i = 1; i < m->threads; i++)
		pthread_join(m->vcpu_thread[i], NULL);
	pthread_mutex_lock(&m->lock);
	m->quit = 1;
	machine_wake_events(m);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->event_thread, NULL);
}

int linux_run(const struct linux_opts *o)
{
	struct machine *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return HVX_EXIT_DEVICE;
	r = machine_init(m, o);
	if (!r)
		r = machine_create(m, o);
	if (r)
		goto out;
	if (o->timeout_s)
		m->deadline_ns = now_ns() + o->timeout_s * 1000000000ull;
	r = machine_start(m);
	if (r)
		goto close_vm;
	vcpu_loop_end(m, &m->vcpu[0]);
	machine_end(m, STOP_HALT, 0);	/* if still running: stop the APs */
	machine_join(m);
	r = machine_result(m);
	if (o->stats)
		machine_stats(m);
close_vm:
	vcpu_kick_set_run(NULL);
	machine_close(m);
out:
	machine_fini(m);
	free(m);
	return r;
}

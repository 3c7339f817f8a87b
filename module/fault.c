// SPDX-License-Identifier: GPL-2.0
/*
 * hvx's own fault points, for proving that every allocation's error path
 * unwinds cleanly (the kernel's failslab and fail_page_alloc need
 * CONFIG_FAULT_INJECTION, which Debian's kernel does not have).
 *
 * /sys/kernel/debug/hvx/fail_nth: a process writes N and the Nth fault
 * point its threads pass afterwards fails (as the kernel's
 * /proc/PID/task/TID/fail-nth, Documentation/fault-injection/
 * fault-injection.rst, but per process, and one process at a time).
 * Reading it gives the points left before the failure: 0 once it has
 * happened (or when the reader is not the process that armed it).
 * fault_hits counts the failures injected since load, fault_last names
 * the caller of the latest one.
 *
 * A fault point stands before an allocation, or before the creation of
 * a file descriptor: hvx_fault_alloc() returns true when the caller must
 * behave as if the allocation had failed (-ENOMEM).
 */
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "hvx.h"

static pid_t hvx_fault_owner;	/* tgid of the armed process, 0: none */
static atomic_t hvx_fault_nth = ATOMIC_INIT(0);
static atomic_t hvx_fault_hits = ATOMIC_INIT(0);
static unsigned long hvx_fault_last;

bool hvx_fault_alloc(void)
{
	pid_t owner = READ_ONCE(hvx_fault_owner);

	if (likely(!owner) || !in_task() || task_tgid_nr(current) != owner)
		return false;
	/* Only the call that takes the count from 1 to 0 fails. */
	if (atomic_dec_if_positive(&hvx_fault_nth) != 0)
		return false;
	WRITE_ONCE(hvx_fault_last, _RET_IP_);
	atomic_inc(&hvx_fault_hits);
	return true;
}

static ssize_t hvx_fail_nth_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	unsigned int n;
	int r = kstrtouint_from_user(buf, count, 0, &n);

	if (r)
		return r;
	WRITE_ONCE(hvx_fault_owner, 0);
	atomic_set(&hvx_fault_nth, n);
	if (n)
		WRITE_ONCE(hvx_fault_owner, task_tgid_nr(current));
	return count;
}

static ssize_t hvx_fail_nth_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	char s[16];
	int n = 0;

	if (READ_ONCE(hvx_fault_owner) == task_tgid_nr(current))
		n = atomic_read(&hvx_fault_nth);
	return simple_read_from_buffer(buf, count, ppos, s,
				       scnprintf(s, sizeof(s), "%d\n", n));
}

static const struct file_operations hvx_fail_nth_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= hvx_fail_nth_read,
	.write	= hvx_fail_nth_write,
	.llseek	= default_llseek,
};

static int hvx_fault_last_show(struct seq_file *m, void *unused)
{
	unsigned long ip = READ_ONCE(hvx_fault_last);

	if (ip)
		seq_printf(m, "%pS\n", (void *)ip);
	else
		seq_puts(m, "none\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvx_fault_last);

void hvx_fault_debugfs_init(struct dentry *root)
{
	debugfs_create_file("fail_nth", 0600, root, NULL, &hvx_fail_nth_fops);
	debugfs_create_atomic_t("fault_hits", 0444, root, &hvx_fault_hits);
	debugfs_create_file("fault_last", 0444, root, NULL,
			    &hvx_fault_last_fops);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the ioctl fuzzer's shared definitions.  common/fuzz_test.c
 * is the engine (random numbers, argument buffers and bad pointers, the
 * descriptions every architecture shares, the log of the last calls, the
 * cases); x86/fuzz_test.c and arm64/fuzz_test.c describe each
 * architecture's own ioctls.
 *
 * An ioctl is described by the fd it goes to, the size of its argument
 * and a generator that writes a mostly valid argument from the fuzzer's
 * state (its memory arena, its eventfds, the lists the device gave at
 * start).  The engine then sometimes mutates it: random bits anywhere in
 * the struct (flags, padding, sizes), a huge count, or the argument
 * pointer itself NULL, unmapped, read-only, or running off the end of a
 * mapping.  Pointer fields the kernel writes through (a dirty bitmap,
 * ONE_REG's addr) are named by ptr_off and only ever point at the
 * fuzzer's scratch buffers or its bad pointers, never at memory the
 * fuzzer itself lives on.
 */
#ifndef HVX_FUZZ_H
#define HVX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Which fd an ioctl goes to. */
#define FUZZ_SYS	1
#define FUZZ_VM		2
#define FUZZ_VCPU	4
#define FUZZ_DEV	8	/* a device's (KVM_CREATE_DEVICE) */

/* Descriptor flags. */
#define FUZZ_ARG_VAL	1	/* the argument is a value, not a pointer */
#define FUZZ_NEW_FD	2	/* success returns a new fd (VM or vCPU) */
#define FUZZ_RET_VAL	4	/* success may return a positive value */
#define FUZZ_NEW_DEV	8	/* success leaves a device fd in the argument */
#define FUZZ_NO_PTR	(-1)

struct fuzz;

struct fuzz_ioctl {
	const char *name;
	unsigned long cmd;
	unsigned int on;	/* FUZZ_SYS | FUZZ_VM | FUZZ_VCPU | FUZZ_DEV */
	unsigned int flags;
	size_t size;		/* bytes of argument the generator writes */
	int ptr_off;		/* a pointer the kernel writes through */
	int count_off;		/* a __u32 count to make huge, or -1 */
	/* Writes a mostly valid argument; returns the value for ARG_VAL. */
	unsigned long (*gen)(struct fuzz *f, void *arg);
	/* After mutation: keeps what would only break the fuzzer itself. */
	void (*fixup)(struct fuzz *f, void *arg);
};

/* What a generator may draw from. */
uint64_t fuzz_rand(struct fuzz *f);
/* 0 .. n - 1 */
uint64_t fuzz_below(struct fuzz *f, uint64_t n);
/* 1 in n */
int fuzz_one_in(struct fuzz *f, unsigned int n);
/* A value that often sits on a boundary: 0, 1, ~0, powers of two. */
uint64_t fuzz_interesting(struct fuzz *f);
/* A page-aligned guest-physical address, mostly in the first 16 MiB. */
uint64_t fuzz_gpa(struct fuzz *f);
/* A scratch buffer of @size bytes (up to 64 KiB) the kernel may write. */
void *fuzz_scratch(struct fuzz *f, size_t size);
/* The scratch buffer, or now and then NULL, unmapped, read-only... */
uint64_t fuzz_out_ptr(struct fuzz *f, size_t size);
/* An eventfd of the fuzzer's, or now and then a bad fd. */
int fuzz_eventfd(struct fuzz *f);

/* Each architecture's own ioctls (x86/fuzz_test.c, arm64/fuzz_test.c). */
extern const struct fuzz_ioctl fuzz_arch_ioctls[];
extern const int fuzz_nr_arch_ioctls;
/* Reads what the generators draw from (CPUID, MSR and register lists). */
void fuzz_arch_init(int sys_fd, int vcpu_fd);
/* Random code for the fuzzer's guests: @len bytes at @code. */
void fuzz_arch_guest_code(struct fuzz *f, uint8_t *code, size_t len);

#endif /* HVX_FUZZ_H */

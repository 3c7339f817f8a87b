// SPDX-License-Identifier: GPL-2.0
/*
 * hvx arm64: the True Random Number Generator firmware interface, v1.0
 * (Arm DEN 0098), the standard service bit KVM_REG_ARM_STD_BIT_TRNG_V1_0
 * (smccc.c).  The entropy is the host kernel's, get_random_bytes(), as
 * on KVM; a guest Linux seeds its own pool from it early in boot.
 */
#include <linux/arm-smccc.h>
#include <linux/random.h>
#include <linux/uuid.h>
#include <asm/unaligned.h>

#include "arm64.h"

/* TRNG_VERSION (DEN 0098 2.1): major in bits [30:16], minor in [15:0]. */
#define A64_TRNG_VERSION_1_0	0x10000

/* DEN 0098 2.6: RND32 returns up to 96 bits, RND64 up to 192. */
#define A64_TRNG_WORDS		3

/* The status codes of DEN 0098 2.7 other than SUCCESS and NOT_SUPPORTED. */
#define A64_TRNG_INVALID_PARAMETERS	((u64)-2)

/*
 * TRNG_GET_UUID (DEN 0098 2.3) names the TRNG back end; this one is
 * hvx's own, generated for it.
 */
static const uuid_t a64_trng_uuid = UUID_INIT(0x5f08eed3, 0x02de, 0x4c7a,
					      0x91, 0x02, 0x8d, 0xd1, 0xef,
					      0x60, 0x1a, 0xb6);

void a64_trng_version(struct a64_vcpu *v, u64 *res)
{
	res[0] = A64_TRNG_VERSION_1_0;
}

/* TRNG_FEATURES (DEN 0098 2.2) of the call in W1: SUCCESS for each. */
void a64_trng_features(struct a64_vcpu *v, u64 *res)
{
	switch ((u32)a64_reg(v, 1)) {
	case ARM_SMCCC_TRNG_VERSION:
	case ARM_SMCCC_TRNG_FEATURES:
	case ARM_SMCCC_TRNG_GET_UUID:
	case ARM_SMCCC_TRNG_RND32:
	case ARM_SMCCC_TRNG_RND64:
		res[0] = SMCCC_RET_SUCCESS;
	}
}

/* The UUID's bytes 0-3 in W0 (byte 0 lowest), 4-7 in W1, and so on. */
void a64_trng_get_uuid(struct a64_vcpu *v, u64 *res)
{
	int i;

	for (i = 0; i < 4; i++)
		res[i] = get_unaligned_le32(&a64_trng_uuid.b[4 * i]);
}

/*
 * TRNG_RND32/64 (DEN 0098 2.4, 2.5): N = X1 random bits, 1 to 3 words'
 * worth, returned right-aligned across X1 (most significant), X2 and X3
 * (least), every bit above N zero; any other N is INVALID_PARAMETERS.
 */
static void a64_trng_rnd(u64 n, unsigned int word_bits, u64 *res)
{
	u64 w[A64_TRNG_WORDS];
	unsigned int i;

	if (!n || n > A64_TRNG_WORDS * word_bits) {
		res[0] = A64_TRNG_INVALID_PARAMETERS;
		return;
	}
	get_random_bytes(w, sizeof(w));
	for (i = 0; i < A64_TRNG_WORDS; i++) {
		u64 bits = n > i * word_bits ?
			   min_t(u64, n - i * word_bits, word_bits) : 0;

		if (bits < 64)
			w[i] &= BIT_ULL(bits) - 1;
		res[A64_TRNG_WORDS - i] = w[i];
	}
	memzero_explicit(w, sizeof(w));
	res[0] = SMCCC_RET_SUCCESS;
}

void a64_trng_rnd32(struct a64_vcpu *v, u64 *res)
{
	a64_trng_rnd((u32)a64_reg(v, 1), 32, res);
}

void a64_trng_rnd64(struct a64_vcpu *v, u64 *res)
{
	a64_trng_rnd(a64_reg(v, 1), 64, res);
}

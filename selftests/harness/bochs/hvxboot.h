/* SPDX-License-Identifier: GPL-2.0 */
/* hvxboot: what boot.S and loader.c share. */
#ifndef HVXBOOT_H
#define HVXBOOT_H

/* The loader's size on disk, boot sector included (loader.ld checks it). */
#define HVXBOOT_SECTORS		32
/* The parameter sector the harness writes, right after the loader. */
#define HVXBOOT_PARAMS_LBA	HVXBOOT_SECTORS

#define BOOT_CS			0x08
#define BOOT_DS			0x10
#define E820_MAX		32

#endif

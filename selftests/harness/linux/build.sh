#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the initramfs of the Linux guest that `hvx run --kernel` boots
# in the test machine: busybox (static) and selftests/harness/linux/init.
# Cached: rebuilt only when busybox or the init script is newer; the
# kernel, Debian's, is copied next to it.
#
#   linux/build.sh       prints the kernel's and the initramfs's paths
# (build/linux-guest/vmlinuz, build/linux-guest/linux-initrd.gz).
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

hvx_require_kver
hvx_linux_guest
printf '%s\n' "${HVX_LINUX_FILES[@]}"

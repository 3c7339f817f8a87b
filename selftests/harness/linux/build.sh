#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the initramfs of the Linux guest that `hvx run --kernel` boots
# in the test machine: busybox (static) and selftests/harness/linux/init.
# Cached: rebuilt only when busybox or the init script is newer.
#
#   linux/build.sh [OUT]     (default build/linux-guest/initrd.gz)
# Prints the path of the initramfs.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

hvx_linux_guest "${1:-}"

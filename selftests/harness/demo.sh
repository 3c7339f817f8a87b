#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boots the QEMU/SVM machine and runs every sample guest
# (userspace/build/guests/*) with `hvx run --stats`, then kvm_hello, on hvx.
#
#   demo.sh [--no-setup] [--no-build] [--timeout S]
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_single_stage demo "$HVX_HARNESS/guest/demo.sh" "$@"

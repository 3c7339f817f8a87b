#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boots the QEMU/SVM machine and runs `hvx bench`, which
# measures hvx against KVM in the same boot, and prints its output.
#
#   bench.sh [--no-setup] [--no-build] [--timeout S]
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_single_stage bench "$HVX_HARNESS/guest/bench.sh" "$@"

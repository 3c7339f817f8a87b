#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boots the QEMU/SVM machine (HVX_ARCH=arm64: QEMU/EL2,
# HVX_ARCH=vmx: Bochs/VMX) and runs `hvx bench`, which measures hvx against
# KVM in the same boot, and prints its output.
#
#   [HVX_ARCH=x86|arm64|vmx] bench.sh [--no-setup] [--no-build] [--timeout S]
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_single_stage bench "$HVX_HARNESS/guest/bench.sh" "$@"

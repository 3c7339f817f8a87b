#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boots the QEMU/SVM machine and runs every sample guest
# (userspace/build/guests/*) with `hvx run --stats`, then kvm_hello, on hvx.
# HVX_ARCH=arm64: the QEMU/EL2 machine, userspace/build-arm64/guests/* and
# kvm_hello_arm64. HVX_ARCH=vmx: the Bochs/VMX machine (Intel VT-x).
# Then `hvx run --trace`, `hvx stat` on a running guest, and `perf record
# -e 'hvx:*'` (Debian's perf; on arm64 its trace-cmd; HVX_WITH_PERF=0 for
# neither).
#
#   [HVX_ARCH=x86|arm64|vmx] demo.sh [--no-setup] [--no-build] [--timeout S]
set -euo pipefail

# Before lib.sh, which defaults it to 0.
export HVX_WITH_PERF=${HVX_WITH_PERF:-1}
# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_single_stage demo "$HVX_HARNESS/guest/demo.sh" "$@"

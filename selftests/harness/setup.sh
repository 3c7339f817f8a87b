#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what the hvx harness needs on Debian 12 (run as root on a fresh
# machine; a no-op when everything is there) and prints the Debian kernel
# version the emulated machines boot.
#
#   selftests/harness/setup.sh
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HVX_PACKAGES=(
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static cpio gzip xz-utils
	gcc make libc6-dev binutils perl kmod
)

is_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing_packages() {
	local p
	for p in "${HVX_PACKAGES[@]}"; do
		is_installed "$p" || echo "$p"
	done
}

install_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	((${#missing[@]})) || return 0
	((EUID == 0)) || die "missing packages (${missing[*]}); run this script as root"
	note "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null
	apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null
}

main() {
	install_packages
	hvx_require_kver
	[[ -r /boot/vmlinuz-$HVX_KVER ]] || die "/boot/vmlinuz-$HVX_KVER is not readable"
	note "kernel $HVX_KVER (headers $HVX_KDIR)"
}

main "$@"

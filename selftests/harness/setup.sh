#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what the hvx harness needs on Debian 12 (run as root on a fresh
# machine; a no-op when everything is there) and prints the Debian kernel
# version the emulated machines boot.
#
#   selftests/harness/setup.sh [x86] [arm64] [vmx] [debug]
#                               (default: x86 arm64 vmx)
#
# x86: the Debian amd64 kernel, its headers, QEMU and busybox, installed.
# arm64: QEMU and the aarch64 cross compiler, installed; Debian's arm64
# kernel, headers and busybox-static of the same kernel version, fetched with
# `apt-get download` (after `dpkg --add-architecture arm64`) and unpacked,
# not installed, under $HVX_ARM64_DIR/root (default /opt/hvx-arm64/root);
# so are libfdt-dev and libfdt1 (arm64), for the static libfdt.a that the
# arm64 hvx tool's device tree is built with (userspace/virt/fdt.c), trace-cmd
# and qemu-system-aarch64 with the libraries they need, for the arm64
# machine's initramfs.
# x86 also: dkms and groff (the build stage's dkms build and man page
# check, selftests/harness/install-check.sh).
# vmx: x86's packages and Bochs (bochs with its BIOS, VGA BIOS and text
# display), which boots x86's kernel through the harness's own loader.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HVX_PACKAGES=(
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static cpio gzip xz-utils
	gcc make libc6-dev binutils perl kmod dkms groff-base
	linux-perf
)
HVX_ARM64_PACKAGES=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
HVX_VMX_PACKAGES=(bochs bochsbios vgabios bochs-term)
# debug: x86's, and what building a kernel from linux-source-6.1 takes
# (make check-debug, debug-kernel.sh)
HVX_DEBUG_PACKAGES=(bc bison flex libelf-dev libssl-dev)

is_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

need_root() {
	((EUID == 0)) || die "$1; run selftests/harness/setup.sh as root"
}

install_packages() {
	local p missing=()
	for p in "$@"; do
		is_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	need_root "missing packages (${missing[*]})"
	note "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null
	apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null
}

# download_debs DIR PKG...: `apt-get download` into DIR the packages that
# have no .deb there yet (a package's .deb name starts with "name_")
download_debs() {
	local dir=$1 p debs missing=()
	shift
	for p in "$@"; do
		debs=("$dir/${p%%:*}"_*.deb)
		((${#debs[@]})) || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	need_root "missing arm64 packages (${missing[*]})"
	note "downloading: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [[ " $(dpkg --print-foreign-architectures | tr '\n' ' ') " != *" arm64 "* ]]; then
		dpkg --add-architecture arm64
	fi
	apt-get update -q </dev/null
	mkdir -p "$dir"
	# _apt, which fetches, must be able to write there.
	chown _apt "$dir" 2>/dev/null || true
	(cd "$dir" && apt-get download -q "${missing[@]}" </dev/null)
}

# The arm64 machine's kernel, its module headers (a cross build of hvx.ko
# uses them with the host's kbuild tools, linux-kbuild-6.1) and busybox,
# unpacked into $HVX_ARM64_ROOT; root/.hvx-kver says which version is there.
setup_arm64_root() {
	local root=$HVX_ARM64_ROOT dir=$HVX_ARM64_DIR v=${HVX_KVER%-amd64} p debs
	local kbuild=linux-kbuild-$HVX_KSERIES
	local pkgs=("linux-image-$v-arm64-unsigned:arm64" "linux-headers-$v-arm64:arm64"
		"linux-headers-$v-common" busybox-static:arm64)
	if [[ $(cat "$root/.hvx-kver" 2>/dev/null) == "$HVX_ARM64_KVER" &&
		-f $HVX_ARM64_KDIR/Makefile && -x $root/bin/busybox ]]; then
		return 0
	fi
	[[ -d /usr/lib/$kbuild ]] || die "/usr/lib/$kbuild is missing (linux-headers-amd64 brings it)"
	download_debs "$dir/debs" "${pkgs[@]}"
	need_root "$root is missing or incomplete"
	note "unpacking ${pkgs[*]} into $root"
	rm -rf "$root.new"
	for p in "${pkgs[@]}"; do
		mapfile -t debs < <(printf '%s\n' "$dir/debs/${p%%:*}"_*.deb | sort -V)
		dpkg-deb -x "${debs[-1]}" "$root.new"
	done
	if [[ -e $root ]]; then
		[[ -e $root/.hvx-kver || -d $root/usr/src ]] ||
			die "$root exists and is not an unpacked arm64 kernel: not replacing it"
		rm -rf "$root.old"
		mv "$root" "$root.old"
	fi
	mv "$root.new" "$root"
	rm -rf "$root.old"
	# The headers' scripts/ and tools/ point into ../../lib/$kbuild, the
	# amd64 programs a cross build runs; their Makefile includes the common
	# headers by absolute path, which is the host's, not ours.
	ln -sfn "/usr/lib/$kbuild" "$root/usr/lib/$kbuild"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$HVX_ARM64_KDIR/Makefile"
	[[ -f $HVX_ARM64_ROOT/boot/vmlinuz-$HVX_ARM64_KVER ]] ||
		die "no arm64 kernel image in $root/boot"
	echo "$HVX_ARM64_KVER" >"$root/.hvx-kver"
}

# unpack_into_arm64_root WHAT PKG...: downloads (download_debs) and
# unpacks the newest .deb of each PKG into $HVX_ARM64_ROOT in place, so
# that an existing root is not unpacked again; WHAT names it in messages.
unpack_into_arm64_root() {
	local what=$1 root=$HVX_ARM64_ROOT p debs
	shift
	download_debs "$HVX_ARM64_DIR/debs" "$@"
	need_root "$root has no $what"
	note "unpacking $* into $root"
	for p in "$@"; do
		mapfile -t debs < <(printf '%s\n' "$HVX_ARM64_DIR/debs/${p%%:*}"_*.deb | sort -V)
		dpkg-deb -x "${debs[-1]}" "$root"
	done
}

# libfdt (Debian's device-tree-compiler source) for the arm64 hvx tool:
# usr/include/libfdt*.h and usr/lib/aarch64-linux-gnu/libfdt.a, after
# setup_arm64_root.
setup_arm64_libfdt() {
	local root=$HVX_ARM64_ROOT
	[[ -f $root/usr/lib/aarch64-linux-gnu/libfdt.a && -f $root/usr/include/libfdt.h ]] &&
		return 0
	unpack_into_arm64_root libfdt libfdt-dev:arm64 libfdt1:arm64
	[[ -f $root/usr/lib/aarch64-linux-gnu/libfdt.a ]] ||
		die "libfdt-dev:arm64 brought no libfdt.a"
}

# Debian's trace-cmd for the arm64 machine (its check_trace_tools records
# hvx:* events with it, as perf does on x86), with the libraries it
# needs and the C library; lib.sh (hvx_initramfs_trace_cmd) copies them
# into the initramfs.
setup_arm64_trace_cmd() {
	local root=$HVX_ARM64_ROOT
	[[ -x $root/usr/bin/trace-cmd && -e $root/lib/ld-linux-aarch64.so.1 ]] &&
		return 0
	unpack_into_arm64_root trace-cmd trace-cmd:arm64 libtracefs1:arm64 \
		libtraceevent1:arm64 libzstd1:arm64 libc6:arm64
	[[ -x $root/usr/bin/trace-cmd ]] || die "trace-cmd:arm64 brought no usr/bin/trace-cmd"
}

# Debian's qemu-system-aarch64 for the arm64 machine (the el2 stage's
# QEMU guest, KVM's and hvx's), with the shared libraries it needs: the
# package, then, round by round, the arm64 package of each library still
# missing (arm64_needed), found by the name the host's own copy of that
# library is installed under (the host's qemu-system-x86 needs nearly the
# same ones).
setup_arm64_qemu() {
	local root=$HVX_ARM64_ROOT bin=/usr/bin/qemu-system-aarch64 round lib p
	local pkgs
	[[ -x $root$bin ]] || unpack_into_arm64_root qemu qemu-system-arm:arm64
	for round in 1 2 3 4 5 6; do
		pkgs=()
		while read -r lib; do
			p=$(dpkg -S "*/x86_64-linux-gnu/$lib" 2>/dev/null | head -n 1)
			[[ -n $p ]] ||
				die "$bin needs $lib: no host package has it, so its arm64 package is unknown"
			pkgs+=("${p%%:*}:arm64")
		done < <(arm64_needed "$root" "$root$bin" | sed -n 's/^missing //p')
		((${#pkgs[@]})) || return 0
		mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
		unpack_into_arm64_root "qemu's libraries (round $round)" "${pkgs[@]}"
	done
	die "$bin: its libraries are still incomplete after $round rounds"
}

main() {
	local arches=("$@") packages=() a
	((${#arches[@]})) || arches=(x86 arm64 vmx)
	for a in "${arches[@]}"; do
		[[ $a == x86 || $a == arm64 || $a == vmx || $a == debug ]] ||
			die "usage: setup.sh [x86] [arm64] [vmx] [debug]"
	done
	# The arm64 machine boots the x86 kernel's version: x86 first.
	packages=("${HVX_PACKAGES[@]}")
	[[ " ${arches[*]} " == *" arm64 "* ]] && packages+=("${HVX_ARM64_PACKAGES[@]}")
	[[ " ${arches[*]} " == *" vmx "* ]] && packages+=("${HVX_VMX_PACKAGES[@]}")
	[[ " ${arches[*]} " == *" debug "* ]] && packages+=("${HVX_DEBUG_PACKAGES[@]}")
	install_packages "${packages[@]}"
	hvx_require_kver
	[[ -r /boot/vmlinuz-$HVX_KVER ]] || die "/boot/vmlinuz-$HVX_KVER is not readable"
	note "kernel $HVX_KVER (headers $HVX_KDIR)"
	if [[ " ${arches[*]} " == *" arm64 "* ]]; then
		setup_arm64_root
		setup_arm64_libfdt
		setup_arm64_trace_cmd
		setup_arm64_qemu
		note "arm64 kernel $HVX_ARM64_KVER (headers $HVX_ARM64_KDIR)"
	fi
}

main "$@"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The debug kernel of `make check-debug`: Debian's 6.1 source
# (/usr/src/linux-source-6.1.tar.xz), x86_64 defconfig plus
# selftests/harness/debug.config (KASAN, lockdep, DEBUG_ATOMIC_SLEEP,
# kmemleak, UBSAN, DEBUG_LIST, failslab), built out of tree into
# $HVX_DEBUG_DIR (default build/debug-kernel; some 40 minutes on two cores,
# once: again only when the tarball or debug.config is newer). Sourced by
# lib.sh; hvx_arch debug boots the SVM machine with it.

HVX_DEBUG_TARBALL=/usr/src/linux-source-6.1.tar.xz
HVX_DEBUG_DIR=${HVX_DEBUG_DIR:-$HVX_BUILD/debug-kernel}
HVX_DEBUG_OBJ=$HVX_DEBUG_DIR/obj
HVX_DEBUG_ROOT=$HVX_DEBUG_DIR/root

# The kernel release the build wrote (empty before the first build).
hvx_debug_kver() {
	cat "$HVX_DEBUG_OBJ/include/config/kernel.release" 2>/dev/null || true
}

# What the cached build was made from: debug.config's contents and the
# tarball's size and time (not debug.config's mtime, which a fresh clone
# or worktree sets to now).
hvx_debug_inputs() {
	sha256sum <"$HVX_HARNESS/debug.config"
	stat -c '%s %Y' "$HVX_DEBUG_TARBALL"
}

# hvx_debug_kernel_build: builds bzImage and the modules when the cached
# build is missing or was made from other inputs; the log is build.log
# there.
hvx_debug_kernel_build() {
	local src=$HVX_DEBUG_DIR/linux-source-6.1 cfg=$HVX_HARNESS/debug.config
	local stamp=$HVX_DEBUG_DIR/.built jobs
	if [[ -f $stamp && $(cat "$stamp") == "$(hvx_debug_inputs)" ]]; then
		return 0
	fi
	jobs=$(nproc)
	mkdir -p "$HVX_DEBUG_DIR" "$HVX_DEBUG_OBJ"
	note "debug kernel: building in ${HVX_DEBUG_DIR#"$HVX_TOP"/} (log build.log there)"
	[[ -d $src ]] || tar -xJf "$HVX_DEBUG_TARBALL" -C "$HVX_DEBUG_DIR"
	(
		set -e
		cd "$src"
		make -s O="$HVX_DEBUG_OBJ" defconfig
		scripts/kconfig/merge_config.sh -m -O "$HVX_DEBUG_OBJ" \
			"$HVX_DEBUG_OBJ/.config" "$cfg"
		make -s O="$HVX_DEBUG_OBJ" olddefconfig
		make -j"$jobs" O="$HVX_DEBUG_OBJ" bzImage modules
		rm -rf "$HVX_DEBUG_ROOT"
		make -s O="$HVX_DEBUG_OBJ" INSTALL_MOD_PATH="$HVX_DEBUG_ROOT" \
			modules_install
	) >"$HVX_DEBUG_DIR/build.log" 2>&1 ||
		die "debug kernel build failed: see ${HVX_DEBUG_DIR#"$HVX_TOP"/}/build.log"
	hvx_debug_check_config
	hvx_debug_inputs >"$stamp"
}

# Every option debug.config asks for must have survived olddefconfig (a
# dependency it lacks drops it silently).
hvx_debug_check_config() {
	local line missing=()
	while IFS= read -r line; do
		[[ $line == CONFIG_* && $line != *=n ]] || continue
		grep -qxF "$line" "$HVX_DEBUG_OBJ/.config" || missing+=("$line")
	done <"$HVX_HARNESS/debug.config"
	((${#missing[@]} == 0)) ||
		die "debug kernel: not in its .config: ${missing[*]}"
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel's own KVM selftests, built unmodified from Debian's
# linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz): sourced by
# check.sh for its kselftest stages. ../shared recipe: extract tools/ and
# scripts/subarch.include, `make -k` in tools/testing/selftests/kvm with
# the installed UAPI headers and static linking (dirty_log_test and
# steal_time do not build in Debian's 6.1 tree; -k builds the rest).

HVX_KST_TARBALL=/usr/src/linux-source-6.1.tar.xz

# hvx_kvm_selftests ARCH (x86 or arm64): builds the tests for ARCH once
# (again when the tarball is newer) and sets HVX_KST_DIR, a directory of
# the test programs only, flat, for the machine's /hvx/extra
hvx_kvm_selftests() {
	local arch=$1 dir=$HVX_BUILD/kvm-selftests/$1 src make_args=() t
	HVX_KST_DIR=$dir/kvm-selftests
	[[ -r $HVX_KST_TARBALL ]] ||
		die "no $HVX_KST_TARBALL (run selftests/harness/setup.sh: linux-source-6.1)"
	if [[ -f $dir/.built && $dir/.built -nt $HVX_KST_TARBALL ]]; then
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir" "$HVX_KST_DIR"
	tar -xJf "$HVX_KST_TARBALL" -C "$dir" linux-source-6.1/tools \
		linux-source-6.1/scripts/subarch.include
	src=$dir/linux-source-6.1/tools/testing/selftests/kvm
	if [[ $arch == arm64 ]]; then
		make_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
			   KHDR_INCLUDES="-isystem /usr/aarch64-linux-gnu/include")
	else
		make_args=(KHDR_INCLUDES="-isystem /usr/include")
	fi
	# A make of its own, not a sub-make of `make check`: the selftests'
	# lib.mk sets OUTPUT (where the programs go) only at MAKELEVEL 0,
	# and without it writes them to / . OUTPUT is given as well.
	env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES \
		make -k -s -C "$src" "${make_args[@]}" OUTPUT="$src" \
		LDFLAGS="-static -pthread" >"$dir/build.log" 2>&1 || true
	# Every executable the build left, whatever its subdirectory.
	while IFS= read -r t; do
		cp "$t" "$HVX_KST_DIR/"
	done < <(find "$src" -type f -perm -u+x ! -name '*.sh' ! -name '*.py' \
		      -newer "$src/Makefile" ! -path '*/lib/*')
	rm -rf "$dir/linux-source-6.1"
	# None built: the stage's guest reports it as a failure; the next
	# run builds again.
	t=$(find "$HVX_KST_DIR" -type f | wc -l)
	note "KVM selftests for $arch: $t programs (build log: $dir/build.log)"
	((t > 0)) && touch "$dir/.built"
	return 0
}

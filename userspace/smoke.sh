#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Quick check of the tool, the sample guests and kvm_hello on one device,
# TAP output.  Meant for the development host's own /dev/kvm (seconds, no
# emulator) and for the test machine's /dev/hvx:
#
#   ./smoke.sh [DEVICE]          (default /dev/kvm; `make smoke` runs it)
#
# kvm_hello (kvm_hello_arm64 on an arm64 host, from build-arm64/) always
# opens /dev/kvm itself, so it is only run for that path.
# The development host's KVM is kvm_pvm, which runs paging only in long
# mode: there the two 32-bit paging checks are reported as skipped.

dev=${1:-/dev/kvm}
n=0
failed=0

# On an arm64 host: the arm64 build (make ARCH=arm64 OUT=build-arm64).
hello=kvm_hello
modes="-r -s -p -l"
top=$(dirname "$0")/build
if [ "$(uname -m)" = aarch64 ]; then
	hello=kvm_hello_arm64
	modes=-
	top=$(dirname "$0")/build-arm64
fi

no_paging32=
[ "$dev" = /dev/kvm ] && [ -d /sys/module/kvm_pvm ] &&
	no_paging32="kvm_pvm has no 32-bit paging"

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

check() {
	local name="$1" out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $?)"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

# The guest must exit 0 and greet.
guest() {
	local out
	out=$("$top/hvx" run --device "$dev" "$@") || return
	case $out in
	"Hello from"*) ;;
	*) printf '%s\n' "$out"; return 1 ;;
	esac
}

for g in "$top"/guests/*; do
	check "hvx run ${g##*/}" guest "$g"
done
if [ "$hello" = kvm_hello_arm64 ]; then
	:
elif [ -n "$no_paging32" ]; then
	skip "hvx run --mode paged hello-prot.elf" "$no_paging32"
else
	check "hvx run --mode paged hello-prot.elf" guest --mode paged \
		"$top/guests/hello-prot.elf"
fi
if [ "$dev" = /dev/kvm ]; then
	for m in $modes; do
		if [ "$m" = -p ] && [ -n "$no_paging32" ]; then
			skip "$hello $m" "$no_paging32"
			continue
		fi
		[ "$m" = - ] && m=
		check "$hello $m" "$top/$hello" ${m:+"$m"}
	done
fi
check "hvx bench --rounds 3" "$top/hvx" bench --rounds 3 --hvx "$dev" \
	--kvm "$dev"
echo "1..$n"
echo "# $((n - failed)) passed, $failed failed on $dev"
[ $failed -eq 0 ]

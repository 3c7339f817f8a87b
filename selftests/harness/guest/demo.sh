# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make demo`: the sample guests on hvx with their exit
# statistics, then kvm_hello.

stage_main() {
	local g n=0
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	if [ -x /hvx/bin/hvx ]; then
		for g in /hvx/guests/*; do
			[ -f "$g" ] || continue
			n=$((n + 1))
			echo "# ---- ${g##*/}"
			if limited hvx run --stats "$g"; then
				ok "demo ${g##*/}"
			else
				not_ok "demo ${g##*/}"
			fi
		done
		[ $n -gt 0 ] || not_ok "demo guests (none in the initramfs)"
	else
		not_ok "hvx tool (not built)"
	fi
	run_hello
	unload_hvx
	dump_dmesg
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make bench`: `hvx bench` (hvx against KVM, same boot),
# then `hvx bench --linux` where the host provided the Linux guest.

stage_main() {
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	if [ -x /hvx/bin/hvx ]; then
		# shellcheck disable=SC2034 # read by limited's watchdog
		HVX_TIMEOUT_TEST=${HVX_TIMEOUT_BENCH:-1200}
		if limited hvx bench; then
			ok "hvx bench"
		else
			not_ok "hvx bench"
		fi
		if have_linux_guest; then
			if limited hvx bench --linux --kernel "$HVX_LINUX_KERNEL" \
				--initrd "$HVX_LINUX_INITRD" --append "$HVX_LINUX_APPEND"; then
				ok "hvx bench --linux"
			else
				not_ok "hvx bench --linux"
			fi
		fi
	else
		not_ok "hvx tool (not built)"
	fi
	unload_hvx
	dump_dmesg
}

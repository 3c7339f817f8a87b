# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make check`: every selftest, kvm_hello on KVM and on hvx,
# the Linux guest (hvx run --kernel) on KVM and on hvx where the host
# provided one, rmmod, the kernel log.

stage_main() {
	local t tests=0
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	# On Bochs the Linux boots run first: see run_linux_guests_first.
	if run_linux_guests_first; then
		run_linux_guests
	fi
	for t in /hvx/tests/*_test; do
		[ -x "$t" ] || continue
		tests=$((tests + 1))
		if bochs_defers "${t##*/}"; then
			ok "${t##*/} # SKIP on Bochs only in make check-vmx (see bochs_defers)"
			continue
		fi
		# Swap only for mmu_test, which needs it; the rest as before.
		[ "${t##*/}" = mmu_test ] && swap_on
		section "${t##*/}" "$t"
		swap_off
	done
	[ $tests -gt 0 ] || not_ok "selftests (none in the initramfs)"
	check_trace_tools
	run_hello
	run_first_vmm
	if ! run_linux_guests_first; then
		run_linux_guests
		run_linux_smp_guests
	fi
	unload_hvx
	check_installed
	dump_dmesg
}

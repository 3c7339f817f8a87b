# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make demo`: the sample guests on hvx with their exit
# statistics, then kvm_hello.

# The Linux guest on hvx, its whole boot log on the console.
demo_linux() {
	local rc t0 t1
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${HVX_TIMEOUT_LINUX:-120}
	echo "# ---- Linux $(uname -r) with hvx run --kernel"
	t0=$(uptime_ms)
	limited hvx run --stats --kernel "$HVX_LINUX_KERNEL" \
		--initrd "$HVX_LINUX_INITRD" \
		--append "${HVX_LINUX_APPEND% quiet*}${HVX_LINUX_APPEND#*quiet}" \
		>/tmp/linux-demo.out
	rc=$?
	t1=$(uptime_ms)
	cat /tmp/linux-demo.out
	echo "# Linux guest: hvx run took $((t1 - t0)) ms"
	if [ $rc -eq 0 ] && grep -q '^HVX-LINUX-DONE' /tmp/linux-demo.out; then
		ok "demo linux guest boots to user space and powers off"
	else
		not_ok "demo linux guest boots to user space and powers off (exit status $rc)"
	fi
}

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
		have_linux_guest && demo_linux
	else
		not_ok "hvx tool (not built)"
	fi
	run_hello
	unload_hvx
	dump_dmesg
}

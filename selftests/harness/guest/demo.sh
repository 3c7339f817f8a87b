# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make demo`: the sample guests on hvx with their exit
# statistics, one of them under `hvx run --trace`, `hvx stat` watching a
# guest that runs, `hvx inspect` on it stopped, perf (or tracefs)
# recording hvx:* events, then
# kvm_hello.

# The first sample guest, every exit decoded as it happens.
demo_trace() {
	local g
	g=$(trace_guest) || return 0
	echo "# ---- hvx run --trace ${g##*/}"
	if limited hvx run --trace "$g"; then
		ok "demo hvx run --trace ${g##*/}"
	else
		not_ok "demo hvx run --trace ${g##*/}"
	fi
}

# A guest that exits without end, each exit handled in the kernel (x86:
# CPUID in a loop, in real mode; arm64: PSCI_VERSION, an HVC, in a loop),
# watched by `hvx stat` for three half-second frames. On the Bochs/VMX
# machine a guest whose every exit went to user space (OUT to port 0x80)
# stopped the machine twice (README, "The vmx stage"); stats_test's
# hvx_stat_tool, with the same CPUID loop, passes there.
demo_stat() {
	local pid rc
	if [ -f /hvx/guests/hello-real.bin ]; then
		printf '\061\300\017\242\353\372' >/tmp/spin.bin
	else
		printf '\000\200\260\322\002\000\000\324\376\377\377\027' >/tmp/spin.bin
	fi
	echo "# ---- hvx stat on a running guest"
	hvx run /tmp/spin.bin >/dev/null 2>&1 &
	pid=$!
	sleep 1
	limited hvx stat --interval 0.5 --count 3 "$pid"
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "demo hvx stat"
	else
		not_ok "demo hvx stat (exit status $rc)"
	fi
	demo_inspect "$pid"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# The same guest's VMM stopped (SIGSTOP takes its vCPU out of KVM_RUN at
# the next exit), then `hvx inspect`: the VMCB, VMCS or EL2 state, field
# by field, with the guest's instruction pointer (SVM save.rip, VMX
# GUEST_RIP, EL2 PC).
demo_inspect() {
	local pid=$1 rc
	echo "# ---- hvx inspect on the stopped guest"
	grep -q debugfs /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	kill -STOP "$pid"
	sleep 1
	limited hvx inspect --pid "$pid" >/tmp/inspect.out
	rc=$?
	kill -CONT "$pid"
	sed -n '1,60p' /tmp/inspect.out
	if [ $rc -eq 0 ] && grep -qE 'save\.rip|GUEST_RIP|^ *PC ' /tmp/inspect.out; then
		ok "demo hvx inspect"
	else
		not_ok "demo hvx inspect (exit status $rc)"
	fi
}

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
		demo_trace
		demo_stat
		check_trace_tools
		sed -n 's/^/# /; 1,40p' /tmp/trace-events.txt 2>/dev/null
		have_linux_guest && demo_linux
	else
		not_ok "hvx tool (not built)"
	fi
	run_hello
	unload_hvx
	dump_dmesg
}

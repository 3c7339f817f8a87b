# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest-side functions of the hvx test machine (busybox sh).
#
# Markers read by the host (selftests/harness/lib.sh), each alone on a line:
#   HVX-INIT, HVX-MODULE-LOADED, HVX-SECTION-BEGIN name,
#   HVX-SECTION-END name rc=N, HVX-DMESG-BEGIN, HVX-DMESG-END, HVX-END.
# Results are TAP lines ("ok - name", "not ok - name").

HVX_TIMEOUT_TEST=${HVX_TIMEOUT_TEST:-300}
# kvm_hello's modes: name and arguments.
HVX_HELLO_MODES="real:-r protected:-s paged:-p long:-l"

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# Loads the kernel's own KVM (the reference), in dependency order.
load_kvm() {
	local m
	for m in irqbypass kvm ccp kvm-amd; do
		if ! insmod /hvx/modules/$m.ko; then
			not_ok "load $m.ko"
			return 1
		fi
	done
	[ -c /dev/kvm ] || { not_ok "/dev/kvm appears"; return 1; }
	chmod 666 /dev/kvm
	ok "load KVM (kvm-amd), the reference"
}

# Loads hvx.ko and waits for /dev/hvx.
load_hvx() {
	echo "HVX-MODULE-LOADED"
	if [ ! -f /hvx/hvx.ko ]; then
		not_ok "insmod hvx.ko (hvx.ko was not built)"
		return 1
	fi
	if ! insmod /hvx/hvx.ko; then
		not_ok "insmod hvx.ko"
		return 1
	fi
	ok "insmod hvx.ko"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -c /dev/hvx ] && break
		sleep 0.2
	done
	if [ ! -c /dev/hvx ]; then
		not_ok "/dev/hvx appears"
		return 1
	fi
	chmod 666 /dev/hvx
	ok "/dev/hvx appears"
}

# rmmod must succeed: nothing (VM, vCPU, file) is left holding the module.
unload_hvx() {
	lsmod | grep -q '^hvx ' || return 0
	if rmmod hvx; then
		ok "rmmod hvx"
	else
		not_ok "rmmod hvx (module still in use: something leaked)"
	fi
}

# section NAME CMD...: runs a TAP-speaking program under a time limit
section() {
	local name=$1 rc
	shift
	echo "HVX-SECTION-BEGIN $name"
	timeout "$HVX_TIMEOUT_TEST" "$@" </dev/null 2>&1
	rc=$?
	echo "HVX-SECTION-END $name rc=$rc"
	return 0
}

# as_test NAME CMD...: runs a plain program as one TAP test, output as comments
as_test() {
	local name=$1 rc
	shift
	timeout "$HVX_TIMEOUT_TEST" "$@" </dev/null >/tmp/as_test.out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/as_test.out
	if [ $rc -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name (exit status $rc)"
	fi
}

# Makes /dev/kvm the hvx device for programs that hard-code /dev/kvm.
kvm_is_hvx() { mount --bind /dev/hvx /dev/kvm; }
kvm_is_kvm() { umount /dev/kvm; }

# Every kvm_hello mode on KVM (the reference), then on hvx.
run_hello() {
	local m
	if [ ! -x /hvx/bin/kvm_hello ]; then
		not_ok "kvm_hello (not built)"
		return
	fi
	# shellcheck disable=SC2086 # a mode's arguments are split on purpose
	for m in $HVX_HELLO_MODES; do
		as_test "kvm_hello ${m%%:*} [kvm]" kvm_hello ${m#*:}
	done
	if [ ! -c /dev/hvx ]; then
		not_ok "kvm_hello [hvx] (no /dev/hvx)"
		return
	fi
	kvm_is_hvx || { not_ok "bind /dev/hvx over /dev/kvm"; return; }
	# shellcheck disable=SC2086
	for m in $HVX_HELLO_MODES; do
		as_test "kvm_hello ${m%%:*} [hvx]" kvm_hello ${m#*:}
	done
	kvm_is_kvm
}

dump_dmesg() {
	echo "HVX-DMESG-BEGIN"
	dmesg
	echo "HVX-DMESG-END"
}

hvx_power_off() {
	echo "HVX-END uptime=$(cut -d' ' -f1 /proc/uptime)"
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}

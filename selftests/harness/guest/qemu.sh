# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage `qemu` of check.sh (make check-qemu): Debian's QEMU, which
# the host copied into this initramfs (hvx_initramfs_qemu), boots the Linux
# guest of `hvx run --kernel` (Debian's kernel and the small busybox initrd
# of selftests/harness/linux/) with `-accel kvm` on KVM (the reference),
# then on hvx, with /dev/kvm pointing at /dev/hvx (QEMU opens /dev/kvm by
# name). One TAP line per device: reaches user space and powers off, with
# the times; the ratio last.

HVX_QEMU=/usr/bin/qemu-system-x86_64
# The guest runs on QEMU's PC with ACPI, so `poweroff -f` ends QEMU; its
# boot console costs some 20,000 port exits without quiet; panic=-1 and
# -no-reboot end QEMU on a guest panic or triple fault instead of
# rebooting it.
HVX_QEMU_APPEND="console=ttyS0 quiet nokaslr mitigations=off panic=-1"
# HVX_QEMU_TRACE=PATTERN (from the host's environment, through the test
# machine's kernel command line): QEMU's trace events of that name in the
# run on hvx, e.g. 'kvm_*' for every KVM ioctl QEMU issues (request
# numbers, not results: QEMU's error text says which one failed). Not on
# KVM, where the guest's console lines would drown in them.
HVX_QEMU_TRACE=${HVX_QEMU_TRACE:-}
# HVX_QEMU_DEVICES: "kvm hvx" (the default), or one of them, for a quicker
# run while working on one.
HVX_QEMU_DEVICES=${HVX_QEMU_DEVICES:-kvm hvx}

# qemu_on DEVICE: whether HVX_QEMU_DEVICES asks for a run on DEVICE
qemu_on() {
	case " $HVX_QEMU_DEVICES " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# qemu_stamp OUT: copies QEMU's output to OUT and writes the machine's
# uptime (ms) at the guest's HVX-LINUX-USER line to OUT.user
qemu_stamp() {
	local line
	while IFS= read -r line; do
		case $line in
		*HVX-LINUX-USER*) uptime_ms >"$1.user" ;;
		esac
		printf '%s\n' "$line" >>"$1"
	done
}

# qemu_guest NAME [TRACE]: boots the guest under QEMU on what /dev/kvm is
# now, with QEMU's trace events TRACE; prints one TAP line and sets
# QEMU_USER_MS and QEMU_END_MS (0 on failure)
qemu_guest() {
	local name=$1 trace=${2:-} out=/tmp/qemu-$1.out rc t0 t1 user said
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${HVX_TIMEOUT_QEMU:-300}
	QEMU_USER_MS=0 QEMU_END_MS=0
	rm -f "$out" "$out.user" "$out.rc"
	t0=$(uptime_ms)
	{
		limited "$HVX_QEMU" -accel kvm,kernel-irqchip=off -M pc -m 256 \
			-nographic -no-reboot ${trace:+-trace "$trace"} \
			-kernel "$HVX_LINUX_KERNEL" -initrd "$HVX_LINUX_INITRD" \
			-append "$HVX_QEMU_APPEND"
		echo $? >"$out.rc"
	} | qemu_stamp "$out"
	t1=$(uptime_ms)
	rc=$(cat "$out.rc")
	user=$(cat "$out.user" 2>/dev/null)
	sed 's/^/# /' "$out"
	if [ -n "$user" ] && [ "$rc" = 0 ] && grep -q 'HVX-LINUX-DONE' "$out"; then
		QEMU_USER_MS=$((user - t0)) QEMU_END_MS=$((t1 - t0))
		ok "qemu [$name]: Linux reaches user space in $QEMU_USER_MS ms, QEMU exits 0 at power-off in $QEMU_END_MS ms"
		return 0
	fi
	# QEMU's own complaint, else the first line that sounds like one
	said=$(grep -v 'warning:' "$out" | grep -m1 -E '^qemu-system-x86_64:|^KVM|^kvm|rror' | tr -d '\r' | cut -c1-200)
	not_ok "qemu [$name]: Linux reaches user space and powers off (exit status $rc after $(((t1 - t0) / 1000)) s, user space $([ -n "$user" ] || echo "not ")reached${said:+; QEMU: $said})"
	return 1
}

stage_main() {
	local kvm_ms=0 n
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	if [ ! -x "$HVX_QEMU" ] || ! have_linux_guest; then
		not_ok "qemu (no $HVX_QEMU or Linux guest in the initramfs)"
		dump_dmesg
		return
	fi
	"$HVX_QEMU" --version | sed -n '1s/^/# /p'
	if qemu_on kvm; then
		qemu_guest kvm && kvm_ms=$QEMU_USER_MS
	fi
	if ! qemu_on hvx; then
		:
	elif [ ! -c /dev/hvx ]; then
		not_ok "qemu [hvx] (no /dev/hvx)"
	elif kvm_is_hvx; then
		n=$(dmesg | wc -l)
		qemu_guest hvx "$HVX_QEMU_TRACE"
		echo "# the kernel log during the run on hvx:"
		dmesg | tail -n +$((n + 1)) | sed 's/^/#   /'
		kvm_is_kvm || not_ok "restore /dev/kvm (KVM's node)"
		if [ "$kvm_ms" -gt 0 ] && [ "$QEMU_USER_MS" -gt 0 ]; then
			echo "# qemu: boot to user space hvx/KVM = $QEMU_USER_MS/$kvm_ms ms = $((QEMU_USER_MS * 100 / kvm_ms))%"
		fi
	else
		not_ok "point /dev/kvm at /dev/hvx"
	fi
	unload_hvx
	dump_dmesg
}

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
# The arm64 machine (stage qemu-el2): Debian's arm64 QEMU, the `virt`
# board with the in-kernel GICv3 and 2 vCPUs of -cpu host; the guest's
# `poweroff -f` is PSCI SYSTEM_OFF. its=off: hvx has no ITS, so it
# answers 0 to KVM_CAP_SIGNAL_MSI, and QEMU 7.2's create_its() then
# passes the NULL class name its_class_name() returns to strcmp() and
# dies of SIGSEGV (hw/arm/virt.c); KVM, which has an ITS, boots the
# same board without it for the comparison.
QEMU_ARM64=0
if [ "$(uname -m)" = aarch64 ]; then
	QEMU_ARM64=1
	HVX_QEMU=/usr/bin/qemu-system-aarch64
	HVX_QEMU_APPEND="console=ttyAMA0 quiet panic=-1"
	HVX_QEMU_CPUS=2
fi
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

# qemu_cmd APPEND [ARGS...]: the QEMU command line of every run here, with
# the guest kernel's command line APPEND. It execs QEMU, so that a time
# limit's signal reaches QEMU itself: call it only in the background (&,
# or through `limited`).
QEMU_IRQCHIP=off
qemu_cmd() {
	local append=$1
	shift
	if [ "$QEMU_ARM64" = 1 ]; then
		exec "$HVX_QEMU" -accel kvm -M virt,gic-version=3,its=off \
			-cpu host -smp "$HVX_QEMU_CPUS" -m 256 -nographic \
			-nodefaults -serial stdio -no-reboot \
			-kernel "$HVX_LINUX_KERNEL" -initrd "$HVX_LINUX_INITRD" \
			-append "$append" "$@"
	fi
	exec "$HVX_QEMU" -accel kvm,kernel-irqchip="$QEMU_IRQCHIP" -M pc -m 256 -nographic \
		-no-reboot -kernel "$HVX_LINUX_KERNEL" -initrd "$HVX_LINUX_INITRD" \
		-append "$append" "$@"
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
# QEMU_USER_MS and QEMU_END_MS (0 on failure). QEMU's KVM_CHECK_EXTENSION
# calls (trace events kvm_ioctl and kvm_vm_ioctl, request 0xae03) are
# traced too, and their arguments kept in /tmp/qemu-probes-NAME.
qemu_guest() {
	local name=$1 trace=${2:-} out=/tmp/qemu-$1.out rc t0 t1 user said
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${HVX_TIMEOUT_QEMU:-300}
	QEMU_USER_MS=0 QEMU_END_MS=0
	rm -f "$out" "$out.user" "$out.rc" "$out.trace"
	t0=$(uptime_ms)
	# The trace goes to its own file (-D): on the console it would split
	# the guest's lines (on arm64 every character the PL011 sends is a
	# KVM_IRQ_LINE).
	{
		limited qemu_cmd "$HVX_QEMU_APPEND" ${trace:+-trace "$trace"} \
			-trace kvm_ioctl -trace kvm_vm_ioctl -D "$out.trace"
		echo $? >"$out.rc"
	} | qemu_stamp "$out"
	t1=$(uptime_ms)
	rc=$(cat "$out.rc")
	user=$(cat "$out.user" 2>/dev/null)
	sed -nE 's/.*kvm_(vm_)?ioctl type 0xae03, arg (0x[0-9a-f]+).*/\2/p' "$out.trace" |
		sort -u >"/tmp/qemu-probes-$name"
	sed 's/^/# /' "$out"
	[ -n "$trace" ] && sed 's/^/# /' "$out.trace"
	if [ -n "$user" ] && [ "$rc" = 0 ] && grep -q 'HVX-LINUX-DONE' "$out"; then
		QEMU_USER_MS=$((user - t0)) QEMU_END_MS=$((t1 - t0))
		ok "qemu [$name]: Linux reaches user space in $QEMU_USER_MS ms, QEMU exits 0 at power-off in $QEMU_END_MS ms"
		[ "$QEMU_ARM64" = 1 ] && qemu_virt_checks "$name" "$out"
		return 0
	fi
	# QEMU's own complaint, else the first line that sounds like one
	said=$(grep -v 'warning:' "$out" | grep -m1 -E '^qemu-system-[a-z0-9_]*:|^KVM|^kvm|rror' | tr -d '\r' | cut -c1-200)
	not_ok "qemu [$name]: Linux reaches user space and powers off (exit status $rc after $(((t1 - t0) / 1000)) s, user space $([ -n "$user" ] || echo "not ")reached${said:+; QEMU: $said})"
	return 1
}

# qemu_virt_checks NAME OUT: the arm64 guest's own view of the virt board
# in OUT (its /init prints /proc/cpuinfo and /proc/interrupts): both
# CPUs, and the architected timer's interrupt (PPI 27 through the GICv3)
# taken on each. Returns 1 if one fails.
qemu_virt_checks() {
	local name=$1 out=$2 cpus timer bad=0
	cpus=$(tr -d '\r' <"$out" | grep -c '^processor')
	if [ "$cpus" = "$HVX_QEMU_CPUS" ]; then
		ok "qemu [$name]: /proc/cpuinfo shows $cpus CPUs"
	else
		not_ok "qemu [$name]: /proc/cpuinfo shows $HVX_QEMU_CPUS CPUs ($cpus)"
		bad=1
	fi
	timer=$(tr -d '\r' <"$out" | awk -v n="$HVX_QEMU_CPUS" \
		'/GICv3 +27 .*arch_timer/ { s = $2; for (i = 3; i <= n + 1; i++) s = s " " $i; print s; exit }')
	if [ -n "$timer" ] && ! echo " $timer " | grep -qE ' 0 |[^0-9 ]'; then
		ok "qemu [$name]: timer interrupts (GICv3 PPI 27) on every CPU ($timer)"
	else
		not_ok "qemu [$name]: timer interrupts (GICv3 PPI 27) on every CPU (${timer:-no arch_timer line})"
		bad=1
	fi
	return $bad
}

# The live-migration round trip: the guest runs /bin/churn (ROUNDS rounds
# of rewriting 8 MiB); once it is two rounds in, QEMU's own `migrate`
# command saves the running guest to a file, and a second QEMU resumes it
# from there with -incoming. Its result must be what the same computation
# gives natively here. HVX_CHURN_ROUNDS overrides the number of rounds.
HVX_CHURN_ROUNDS=${HVX_CHURN_ROUNDS:-12}
HVX_CHURN=/hvx/extra/churn
# Lockups and stalls in the guest's kernel log (besides WARNING, BUG, Oops)
HVX_GUEST_BAD_RE='soft lockup|hard LOCKUP|rcu: INFO|blocked for more than'

# wait_line FILE PATTERN SECONDS: waits until a line of FILE matches
wait_line() {
	local n=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ "$n" -ge "$3" ] && return 1
		sleep 1
		n=$((n + 1))
	done
}

# migrate_out DIR: runs QEMU until the guest is into its computation,
# migrates it to DIR/state through QEMU's monitor (fifos DIR/mon.in and
# .out) and quits; fails saying why
migrate_out() {
	local dir=$1 qemu reader rc=0
	mkfifo "$dir/mon.in" "$dir/mon.out"
	qemu_cmd "$HVX_QEMU_APPEND hvx_churn=$HVX_CHURN_ROUNDS" \
		-monitor "pipe:$dir/mon" </dev/null >"$dir/out1" 2>&1 &
	qemu=$!
	cat "$dir/mon.out" >"$dir/mon.log" &
	reader=$!
	# A read-write open of a fifo never blocks, whether QEMU lives or not.
	exec 7<>"$dir/mon.in"
	if ! wait_line "$dir/out1" '^HVX-CHURN-ROUND 2' "${HVX_TIMEOUT_QEMU:-300}"; then
		echo "# no second round of the computation"
		rc=1
	else
		echo "migrate \"exec:cat >$dir/state\"" >&7
		while echo "info migrate" >&7 && sleep 1; do
			grep -q 'Migration status: \(completed\|failed\)' "$dir/mon.log" &&
				break
			[ -d "/proc/$qemu" ] || break
		done
		grep -q 'Migration status: completed' "$dir/mon.log" || rc=1
	fi
	echo quit >&7
	sleep 2
	kill "$qemu" 2>/dev/null
	wait "$qemu"
	exec 7>&-
	kill "$reader" 2>/dev/null
	return $rc
}

# qemu_migrate NAME: the round trip on what /dev/kvm is now; one TAP line
qemu_migrate() {
	local name=$1 dir=/tmp/migrate-$1 want got before after t0 rc bad unfinished
	# Each QEMU's limit: 600 s (HVX_TIMEOUT_QEMU). A fresh-clone run in December 2026, on a
	# host where QEMU's Linux boot took 40 s on KVM (18 s before), saw the
	# resumed guest on hvx reach the right sum and still be printing its
	# kernel log at 300 s.
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${HVX_TIMEOUT_QEMU:-600}
	rm -rf "$dir" && mkdir -p "$dir"
	want=$(sh "$HVX_CHURN" "$HVX_CHURN_ROUNDS" "$dir" | sed -n 's/^HVX-CHURN-SUM //p')
	t0=$(uptime_ms)
	migrate_out "$dir"
	rc=$?
	tr -d '\r' <"$dir/out1" | grep -v '^HVX-CHURN-ROUND' | sed 's/^/# out: /' | tail -n 20
	# QEMU's last `info migrate`: how it went
	tr -d '\r' <"$dir/mon.log" |
		grep -E '^(Migration status|total time|downtime|transferred ram|dirty sync count):' |
		tail -n 5 | sed 's/^/# migration: /'
	before=$(tr -d '\r' <"$dir/out1" | sed -n 's/^HVX-CHURN-ROUND //p' | tail -n 1)
	if [ "$rc" != 0 ] || [ ! -s "$dir/state" ]; then
		not_ok "qemu migrate [$name]: QEMU saves the running guest (after round ${before:-none})"
		return 1
	fi
	{
		limited qemu_cmd "$HVX_QEMU_APPEND hvx_churn=$HVX_CHURN_ROUNDS" \
			-incoming "exec:cat $dir/state"
		echo $? >"$dir/rc"
	} | tr -d '\r' >"$dir/out2"
	rc=$(cat "$dir/rc" 2>/dev/null)
	grep -v '^HVX-CHURN-ROUND' "$dir/out2" | sed 's/^/# in: /' | tail -n 12
	# The resumed guest's own kernel log must be clean, as for every boot.
	bad=$(grep -E -m1 "WARNING:|BUG:|Oops|$HVX_GUEST_BAD_RE" "$dir/out2")
	after=$(sed -n 's/^HVX-CHURN-ROUND //p' "$dir/out2" | head -n 1)
	got=$(sed -n 's/^HVX-CHURN-SUM //p' "$dir/out2")
	echo "# migrated after round $before ($(wc -c <"$dir/state") bytes of state); resumed at round ${after:-none}; $((($(uptime_ms) - t0) / 1000)) s"
	if [ "$rc" = 0 ] && [ -n "$got" ] && [ "$got" = "$want" ] &&
		[ -n "$after" ] && [ "$after" -gt "$before" ] && [ -z "$bad" ] &&
		grep -q 'HVX-LINUX-DONE' "$dir/out2"; then
		ok "qemu migrate [$name]: the guest, migrated mid-computation to a file and resumed by a second QEMU, finishes with the right result ($got)"
		rm -rf "$dir"
		return 0
	fi
	grep -q 'HVX-LINUX-DONE' "$dir/out2" || unfinished=", no HVX-LINUX-DONE: the guest did not finish"
	not_ok "qemu migrate [$name]: resumed guest finishes with $want (got ${got:-nothing} from round ${after:-none} on, exit status $rc${bad:+, guest kernel: $bad}$unfinished)"
	rm -rf "$dir"
	return 1
}

# on_device DEV CMD...: runs CMD with /dev/kvm being DEV's node (kvm or hvx)
on_device() {
	local dev=$1 rc
	shift
	[ "$dev" = kvm ] && { "$@"; return; }
	if [ ! -c /dev/hvx ] || ! kvm_is_hvx; then
		not_ok "$1 [hvx]: point /dev/kvm at /dev/hvx"
		return 1
	fi
	"$@"
	rc=$?
	kvm_is_kvm || not_ok "restore /dev/kvm (KVM's node)"
	return $rc
}

# median: the median of the numbers on standard input
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# HVX_QEMU_MIGRATE=0 leaves the migration round trip out (the qemu-vmx
# stage does, unless HVX_BOCHS_FULL=1: in Bochs the churning guest never
# gives the host its timer interrupt back, README "The two commands").
# On arm64 it runs only when asked (HVX_QEMU_MIGRATE=1 make
# check-qemu-el2): it adds some 5 to 15 minutes to the stage, and in one
# of the two runs of December 2026 the guest KVM itself resumed oopsed
# (an instruction permission fault in its kernel); hvx's passed both.
[ "$QEMU_ARM64" = 1 ] && HVX_QEMU_MIGRATE=${HVX_QEMU_MIGRATE:-0}
HVX_QEMU_MIGRATE=${HVX_QEMU_MIGRATE:-1}

# HVX_QEMU_BOOTS=N (make bench-qemu): N boots per device, alternating
# KVM and hvx, and the ratio of the medians; the default is one each.
HVX_QEMU_BOOTS=${HVX_QEMU_BOOTS:-1}

# qemu_chip NAME IRQCHIP CPUS [LIMIT]: the guest with CPUS vCPUs on
# QEMU's kernel-irqchip=IRQCHIP: "split" (the local APICs in the kernel,
# the PIC, I/O APIC and PIT in QEMU; KVM_CAP_SPLIT_IRQCHIP) or "on"
# (QEMU's default: all of them in the kernel, KVM_CREATE_IRQCHIP and
# KVM_CREATE_PIT2). It reaches user space, sees its CPUs, takes local
# APIC timer interrupts on each, and powers off; with "on", the 8254's
# IRQ 0 through the in-kernel I/O APIC is counted too (Linux's
# check_timer() needs it before it calibrates the local APIC timer).
# One TAP line each; returns 1 if any failed.
qemu_chip() {
	local name=$1 chip=$2 cpus=$3 out=/tmp/qemu-$2-$1.out rc t0 t1 loc irq0 bad=0
	local what="$cpus vCPU(s) on kernel-irqchip=$chip"
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${4:-${HVX_TIMEOUT_QEMU:-300}}
	t0=$(uptime_ms)
	QEMU_IRQCHIP=$chip
	limited qemu_cmd "$HVX_QEMU_APPEND" -smp "$cpus" >"$out" 2>&1
	rc=$?
	QEMU_IRQCHIP=off
	t1=$(uptime_ms)
	grep -v "host doesn't support requested feature" "$out" | sed 's/^/# /'
	if [ "$rc" = 0 ] && grep -q 'HVX-LINUX-DONE' "$out"; then
		ok "qemu $chip [$name]: $what, Linux powers off, QEMU exits 0 in $((t1 - t0)) ms"
	else
		not_ok "qemu $chip [$name]: $what, Linux powers off (exit status $rc after $(((t1 - t0) / 1000)) s)"
		bad=1
	fi
	if [ "$(grep -c '^processor' "$out")" = "$cpus" ]; then
		ok "qemu $chip [$name]: /proc/cpuinfo shows $cpus CPU(s)"
	else
		not_ok "qemu $chip [$name]: /proc/cpuinfo shows $cpus CPU(s) ($(grep -c '^processor' "$out"))"
		bad=1
	fi
	loc=$(awk -v n="$cpus" '$1 == "LOC:" { s = $2; for (i = 3; i <= n + 1; i++) s = s " " $i; print s; exit }' "$out")
	if [ -n "$loc" ] && ! echo " $loc " | grep -qE ' 0 |[^0-9 ]'; then
		ok "qemu $chip [$name]: local APIC timer interrupts on every CPU ($loc)"
	else
		not_ok "qemu $chip [$name]: local APIC timer interrupts on every CPU (${loc:-no LOC line})"
		bad=1
	fi
	[ "$chip" = on ] || return $bad
	irq0=$(awk '$1 == "0:" { print $2; exit }' "$out")
	if [ "${irq0:-0}" -gt 0 ] 2>/dev/null; then
		ok "qemu $chip [$name]: the in-kernel 8254's IRQ 0 reached the guest ($irq0 interrupts)"
	else
		not_ok "qemu $chip [$name]: the in-kernel 8254's IRQ 0 reached the guest (${irq0:-no line for IRQ 0})"
		bad=1
	fi
	return $bad
}

# qemu_chip_boots IRQCHIP CPUS: qemu_chip on KVM, the reference, for at
# most HVX_TIMEOUT_QEMU_CHIP_KVM s (default 150), then on hvx. hvx's lines
# count whatever KVM did; KVM's become comments when it fails. In this
# machine KVM failed both kinds before: the split irqchip's 2-vCPU guest
# silent from the start, as KVM's SMP guests of `hvx run --smp`
# (run_linux_smp_guests in lib.sh; QEMU 7.2's nested SVM with two CPUs),
# and, in the first run of kernel-irqchip=on (December 2026), the
# one-vCPU guest silent from 13.5 s, just after reaching user space, to
# the 300 s limit, while hvx's powered off at 55 s.
qemu_chip_boots() {
	local out
	if qemu_on kvm; then
		if out=$(on_device kvm qemu_chip kvm "$1" "$2" "${HVX_TIMEOUT_QEMU_CHIP_KVM:-150}"); then
			echo "$out"
		else
			echo "$out" | sed 's/^\(not \)*ok - /# (KVM, the reference) &/'
		fi
	fi
	qemu_on hvx && on_device hvx qemu_chip hvx "$1" "$2"
}

# qemu_smp_boots: the 2-vCPU guest on the split irqchip and on QEMU's
# default kernel-irqchip=on (the 8254 in the kernel too). In make check
# on hvx only: KVM's own 2-vCPU guests are not a usable reference in this
# machine (QEMU 7.2's nested SVM with two host CPUs). In December 2026 its
# split-irqchip guest stayed silent for the whole 150 s in 1 of 3 runs,
# and with kernel-irqchip=on in 2 of 2, once with a 46 s soft lockup of
# KVM's own vCPU thread (kvm_arch_vcpu_ioctl_run) that failed the
# machine's log check; hvx's passed 3 of 3 and 2 of 2 in the same boots.
# HVX_QEMU_SMP=1 runs KVM first as for the other chip boots. x86 only:
# the arm64 guest boots with 2 vCPUs and the in-kernel GIC already.
qemu_smp_boots() {
	local chip
	[ "$QEMU_ARM64" = 1 ] && return 0
	for chip in split on; do
		if [ "${HVX_QEMU_SMP:-0}" = 1 ]; then
			qemu_chip_boots "$chip" 2
		elif qemu_on hvx; then
			on_device hvx qemu_chip hvx "$chip" 2
		fi
	done
}

# qemu_probes: the capabilities QEMU asked hvx about (qemu_guest's trace)
# that hvx answers 0 to and KVM does not, by name, from `hvx info --caps`
# on each device
qemu_probes() {
	local nr name kvm hvx n=0 no=""
	[ -s /tmp/qemu-probes-hvx ] || return 0
	hvx info --caps --device /dev/kvm >/tmp/caps-kvm 2>/dev/null
	hvx info --caps --device /dev/hvx >/tmp/caps-hvx 2>/dev/null
	while read -r nr; do
		nr=$((nr))
		n=$((n + 1))
		name=$(awk -v nr="$nr" '$2 == nr { print $1 }' /tmp/caps-kvm)
		kvm=$(awk -v nr="$nr" '$2 == nr { print $3 }' /tmp/caps-kvm)
		hvx=$(awk -v nr="$nr" '$2 == nr { print $3 }' /tmp/caps-hvx)
		[ "${hvx:-0}" -le 0 ] && [ "${kvm:-0}" -gt 0 ] &&
			no="$no ${name:-cap$nr}=$kvm"
	done </tmp/qemu-probes-hvx
	echo "# QEMU asked hvx about $n capabilities; hvx answers 0 where KVM answers (value):${no:- none}"
}

stage_main() {
	local i=1 n dev trace kvm_ms hvx_ms
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	if [ ! -x "$HVX_QEMU" ] || ! have_linux_guest; then
		not_ok "qemu (no $HVX_QEMU or Linux guest in the initramfs)"
		dump_dmesg
		return
	fi
	"$HVX_QEMU" --version | sed -n '1s/^/# /p'
	n=$(dmesg | wc -l)
	rm -f /tmp/qemu-boot-kvm /tmp/qemu-boot-hvx
	while [ "$i" -le "$HVX_QEMU_BOOTS" ]; do
		for dev in kvm hvx; do
			qemu_on "$dev" || continue
			trace=
			[ "$dev" = hvx ] && trace=$HVX_QEMU_TRACE
			on_device "$dev" qemu_guest "$dev" "$trace" &&
				echo "$QEMU_USER_MS" >>"/tmp/qemu-boot-$dev"
		done
		i=$((i + 1))
	done
	qemu_on hvx && qemu_probes
	qemu_smp_boots
	# HVX_QEMU_CHIP_ON=1: the kernel-irqchip=on one-vCPU boot. Not by
	# default since December 2026: in the third run of it the test
	# machine reported a 21 s soft lockup of hvx's vCPU thread (no host
	# interrupt taken while the guest ran, RIP just past the STI after
	# #VMEXIT), and KVM's same boot stalled in all three runs. Open bug.
	[ "${HVX_QEMU_CHIP_ON:-0}" = 1 ] && qemu_chip_boots on 1
	for dev in kvm hvx; do
		[ "$HVX_QEMU_MIGRATE" = 1 ] && qemu_on "$dev" &&
			on_device "$dev" qemu_migrate "$dev"
	done
	echo "# the kernel log during the runs:"
	dmesg | tail -n +$((n + 1)) | sed 's/^/#   /'
	kvm_ms=$(median 2>/dev/null </tmp/qemu-boot-kvm)
	hvx_ms=$(median 2>/dev/null </tmp/qemu-boot-hvx)
	if [ -n "$kvm_ms" ] && [ -n "$hvx_ms" ] && [ "$kvm_ms" -gt 0 ]; then
		echo "# qemu: boot to user space (median of $HVX_QEMU_BOOTS) hvx/KVM = $hvx_ms/$kvm_ms ms = $((hvx_ms * 100 / kvm_ms))%"
	fi
	unload_hvx
	dump_dmesg
}

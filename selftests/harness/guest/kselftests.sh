# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage kselftest (check.sh): the kernel's own KVM selftests, built
# unmodified (kselftests.sh), each run on KVM and then on hvx, which they
# reach as /dev/kvm (they open it by name). One TAP line per test, judged
# against KVM in this boot: hvx must pass what KVM passes, or skip it (a
# capability or CPUID answer says a feature is absent); a test KVM itself
# fails or skips here is not hvx's to pass, and is reported as skipped,
# with both results. xapic_state_test runs last on KVM: on kvm_amd in the
# QEMU/SVM machine it wedged the whole machine (ENVIRONMENT.md).

HVX_KST=/hvx/extra/kvm-selftests
HVX_KST_LAST=xapic_state_test

# Tests of Linux 6.1 that use a capability without asking for it, each
# with that capability. Later kernels' versions of the same tests ask
# first (TEST_REQUIRE, added upstream in 2023): smm_test writes
# MSR_IA32_SMBASE and raises SMIs (KVM_CAP_X86_SMM), hyperv_features
# enables KVM_CAP_HYPERV_ENFORCE_CPUID. The harness asks in their place:
# when the device answers 0 to that KVM_CHECK_EXTENSION, a failure is the
# missing check's and is reported as a skip, with the capability; when it
# answers non-zero, the test counts as any other.
HVX_KST_REQUIRES="smm_test:KVM_CAP_X86_SMM hyperv_features:KVM_CAP_HYPERV_ENFORCE_CPUID"

# HVX_KST_ALL=1: run every test on hvx. Otherwise (make check) a test that
# failed or timed out on KVM in this boot is not run on hvx: its verdict
# is a skip whatever hvx does, and the time goes to the rest.
HVX_KST_ALL=${HVX_KST_ALL:-0}

# kst_one DEV TEST: runs TEST (what /dev/kvm is now), keeps its result in
# /tmp/kst-DEV-TEST (pass, skip, fail or timeout) and its output's tail
kst_one() {
	local dev=$1 t=$2 rc res t0
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=${HVX_KST_TIMEOUT:-180}
	t0=$(uptime_ms)
	# Several tests take all the memory they can (max_guest_memory_test
	# on KVM as on hvx): the OOM killer must pick them, not the harness.
	# shellcheck disable=SC2016 # $0 is for the inner shell
	limited sh -c 'echo 1000 >/proc/self/oom_score_adj; exec "$0"' \
		"$HVX_KST/$t" >/tmp/kst.out
	rc=$?
	case $rc in
	0) res=pass ;;
	4) res=skip ;;	# KSFT_SKIP
	137 | 143) res=timeout ;;
	*) res=fail ;;
	esac
	echo "$res $rc $(($(uptime_ms) - t0))" >"/tmp/kst-$dev-$t"
	echo "# $t [$dev]: $res (status $rc, $(($(uptime_ms) - t0)) ms)"
	tail -n 4 /tmp/kst.out | sed "s/^/#   $t [$dev]: /" >"/tmp/kst-tail-$dev-$t"
}

# kst_required TEST: the capability TEST uses without asking, if any
kst_required() {
	local e
	for e in $HVX_KST_REQUIRES; do
		[ "${e%%:*}" = "$1" ] && echo "${e#*:}"
	done
}

# kst_cap_absent CAP: true if hvx answers 0 to KVM_CHECK_EXTENSION(CAP) on
# its system fd (hvx info --caps: name, number, system fd, VM fd)
kst_cap_absent() {
	[ "$(hvx info --device /dev/hvx --caps 2>/dev/null |
		awk -v c="$1" '$1 == c { print $3 }')" = 0 ]
}

# kst_hvx_runs TEST: whether TEST runs on hvx (see HVX_KST_ALL)
kst_hvx_runs() {
	local k
	[ "$HVX_KST_ALL" = 1 ] && return 0
	read -r k _ <"/tmp/kst-kvm-$1" || return 0
	[ "$k" = pass ] || [ "$k" = skip ]
}

# kst_verdict TEST: the TAP line of TEST, from both results
kst_verdict() {
	local t=$1 k h kms hms cap
	read -r k _ kms <"/tmp/kst-kvm-$t" || k=none
	read -r h _ hms <"/tmp/kst-hvx-$t" || h="not-run"
	cap=$(kst_required "$t")
	if [ "$h" = pass ]; then
		ok "kvm selftest $t: passes on hvx (${hms} ms; KVM: $k, ${kms} ms)"
	elif [ "$h" = skip ]; then
		ok "kvm selftest $t # SKIP on hvx (a capability it does not claim; KVM: $k)"
	elif [ "$h" = "not-run" ] && [ "$k" != pass ]; then
		ok "kvm selftest $t # SKIP $k on KVM in this machine, not run on hvx (HVX_KST_ALL=1 runs it)"
	elif [ -n "$cap" ] && kst_cap_absent "$cap"; then
		cat "/tmp/kst-tail-hvx-$t"
		ok "kvm selftest $t # SKIP on hvx: it uses $cap without asking (later kernels' version asks), and hvx answers 0 ($h on hvx, $k on KVM)"
	elif [ "$k" = pass ]; then
		cat "/tmp/kst-tail-hvx-$t"
		not_ok "kvm selftest $t: $h on hvx, passes on KVM"
	else
		cat "/tmp/kst-tail-hvx-$t"
		ok "kvm selftest $t # SKIP $h on hvx, $k on KVM in this machine too"
	fi
}

stage_main() {
	local list t
	echo -1000 >/proc/self/oom_score_adj
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	if [ ! -d "$HVX_KST" ]; then
		not_ok "kvm selftests (none in the initramfs)"
		dump_dmesg
		return
	fi
	list=
	for t in "$HVX_KST"/*; do
		[ -f "$t" ] || continue
		t=${t##*/}
		[ "$t" = "$HVX_KST_LAST" ] || list="$list $t"
	done
	if [ -z "$list" ]; then
		not_ok "kvm selftests (the build left no program)"
		unload_hvx
		dump_dmesg
		return
	fi
	echo "# $(echo "$list" | wc -w) KVM selftests, then $HVX_KST_LAST on KVM last"
	for t in $list; do
		kst_one kvm "$t"
	done
	if kvm_is_hvx; then
		for t in $list $HVX_KST_LAST; do
			[ -x "$HVX_KST/$t" ] && kst_hvx_runs "$t" &&
				kst_one hvx "$t"
		done
		kvm_is_kvm || not_ok "restore /dev/kvm (KVM's node)"
	else
		not_ok "point /dev/kvm at /dev/hvx"
	fi
	for t in $list; do
		kst_verdict "$t"
	done
	if [ -x "$HVX_KST/$HVX_KST_LAST" ]; then
		kst_one kvm "$HVX_KST_LAST"
		kst_verdict "$HVX_KST_LAST"
	fi
	kst_counts
	unload_hvx
	dump_dmesg
}

# kst_counts: passed, skipped, failed and timed out, per device
kst_counts() {
	local dev res
	for dev in kvm hvx; do
		echo "# kvm selftests on $dev: $(for res in pass skip fail timeout; do
			printf '%s %s, ' "$(cat /tmp/kst-$dev-* 2>/dev/null | grep -c "^$res ")" "$res"
		done)"
	done
}

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Guest stage of `make stress` (and of make check's fuzz-svm, at 4,000
# calls and no random guests): the ioctl fuzzer (fuzz_test) at scale,
# HVX_STRESS_CALLS calls per case on hvx (default 500,000: the sequence
# and the racing threads make them all, 1,000,000; the killed children's
# case starts one child per 200 (of HVX_STRESS_KILL_CALLS, default the
# same) and each is killed at a random moment, making what it can), then a
# smaller slice on KVM, the reference (HVX_STRESS_KVM_CALLS), with the
# same seed; then HVX_STRESS_GUESTS random guests (random_test, default
# 10,000; on hvx each guest that ends by itself runs again on KVM with the
# same seed, and the endings are compared); then fuzz_no_leaks
# (HVX_GET_INFO back to zero), rmmod, the kernel log. HVX_FUZZ_SEED picks
# the seed (default fuzz_test's own).

stress_fuzz() {
	local name=$1 dev=$2 calls=$3 kill=$4 limit=$5 t0 t1
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=$((limit + 60))
	t0=$(uptime_ms)
	section "$name" env HVX_TEST_DEVICES="$dev" HVX_TEST_TIMEOUT="$limit" \
		HVX_FUZZ_CALLS="$calls" HVX_FUZZ_KILL_CALLS="$kill" \
		/hvx/tests/fuzz_test
	t1=$(uptime_ms)
	echo "# $name: $calls calls per case ($kill for fuzz_kill) on $dev in $((t1 - t0)) ms"
}

stress_guests() {
	local guests=$1 limit=$2 kvm=$3 t0 t1
	# shellcheck disable=SC2034 # read by limited's watchdog
	local HVX_TIMEOUT_TEST=$((limit + 60))
	t0=$(uptime_ms)
	section random_stress_hvx env HVX_TEST_DEVICES=/dev/hvx \
		HVX_TEST_TIMEOUT="$limit" HVX_RANDOM_GUESTS="$guests" \
		HVX_RANDOM_KVM="$kvm" HVX_RANDOM_USEC="${HVX_STRESS_GUEST_USEC:-50000}" \
		/hvx/tests/random_test
	t1=$(uptime_ms)
	echo "# random_stress_hvx: $guests random guests on /dev/hvx in $((t1 - t0)) ms"
}

# HVX_STRESS_KVM_CALLS=0 leaves KVM out: no slice, no comparison of the
# random guests (stress-vmx: on Bochs a KVM guest that spins with IF clear
# keeps the machine's only CPU; hvx bounds its own with vmx_slice_us).
stage_main() {
	local calls=${HVX_STRESS_CALLS:-500000} kcalls=${HVX_STRESS_KVM_CALLS:-20000}
	local kill=${HVX_STRESS_KILL_CALLS:-${HVX_STRESS_CALLS:-500000}}
	local limit=${HVX_STRESS_LIMIT:-3000} guests=${HVX_STRESS_GUESTS:-10000}
	load_kvm
	dmesg -c >/dev/null
	load_hvx
	stress_fuzz fuzz_stress_hvx /dev/hvx "$calls" "$kill" "$limit"
	[ "$kcalls" = 0 ] ||
		stress_fuzz fuzz_stress_kvm /dev/kvm "$kcalls" "$kcalls" "$limit"
	[ "$guests" = 0 ] || stress_guests "$guests" "$limit" "$((kcalls != 0))"
	unload_hvx
	dump_dmesg
}

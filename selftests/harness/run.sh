#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots an emulated test machine for development: QEMU/SVM (x86, the
# default; run-x86.sh), QEMU/EL2 (arm64; run-arm64.sh) or Bochs/VMX (vmx;
# run-vmx.sh; some 10 times slower); --arch or HVX_ARCH choose too. Loads
# KVM, clears the kernel log, loads hvx.ko, runs CMD in the guest's busybox
# sh, rmmods hvx, prints the kernel log and powers off. Exits with CMD's
# status; 1 if CMD succeeded but the kernel log has an Oops/WARNING/...;
# 124 if the machine timed out or hung (user space silent for
# HVX_IDLE_TIMEOUT s, default 60, under Bochs HVX_BOCHS_IDLE_TIMEOUT, 360;
# or a lockup reported by the kernel: then the emulator's CPU state and the
# guest's backtraces are in the log), 125 if it crashed before CMD finished.
#
#   run.sh [options] CMD...     (words are joined into one sh command)
#     --arch x86|arm64|vmx|debug  the machine (default: from the name
#                       run-ARCH.sh, or HVX_ARCH, or x86; debug: QEMU/SVM
#                       with make check-debug's kernel, built once)
#     --no-build        use the programs already built
#     --no-setup        skip the package check
#     --no-hvx          do not load hvx.ko (only KVM)
#     --keep            do not rmmod hvx at the end
#     --add PATH        copy PATH into the guest's /hvx/extra (repeatable)
#     --qemu            Debian's QEMU in /usr/bin (some 50 MB
#                       more initramfs) and the Linux guest of hvx run
#                       --kernel in /hvx/extra (vmlinuz, linux-initrd.gz)
#     --append ARGS     extra kernel command line
#     --timeout S       wall-clock limit (default 600)
#     -i, --interactive a shell on the console instead of CMD (`exit` ends
#                       it; Ctrl-A x quits QEMU)
#
# In the guest: /hvx/bin (hvx, kvm_hello or kvm_hello_arm64, on PATH),
# /hvx/tests/*_test, /hvx/guests/*, /hvx/hvx.ko, /hvx/extra; /dev/kvm is
# KVM's node (built into the arm64 kernel, in VHE mode), `kvm_is_hvx`
# moves it to /dev/kvm.real and makes /dev/kvm a symlink to /dev/hvx,
# `kvm_is_kvm` undoes that. Both are shell functions of /hvx/lib.sh, which
# CMD can use. HVX_IDLE_TIMEOUT (seconds, default 60): a guest silent that
# long is declared hung.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Writes the guest stage that runs the developer's command.
write_stage() {
	local out=$1 text=$2 hvx=$3 keep=$4 interactive=$5
	{
		echo 'stage_main() {'
		echo '	load_kvm'
		echo '	dmesg -c >/dev/null'
		((hvx)) && echo '	load_hvx'
		if ((interactive)); then
			echo '	echo "# interactive shell (. /hvx/lib.sh for kvm_is_hvx etc.); exit powers off"'
			echo '	setsid cttyhack sh -l'
		else
			echo '	echo "HVX-CMD-BEGIN"'
			echo '	(. /hvx/extra/cmd.sh) </dev/null 2>&1'
			echo '	echo "HVX-CMD-END rc=$?"'
		fi
		((hvx && !keep)) && echo '	unload_hvx'
		echo '	dump_dmesg'
		echo '}'
	} >"$out"
	printf '%s\n' "$text" >"$HVX_BUILD/cmd.sh"
}

main() {
	local setup=1 build=1 hvx=1 keep=0 interactive=0 append="" timeout=600
	local extra=() stage=$HVX_BUILD/run-stage.sh rc arch=$HVX_ARCH
	case $(basename "$0") in
	run-x86.sh) arch=x86 ;;
	run-arm64.sh) arch=arm64 ;;
	run-vmx.sh) arch=vmx ;;
	esac
	while (($#)); do
		case $1 in
		--arch) arch=$2; shift ;;
		--no-build) build=0 ;;
		--no-setup) setup=0 ;;
		--no-hvx) hvx=0 ;;
		--keep) keep=1 ;;
		--add) extra+=("$(realpath "$2")"); shift ;;
		--qemu) HVX_WITH_QEMU=1 ;;
		--append) append=$2; shift ;;
		--timeout) timeout=$2; shift ;;
		-i | --interactive) interactive=1 ;;
		-h | --help) usage ;;
		--) shift; break ;;
		-*) usage ;;
		*) break ;;
		esac
		shift
	done
	(($# || interactive)) || usage
	[[ $arch == x86 || $arch == arm64 || $arch == vmx || $arch == debug ]] ||
		die "--arch: x86, arm64, vmx or debug, not '$arch'"
	hvx_prepare "$setup" "$build" "$arch"
	grep -v '^ok' "$HVX_LOGS/build.tap" || true
	write_stage "$stage" "$*" "$hvx" "$keep" "$interactive"
	if ((HVX_WITH_QEMU)); then
		if [[ $arch == arm64 ]]; then
			hvx_linux_guest arm64
		else
			hvx_linux_guest
		fi
		extra+=("${HVX_LINUX_FILES[@]}")
	fi
	stage_boot "$arch" run "$stage" "$timeout" 1 "$append" "$interactive" \
		"$HVX_BUILD/cmd.sh" "${extra[@]}"
	echo
	grep '^not ok - run: ' "$HVX_LOGS/run.tap" || true
	print_timings
	rc=$(sed -n 's/^HVX-CMD-END rc=\([0-9]*\).*/\1/p' "$HVX_LOGS/run.log")
	if ((interactive)); then
		rc=0
	elif [[ -z $rc ]] && ((HVX_HUNG)); then
		note "the machine hung: $HVX_HANG_WHY (HVX-HANG lines above)"
		rc=124
	elif [[ -z $rc ]]; then
		note "the command did not finish (log ${HVX_LOGS#"$HVX_TOP"/}/run.log)"
		rc=125
		((HVX_BOOT_RC == 124 || HVX_BOOT_RC == 137)) && rc=124
	elif ((rc == 0)) && grep -q '^not ok - run: guest kernel log' "$HVX_LOGS/run.tap"; then
		note "the command succeeded but the kernel log shows a problem"
		rc=1
	fi
	note "command exit status $rc"
	exit "$rc"
}

main "$@"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared functions of the hvx test harness: logging, phase timing, the
# Debian kernel version, the emulated machines (x86 with SVM, arm64 with EL2,
# vmx: x86 with Intel VMX under Bochs, in lib-bochs.sh; hvx_arch selects
# one), building, the initramfs, booting, reading the serial log and folding
# TAP results into one summary.
#
# Every stage (build, svm, el2, vmx) writes $HVX_LOGS/<stage>.tap;
# hvx_summary counts them all and prints "N passed, N failed, N skipped" last.

export LC_ALL=C
shopt -s nullglob extglob
# The harness picks the architecture of each build itself.
unset ARCH CROSS_COMPILE

HVX_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HVX_HARNESS=$HVX_TOP/selftests/harness
HVX_BUILD=$HVX_TOP/build
HVX_LOGS=$HVX_BUILD/logs
HVX_EMU_LOCK=/tmp/hvx-emu.lock

# Kernel log lines that fail a run once hvx is loaded (extended regex).
HVX_BAD_KLOG='Oops|WARNING|BUG|Call Trace|[Ll]ockup|LOCKUP|[Ll]eak|Kernel panic|general protection fault|blocked for more than|UBSAN|KASAN|refcount_t|list_(add|del) corruption'
# Known-benign kernel lines to ignore (extended regex, empty: none).
HVX_KLOG_IGNORE=${HVX_KLOG_IGNORE:-}

# ---------------------------------------------------------------- messages

note() { printf '# %s\n' "$*"; }
warn() { printf 'hvx: warning: %s\n' "$*" >&2; }
die() {
	printf 'hvx: error: %s\n' "$*" >&2
	exit 1
}

# ------------------------------------------------------------------ timing

declare -A HVX_PHASE_US=()
declare -a HVX_PHASES=()
declare -A HVX_PHASE_START=()

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

phase_begin() { HVX_PHASE_START[$1]=$(now_us); }

# phase_add NAME MICROSECONDS: record (or add to) a phase's duration
phase_add() {
	[[ -v HVX_PHASE_US[$1] ]] || { HVX_PHASES+=("$1"); HVX_PHASE_US[$1]=0; }
	HVX_PHASE_US[$1]=$((HVX_PHASE_US[$1] + $2))
}

phase_end() { phase_add "$1" $(($(now_us) - HVX_PHASE_START[$1])); }

fmt_us() { printf '%d.%01d s' $(($1 / 1000000)) $((($1 % 1000000) / 100000)); }

print_timings() {
	local p
	note "timings:"
	for p in "${HVX_PHASES[@]}"; do
		printf '#   %-24s %s\n' "$p" "$(fmt_us "${HVX_PHASE_US[$p]}")"
	done
}

# ------------------------------------------------------------------ kernel

# The newest Debian amd64 kernel that has an image, headers and modules.
# Not `uname -r`: the host runs a different kernel. HVX_KVER overrides.
hvx_kver() {
	local f v
	if [[ -n ${HVX_KVER:-} ]]; then
		echo "$HVX_KVER"
		return
	fi
	for f in /boot/vmlinuz-*-amd64; do
		v=${f#/boot/vmlinuz-}
		[[ -d /usr/src/linux-headers-$v && -d /lib/modules/$v/kernel ]] && echo "$v"
	done | sort -V | tail -n 1
}

# Where setup.sh unpacks Debian's arm64 kernel, headers and busybox (root/)
# and keeps their .deb files (debs/).
HVX_ARM64_DIR=${HVX_ARM64_DIR:-/opt/hvx-arm64}
# Extra kernel arguments of the arm64 machine. By default its built-in KVM
# takes EL2 too (VHE mode) and serves as the reference, in the same boot as
# hvx; HVX_ARM64_APPEND=kvm-arm.mode=none keeps KVM (and /dev/kvm) out.
HVX_ARM64_APPEND=${HVX_ARM64_APPEND:-}
# The machine that demo.sh, bench.sh and run.sh boot: x86, arm64 or vmx.
HVX_ARCH=${HVX_ARCH:-x86}

hvx_require_kver() {
	HVX_KVER=$(hvx_kver)
	[[ -n $HVX_KVER ]] ||
		die "no Debian amd64 kernel with headers found (run selftests/harness/setup.sh as root)"
	HVX_KDIR=/usr/src/linux-headers-$HVX_KVER
	# The arm64 machine boots the same Debian version: 6.1.0-56-amd64 gives
	# 6.1.0-56-arm64; its kbuild tools are the host's linux-kbuild-6.1.
	HVX_ARM64_KVER=${HVX_KVER%-amd64}-arm64
	HVX_ARM64_ROOT=$HVX_ARM64_DIR/root
	HVX_ARM64_KDIR=$HVX_ARM64_ROOT/usr/src/linux-headers-$HVX_ARM64_KVER
	HVX_KSERIES=${HVX_KVER%%-*}
	HVX_KSERIES=${HVX_KSERIES%.*}
	export HVX_KVER HVX_KDIR HVX_ARM64_DIR HVX_ARM64_KVER HVX_ARM64_KDIR
}

# hvx_arch x86|arm64|vmx: selects the emulated machine that the functions
# below build for, fill and boot. Everything in which they differ is here.
hvx_arch() {
	HVX_ARCH=$1
	HVX_EMU=qemu
	HVX_PACK=(gzip -1) # the initramfs's compression
	case $1 in
	x86)
		HVX_MACHINE=QEMU/SVM
		HVX_QEMU=(qemu-system-x86_64 -cpu max)
		HVX_CONSOLE=ttyS0
		HVX_KERNEL=/boot/vmlinuz-$HVX_KVER
		HVX_BUSYBOX=/bin/busybox
		HVX_KVM_MODULES=(irqbypass kvm ccp kvm-amd)
		HVX_MODULES_DIR=/lib/modules/$HVX_KVER/kernel
		HVX_APPEND=
		HVX_KO=$HVX_TOP/hvx.ko
		HVX_TARGET= # make module, userspace, selftests
		HVX_OUT=build # userspace/build, selftests/build
		HVX_PROGS=(hvx kvm_hello first_vmm)
		HVX_CROSS=
		HVX_BUILD_NAME="build:"
		HVX_MAKE_ARGS=(KDIR="$HVX_KDIR")
		HVX_PC=RIP
		HVX_REGS_RE='^(CPU#|RIP|RSP|CR0|EFER|CS )'
		HVX_NMI=1
		;;
	arm64)
		# virtualization=on: the kernel starts at EL2 and runs there (VHE),
		# with hvx and KVM. pauth=off: emulating pointer authentication
		# makes the boot 20-30 s instead of 3-5 s.
		HVX_MACHINE=QEMU/EL2
		HVX_QEMU=(qemu-system-aarch64 -M "virt,virtualization=on,gic-version=3"
			-cpu "max,pauth=off")
		HVX_CONSOLE=ttyAMA0
		HVX_KERNEL=$HVX_ARM64_ROOT/boot/vmlinuz-$HVX_ARM64_KVER
		HVX_BUSYBOX=$HVX_ARM64_ROOT/bin/busybox
		HVX_KVM_MODULES=() # Debian's arm64 kernel has KVM built in
		HVX_MODULES_DIR=$HVX_ARM64_ROOT/lib/modules/$HVX_ARM64_KVER/kernel
		HVX_APPEND=$HVX_ARM64_APPEND
		HVX_KO=$HVX_BUILD/arm64/src/hvx.ko
		HVX_TARGET=-arm64 # make module-arm64, userspace-arm64, selftests-arm64
		HVX_OUT="build-arm64"
		HVX_PROGS=(hvx kvm_hello_arm64 first_vmm)
		HVX_CROSS=aarch64-linux-gnu-
		HVX_BUILD_NAME="el2: build"
		HVX_MAKE_ARGS=(ARM64_KDIR="$HVX_ARM64_KDIR")
		HVX_PC=PC
		HVX_REGS_RE='^(CPU#| PC=|X29=|PSTATE=)'
		HVX_NMI=0 # QEMU's virt machine has none
		;;
	vmx)
		# x86's kernel, build and programs under Bochs (lib-bochs.sh),
		# whose Skylake-X has VMX with EPT; kvm-intel is the reference.
		# Bochs runs some 10 times slower than QEMU: longer limits.
		hvx_arch x86
		HVX_ARCH=vmx HVX_EMU=bochs HVX_MACHINE=Bochs/VMX
		HVX_KVM_MODULES=(irqbypass kvm kvm-intel)
		HVX_PACK=(cat) # gunzip in the guest costs more than reading
		HVX_APPEND="HVX_TEST_TIMEOUT=${HVX_BOCHS_TEST_TIMEOUT:-600} HVX_TIMEOUT_TEST=${HVX_BOCHS_TIMEOUT_TEST:-1800} HVX_CONSOLE_DRAIN=1 HVX_BOCHS_FULL=${HVX_BOCHS_FULL:-0}"
		HVX_NMI=0
		;;
	debug)
		# x86's machine and programs under the debug kernel of `make
		# check-debug` (debug-kernel.sh): hvx.ko built for it in
		# build/debug/src, KVM's modules from its build (no ccp there).
		hvx_arch x86
		hvx_debug_kernel_build
		HVX_ARCH=debug HVX_MACHINE="QEMU/SVM (debug kernel)"
		HVX_KERNEL=$HVX_DEBUG_OBJ/arch/x86/boot/bzImage
		HVX_MODULES_DIR=$HVX_DEBUG_ROOT/lib/modules/$(hvx_debug_kver)/kernel
		HVX_KVM_MODULES=(irqbypass kvm kvm-amd)
		HVX_KO=$HVX_BUILD/debug/src/hvx.ko
		HVX_TARGET=-debug # make module-debug (the programs are x86's)
		HVX_BUILD_NAME="debug: build"
		HVX_MAKE_ARGS=(DEBUG_KDIR="$HVX_DEBUG_OBJ")
		# Each case gets 180 s, each program 900 s, each Linux boot
		# 600 s, and random_test makes 30 guests: under KASAN and
		# lockdep, trace_known_guest, irq_line_from_thread [kvm] and 100
		# random guests ran out of their 60 s, KVM's Linux boot of its
		# 120 s (December 2026).
		HVX_APPEND="kmemleak=on HVX_KMEMLEAK=1 HVX_TEST_TIMEOUT=180 HVX_TIMEOUT_TEST=900"
		HVX_APPEND+=" HVX_RANDOM_GUESTS=30 HVX_TIMEOUT_LINUX=600 HVX_TIMEOUT_LINUX_SMP=600"
		# The tracefs recording ran out of 60 s in 2 of 4 runs.
		HVX_APPEND+=" HVX_TIMEOUT_TRACE=300"
		# KASAN, lockdep and kmemleak slow the boot: /init came at 44 s
		# in one run, and the next was still booting at 62 s.
		HVX_IDLE_TIMEOUT=${HVX_DEBUG_IDLE_TIMEOUT:-240}
		;;
	*) die "unknown architecture '$1' (x86, arm64, vmx or debug)" ;;
	esac
}

# ------------------------------------------------------------------- build

# tap_line FILE OK|FAIL NAME [DETAIL]: append one TAP result
tap_line() {
	local file=$1 res=$2 name=$3 detail=${4:-}
	if [[ $res == OK ]]; then
		printf 'ok - %s\n' "$name" >>"$file"
	else
		printf 'not ok - %s%s\n' "$name" "${detail:+ ($detail)}" >>"$file"
	fi
}

# build_step TAP NAME LOG CMD...: run CMD into LOG, record the result
build_step() {
	local tap=$1 name=$2 log=$3
	shift 3
	if "$@" >"$log" 2>&1; then
		tap_line "$tap" OK "$name"
		return 0
	fi
	tap_line "$tap" FAIL "$name" "see ${log#"$HVX_TOP"/}"
	sed 's/^/#   /' "$log" | tail -n 25 >>"$tap"
	return 1
}

# build_expect TAP NAME FILE...: build outputs must exist
build_expect() {
	local tap=$1 name=$2 f
	shift 2
	for f in "$@"; do
		if [[ ! -e $f ]]; then
			tap_line "$tap" FAIL "$name" "missing ${f#"$HVX_TOP"/}"
			return 1
		fi
	done
	tap_line "$tap" OK "$name"
}

# hvx_build TAP: builds hvx.ko, the user-space programs and the selftests
# for the selected machine (through the top Makefile's targets, module or
# module-arm64 etc.). A failure is a TAP failure; the run goes on with what
# exists.
hvx_build() {
	local tap=$1 name=$HVX_BUILD_NAME t=$HVX_TARGET jobs
	local log=$HVX_LOGS/build$HVX_TARGET
	jobs=$(nproc)
	cd "$HVX_TOP"
	rm -f "$HVX_KO"
	build_step "$tap" "$name hvx.ko" "$log-module.log" \
		make -j"$jobs" "module$t" "${HVX_MAKE_ARGS[@]}" &&
		build_expect "$tap" "$name hvx.ko exists" "$HVX_KO"
	build_step "$tap" "$name user space" "$log-userspace.log" \
		make -j"$jobs" "userspace$t" &&
		build_expect "$tap" "$name user-space programs exist" \
			"${HVX_PROGS[@]/#/$HVX_TOP/userspace/$HVX_OUT/}"
	build_step "$tap" "$name selftests" "$log-selftests.log" \
		make -j"$jobs" "selftests$t" || true
	# x86: hvx(1), make install and uninstall, dkms build; the names
	# docs/ cites; the interrupt controllers' size budget (on the host)
	if [[ -z $t ]]; then
		"$HVX_HARNESS/install-check.sh" "$tap" ||
			tap_line "$tap" FAIL "$name install checks" "install-check.sh failed"
		"$HVX_HARNESS/docs-check.sh" "$tap" || true
		"$HVX_HARNESS/size-check.sh" "$tap" || true
	fi
	local tests=("$HVX_TOP/selftests/$HVX_OUT"/*_test)
	if ((${#tests[@]})); then
		tap_line "$tap" OK "$name ${#tests[@]} selftest programs"
	else
		tap_line "$tap" FAIL "$name selftest programs" "no selftests/$HVX_OUT/*_test"
	fi
	return 0
}

# --------------------------------------------------------------- initramfs

# Copies a program and, if it is dynamically linked, the libraries it needs.
copy_program() {
	local src=$1 dstdir=$2 root=$3 lib
	install -D -m 0755 "$src" "$dstdir/$(basename "$src")"
	while read -r lib; do
		[[ -e $root$lib ]] || install -D -m 0755 "$lib" "$root$lib"
	done < <(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true)
}

# Copies one module of the machine's Debian kernel, decompressed.
copy_kernel_module() {
	local name=$1 dst=$2 src
	src=$(find "$HVX_MODULES_DIR" -name "$name.ko*" -print -quit)
	[[ -n $src ]] || die "module $name not found under $HVX_MODULES_DIR"
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst/$name.ko" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst/$name.ko" ;;
	*.ko.gz) gzip -dc "$src" >"$dst/$name.ko" ;;
	*) cp "$src" "$dst/$name.ko" ;;
	esac
}

# hvx_initramfs OUT STAGE [EXTRA...]: the selected machine's initramfs.
# STAGE is a guest script (selftests/harness/guest/*.sh or a generated one)
# copied to /hvx/stage.sh; EXTRA files land in /hvx/extra. KVM's modules,
# if the kernel has it as modules, are in /hvx/modules, in loading order in
# /hvx/modules/order; the modules of the swap device the memory-pressure
# tests use (zram, see swap_on in guest/lib.sh) in /hvx/modules too.
hvx_initramfs() {
	local out=$1 stage=$2 root f user=$HVX_TOP/userspace/$HVX_OUT
	shift 2
	root=$HVX_BUILD/initramfs-$HVX_ARCH
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,hvx/modules,hvx/tests,hvx/bin,hvx/guests,hvx/extra}
	copy_program "$HVX_BUSYBOX" "$root/bin" "$root"
	install -m 0755 "$HVX_HARNESS/guest/init" "$root/init"
	install -m 0644 "$HVX_HARNESS/guest/lib.sh" "$root/hvx/lib.sh"
	install -m 0644 "$stage" "$root/hvx/stage.sh"
	: >"$root/hvx/modules/order"
	for f in "${HVX_KVM_MODULES[@]}"; do
		copy_kernel_module "$f" "$root/hvx/modules"
		[[ $HVX_EMU == bochs ]] && bochs_module_unsign "$root/hvx/modules/$f.ko"
		echo "$f" >>"$root/hvx/modules/order"
	done
	for f in zsmalloc zram; do
		copy_kernel_module "$f" "$root/hvx/modules"
		[[ $HVX_EMU == bochs ]] && bochs_module_unsign "$root/hvx/modules/$f.ko"
	done
	# Debug info stays on the host copy (for decoding traces), not in the guest.
	[[ -f $HVX_KO ]] && "${HVX_CROSS}strip" --strip-debug -o "$root/hvx/hvx.ko" "$HVX_KO"
	for f in "$HVX_TOP/selftests/$HVX_OUT"/*_test; do
		copy_program "$f" "$root/hvx/tests" "$root"
	done
	for f in "${HVX_PROGS[@]}"; do
		[[ -f $user/$f ]] && copy_program "$user/$f" "$root/hvx/bin" "$root"
	done
	for f in "$user"/guests/*; do
		[[ -f $f ]] && cp "$f" "$root/hvx/guests/"
	done
	for f in "$@"; do
		cp -r "$f" "$root/hvx/extra/"
	done
	((HVX_WITH_QEMU)) && hvx_initramfs_qemu "$root"
	((HVX_WITH_KMOD)) && hvx_initramfs_kmod "$root"
	((HVX_WITH_PERF)) && hvx_initramfs_perf "$root"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | "${HVX_PACK[@]}" >"$out"
}

# QEMU inside the x86 test machines, only where a stage asks for it
# (HVX_WITH_QEMU=1: the qemu stages of check.sh, run.sh --qemu): it adds
# some 50 MB to the initramfs, which Bochs reads slowly. Debian's
# qemu-system-x86_64 of this host goes to /usr/bin, where it looks for its
# firmware relative to itself (../share/qemu, ../share/seabios,
# ../lib/ipxe/qemu), with the libraries ldd lists.
HVX_WITH_QEMU=${HVX_WITH_QEMU:-0}
HVX_QEMU_BIN=/usr/bin/qemu-system-x86_64
# The files QEMU 7.2 opens for `-M pc -nographic -kernel` with its default
# devices (seen with strace -e openat on the host): SeaBIOS, the standard
# VGA's option ROM, the default e1000 NIC's iPXE ROM, the ROM that boots
# -kernel (fw_cfg DMA) and the TPR-patching ROM (kvmvapic) of a user-space
# local APIC.
HVX_QEMU_FIRMWARE=(/usr/share/seabios/bios-256k.bin
	/usr/share/seabios/vgabios-stdvga.bin /usr/lib/ipxe/qemu/efi-e1000.rom
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin)

# hvx_initramfs_qemu ROOT: QEMU, its libraries and firmware into ROOT; in
# the arm64 machine Debian's arm64 qemu-system-aarch64, which `setup.sh
# arm64` unpacks into the arm64 root (its `-M virt -kernel` opens no
# firmware file)
hvx_initramfs_qemu() {
	local root=$1 f
	if [[ $HVX_ARCH == arm64 ]]; then
		hvx_initramfs_arm64_program "$root" /usr/bin/qemu-system-aarch64
		return
	fi
	[[ -x $HVX_QEMU_BIN ]] ||
		die "no $HVX_QEMU_BIN (Debian package qemu-system-x86; setup.sh installs it)"
	copy_program "$HVX_QEMU_BIN" "$root/usr/bin" "$root"
	for f in "${HVX_QEMU_FIRMWARE[@]}"; do
		[[ -r $f ]] || die "no $f (QEMU's firmware; setup.sh installs it)"
		install -D -m 0644 "$(readlink -f "$f")" "$root$f"
	done
}

# The host's kmod (depmod, modprobe, modinfo) in /hvx/kmod, where a stage
# asks for it (HVX_WITH_KMOD=1: the svm stage, which installs the tree of
# `make install` and loads hvx from it as a distribution would; guest/lib.sh,
# check_installed). Busybox's modprobe is not the one users run.
HVX_WITH_KMOD=${HVX_WITH_KMOD:-0}

# Debian's perf (package linux-perf) in the x86 machines' /usr/bin, where
# a stage asks for it (HVX_WITH_PERF=1: the svm and vmx stages, `make
# demo`): some 33 MB with its libraries, so not in every initramfs. On
# the arm64 machine Debian's arm64 trace-cmd instead (1 MB with its
# libraries, hvx_initramfs_trace_cmd). The guest's check_trace_tools
# records hvx:* events with whichever is there.
HVX_WITH_PERF=${HVX_WITH_PERF:-0}
hvx_initramfs_perf() {
	local root=$1
	if [[ $HVX_ARCH == arm64 ]]; then
		hvx_initramfs_trace_cmd "$root"
		return
	fi
	[[ -x /usr/bin/perf ]] ||
		die "no /usr/bin/perf (Debian package linux-perf; setup.sh installs it)"
	copy_program /usr/bin/perf "$root/usr/bin" "$root"
}

# arm64_needed ROOT FILE...: the shared libraries the arm64 FILEs need,
# by their ELF DT_NEEDED entries, recursively, as paths in ROOT's library
# directories, one per line; one found nowhere there as "missing NAME".
arm64_needed() {
	local a=$1 todo lib d found seen=" "
	local dirs=("$a/lib/aarch64-linux-gnu" "$a/usr/lib/aarch64-linux-gnu")
	shift
	todo=("$@")
	while ((${#todo[@]})); do
		for lib in $(aarch64-linux-gnu-readelf -d "${todo[0]}" |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[[ $seen == *" $lib "* ]] && continue
			seen+="$lib "
			found=
			for d in "${dirs[@]}"; do
				[[ -e $d/$lib ]] && found=$d/$lib && break
			done
			if [[ -z $found ]]; then
				echo "missing $lib"
				continue
			fi
			echo "$found"
			todo+=("$found")
		done
		todo=("${todo[@]:1}")
	done
}

# hvx_initramfs_arm64_program ROOT PATH: the program at PATH in
# $HVX_ARM64_ROOT (setup.sh arm64 unpacked it there) into the initramfs
# ROOT at the same path, with the dynamic loader and the shared libraries
# it needs (arm64_needed), at their paths too.
hvx_initramfs_arm64_program() {
	local root=$1 path=$2 a=$HVX_ARM64_ROOT lib
	[[ -x $a$path ]] ||
		die "no $a$path (run selftests/harness/setup.sh arm64)"
	install -D -m 0755 "$a$path" "$root$path"
	install -D -m 0755 "$a/lib/ld-linux-aarch64.so.1" "$root/lib/ld-linux-aarch64.so.1"
	while read -r lib; do
		[[ $lib == missing\ * ]] && die "$path needs ${lib#missing }, not in $a"
		[[ -e $root${lib#"$a"} ]] ||
			install -D -m 0755 "$(readlink -f "$lib")" "$root${lib#"$a"}"
	done < <(arm64_needed "$a" "$a$path")
}

# trace-cmd, for the arm64 machine's check_trace_tools.
hvx_initramfs_trace_cmd() {
	hvx_initramfs_arm64_program "$1" /usr/bin/trace-cmd
}

hvx_initramfs_kmod() {
	local root=$1 f
	copy_program /bin/kmod "$root/hvx/kmod" "$root"
	for f in depmod modprobe modinfo; do
		ln -s kmod "$root/hvx/kmod/$f"
	done
}

# hvx_linux_guest [x86|vmx|arm64]: the Linux guest that `hvx run --kernel` boots
# inside the test machine, in build/linux-guest/ (x86) or
# build/linux-guest-arm64/: vmlinuz, Debian's kernel (the machine's own,
# $HVX_KERNEL of hvx_arch x86 or arm64; the arm64 one an uncompressed
# Image), and linux-initrd.gz, static busybox of that architecture and
# linux/init, which prints markers and powers off.
# Rebuilt when missing or older than its inputs. Sets HVX_LINUX_FILES to
# the two paths, for hvx_initramfs's EXTRA (the guest finds them in
# /hvx/extra).
hvx_linux_guest() {
	local dir=$HVX_BUILD/linux-guest root init=$HVX_HARNESS/linux/init
	local churn=$HVX_HARNESS/linux/churn busybox=/bin/busybox kernel
	kernel=/boot/vmlinuz-$HVX_KVER
	if [[ ${1:-x86} == arm64 ]]; then
		dir=$HVX_BUILD/linux-guest-arm64
		busybox=$HVX_ARM64_ROOT/bin/busybox
		kernel=$HVX_ARM64_ROOT/boot/vmlinuz-$HVX_ARM64_KVER
	fi
	[[ -x $busybox && -r $kernel ]] ||
		die "no $busybox or $kernel (run selftests/harness/setup.sh)"
	mkdir -p "$dir"
	HVX_LINUX_FILES=("$dir/vmlinuz" "$dir/linux-initrd.gz")
	[[ $dir/vmlinuz -nt $kernel ]] || cp "$kernel" "$dir/vmlinuz"
	if [[ $dir/linux-initrd.gz -nt $init && $dir/linux-initrd.gz -nt $busybox &&
	      $dir/linux-initrd.gz -nt $churn ]]; then
		return 0
	fi
	root=$dir/root
	rm -rf "$root"
	mkdir -p "$root/bin"
	install -m 0755 "$busybox" "$root/bin/busybox"
	install -m 0755 "$init" "$root/init"
	install -m 0755 "$churn" "$root/bin/churn"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$dir/linux-initrd.gz"
}

# --------------------------------------------------------------- emulators

# A guest whose user space prints nothing (not even its HVX-ALIVE
# heartbeat, every 10 s) for this long is hung, however much its kernel
# prints; so is one whose kernel reports a lockup or stall. The host then
# asks QEMU for CPU state, has the guest kernel print backtraces (SysRq 9,
# l, w through the serial console, then on x86 an NMI, on which the guest
# panics with a backtrace) and stops it. HVX_IDLE_TIMEOUT overrides (seconds).
HVX_IDLE_TIMEOUT=${HVX_IDLE_TIMEOUT:-60}
HVX_LOCKUP_RE='soft lockup|hard LOCKUP|rcu_(preempt|sched) (self-)?detected stall|rcu: INFO: .*stall|blocked for more than'

# Reads the serial console: writes LOG, echoes lines when LIVE=1, stamps
# the host time at which /init started and at which the end marker came,
# and runs the hang diagnosis when the guest hangs.
serial_reader() {
	local log=$1 live=$2 line fd rc last wait_s
	exec {fd}>"$log"
	HVX_LOG_FD=$fd HVX_HUNG=0 HVX_HANG_WHY=
	last=$SECONDS
	while :; do
		wait_s=$((HVX_IDLE_TIMEOUT - (SECONDS - last)))
		((wait_s > 0)) || wait_s=1
		line=
		IFS= read -r -t "$wait_s" line
		rc=$?
		if ((rc > 128)); then
			[[ -n $line ]] && serial_line "$line" "$live"
		elif [[ $rc != 0 && -z $line ]]; then
			break
		else
			serial_line "$line" "$live"
			[[ $line =~ ^\[\ *[0-9]+\.[0-9]+\] ]] || last=$SECONDS
		fi
		if ((!HVX_HUNG)); then
			# The machine's own kernel lines only (they start with
			# printk's time stamp): a nested guest's console that a
			# test relays (as "# ...") may report its own stalls.
			if [[ $line =~ ^\[\ *[0-9]+\.[0-9]+\] ]] &&
				[[ $line =~ $HVX_LOCKUP_RE ]]; then
				hang_diagnose "$live" "the guest kernel reports: ${line#*] }"
			elif ((SECONDS - last >= HVX_IDLE_TIMEOUT)); then
				hang_diagnose "$live" "no output from the guest's user space for ${HVX_IDLE_TIMEOUT} s"
			fi
		fi
		((rc == 0 || rc > 128)) || break
	done
	exec {fd}>&-
}

# serial_line LINE LIVE: one console line into the log (and the terminal)
serial_line() {
	local line=${1%$'\r'} live=$2
	# firmware and console terminal resets (ESC c, ESC [2J ...)
	line=${line//$'\e'?(\[)*([0-9;?])[a-zA-Z]/}
	case $line in
	HVX-ALIVE*) return ;;
	HVX-INIT*) HVX_T_INIT=$(now_us) ;;
	HVX-END*) HVX_T_END=$(now_us) ;;
	HVX-MODULE-TEXT*) HVX_MOD_TEXT=${line#HVX-MODULE-TEXT } ;;
	esac
	printf '%s\n' "$line" >&"$HVX_LOG_FD"
	[[ $live == 1 ]] && printf '%s\n' "$line"
	return 0
}

# mon_cmd CMD: sends one command to QEMU's monitor, prints its answer
mon_cmd() {
	local line
	printf '%s\n' "$1" >&"$HVX_MON_IN"
	while IFS= read -r -t 2 line <&"$HVX_MON_OUT"; do
		line=${line%$'\r'}
		line=${line//$'\e'\[*([0-9;])[a-zA-Z]/}
		[[ $line == '(qemu)'* || $line == "QEMU "*monitor* ]] && continue
		printf '%s\n' "$line"
	done
}

# nearest_symbol HEXADDR: from sorted `nm` lines on stdin (16 hex digits,
# compared as strings), "name+0xoff" of the text symbol at or below HEXADDR
nearest_symbol() {
	local hit
	hit=$(awk -v a="$1" '$2 ~ /^[tTwW]$/ && length($1) == 16 && ($1 "") <= (a "") { best = $1 " " $3 }
		END { print best }')
	[[ -n $hit ]] || { echo "?"; return; }
	printf '%s+%#x\n' "${hit#* }" $((16#$1 - 16#${hit%% *}))
}

# decode_pc ADDR: "symbol+off" in hvx.ko (its .text base came from the
# guest); Debian's System.map is a stub, so kernel addresses stay raw (the
# SysRq backtraces that follow name them)
decode_pc() {
	local pc=$1 off
	pc=$(printf '%016x' $((16#$pc)))
	if [[ -n ${HVX_MOD_TEXT:-} && -f $HVX_KO ]]; then
		off=$((16#$pc - HVX_MOD_TEXT))
		if ((off >= 0 && off < 0x100000)); then
			echo "hvx:$("${HVX_CROSS}objdump" -t -j .text "$HVX_KO" 2>/dev/null |
				awk '/ F / { print $1, "t", $NF }' | sort |
				nearest_symbol "$(printf '%016x' "$off")")"
			return
		fi
	fi
	case $HVX_ARCH:$pc in
	x86:ffffffff8*) echo "(kernel text)" ;;
	x86:ffffffffc*) echo "(a module other than hvx)" ;;
	*:ff*) echo "(kernel)" ;;
	*) echo "(user space or guest)" ;;
	esac
}

# guest_sysrq KEY...: SysRq keys to the guest kernel, each as a break on
# its serial console (Ctrl-A b to QEMU's console multiplexer) and the key
guest_sysrq() {
	local k
	[[ -n ${HVX_CON:-} ]] || return 0
	for k in "$@"; do
		printf '\001b' >&"$HVX_CON"
		sleep 0.2
		printf '%s' "$k" >&"$HVX_CON"
		sleep 0.5
	done
}

# hang_diagnose LIVE WHY: the guest hangs; diagnose it and stop it
hang_diagnose() {
	local live=$1 why=$2 regs pc n=0 line
	[[ $HVX_EMU == bochs ]] && { bochs_hang_diagnose "$live" "$why"; return 0; }
	HVX_HUNG=1 HVX_HANG_WHY=$why
	{
		echo "HVX-HANG $why"
		regs=$(mon_cmd "info registers -a")
		while read -r pc; do
			echo "HVX-HANG CPU#$n $HVX_PC=$pc $(decode_pc "$pc")"
			n=$((n + 1))
		done < <(grep -o "\\b$HVX_PC=[0-9a-f]*" <<<"$regs" | cut -d= -f2)
		grep -E "$HVX_REGS_RE" <<<"$regs" | sed 's/^/HVX-HANG   /'
		echo "HVX-HANG asking the guest kernel for backtraces (SysRq 9, l, w)"
	} | while IFS= read -r line; do serial_line "$line" "$live"; done
	guest_sysrq 9 l w
	# Whatever the guest prints in the next seconds lands in the log.
	while IFS= read -r -t 5 line; do serial_line "$line" "$live"; done
	if ((HVX_NMI)); then
		serial_line "HVX-HANG an NMI (the guest panics on it, with a backtrace)" "$live"
		mon_cmd "nmi" >/dev/null
		while IFS= read -r -t 5 line; do serial_line "$line" "$live"; done
	fi
	serial_line "HVX-HANG stopping the machine" "$live"
	mon_cmd quit >/dev/null
	sleep 1
	[[ -f $HVX_QEMU_PID ]] && kill "$(cat "$HVX_QEMU_PID")" 2>/dev/null
	return 0
}

# Takes the emulator lock: only one emulated machine at a time on 2 cores.
# It is held from the build to the end of the script (released at exit),
# so that two runs in one tree never share build/ (initramfs, logs) either.
emu_lock() {
	local t0
	((${HVX_LOCK_HELD:-0})) && return 0
	t0=$(now_us)
	exec {HVX_LOCK_FD}>>"$HVX_EMU_LOCK"
	if ! flock -n "$HVX_LOCK_FD"; then
		note "waiting for another emulated machine or harness run ($HVX_EMU_LOCK)"
		flock -w 3600 "$HVX_LOCK_FD" || die "emulator lock still busy after an hour"
		phase_add "emulator lock wait" $(($(now_us) - t0))
	fi
	HVX_LOCK_HELD=1
}

# Stops the emulated machine if it still runs (the harness was interrupted);
# `timeout` gives QEMU a process group of its own, so nothing else would.
qemu_kill() {
	local pid
	[[ -f ${HVX_QEMU_PID:-} ]] || return 0
	pid=$(cat "$HVX_QEMU_PID" 2>/dev/null) || return 0
	[[ -z $pid ]] || kill "$pid" 2>/dev/null || true
	rm -f "$HVX_QEMU_PID"
	return 0
}

# Opens QEMU's monitor as a pair of FIFOs (pipe: chardev), and a FIFO for
# its standard input (the serial console's input, for SysRq), held open
# here read-write so that QEMU's open() never blocks.
mon_open() {
	local mon=$HVX_BUILD/qemu-monitor
	rm -f "$mon.in" "$mon.out" "$mon.con"
	mkfifo "$mon.in" "$mon.out" "$mon.con"
	exec {HVX_MON_IN}<>"$mon.in" {HVX_MON_OUT}<>"$mon.out" {HVX_CON}<>"$mon.con"
	HVX_MON=$mon
}

mon_close() {
	exec {HVX_MON_IN}>&- {HVX_MON_OUT}>&- {HVX_CON}>&-
	HVX_CON=
	rm -f "$HVX_MON.in" "$HVX_MON.out" "$HVX_MON.con"
}

# hvx_boot LOG INITRD TIMEOUT LIVE [APPEND] [INTERACTIVE]: boots the selected
# machine under the emulator lock. Sets HVX_BOOT_RC (124: timed out), HVX_HUNG
# (1: stopped by the watchdog) and the phase stamps HVX_T_START, HVX_T_INIT,
# HVX_T_END (0 when never seen).
hvx_boot() {
	local log=$1 initrd=$2 timeout=$3 live=$4 append=${5:-} interactive=${6:-0}
	HVX_BOOT_STEPS=()
	[[ $HVX_EMU == bochs ]] && { bochs_boot "$@"; return; }
	HVX_QEMU_PID=$HVX_BUILD/qemu.pid
	# One TCG thread runs both emulated CPUs in turn.  With QEMU 7.2's
	# multi-threaded TCG, SVM guests (KVM's as much as hvx's) wedge the
	# machine about one boot in three: a CPU stops taking IPIs (RCU stall,
	# text_poke_bp never finishing).  HVX_TCG_THREAD=multi brings it back.
	local cmd=("${HVX_QEMU[@]}"
		-accel "tcg,thread=${HVX_TCG_THREAD:-single}"
		-m "${HVX_MEM:-1024}" -smp "${HVX_SMP:-2}"
		-nographic -no-reboot -nic none
		-serial mon:stdio -pidfile "$HVX_QEMU_PID"
		-kernel "$HVX_KERNEL" -initrd "$initrd"
		-append "console=$HVX_CONSOLE quiet panic=-1 rdinit=/init${HVX_APPEND:+ $HVX_APPEND} $append")
	HVX_T_INIT=0 HVX_T_END=0 HVX_HUNG=0 HVX_MOD_TEXT=
	emu_lock
	HVX_T_START=$(now_us)
	mon_open
	cmd+=(-monitor "pipe:$HVX_MON")
	rm -f "$HVX_QEMU_PID"
	trap qemu_kill EXIT
	trap 'qemu_kill; exit 130' INT TERM HUP
	shopt -s lastpipe
	set +e
	if [[ $interactive == 1 ]]; then
		local idle=$HVX_IDLE_TIMEOUT
		HVX_IDLE_TIMEOUT=86400
		timeout -k 5 "$timeout" "${cmd[@]}" 2>&1 | serial_reader "$log" 1
		HVX_BOOT_RC=${PIPESTATUS[0]}
		HVX_IDLE_TIMEOUT=$idle
	else
		timeout -k 5 "$timeout" "${cmd[@]}" <&"$HVX_CON" 2>&1 | serial_reader "$log" "$live"
		HVX_BOOT_RC=${PIPESTATUS[0]}
	fi
	set -e
	shopt -u lastpipe
	mon_close
	trap - EXIT INT TERM HUP
	HVX_T_STOP=$(now_us)
}

# Records boot and test phases of one stage from the stamps of its boot.
boot_phases() {
	local stage=$1
	local i
	# steps of the boot that the emulator's own code timed (name, us)
	for ((i = 0; i + 1 < ${#HVX_BOOT_STEPS[@]}; i += 2)); do
		phase_add "$stage: ${HVX_BOOT_STEPS[i]}" "${HVX_BOOT_STEPS[i + 1]}"
	done
	if ((HVX_T_INIT)); then
		phase_add "$stage: boot to /init" $((HVX_T_INIT - HVX_T_START))
		phase_add "$stage: tests" $((${HVX_T_END:-0} ? HVX_T_END - HVX_T_INIT : HVX_T_STOP - HVX_T_INIT))
	else
		phase_add "$stage: boot (no /init)" $((HVX_T_STOP - HVX_T_START))
	fi
}

# ------------------------------------------------------------- log reading

# tap_from_log LOG: the guest's results, with a failure for each section
# (one test program) that exited non-zero without saying why, ran fewer
# tests than it planned, or never finished.
tap_from_log() {
	awk '
	function close_section(rc) {
		if (rc == 124 || rc == 143 || rc == 137)
			printf "not ok - %s: killed at the time limit (exit status %d)\n", sec, rc
		else if (plan >= 0 && n != plan)
			printf "not ok - %s: planned %d tests, ran %d\n", sec, plan, n
		else if (rc == 4 && fails == 0 && n == 0)
			printf "ok - %s # SKIP whole program\n", sec
		else if (rc != 0 && fails == 0)
			printf "not ok - %s: exit status %d\n", sec, rc
		sec = ""
	}
	/^HVX-INIT/ { on = 1; next }
	!on { next }
	/^HVX-DMESG-BEGIN/ || /^HVX-END/ { on = 0; next }
	/^HVX-SECTION-BEGIN / {
		sec = $2; plan = -1; n = 0; fails = 0
		printf "# ==== %s\n", sec
		next
	}
	/^HVX-SECTION-END / { rc = $3; sub(/^rc=/, "", rc); close_section(rc + 0); next }
	/^HVX-/ { next }
	sec != "" && /^1\.\.[0-9]+/ { split($1, p, "\\.\\."); plan = p[2] + 0; next }
	/^(not )?ok( |$)/ {
		print
		if (sec != "") {
			n++
			if ($0 ~ /^not ok/ && tolower($0) !~ /# *skip/) fails++
		}
		next
	}
	{ print }
	END {
		if (sec != "")
			printf "not ok - %s: did not finish\n", sec
	}' "$1"
}

# klog_from_log LOG: the guest kernel log after hvx was loaded: the dmesg
# dump if the machine got that far, else the console kernel lines.
klog_from_log() {
	local log=$1
	if grep -q '^HVX-DMESG-END' "$log"; then
		sed -n '/^HVX-DMESG-BEGIN/,/^HVX-DMESG-END/p' "$log" | sed '1d;$d'
	else
		sed -n '/^HVX-MODULE-LOADED/,$p' "$log" | grep -E '^\[ *[0-9]+\.[0-9]+\]' || true
	fi
}

# klog_drop_selftest_oom: the kernel log without the OOM killer's reports
# (from "invoked oom-killer" to "Killed process") whose victim had
# oom_score_adj 1000: in the kselftest stages that is a KVM selftest that
# took all the memory it could (max_guest_memory_test, on KVM as on hvx),
# and the report's stack dump is the kernel's normal account of an OOM,
# not a bug. Any other report, and everything outside them, stays.
klog_drop_selftest_oom() {
	awk '
	/invoked oom-killer/ { n = 0; inblk = 1 }
	inblk { blk[n++] = $0
		if ($0 ~ /Killed process/) {
			if ($0 !~ /oom_score_adj:1000/)
				for (i = 0; i < n; i++) print blk[i]
			inblk = 0
		}
		next }
	{ print }
	END { if (inblk) for (i = 0; i < n; i++) print blk[i] }'
}

# klog_drop_fault_injection: the kernel log without what fault injection
# prints on purpose (debug stage: fault_test's KVM runs use the kernel's
# failslab): each "FAULT_INJECTION: forcing a failure", "page allocation
# failure" and "vmalloc error" report through the end of its stack dump, and
# kmemleak's note that such a failure left it scanning a whole object.
# kmemleak's suspected leaks, and everything else, stay.
klog_drop_fault_injection() {
	awk '/FAULT_INJECTION: forcing a failure|page allocation failure:|vmalloc error: / { skip = 1 }
	skip { if ($0 ~ /<\/TASK>/) skip = 0; next }
	/kmemleak: Cannot allocate a scan area/ { next }
	{ print }'
}

# klog_check TAP STAGE LOG: one TAP line for the kernel log's health
klog_check() {
	local tap=$1 stage=$2 log=$3 bad name filter=cat
	name="$stage: guest kernel log clean after hvx was loaded"
	grep -q '^HVX-DMESG-END' "$log" || name+=" (console lines only: no dmesg dump)"
	[[ $stage == kselftest* ]] && filter=klog_drop_selftest_oom
	[[ $stage == debug ]] && filter=klog_drop_fault_injection
	bad=$(klog_from_log "$log" | $filter | grep -E "$HVX_BAD_KLOG" || true)
	if [[ -n $bad && -n $HVX_KLOG_IGNORE ]]; then
		bad=$(grep -vE "$HVX_KLOG_IGNORE" <<<"$bad" || true)
	fi
	if [[ -z $bad ]]; then
		tap_line "$tap" OK "$name"
		return
	fi
	tap_line "$tap" FAIL "$name" \
		"$(wc -l <<<"$bad") bad lines"
	sed -n '1,40s/^/#   /p' <<<"$bad" >>"$tap"
}

# stage_results TAP STAGE LOG TIMEOUT: fold one boot's log into TAP (appended)
stage_results() {
	local tap=$1 stage=$2 log=$3 timeout=$4
	tap_from_log "$log" >>"$tap"
	if ! grep -q '^HVX-END' "$log"; then
		local why="machine crashed or stopped early"
		((HVX_BOOT_RC == 124 || HVX_BOOT_RC == 137)) && why="timed out after ${timeout} s"
		((HVX_HUNG)) && why="hung: $HVX_HANG_WHY"
		tap_line "$tap" FAIL "$stage: machine reached the end marker" \
			"$why; log ${log#"$HVX_TOP"/}"
		if ((HVX_HUNG)); then
			# sed -n 'A,Bp' reads all of its input: no SIGPIPE under pipefail
			sed -n '/^HVX-HANG/,$p' "$log" | sed -n '1,150s/^/#   /p' >>"$tap"
		else
			tail -n 30 "$log" | sed 's/^/#   /' >>"$tap"
		fi
	fi
	klog_check "$tap" "$stage" "$log"
}

# ----------------------------------------------------------------- summary

# tap_count FILE: prints "passed failed skipped"
tap_count() {
	awk '
	/^ok( |$)/ { if (tolower($0) ~ /# *skip/) s++; else p++ }
	/^not ok( |$)/ { if (tolower($0) ~ /# *skip/) s++; else f++ }
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

# hvx_summary STAGE...: prints each stage's results and counts, the
# failures, the timings and, last, "N passed, N failed, N skipped".
# Returns non-zero when anything failed.
hvx_summary() {
	local stage p f s tp=0 tf=0 ts=0 tap
	for stage in "$@"; do
		tap=$HVX_LOGS/$stage.tap
		[[ -f $tap ]] || printf 'not ok - %s: stage produced no results\n' "$stage" >"$tap"
		read -r p f s < <(tap_count "$tap")
		tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	done
	echo
	note "results by stage:"
	for stage in "$@"; do
		read -r p f s < <(tap_count "$HVX_LOGS/$stage.tap")
		printf '#   %-8s %d passed, %d failed, %d skipped\n' "$stage:" "$p" "$f" "$s"
	done
	if ((tf)); then
		note "failures:"
		for stage in "$@"; do
			awk -v stage="$stage" '
			/^# ==== / { sec = $3 ": " }
			/^not ok( |$)/ && tolower($0) !~ /# *skip/ {
				printf "#   [%s] %s%s\n", stage, /^not ok [0-9]/ ? sec : "", $0
			}
			' "$HVX_LOGS/$stage.tap"
		done
	fi
	print_timings
	printf '%d passed, %d failed, %d skipped\n' "$tp" "$tf" "$ts"
	((tf == 0))
}

# ------------------------------------------------------------------ stages

# hvx_prepare SETUP BUILD ARCH...: setup for these machines (SETUP=1),
# the emulator lock, and the x86 build (BUILD=1, the "build" stage), timed;
# another machine's build comes with its first stage (stage_boot).
hvx_prepare() {
	local setup=$1 build=$2
	shift 2
	mkdir -p "$HVX_LOGS"
	phase_begin setup
	if ((setup)); then
		"$HVX_HARNESS/setup.sh" "$@"
	fi
	hvx_require_kver
	phase_end setup
	emu_lock
	HVX_DO_BUILD=$build
	: >"$HVX_LOGS/build.tap"
	((build)) && note "building (logs in ${HVX_LOGS#"$HVX_TOP"/}/build-*.log)"
	if [[ " $* " == *" x86 "* || " $* " == *" vmx "* ]]; then
		hvx_arch x86
		hvx_build_once "$HVX_LOGS/build.tap" build
	fi
}

declare -A HVX_BUILT=()

# hvx_build_once TAP PHASE: builds for the selected machine, once a run
# (x86 and vmx share one build)
hvx_build_once() {
	((HVX_DO_BUILD)) || return 0
	[[ -v HVX_BUILT[build$HVX_TARGET] ]] && return 0
	HVX_BUILT[build$HVX_TARGET]=1
	phase_begin "$2"
	hvx_build "$1"
	phase_end "$2"
}

# stage_boot ARCH STAGE GUEST_SCRIPT TIMEOUT LIVE [APPEND] [INTERACTIVE] [EXTRA...]:
# boots the ARCH machine with one guest stage and writes $HVX_LOGS/STAGE.tap,
# after the results of the ARCH build if this run has not built it yet
stage_boot() {
	local arch=$1 stage=$2 script=$3 timeout=$4 live=$5 append=${6:-} interactive=${7:-0}
	local initrd log=$HVX_LOGS/$stage.log tap=$HVX_LOGS/$stage.tap
	shift $(($# < 7 ? $# : 7))
	hvx_arch "$arch"
	initrd=$HVX_BUILD/initrd-$arch.cpio
	[[ ${HVX_PACK[0]} == gzip ]] && initrd=$HVX_BUILD/initrd-$arch.gz
	: >"$tap"
	hvx_build_once "$tap" "$stage: build"
	if ((live)); then
		grep '^not ok' "$tap" || true
	fi
	if [[ ! -r $HVX_KERNEL || ! -x $HVX_BUSYBOX ]] ||
		{ [[ $HVX_EMU == bochs ]] && ! command -v bochs >/dev/null; }; then
		tap_line "$tap" FAIL "$stage: boot $HVX_MACHINE" \
			"no $HVX_KERNEL, $HVX_BUSYBOX or emulator: run selftests/harness/setup.sh $arch"
		return 0
	fi
	phase_begin "$stage: initramfs"
	hvx_initramfs "$initrd" "$script" "$@"
	phase_end "$stage: initramfs"
	note "$stage: booting $HVX_MACHINE ${HVX_KERNEL##*/vmlinuz-} ($(du -k "$initrd" | cut -f1) KiB initramfs," \
		"timeout ${timeout} s, log ${log#"$HVX_TOP"/})"
	hvx_boot "$log" "$initrd" "$timeout" "$live" "$append" "$interactive"
	boot_phases "$stage"
	stage_results "$tap" "$stage" "$log" "$timeout"
}

# run_single_stage NAME GUEST_SCRIPT [--no-setup] [--no-build] [--timeout S]:
# prepare, one live boot of the HVX_ARCH machine, summary (make demo, bench)
run_single_stage() {
	local name=$1 script=$2 setup=1 build=1 timeout=${HVX_TIMEOUT:-1800} t0
	local arch=$HVX_ARCH
	shift 2
	while (($#)); do
		case $1 in
		--no-setup) setup=0 ;;
		--no-build) build=0 ;;
		--timeout) timeout=$2; shift ;;
		*) die "usage: [HVX_ARCH=x86|arm64|vmx] $(basename "$0") [--no-setup] [--no-build] [--timeout S]" ;;
		esac
		shift
	done
	t0=$(now_us)
	hvx_prepare "$setup" "$build" "$arch"
	grep '^not ok' "$HVX_LOGS/build.tap" || true
	# Every machine also gets the Linux guest of hvx run --kernel.
	HVX_LINUX_FILES=()
	hvx_linux_guest "$arch"
	stage_boot "$arch" "$name" "$script" "$timeout" 1 "" 0 "${HVX_LINUX_FILES[@]}"
	phase_add total $(($(now_us) - t0))
	if [[ -s $HVX_LOGS/build.tap ]]; then
		hvx_summary build "$name"
	else
		hvx_summary "$name"
	fi
}

# usage: prints the leading comment of the calling script, exits 2
usage() {
	awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "$0"
	exit 2
}

# shellcheck source=selftests/harness/lib-bochs.sh
source "$HVX_HARNESS/lib-bochs.sh"
# shellcheck source=selftests/harness/debug-kernel.sh
source "$HVX_HARNESS/debug-kernel.sh"

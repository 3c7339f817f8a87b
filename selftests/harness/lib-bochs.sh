# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # sets lib.sh's variables
#
# The Bochs machine of the hvx harness (hvx_arch vmx): Intel VT-x with EPT,
# which QEMU's software emulation lacks. Sourced by lib.sh; hvx_boot calls
# bochs_boot for this machine.
#
# Bochs cannot load a kernel itself. It boots a disk image that the harness
# writes for each boot: hvxboot (selftests/harness/bochs: a boot sector and
# a small 32-bit loader), then Debian's kernel, uncompressed (the vmlinux in
# /boot/vmlinuz, unpacked once into build/bochs/), then the initramfs.
# hvxboot reads both through the ATA data port and starts the kernel at its
# PVH entry point, so the kernel's own xz decompressor, which takes 50 s of
# a Bochs boot, never runs (GRUB and the bzImage took 56 s to the kernel's
# first line, hvxboot 3 s).
#
# Bochs runs under `script` (its text display needs a terminal), with its
# debugger (always built into Debian's bochs) told to continue at once
# (-rc); the guest's COM1 is a TCP socket that the harness connects to. A
# power-off does not end Bochs while its debugger is on: the harness stops
# it when the guest prints its end marker.

HVX_BOCHS_DIR=$HVX_BUILD/bochs
# Instructions per emulated second: with `clock: sync=none` the guest's
# clock follows the instruction count, so this is the guest's view of the
# CPU's speed, not a limit on Bochs's.
HVX_BOCHS_IPS=${HVX_BOCHS_IPS:-50000000}
HVX_BOCHS_CPU=${HVX_BOCHS_CPU:-corei7_skylake_x}
# HVX_BOCHS_DISPLAY: Bochs's display library, `term` (its text display on
# the terminal the harness gives it) or `rfb, options="timeout=0"` (a VNC
# server no one need connect to; Debian's Bochs has no `nogui`), which make
# stress-vmx uses: there, under `term`, Bochs was once found blocked for
# good in a write to that terminal. HVX_BOCHS_QUIET_CPU=1: the CPU's
# error-level lines (one per nested EPT violation, gigabytes in a fuzzing
# run) are not logged. Under `rfb` a SIGINT to bochs-bin (not to `timeout`)
# enters Bochs's debugger while the machine runs: its commands (`r`, `sreg`,
# `creg`, `vmexitbp`, `c` to go on) are written to build/bochs/bochs.in
# and its answers land in build/logs/NAME-bochs-tty.log. The first line it
# reads is the newline left there for the idle hack (below), which repeats
# `c`: send SIGINT once more, then the commands.
# CPUs. Bochs runs a second one by switching CPUs after every trace (a few
# instructions), which makes everything 3 to 4 times slower: boot to /init
# 30 s instead of 8 s, no matter the quantum or ips.
HVX_BOCHS_SMP=${HVX_BOCHS_SMP:-1}
HVX_BOCHS_MEM=${HVX_BOCHS_MEM:-512}

# Kernel arguments of the Bochs machine, each measured (boot to /init, 1
# CPU; without them 25-28 s): mitigations=off (retpolines, PTI and their
# second W+X check) saves 3-4 s at boot and more in every system call;
# cryptomgr.notests skips the self-tests of every crypto algorithm (7 s);
# initcall_blacklist=load_system_certificate_list skips parsing the X.509
# certificates built into the kernel (2 s), which only module signatures
# need (bochs_module_unsign).
HVX_BOCHS_APPEND=${HVX_BOCHS_APPEND-mitigations=off cryptomgr.notests initcall_blacklist=load_system_certificate_list}

# bochs_module_unsign KO: removes the signature Debian appends to its
# modules (the module, its signature, struct module_signature with the
# signature's length at offset 8, big-endian, and a 28-byte marker):
# checking it takes insmod kvm 3 s under Bochs. The kernel loads an
# unsigned module, and taints itself as it does for hvx.ko.
bochs_module_unsign() {
	local ko=$1 size len=0 b
	[[ $(tail -c 28 "$ko") == "~Module signature appended~" ]] || return 0
	size=$(stat -c %s "$ko")
	for b in $(tail -c 32 "$ko" | head -c 4 | od -An -t u1); do
		len=$((len * 256 + b))
	done
	truncate -s $((size - 28 - 12 - len)) "$ko"
}

# bochs_kernel: Debian's vmlinuz unpacked for hvxboot, once per kernel:
# build/bochs/kernel-VER.bin, the loadable segments as one flat image from
# their lowest physical address without the all-zero tail (.bss, .brk, the
# init scratch area), and kernel-VER.params, "LOAD END ENTRY" (the PVH
# entry point is in the Xen ELF note of type 18, XEN_ELFNOTE_PHYS32_ENTRY).
bochs_kernel() {
	local vmlinuz=/boot/vmlinuz-$HVX_KVER dir=$HVX_BOCHS_DIR
	local bin=$dir/kernel-$HVX_KVER.bin params=$dir/kernel-$HVX_KVER.params
	local elf=$dir/vmlinux.tmp setup off len type pa ms load end=0 entry=0 i
	local -a d
	[[ -s $bin && -s $params && $bin -nt $vmlinuz ]] && return 0
	mkdir -p "$dir"
	# bzImage: setup_sects at 0x1f1, then the 32/64-bit part, whose
	# payload (xz, with its size appended) starts payload_offset (0x248)
	# bytes in and is payload_length (0x24c) long.
	setup=$(od -An -t u1 -j $((0x1f1)) -N 1 "$vmlinuz")
	off=$(od -An -t u4 -j $((0x248)) -N 4 "$vmlinuz")
	len=$(od -An -t u4 -j $((0x24c)) -N 4 "$vmlinuz")
	dd if="$vmlinuz" iflag=skip_bytes,count_bytes skip=$(((setup + 1) * 512 + off)) \
		count="$len" status=none | xz -dc --single-stream >"$elf" ||
		die "cannot unpack the kernel in $vmlinuz (not an xz bzImage?)"
	load=
	while read -r type _ _ pa _ ms _; do
		[[ $type == LOAD ]] || continue
		[[ -z $load ]] || ((pa < load)) && load=$((pa))
		((pa + ms > end)) && end=$((pa + ms))
	done < <(readelf -lW "$elf")
	read -r -a d < <(readelf -nW "$elf" | sed -n 's/.*(0x00000012).*description data: //p')
	for ((i = ${#d[@]} - 1; i >= 0; i--)); do
		entry=$((entry * 256 + 16#${d[i]}))
	done
	((entry)) || die "$vmlinuz has no PVH entry point (CONFIG_PVH)"
	# objcopy lays the sections out by physical address; .init.scratch
	# is zeros, and after it nothing but NOBITS sections are left.
	objcopy -O binary -R .init.scratch "$elf" "$bin.tmp"
	rm -f "$elf"
	mv "$bin.tmp" "$bin"
	echo "$load $end $entry" >"$params"
}

# bochs_loader: hvxboot's disk sectors, build/bochs/hvxboot.bin
bochs_loader() {
	local src=$HVX_HARNESS/bochs dir=$HVX_BOCHS_DIR f
	local out=$dir/hvxboot.bin
	if [[ -s $out ]]; then
		for f in "$src"/*; do
			[[ $f -nt $out ]] && break
		done
		[[ $f -nt $out ]] || return 0
	fi
	mkdir -p "$dir"
	gcc -m32 -march=i386 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
		-fno-asynchronous-unwind-tables -mno-sse -mno-mmx -Os -Wall -Wextra \
		-c "$src/loader.c" -o "$dir/loader.o"
	gcc -m32 -c "$src/boot.S" -o "$dir/boot.o"
	ld -m elf_i386 -T "$src/loader.ld" -nostdlib --no-warn-rwx-segments \
		-o "$dir/hvxboot.elf" "$dir/boot.o" "$dir/loader.o"
	objcopy -O binary "$dir/hvxboot.elf" "$out"
}

# bochs_disk OUT INITRD CMDLINE: the disk image hvxboot boots (its layout
# and parameter sector: bochs/loader.c)
bochs_disk() {
	local out=$1 initrd=$2 cmdline=$3 load end entry kbytes ibytes klba ilba size
	local sectors=32 # HVXBOOT_SECTORS in bochs/hvxboot.h
	bochs_loader
	bochs_kernel
	read -r load end entry <"$HVX_BOCHS_DIR/kernel-$HVX_KVER.params"
	kbytes=$(stat -c %s "$HVX_BOCHS_DIR/kernel-$HVX_KVER.bin")
	ibytes=$(stat -c %s "$initrd")
	klba=$((sectors + 1))
	ilba=$((klba + (kbytes + 511) / 512))
	cp "$HVX_BOCHS_DIR/hvxboot.bin" "$out"
	truncate -s $((sectors * 512)) "$out"
	printf 'hvxboot 1\nkernel %d %d %d %d %d\ninitrd %d %d\ncmdline %s\n' \
		"$klba" "$kbytes" "$load" "$end" "$entry" "$ilba" "$ibytes" "$cmdline" |
		head -c 511 >>"$out"
	truncate -s $((klba * 512)) "$out"
	cat "$HVX_BOCHS_DIR/kernel-$HVX_KVER.bin" >>"$out"
	truncate -s $((ilba * 512)) "$out"
	cat "$initrd" >>"$out"
	# Bochs takes a flat image's geometry from its size: whole cylinders
	# of 16 heads and 63 sectors.
	size=$(stat -c %s "$out")
	truncate -s $(((size + 516095) / 516096 * 516096)) "$out"
}

# bochs_rc OUT DISK PORT: the bochsrc of one boot. A PANIC (a triple fault
# included: no reset, which would boot the disk again) ends Bochs.
bochs_rc() {
	local out=$1 disk=$2 port=$3
	cat >"$out" <<-EOF
		megs: $HVX_BOCHS_MEM
		cpu: model=$HVX_BOCHS_CPU, count=$HVX_BOCHS_SMP, ips=$HVX_BOCHS_IPS, reset_on_triple_fault=0
		clock: sync=none, time0=local
		romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		ata0-master: type=disk, path=$disk, mode=flat
		boot: disk
		com1: enabled=1, mode=socket-server, dev=127.0.0.1:$port
		display_library: ${HVX_BOCHS_DISPLAY:-term}
		speaker: enabled=0
		sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
		panic: action=fatal
		error: action=report${HVX_BOCHS_QUIET_CPU:+, CPU0=ignore}
		info: action=report
		debug: action=ignore
	EOF
}

# bochs_pump FD: copies the guest's console from the socket FD to stdout,
# a line at a time, and stops Bochs after the end marker (a power-off does
# not end it while its debugger is on)
bochs_pump() {
	local fd=$1 line
	while IFS= read -r line <&"$fd" || [[ -n $line ]]; do
		printf '%s\n' "${line%$'\r'}"
		case $line in
		"hvxboot: reading the kernel"*) echo "read $(now_us)" >>"$HVX_BOCHS_DIR/stamps" ;;
		"hvxboot: starting the kernel"*) echo "kernel $(now_us)" >>"$HVX_BOCHS_DIR/stamps" ;;
		esac
		if [[ $line == HVX-END* ]]; then
			sleep 0.5
			qemu_kill
			break
		fi
	done
	return 0
}

# bochs_connect PORT: connects HVX_BOCHS_FD to Bochs's COM1 socket; Bochs
# waits for that before it runs. Fails if Bochs ended first.
bochs_connect() {
	local port=$1 i
	for ((i = 0; i < 300; i++)); do
		if exec {HVX_BOCHS_FD}<>"/dev/tcp/127.0.0.1/$port"; then
			return 0
		fi 2>/dev/null
		kill -0 "$HVX_BOCHS_JOB" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# bochs_boot: hvx_boot for the Bochs machine (same arguments and results)
bochs_boot() {
	local log=$1 initrd=$2 timeout=$3 live=$4 append=${5:-} interactive=${6:-0}
	local dir=$HVX_BOCHS_DIR disk=$HVX_BOCHS_DIR/disk.img port stty='' idle=$HVX_IDLE_TIMEOUT
	local tty_log=${log%.log}-bochs-tty.log bx_log=${log%.log}-bochs.log
	HVX_BOCHS_LOG=$bx_log
	local t_disk t_read=0 t_kernel=0 what t
	HVX_QEMU_PID=$dir/bochs.pid
	HVX_T_INIT=0 HVX_T_END=0 HVX_HUNG=0 HVX_MOD_TEXT=
	emu_lock
	HVX_T_START=$(now_us)
	bochs_disk "$disk" "$initrd" "console=$HVX_CONSOLE quiet panic=-1 rdinit=/init HVX_EMULATOR=bochs $HVX_BOCHS_APPEND${HVX_APPEND:+ $HVX_APPEND} $append"
	t_disk=$(now_us)
	rm -f "$dir/stamps"
	echo c >"$dir/debugger.rc"
	rm -f "$dir/bochs.in" "$HVX_QEMU_PID"
	mkfifo "$dir/bochs.in"
	exec {HVX_BOCHS_IN}<>"$dir/bochs.in"
	trap qemu_kill EXIT
	trap 'qemu_kill; exit 130' INT TERM HUP
	# A port someone else holds makes Bochs give up at once: another one.
	for _ in 1 2 3; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		bochs_rc "$dir/bochsrc" "$disk" "$port"
		# HVX_QEMU_PID: timeout's, which passes qemu_kill's SIGTERM and
		# the hang diagnosis's SIGINT on to Bochs
		script -qfec "echo \$\$ >'$HVX_QEMU_PID'; exec timeout --foreground -k 5 $timeout bochs -q -unlock -f '$dir/bochsrc' -rc '$dir/debugger.rc' -log '$bx_log'" \
			/dev/null <&"$HVX_BOCHS_IN" >"$tty_log" 2>&1 &
		HVX_BOCHS_JOB=$!
		# Debian's Bochs waits up to 1 ms for input on its standard input
		# at every HLT (its "idle hack"): a line waiting there, which the
		# debugger never reads while the guest runs, ends those waits.
		# Without it, creating and destroying a VM took 2 s.
		printf '\n' >&"$HVX_BOCHS_IN"
		bochs_connect "$port" && break
		qemu_kill
		wait "$HVX_BOCHS_JOB" || true
		HVX_BOCHS_JOB=
		grep -q 'bind() or listen() failed' "$bx_log" "$tty_log" 2>/dev/null || break
	done
	shopt -s lastpipe
	set +e
	if [[ -z $HVX_BOCHS_JOB ]]; then
		{
			echo "hvx: Bochs did not start; its log ($bx_log):"
			grep -E 'PANIC|rror' "$bx_log" "$tty_log" | tail -n 20
		} | serial_reader "$log" 1
		HVX_BOOT_RC=125
	else
		# The guest's clock follows the instruction count, so its 10 s
		# heartbeat says nothing while a nested guest runs: a nested
		# Linux boot (`hvx run --kernel`, some 2 s of the machine's own
		# time) took 100 s to over 180 s of wall time on the 2-core
		# machines, during which only the boot's end prints. 360 s.
		HVX_IDLE_TIMEOUT=${HVX_BOCHS_IDLE_TIMEOUT:-360}
		if [[ $interactive == 1 ]]; then
			HVX_IDLE_TIMEOUT=86400
			if [[ -t 0 ]]; then
				stty=$(stty -g)
				stty raw -echo
			fi
			cat >&"$HVX_BOCHS_FD" &
			HVX_BOCHS_CAT=$!
		fi
		bochs_pump "$HVX_BOCHS_FD" | serial_reader "$log" "$live"
		HVX_IDLE_TIMEOUT=$idle
		if [[ -n ${HVX_BOCHS_CAT:-} ]]; then
			kill "$HVX_BOCHS_CAT" 2>/dev/null
			HVX_BOCHS_CAT=
			[[ -n $stty ]] && stty "$stty"
		fi
		qemu_kill
		wait "$HVX_BOCHS_JOB"
		HVX_BOOT_RC=$?
		# stopped by the harness at the end marker: not a failure
		[[ $HVX_T_END != 0 ]] && HVX_BOOT_RC=0
		exec {HVX_BOCHS_FD}>&-
	fi
	set -e
	shopt -u lastpipe
	exec {HVX_BOCHS_IN}>&-
	rm -f "$dir/bochs.in"
	trap - EXIT INT TERM HUP
	HVX_T_STOP=$(now_us)
	while read -r what t; do
		case $what in
		read) t_read=$t ;;
		kernel) t_kernel=$t ;;
		esac
	done < <(cat "$dir/stamps" 2>/dev/null)
	HVX_BOOT_STEPS=("boot: disk image" $((t_disk - HVX_T_START)))
	((t_read)) && HVX_BOOT_STEPS+=("boot: BIOS, hvxboot" $((t_read - t_disk)))
	((t_read && t_kernel)) && HVX_BOOT_STEPS+=("boot: read kernel+initrd" $((t_kernel - t_read)))
	((t_kernel && HVX_T_INIT)) && HVX_BOOT_STEPS+=("boot: kernel to /init" $((HVX_T_INIT - t_kernel)))
	return 0
}

# bochs_hang_diagnose LIVE WHY: hang_diagnose for Bochs. A SIGHUP makes
# Bochs give up (a PANIC, fatal here), and on the way out it logs every
# CPU's registers, from which come the RIPs. (Bochs's text display takes
# SIGINT as a Ctrl-C key for the guest, so under `term` its debugger cannot
# be entered from outside, under `rfb` it can: see HVX_BOCHS_DISPLAY; no
# SysRq either: COM1 cannot send a break. The hang's other evidence is what
# the guest kernel printed.)
bochs_hang_diagnose() {
	local live=$1 why=$2 bx_log=${HVX_BOCHS_LOG:-} pid line size
	HVX_HUNG=1 HVX_HANG_WHY=$why
	serial_line "HVX-HANG $why" "$live"
	pid=$(cat "$HVX_QEMU_PID" 2>/dev/null) || pid=
	# Only what Bochs logs from here on: the log may hold gigabytes of
	# earlier register dumps (a guest's triple faults, say).
	size=$(stat -c %s "$bx_log" 2>/dev/null) || size=0
	if [[ -n $pid ]] && kill -HUP "$pid" 2>/dev/null; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		tail -c +$((size + 1)) "$bx_log" 2>/dev/null |
			sed -n 's/.*\[\(CPU[0-9]*\) *\] | [RE]IP=\([0-9a-f]*\).*/\1 \2/p' |
			while read -r cpu line; do
				serial_line "HVX-HANG ${cpu/CPU/CPU#} RIP=$line $(decode_pc "$line")" "$live"
			done
		tail -c +$((size + 1)) "$bx_log" 2>/dev/null |
			grep -E '\[CPU[0-9]* *\] (\| )? ?(CPU is in|CR0|CR3|EFER|CS:|RSP|ESP)' |
			sed 's/^[0-9]*i\[/HVX-HANG   [/' |
			while IFS= read -r line; do serial_line "$line" "$live"; done
	fi
	serial_line "HVX-HANG stopping the machine" "$live"
	qemu_kill
	return 0
}

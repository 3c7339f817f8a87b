#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The installation checks of `make check`'s build stage, on the host (no
# emulator), after the x86 build: one TAP line each, appended to TAP.
#
#   install-check.sh TAP
#
#   - hvx(1) lists every command and option that `hvx --help` and each
#     `hvx COMMAND --help` list, and groff renders it without a warning;
#   - `make install DESTDIR=...` puts the module, the tool, the man page
#     and the udev rule in place, `make uninstall` takes them away again;
#     the tree it leaves in build/install-root is what the svm machine
#     installs and loads with depmod and modprobe (guest/lib.sh,
#     check_installed);
#   - `dkms add` and `dkms build` of the sources `make dkms-source` copies,
#     against Debian's headers (HVX_KDIR), in build/dkms with dkms's
#     --dkmstree and --sourcetree and its signing key there too, so that
#     nothing is left in /var/lib/dkms; the module it builds carries
#     dkms.conf's PACKAGE_VERSION as its version.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# fail_detail TAP NAME DETAIL LOG: a failure, with the end of LOG
fail_detail() {
	tap_line "$1" FAIL "$2" "$3"
	[[ -n ${4:-} && -f $4 ]] && sed 's/^/#   /' "$4" | tail -n 20 >>"$1"
	return 0
}

# help_texts HVX: every help text the tool prints
help_texts() {
	local hvx=$1 cmd
	"$hvx" --help
	for cmd in $(help_commands "$hvx"); do
		"$hvx" "$cmd" --help
	done
	"$hvx" bench --linux --help
}

# help_commands HVX: the commands `hvx --help` lists ("  run    ...")
help_commands() {
	"$1" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' | sort -u
}

# check_man TAP: hvx(1) against the tool's own help
check_man() {
	local tap=$1 name="build: hvx(1) covers every command and option of hvx --help"
	local hvx=$HVX_TOP/userspace/build/hvx man=$HVX_TOP/userspace/hvx.1
	local text warn missing=() cmd opt
	[[ -x $hvx ]] || { tap_line "$tap" FAIL "$name" "no userspace/build/hvx"; return; }
	warn=$(groff -man -Tascii -ww -z "$man" 2>&1)
	if [[ -n $warn ]]; then
		tap_line "$tap" FAIL "$name" "groff warns"
		sed 's/^/#   /' <<<"$warn" >>"$tap"
		return
	fi
	text=$(groff -man -Tascii -P-cbou "$man" 2>/dev/null)
	for cmd in $(help_commands "$hvx"); do
		grep -Eq "^ +hvx $cmd( |$)" <<<"$text" || missing+=("command $cmd")
	done
	for opt in $(help_texts "$hvx" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -Eq -- "^ +$opt( |,|$)" <<<"$text" || missing+=("$opt")
	done
	if ((${#missing[@]})); then
		tap_line "$tap" FAIL "$name" "missing: ${missing[*]}"
	else
		tap_line "$tap" OK "$name"
	fi
}

HVX_INSTALLED=(lib/modules/KVER/updates/hvx.ko usr/local/bin/hvx
	usr/local/share/man/man1/hvx.1 etc/udev/rules.d/65-hvx.rules)

# installed_files ROOT: the files make install puts under ROOT, one a line
installed_files() {
	(cd "$1" && find . -type f | sed 's|^\./||' | sort)
}

# check_make_install TAP: make install and uninstall into a scratch tree,
# then make install into build/install-root for the svm machine
check_make_install() {
	local tap=$1 root=$HVX_BUILD/install-root scratch=$HVX_BUILD/install-scratch
	local log=$HVX_LOGS/build-install.log want got
	local name="build: make install DESTDIR puts hvx.ko, hvx, hvx.1, 65-hvx.rules in place"
	want=$(printf '%s\n' "${HVX_INSTALLED[@]/KVER/$HVX_KVER}" | sort)
	rm -rf "$root" "$scratch"
	if ! make -C "$HVX_TOP" install DESTDIR="$scratch" KDIR="$HVX_KDIR" >"$log" 2>&1; then
		fail_detail "$tap" "$name" "make install failed" "$log"
		return
	fi
	got=$(installed_files "$scratch")
	if [[ $got != "$want" ]]; then
		fail_detail "$tap" "$name" "installed: ${got//$'\n'/ }"
		return
	fi
	tap_line "$tap" OK "$name"
	name="build: make uninstall DESTDIR removes them"
	if ! make -C "$HVX_TOP" uninstall DESTDIR="$scratch" KDIR="$HVX_KDIR" >>"$log" 2>&1; then
		fail_detail "$tap" "$name" "make uninstall failed" "$log"
	elif [[ -n $(installed_files "$scratch") ]]; then
		fail_detail "$tap" "$name" "left: $(installed_files "$scratch" | tr '\n' ' ')"
	else
		tap_line "$tap" OK "$name"
	fi
	rm -rf "$scratch"
	make -C "$HVX_TOP" install DESTDIR="$root" KDIR="$HVX_KDIR" >>"$log" 2>&1 ||
		fail_detail "$tap" "build: make install DESTDIR=build/install-root" "failed" "$log"
}

# dkms_version: dkms.conf's PACKAGE_VERSION
dkms_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$HVX_TOP/dkms.conf"
}

# check_dkms TAP: dkms add and build in build/dkms, against HVX_KDIR
check_dkms() {
	local tap=$1 dir=$HVX_BUILD/dkms log=$HVX_LOGS/build-dkms.log ver ko modver
	local before
	local name="build: dkms build against Debian's headers ($HVX_KVER)"
	local opts=(--dkmstree "$dir/tree" --sourcetree "$dir/source")
	command -v dkms >/dev/null ||
		{ tap_line "$tap" FAIL "$name" "no dkms (setup.sh installs it)"; return; }
	ver=$(dkms_version)
	before=$(find /var/lib/dkms 2>/dev/null | sort)
	rm -rf "$dir"
	mkdir -p "$dir/tree" "$dir/source"
	# dkms signs what it builds, with a key it makes where these point
	# (by default /var/lib/dkms/mok.key).
	if ! {
		make -C "$HVX_TOP" dkms-source DKMS_SRC="$dir/source/hvx-$ver" &&
			dkms add "hvx/$ver" "${opts[@]}" &&
			mok_signing_key=$dir/mok.key mok_certificate=$dir/mok.pub \
				dkms build "hvx/$ver" "${opts[@]}" -k "$HVX_KVER" \
				--kernelsourcedir "$HVX_KDIR"
	} >"$log" 2>&1; then
		fail_detail "$tap" "$name" "see ${log#"$HVX_TOP"/}" "$log"
		return
	fi
	ko=$(find "$dir/tree/hvx/$ver/$HVX_KVER" -name 'hvx.ko*' -path '*/module/*' -print -quit)
	if [[ -z $ko ]]; then
		fail_detail "$tap" "$name" "no hvx.ko in build/dkms/tree" "$log"
		return
	fi
	if ! modinfo -F vermagic "$ko" | grep -q "^$HVX_KVER "; then
		fail_detail "$tap" "$name" "vermagic $(modinfo -F vermagic "$ko")"
		return
	fi
	tap_line "$tap" OK "$name"
	name="build: dkms.conf's PACKAGE_VERSION ($ver) is the module's version"
	modver=$(modinfo -F version "$ko")
	if [[ $modver == "$ver" ]]; then
		tap_line "$tap" OK "$name"
	else
		tap_line "$tap" FAIL "$name" "modinfo says '$modver'"
	fi
	name="build: dkms left nothing in /var/lib/dkms"
	if [[ $(find /var/lib/dkms 2>/dev/null | sort) != "$before" ]]; then
		tap_line "$tap" FAIL "$name" "it changed"
	else
		tap_line "$tap" OK "$name"
	fi
}

main() {
	local tap=${1:?usage: install-check.sh TAP}
	mkdir -p "$HVX_LOGS"
	hvx_require_kver
	check_man "$tap"
	check_make_install "$tap"
	check_dkms "$tap"
}

main "$@"

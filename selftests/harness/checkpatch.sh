#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make checkpatch`: the kernel's scripts/checkpatch.pl (from Debian's
# linux-source-6.1 tarball, scripts/ extracted once into build/) over the
# kernel side of hvx. Fails on any ERROR; prints warnings too.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
SCRIPTS=$HVX_BUILD/linux-scripts

extract_scripts() {
	[[ -x $SCRIPTS/scripts/checkpatch.pl ]] && return
	[[ -f $SRC_TARBALL ]] || "$HVX_HARNESS/setup.sh" >/dev/null
	note "extracting scripts/ from $SRC_TARBALL (once)"
	rm -rf "$SCRIPTS"
	mkdir -p "$SCRIPTS"
	tar -xJf "$SRC_TARBALL" -C "$SCRIPTS" --strip-components=1 \
		--wildcards 'linux-source-6.1/scripts/*'
}

main() {
	local files out errors warnings
	extract_scripts
	cd "$HVX_TOP"
	files=(module/*.c module/*.h arch/x86/*.[chS] arch/arm64/*.[chS])
	((${#files[@]})) || die "no kernel sources found"
	out=$(perl "$SCRIPTS/scripts/checkpatch.pl" --no-tree -f --terse --no-summary \
		"${files[@]}" || true)
	[[ -n $out ]] && printf '%s\n' "$out"
	errors=$(grep -c ': ERROR:' <<<"$out" || true)
	warnings=$(grep -c ': WARNING:' <<<"$out" || true)
	note "checkpatch: ${#files[@]} files, $errors errors, $warnings warnings"
	((errors == 0))
}

main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Copies the module's sources (Kbuild, module/, arch/, uapi/) into DEST, for
# a build for another architecture: Kbuild writes objects next to their
# sources, so each architecture builds in a tree of its own. A file whose
# content has not changed is left as it is (with its objects); a file gone
# from the tree since the last copy goes from DEST too.
#
#   selftests/harness/copy-sources.sh DEST       (make module-arm64 runs it)
set -euo pipefail
export LC_ALL=C

SOURCES=(Kbuild module arch uapi)

# The files git sees (tracked, or new and not ignored); without git, every
# file that is not a build output.
list_sources() {
	git ls-files -co --exclude-standard -- "${SOURCES[@]}" 2>/dev/null ||
		find "${SOURCES[@]}" -type f ! -name '*.o' ! -name '*.ko' ! -name '*.mod' \
			! -name '*.mod.c' ! -name '*.cmd' ! -name '*.a' ! -name '*.order' \
			! -name '*.symvers'
}

main() {
	local dest f files=()
	dest=$(realpath -m "${1:?usage: copy-sources.sh DEST}")
	cd "$(dirname "${BASH_SOURCE[0]}")/../.."
	mkdir -p "$dest"
	while IFS= read -r f; do
		[[ -f $f ]] || continue # deleted, still in git's index
		files+=("$f")
		cmp -s "$f" "$dest/$f" || install -D -p -m 0644 "$f" "$dest/$f"
	done < <(list_sources | sort -u)
	if [[ -f $dest/.sources ]]; then
		comm -23 "$dest/.sources" <(printf '%s\n' "${files[@]}") |
			while IFS= read -r f; do rm -f "$dest/$f"; done
	fi
	printf '%s\n' "${files[@]}" >"$dest/.sources"
}

main "$@"

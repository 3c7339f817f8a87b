#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guides in docs/ name hvx's files and functions so that a reader can
# open them; this fails (one TAP line, appended to TAP) when one of those
# names no longer exists, so that the guides move with the code.
#
#   docs-check.sh [TAP]     (without TAP: print the line; exit status 1
#                           when a name is gone)
#
# In docs/*.md, between backquotes:
#   `name()`          a function (or macro) hvx defines: a C definition
#                     starting its line ("static int name(", "#define
#                     name("), or an assembly SYM_*_START(name)
#   `dir/file.c`      a path from the top of the tree, which must exist
#   `file.c`          a file name (.c .h .S .sh .md .rules .conf .1, or
#                     Makefile, Kbuild) that some file in the tree has
# Anything else (commands, ioctls, registers) is not checked. Functions of
# Linux or the C library are written without backquoted parentheses.
set -euo pipefail

# shellcheck source=selftests/harness/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# docs_files: the tree's files, one a line, relative to the top
docs_files() {
	(cd "$HVX_TOP" && { git ls-files -co --exclude-standard 2>/dev/null ||
		find . -type f ! -path './build/*' | sed 's|^\./||'; }) | sort -u
}

# defined NAME: whether hvx's sources define function or macro NAME
defined() {
	local name=$1
	(cd "$HVX_TOP" && grep -Eqs -r --include='*.[chS]' \
		-e "^[a-zA-Z_].*[^a-zA-Z0-9_]\\*?$name\\(" \
		-e "^#define $name\\(" \
		-e "^SYM_[A-Z_]*START[A-Z_]*\\(${name}[,)]" \
		module arch uapi userspace selftests)
}

# doc_tokens MD...: every backquoted word of the guides, once
doc_tokens() {
	local md
	for md in "$@"; do
		# shellcheck disable=SC2016 # backquotes, not an expansion
		grep -o '`[^`]*`' "$md"
	done | sort -u
}

main() {
	local tap=${1:-} files tok missing=() nf=0 nfn=0
	local name="build: docs/ names only files and functions that exist"
	local docs=("$HVX_TOP"/docs/*.md)
	if [[ -z $tap ]]; then
		DOCS_TAP=$(mktemp)
		tap=$DOCS_TAP
		trap 'cat "$DOCS_TAP"; rm -f "$DOCS_TAP"' EXIT
	fi
	if ((${#docs[@]} == 0)); then
		tap_line "$tap" FAIL "$name" "no docs/*.md"
		return 1
	fi
	files=$(docs_files)
	while IFS= read -r tok; do
		tok=${tok//\`/}
		if [[ $tok =~ ^[A-Za-z_][A-Za-z0-9_]*\(\)$ ]]; then
			nfn=$((nfn + 1))
			defined "${tok%()}" || missing+=("$tok")
		elif [[ $tok =~ ^[A-Za-z0-9_./-]+\.(c|h|S|sh|md|rules|conf|1)$ ||
			$tok =~ (^|/)(Makefile|Kbuild)$ ]]; then
			nf=$((nf + 1))
			if [[ $tok == */* ]]; then
				grep -qxF -- "${tok#./}" <<<"$files" ||
					[[ -d $HVX_TOP/${tok%/} ]] || missing+=("$tok")
			else
				grep -qE -- "(^|/)${tok//./\\.}\$" <<<"$files" || missing+=("$tok")
			fi
		fi
	done < <(doc_tokens "${docs[@]}")
	if ((${#missing[@]})); then
		tap_line "$tap" FAIL "$name" "gone: ${missing[*]}"
		return 1
	else
		tap_line "$tap" OK "$name ($nf files, $nfn functions)"
	fi
}

main "$@"

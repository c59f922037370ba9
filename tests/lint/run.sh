#!/bin/sh
# npm run lint: hadolint on every Dockerfile, ShellCheck on every shell script, actionlint
# and zizmor on the GitHub Actions workflows. The linters come pinned and hash-checked
# from tests/infra/linters.sh (cached: a warm run installs nothing); their settings are in
# .hadolint.yaml, .shellcheckrc and .github/zizmor.yml. Every finding is printed with its
# file and line; the exit status is 1 when any linter found something.
# Files: those git knows (tracked, or new and not ignored), else every file outside
# node_modules/ and .git/:
#   Dockerfiles: named Dockerfile or *.Dockerfile (a runtime's Dockerfile.build fragment is
#     checked inside the Dockerfile generated from it);
#   shell scripts: *.sh, and any other file whose first line is a sh/bash/dash shebang or
#     a `# shellcheck shell=` directive;
#   workflows: .github/workflows/*.yml|*.yaml (zizmor also audits any composite action
#     or Dependabot file it finds).
# One linter alone: `BIN=$(tests/infra/linters.sh)`, then e.g. `"$BIN/shellcheck" FILE`
# (run from the repository root, so that the config files are found).
set -eu
cd "$(dirname "$0")/../.."

BIN=$(tests/infra/linters.sh)
LIST=$(mktemp -d)
trap 'rm -rf "$LIST"' EXIT
trap 'exit 130' INT TERM

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard
else
  find . \( -name node_modules -o -name .git \) -prune -o -type f -print0
fi | tr '\0' '\n' | sed 's|^\./||' | sort -u >"$LIST/all"

: >"$LIST/docker"
: >"$LIST/shell"
: >"$LIST/workflows"
: >"$LIST/other"
while IFS= read -r f; do
  [ -f "$f" ] || continue # deleted in the work tree
  case $f in
    *.sh | *.bash) target=shell ;;
    *) target=other ;;
  esac
  case $f in
    Dockerfile | */Dockerfile | *.Dockerfile) target=docker ;;
    .github/workflows/*.yml | .github/workflows/*.yaml) target=workflows ;;
  esac
  printf '%s\n' "$f" >>"$LIST/$target"
done <"$LIST/all"
# Everything else: a shell script by its first line (one awk for all of them).
# shellcheck disable=SC2016 # $0 is awk's, in awk's program
tr '\n' '\0' <"$LIST/other" | xargs -0 -r awk '
  FNR == 1 {
    if ($0 ~ /^#![ \t]*\/[^ \t]*\/(env[ \t]+)?(sh|bash|dash)([ \t]|$)/ || $0 ~ /^# shellcheck shell=/) print FILENAME
    nextfile
  }' >>"$LIST/shell"
sort -u -o "$LIST/shell" "$LIST/shell"

if grep -q '[[:space:]]' "$LIST/docker" "$LIST/shell" "$LIST/workflows"; then
  echo "lint: file names with blanks are not supported:" >&2
  grep -h '[[:space:]]' "$LIST/docker" "$LIST/shell" "$LIST/workflows" >&2
  exit 1
fi
set -f # the names are arguments, never patterns

failed=
passed=
# run NAME WHAT CMD...: runs CMD under a header; its own output and exit status count.
run() {
  _name=$1
  printf '== %s: %s\n' "$1" "$2"
  shift 2
  if "$@" </dev/null; then
    passed="$passed $_name"
  else
    failed="$failed $_name"
  fi
}
count() { wc -l <"$1" | tr -d ' '; }

# $(cat LIST) below: one argument per line of the list (no blanks, no globbing, see above).
# shellcheck disable=SC2046
run hadolint "$(count "$LIST/docker") Dockerfiles" \
  "$BIN/hadolint" --no-color --config .hadolint.yaml $(cat "$LIST/docker")
# shellcheck disable=SC2046
run shellcheck "$(count "$LIST/shell") scripts" \
  "$BIN/shellcheck" --format=gcc $(cat "$LIST/shell")
# actionlint runs the workflows' run: scripts through the same ShellCheck; no pyflakes
# (no workflow runs Python).
# shellcheck disable=SC2046
run actionlint "$(count "$LIST/workflows") workflows" \
  "$BIN/actionlint" -no-color -shellcheck "$BIN/shellcheck" -pyflakes= $(cat "$LIST/workflows")
# zizmor collects the workflows (and any action or Dependabot file) itself; --offline: no
# GitHub API, so the audits that ask GitHub (impostor commits, known-vulnerable actions)
# do not run.
run zizmor "the repository's workflows" \
  "$BIN/zizmor" --offline --no-progress --quiet --color never --config .github/zizmor.yml .

if [ -n "$failed" ]; then
  printf 'lint: FAILED:%s (passed:%s)\n' "$failed" "${passed:- none}" >&2
  exit 1
fi
printf 'lint: passed:%s\n' "$passed"

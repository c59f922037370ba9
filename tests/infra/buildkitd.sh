#!/bin/sh
# Ensure a BuildKit daemon runs on this machine and that buildx (and so the
# docker-build Pulumi provider) knows it as a builder; print the builder's name
# on stdout, and nothing else there. Usage:
#   BUILDER=$(tests/infra/buildkitd.sh [REGISTRY ...]) || exit 1
# Why: the docker-build provider does not build with the engine's own BuildKit
# (the `docker` driver); without another builder it creates a docker-container
# one from moby/buildkit, which cannot be pulled here. So buildkitd runs on the
# host (OCI worker: Debian's runc), built from the Go module proxy at the
# version docker-build links, and a buildx `remote` builder points at it.
# Images it builds FROM must come from a registry it reaches (its own content
# store, not the engine's): each REGISTRY argument (host:port) is one it may
# talk to over plain HTTP (a local test registry).
# Idempotent: a running daemon with the same config is reused.
# Env: CLAWLAB_BUILDKIT_VERSION (default v0.31.0, the BuildKit docker-build
#      0.0.22 links), CLAWLAB_BUILDKIT_CACHE (default /var/cache/clawlab-buildkit),
#      DOCKER_CONFIG (where buildx keeps its builders; default ~/.docker).
set -eu
. "$(dirname "$0")/lib.sh"

VERSION=${CLAWLAB_BUILDKIT_VERSION:-v0.31.0}
CACHE=${CLAWLAB_BUILDKIT_CACHE:-/var/cache/clawlab-buildkit}
BIN=$CACHE/$VERSION
RUN=/run/clawlab-buildkit
SOCK=$RUN/buildkitd.sock
CONF=$RUN/buildkitd.toml
LOG=/var/log/clawlab-buildkitd.log
NAME=clawlab
INSTANCES=${DOCKER_CONFIG:-$HOME/.docker}/buildx/instances

# config: buildkitd.toml for the registries given (plain HTTP, no TLS check).
config() {
  printf '# written by tests/infra/buildkitd.sh\n[worker.containerd]\n  enabled = false\n'
  for r in "$@"; do
    printf '[registry."%s"]\n  http = true\n  insecure = true\n' "$r"
  done
}

# running: our daemon answers on its socket.
running() {
  [ -S "$SOCK" ] && "$BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1
}

# register: the buildx builder instance file (the `remote` driver, our socket).
register() {
  mkdir -p "$INSTANCES"
  printf '{"Name":"%s","Driver":"remote","Nodes":[{"Name":"%s0","Endpoint":"unix://%s","Platforms":null,"DriverOpts":{},"Flags":null,"Files":null}],"Dynamic":false}\n' \
    "$NAME" "$NAME" "$SOCK" >"$INSTANCES/$NAME"
}

mkdir -p "$RUN"
want=$(config "$@")
if running && [ "$(cat "$CONF" 2>/dev/null)" = "$want" ]; then
  register
  printf '%s\n' "$NAME"
  exit 0
fi

mkdir -p /var/lock
exec 9>/var/lock/clawlab-buildkitd.lock
if have flock; then flock 9; fi

# 1. buildkitd and buildctl from the module proxy (built inside the module: its
#    go.mod has exclude directives, which `go install` refuses).
if [ ! -x "$BIN/buildkitd" ] || [ ! -x "$BIN/buildctl" ]; then
  have go || die "go is not on PATH (buildkitd is built from the Go module proxy)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT INT TERM
  src=$(cd "$work" && go mod download -json "github.com/moby/buildkit@$VERSION" | sed -n 's|^[[:space:]]*"Dir": "\(.*\)",*$|\1|p')
  [ -n "$src" ] && [ -d "$src" ] || die "go mod download github.com/moby/buildkit@$VERSION failed"
  cp -R "$src" "$work/buildkit" && chmod -R u+w "$work/buildkit"
  log "building buildkitd and buildctl $VERSION (minutes when cold)"
  for cmd in buildkitd buildctl; do
    (cd "$work/buildkit" && CGO_ENABLED=0 nice -n 10 go build -mod=mod -trimpath \
      -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$VERSION" -o "$work/$cmd" "./cmd/$cmd") >&2 ||
      die "go build of $cmd failed"
  done
  mkdir -p "$BIN"
  mv "$work/buildkitd" "$work/buildctl" "$BIN/"
fi

# 2. The OCI worker's runtime.
apt_install runc

# 3. (Re)start the daemon with this config.
if [ -f "$RUN/buildkitd.pid" ]; then
  pid=$(cat "$RUN/buildkitd.pid")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = buildkitd ]; then
    log "restarting buildkitd (pid $pid) with a new config"
    kill "$pid"
    wait_for_cmd 15 "$LOG" sh -c "! kill -0 $pid" || die "buildkitd $pid did not stop"
  fi
fi
printf '%s\n' "$want" >"$CONF"
rm -f "$SOCK"
log "starting buildkitd $VERSION on $SOCK (log: $LOG)"
start_bg "$LOG" "$RUN/buildkitd.pid" "$BIN/buildkitd" --addr "unix://$SOCK" --config "$CONF" --root /var/lib/clawlab-buildkit
wait_for_cmd 30 "$LOG" running || die "buildkitd did not answer on $SOCK"
register
printf '%s\n' "$NAME"

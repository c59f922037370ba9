#!/bin/sh
# Ensure a Docker engine is running on this machine; print the absolute path
# of the Debian docker client (from the docker.io package) on stdout, and
# nothing else there. Usage:
#   DOCKER=$(tests/infra/engine.sh) || exit 1
#   DOCKER_BUILDKIT=1 "$DOCKER" build ...
# Why the Debian client: the `docker` first on PATH here (/usr/local/bin/docker,
# 28.x) hands `docker build` to the buildx plugin, which is not installed and
# cannot be; Debian's 20.10 client has BuildKit built in (DOCKER_BUILDKIT=1).
# Idempotent: when `docker info` already answers, it only prints the path.
# Env: CLAWLAB_DOCKERD_LOG (default /var/log/clawlab-dockerd.log),
#      CLAWLAB_DOCKERD_TIMEOUT seconds (default 60).
set -eu
. "$(dirname "$0")/lib.sh"

DOCKERD_LOG=${CLAWLAB_DOCKERD_LOG:-/var/log/clawlab-dockerd.log}
TIMEOUT=${CLAWLAB_DOCKERD_TIMEOUT:-60}
PIDFILE=/var/run/docker.pid

debian_client() {
  dpkg -L docker.io 2>/dev/null | grep '/bin/docker$' | head -n 1
}

DOCKER=$(debian_client)
if [ -n "$DOCKER" ] && [ -x "$DOCKER" ] && "$DOCKER" info >/dev/null 2>&1; then
  printf '%s\n' "$DOCKER"
  exit 0
fi

# Serialise concurrent callers (two suites starting at once).
mkdir -p /var/lock
exec 9>/var/lock/clawlab-engine.lock
if have flock; then flock 9; fi

apt_install docker.io
DOCKER=$(debian_client)
if [ -z "$DOCKER" ] || [ ! -x "$DOCKER" ]; then
  die "docker.io installed but its client was not found"
fi
DOCKERD=$(dpkg -L docker.io | grep '/bin/dockerd$' | head -n 1)
[ -n "$DOCKERD" ] || DOCKERD=/usr/sbin/dockerd

if "$DOCKER" info >/dev/null 2>&1; then
  printf '%s\n' "$DOCKER"
  exit 0
fi

# A dockerd that is still starting: wait for it rather than start another.
running=
if [ -f "$PIDFILE" ]; then
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ]; then
    running=$pid
    log "dockerd (pid $pid) is running; waiting for it"
  else
    log "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
fi

if [ -z "$running" ]; then
  log "starting $DOCKERD (log: $DOCKERD_LOG)"
  start_bg "$DOCKERD_LOG" /var/run/clawlab-dockerd.pid "$DOCKERD"
  running=$(cat /var/run/clawlab-dockerd.pid)
fi

i=0
while ! "$DOCKER" info >/dev/null 2>&1; do
  if ! kill -0 "$running" 2>/dev/null; then
    log "dockerd exited"
    dump_log "$DOCKERD_LOG"
    exit 1
  fi
  i=$((i + 1))
  if [ "$i" -gt $((TIMEOUT * 5)) ]; then
    log "dockerd did not answer within ${TIMEOUT}s"
    dump_log "$DOCKERD_LOG"
    exit 1
  fi
  sleep 0.2
done
log "docker engine ready ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
printf '%s\n' "$DOCKER"

#!/bin/sh
# Start (or reuse) a local image registry with htpasswd (bcrypt) auth, from
# Debian's docker-registry package (docker/distribution 2.8). Prints the
# registry address HOST:PORT on stdout (only that). Usage:
#   REGISTRY=$(tests/infra/registry.sh [PORT])            # default 5000
#   REGISTRY_USER=u REGISTRY_PASSWORD=p tests/infra/registry.sh 5001
#   CLAWLAB_REGISTRY_VERIFY=1 tests/infra/registry.sh     # also login/tag/push
# Env: REGISTRY_PORT (if no $1), REGISTRY_HOST (default 127.0.0.1),
#      REGISTRY_USER (default clawlab), REGISTRY_PASSWORD
#      (default clawlab-test-password).
# Files: /var/lib/clawlab-test-registry/<port>/{config.yml,htpasswd,storage/},
#        pid file registry.pid there, log /var/log/clawlab-registry-<port>.log.
# Idempotent: when a registry of ours already answers on the port and the
# credentials are accepted, nothing is restarted. If the credentials changed,
# our registry is restarted with the new htpasswd (storage is kept).
# Plain HTTP: Docker treats 127.0.0.0/8 as an insecure registry by default,
# so no daemon.json `insecure-registries` entry is needed for 127.0.0.1 or
# localhost; any other host address would need one.
set -eu
. "$(dirname "$0")/lib.sh"

PORT=${1:-${REGISTRY_PORT:-5000}}
HOST=${REGISTRY_HOST:-127.0.0.1}
USER_=${REGISTRY_USER:-clawlab}
PASS=${REGISTRY_PASSWORD:-clawlab-test-password}
BASE=/var/lib/clawlab-test-registry
DIR=$BASE/$PORT
LOG=/var/log/clawlab-registry-$PORT.log
PIDFILE=$DIR/registry.pid
ADDR=$HOST:$PORT

auth_ok() { # 200 on /v2/ with the credentials
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$USER_:$PASS" "http://$ADDR/v2/" 2>/dev/null)" = 200 ]
}
is_registry() { # a registry (any auth) answers: 200 or 401 with the API header
  curl -s -D - -o /dev/null "http://$ADDR/v2/" 2>/dev/null | grep -qi '^docker-distribution-api-version: registry/2.0'
}
our_pid() {
  _pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$_pid" ] && [ "$(cat "/proc/$_pid/comm" 2>/dev/null || true)" = docker-registry ]; then
    echo "$_pid"
  fi
}

verify_push() {
  DOCKER=$("$(dirname "$0")/engine.sh")
  IMAGE=$("$(dirname "$0")/base-image.sh")
  cfg=$(mktemp -d)
  # A throw-away client config: `docker login` stores the password (base64)
  # in $DOCKER_CONFIG/config.json; keep it out of /root/.docker.
  log "verifying login/tag/push of $IMAGE to $ADDR"
  printf '%s' "$PASS" | DOCKER_CONFIG=$cfg "$DOCKER" login --username "$USER_" --password-stdin "$ADDR" >&2
  "$DOCKER" tag "$IMAGE" "$ADDR/clawlab-test/debian:bookworm"
  DOCKER_CONFIG=$cfg "$DOCKER" push "$ADDR/clawlab-test/debian:bookworm" >&2
  DOCKER_CONFIG=$cfg "$DOCKER" logout "$ADDR" >&2 || true
  "$DOCKER" rmi "$ADDR/clawlab-test/debian:bookworm" >/dev/null
  rm -rf "$cfg"
  curl -fsS -u "$USER_:$PASS" "http://$ADDR/v2/clawlab-test/debian/tags/list" >&2
  echo >&2
}

finish() {
  if [ "${CLAWLAB_REGISTRY_VERIFY:-0}" = 1 ]; then verify_push; fi
  printf '%s\n' "$ADDR"
  exit 0
}

if auth_ok; then finish; fi

have curl || apt_install curl
mkdir -p /var/lock "$DIR/storage"
exec 9>"/var/lock/clawlab-registry-$PORT.lock"
if have flock; then flock 9; fi
if auth_ok; then finish; fi

pid=$(our_pid)
if [ -n "$pid" ]; then
  log "registry pid $pid on $ADDR rejects the credentials for $USER_: restarting it with a new htpasswd"
  kill "$pid"
  wait_for_cmd 15 "" sh -c "! kill -0 $pid" || die "registry pid $pid did not stop"
elif port_open "$HOST" "$PORT"; then
  if is_registry; then
    die "a registry not started by this script answers on $ADDR and rejects $USER_'s credentials"
  fi
  die "port $ADDR is taken by something else"
fi

apt_install docker-registry apache2-utils

umask 077
# bcrypt (-B) is the only hash docker/distribution's htpasswd accepts.
htpasswd -Bbn "$USER_" "$PASS" >"$DIR/htpasswd.tmp" 2>/dev/null || die "htpasswd failed"
mv "$DIR/htpasswd.tmp" "$DIR/htpasswd"
secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
cat >"$DIR/config.yml" <<YAML
version: 0.1
log:
  level: info
  fields:
    service: clawlab-test-registry
storage:
  filesystem:
    rootdirectory: $DIR/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $ADDR
  secret: $secret
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: clawlab-test-registry
    path: $DIR/htpasswd
YAML
umask 022

log "starting docker-registry on $ADDR (log: $LOG)"
start_bg "$LOG" "$PIDFILE" docker-registry serve "$DIR/config.yml"
wait_for_port "$HOST" "$PORT" 30 "$LOG" "$(cat "$PIDFILE")" || exit 1
wait_for_cmd 10 "$LOG" auth_ok || die "registry is up but rejects $USER_'s credentials"
finish

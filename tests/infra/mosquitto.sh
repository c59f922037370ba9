#!/bin/sh
# Start (or reuse) a mosquitto broker (Debian package) with a config file the
# caller wrote, and wait until it listens. Prints HOST:PORT on stdout (only
# that). Usage:
#   tests/infra/mosquitto.sh CONF PORT [HOST]    # HOST default 127.0.0.1
#   tests/infra/mosquitto.sh stop PORT
# CONF must contain the listener, e.g.
#   listener 18830 127.0.0.1
#   allow_anonymous false
#   password_file /path/passwd     (made with mosquitto_passwd -c -b FILE U P)
# Do not put `daemon true`, `log_dest` (stderr/stdout are logged for you) or a
# `pid_file` in it: the script runs mosquitto in the foreground, detached.
# Started as root, mosquitto 2 switches to the `mosquitto` user (or the
# config's `user`) after reading CONF: password/ACL/cert files it opens later
# and persistence_location must be readable/writable by that user
# (or set `user root` in a throw-away test config).
# Also installs mosquitto-clients (mosquitto_pub, mosquitto_sub) for tests.
# Idempotent: one broker per PORT; reused when it runs with the same CONF
# path and content, restarted when the content changed. Files: pid and
# config checksum in /run/clawlab-mosquitto/PORT.{pid,sum},
# log /var/log/clawlab-mosquitto-PORT.log.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 CONF PORT [HOST] | $0 stop PORT"; }
STATE=/run/clawlab-mosquitto
[ -w /run ] || STATE=/tmp/clawlab-mosquitto

our_pid() { # $1 = port
  _pid=$(cat "$STATE/$1.pid" 2>/dev/null || true)
  if [ -n "$_pid" ] && [ "$(cat "/proc/$_pid/comm" 2>/dev/null || true)" = mosquitto ]; then
    echo "$_pid"
  fi
}
stop_port() { # $1 = port
  _pid=$(our_pid "$1")
  if [ -n "$_pid" ]; then
    log "stopping mosquitto pid $_pid (port $1)"
    kill "$_pid" 2>/dev/null || true
    wait_for_cmd 10 "" sh -c "! kill -0 $_pid 2>/dev/null" || kill -9 "$_pid" 2>/dev/null || true
  fi
  rm -f "$STATE/$1.pid" "$STATE/$1.sum"
}

[ $# -ge 2 ] || usage
if [ "$1" = stop ]; then
  stop_port "$2"
  exit 0
fi

CONF=$1 PORT=$2 HOST=${3:-127.0.0.1}
[ -f "$CONF" ] || die "config file $CONF not found"
CONF=$(readlink -f "$CONF")
case $PORT in ''|*[!0-9]*) usage ;; esac
LOG=/var/log/clawlab-mosquitto-$PORT.log
SUM="$CONF $(sha256sum <"$CONF" | cut -d' ' -f1)"

mkdir -p "$STATE" /var/lock
exec 9>"/var/lock/clawlab-mosquitto-$PORT.lock"
if have flock; then flock 9; fi

pid=$(our_pid "$PORT")
if [ -n "$pid" ]; then
  if [ "$(cat "$STATE/$PORT.sum" 2>/dev/null || true)" = "$SUM" ] && port_open "$HOST" "$PORT"; then
    printf '%s:%s\n' "$HOST" "$PORT"
    exit 0
  fi
  log "config changed (or broker not listening): restarting"
  stop_port "$PORT"
elif port_open "$HOST" "$PORT"; then
  die "port $HOST:$PORT is taken by a process this script did not start"
fi

apt_install mosquitto mosquitto-clients

log "starting mosquitto -c $CONF (log: $LOG)"
: >"$LOG"
start_bg "$LOG" "$STATE/$PORT.pid" mosquitto -c "$CONF"
wait_for_port "$HOST" "$PORT" 20 "$LOG" "$(cat "$STATE/$PORT.pid")" || {
  rm -f "$STATE/$PORT.pid"
  exit 1
}
printf '%s\n' "$SUM" >"$STATE/$PORT.sum"
printf '%s:%s\n' "$HOST" "$PORT"

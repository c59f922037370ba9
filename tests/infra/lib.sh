# shellcheck shell=sh
# Shared helpers for the tests/infra scripts. POSIX sh; source it:
#   . "$(dirname "$0")/lib.sh"
# Everything here writes to stderr only, so scripts can keep stdout for their
# single machine-readable result (a path, a URL).

: "${CLAWLAB_INFRA_PREFIX:=clawlab-infra}"

# log MSG... : one line on stderr, prefixed with the script name.
log() {
  printf '[%s:%s] %s\n' "$CLAWLAB_INFRA_PREFIX" "${0##*/}" "$*" >&2
}

# die MSG... : log and exit 1.
die() {
  log "ERROR: $*"
  exit 1
}

# have CMD : true if CMD is on PATH.
have() {
  command -v "$1" >/dev/null 2>&1
}

# apt_update_once : run `apt-get update` at most once (a stamp file in /run,
# else /tmp), so several scripts in one CI run do not each refresh the lists.
# The stamp may outlive a session on a reused machine: apt_install retries
# with a forced update when an install fails on old lists.
# apt_update_once force : update even if the stamp exists.
_apt_stamp() {
  if [ -d /run ] && [ -w /run ]; then echo /run/clawlab-apt-updated; else echo /tmp/clawlab-apt-updated; fi
}
apt_update_once() {
  _stamp=$(_apt_stamp)
  if [ -e "$_stamp" ] && [ "${1:-}" != force ]; then
    return 0
  fi
  log "apt-get update"
  # DPkg::Lock::Timeout does not cover update's lists lock: retry on it.
  _out=$(mktemp)
  _n=0
  until DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get -o DPkg::Lock::Timeout=600 update -q >"$_out" 2>&1 9>&-; do
    if grep -q 'Could not get lock' "$_out" && [ "$_n" -lt 120 ]; then
      _n=$((_n + 1))
      sleep 5
      continue
    fi
    cat "$_out" >&2
    rm -f "$_out"
    die "apt-get update failed"
  done
  cat "$_out" >&2
  rm -f "$_out"
  : >"$_stamp"
}

# apt_install PKG... : install those Debian packages that are not installed
# yet (nothing, not even `apt-get update`, when all are). The packages'
# maintainer scripts must not start their services (our scripts start them,
# on their own ports and configs): these machines have a policy-rc.d that
# forbids it; where there is none, a temporary one is put in place.
# Waits up to 10 min for the dpkg lock (another apt-get running at the same
# time). If the install fails with lists from an earlier update, update and
# retry once. NEEDRESTART_SUSPEND: needrestart (pulled in by docker.io) must
# not restart services that tests are using.
apt_install() {
  _missing=
  for _p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$_p" 2>/dev/null | grep -q 'ok installed'; then
      _missing="$_missing $_p"
    fi
  done
  [ -n "$_missing" ] || return 0
  apt_update_once
  _policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from clawlab tests/infra/lib.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    _policy=1
  fi
  log "apt-get install -y$_missing"
  _rc=0
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get -o DPkg::Lock::Timeout=600 install -y -q $_missing >&2 9>&- || _rc=$?
  if [ "$_rc" != 0 ]; then
    apt_update_once force
    _rc=0
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get -o DPkg::Lock::Timeout=600 install -y -q $_missing >&2 9>&- || _rc=$?
  fi
  [ -z "$_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$_rc" = 0 ] || die "apt-get install failed:$_missing"
}

# port_open HOST PORT : true if a TCP connect to HOST:PORT succeeds now.
# Uses bash's /dev/tcp when bash exists (it does on Debian), else nc.
port_open() {
  if have bash; then
    bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
  elif have nc; then
    nc -z "$1" "$2" >/dev/null 2>&1
  else
    die "port_open: need bash or nc"
  fi
}

# dump_log FILE : print the last lines of a service log on stderr.
dump_log() {
  if [ -n "${1:-}" ] && [ -f "$1" ]; then
    log "---- last 60 lines of $1 ----"
    tail -n 60 "$1" >&2
    log "---- end of $1 ----"
  fi
}

# wait_for_port HOST PORT TIMEOUT_S [LOGFILE] [PID] : wait until HOST:PORT
# accepts a connection. On timeout (or if PID dies), dump LOGFILE and return 1.
wait_for_port() {
  _h=$1 _p=$2 _t=${3:-30} _log=${4:-} _pid=${5:-}
  _i=0
  while [ "$_i" -lt $((_t * 5)) ]; do
    if port_open "$_h" "$_p"; then
      return 0
    fi
    if [ -n "$_pid" ] && ! kill -0 "$_pid" 2>/dev/null; then
      log "process $_pid exited before $_h:$_p opened"
      dump_log "$_log"
      return 1
    fi
    sleep 0.2
    _i=$((_i + 1))
  done
  log "timed out after ${_t}s waiting for $_h:$_p"
  dump_log "$_log"
  return 1
}

# wait_for_cmd TIMEOUT_S LOGFILE CMD... : wait until CMD succeeds (e.g.
# `docker info`, `pg_isready`); on timeout dump LOGFILE and return 1.
wait_for_cmd() {
  _t=$1 _log=$2
  shift 2
  _i=0
  while [ "$_i" -lt $((_t * 5)) ]; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
    _i=$((_i + 1))
  done
  log "timed out after ${_t}s waiting for: $*"
  dump_log "$_log"
  return 1
}

# wait_for_socket PATH TIMEOUT_S [LOGFILE] : wait until PATH is a unix socket.
wait_for_socket() {
  wait_for_cmd "${2:-30}" "${3:-}" test -S "$1"
}

# start_bg LOGFILE PIDFILE CMD... : start CMD detached from this shell (own
# session when setsid exists, stdin from /dev/null, output to LOGFILE) and
# write its pid to PIDFILE. The process outlives the calling script. fd 9
# (the scripts' flock fd) is closed in the child so it does not hold the lock.
start_bg() {
  _log=$1 _pidf=$2
  shift 2
  mkdir -p "$(dirname "$_log")" "$(dirname "$_pidf")"
  if have setsid; then
    setsid "$@" </dev/null >>"$_log" 2>&1 9>&- &
  else
    nohup "$@" </dev/null >>"$_log" 2>&1 9>&- &
  fi
  echo $! >"$_pidf"
}

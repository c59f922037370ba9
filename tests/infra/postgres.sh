#!/bin/sh
# Ensure a PostgreSQL server (Debian `postgresql` package, cluster `main` of
# the newest installed major version, via pg_ctlcluster) runs on
# 127.0.0.1:5432, with a login role and a database owned by it. Prints a
# connection URL on stdout (only that). Usage:
#   DATABASE_URL=$(tests/infra/postgres.sh)
#   # postgresql://clawlab:clawlab-test-password@127.0.0.1:5432/clawlab_test
# Env: PG_USER (default clawlab), PG_PASSWORD (default clawlab-test-password),
#      PG_DB (default clawlab_test), PG_PORT (default 5432; must be the
#      cluster's configured port), PG_SUPERUSER=1 to make the role superuser
#      (e.g. for tests that CREATE EXTENSION).
# Idempotent: an already running cluster is reused; the role's password is
# (re)set and the database created only if missing.
# Auth: the Debian default pg_hba.conf allows scram-sha-256 password logins
# over TCP from 127.0.0.1/::1; the postgres superuser uses peer auth on the
# unix socket (`su postgres -c psql` / `runuser -u postgres -- psql`).
set -eu
. "$(dirname "$0")/lib.sh"

PG_USER=${PG_USER:-clawlab}
PG_PASSWORD=${PG_PASSWORD:-clawlab-test-password}
PG_DB=${PG_DB:-clawlab_test}
PG_PORT=${PG_PORT:-5432}
CLUSTER=main

case $PG_USER in *[!a-z0-9_]*|'') die "PG_USER must match [a-z0-9_]+" ;; esac
case $PG_DB in *[!a-z0-9_]*|'') die "PG_DB must match [a-z0-9_]+" ;; esac

apt_install postgresql
have pg_lsclusters || die "pg_lsclusters not found (postgresql-common)"

mkdir -p /var/lock
exec 9>/var/lock/clawlab-postgres.lock
if have flock; then flock 9; fi

# shellcheck disable=SC2012
VER=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
[ -n "$VER" ] || die "no PostgreSQL server version under /usr/lib/postgresql"

if ! pg_lsclusters -h | awk -v v="$VER" -v c="$CLUSTER" '$1 == v && $2 == c { f = 1 } END { exit !f }'; then
  log "creating cluster $VER/$CLUSTER on port $PG_PORT"
  pg_createcluster "$VER" "$CLUSTER" --port "$PG_PORT" >&2
fi
port=$(pg_lsclusters -h | awk -v v="$VER" -v c="$CLUSTER" '$1 == v && $2 == c { print $3 }')
[ "$port" = "$PG_PORT" ] || die "cluster $VER/$CLUSTER is configured for port $port, not $PG_PORT"
LOG=$(pg_lsclusters -h | awk -v v="$VER" -v c="$CLUSTER" '$1 == v && $2 == c { print $7 }')

status=$(pg_lsclusters -h | awk -v v="$VER" -v c="$CLUSTER" '$1 == v && $2 == c { print $4 }')
if [ "$status" != online ]; then
  log "pg_ctlcluster $VER $CLUSTER start (log: $LOG)"
  # 9>&-: the server must not inherit (and so hold) our lock fd.
  pg_ctlcluster "$VER" "$CLUSTER" start >&2 9>&- || { dump_log "$LOG"; die "pg_ctlcluster start failed"; }
fi
wait_for_port 127.0.0.1 "$PG_PORT" 30 "$LOG" || exit 1
wait_for_cmd 30 "$LOG" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || exit 1

psql_su() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"
}
# Password as a dollar-quoted literal: safe for any text without `$clawlab$`.
# shellcheck disable=SC2016
case $PG_PASSWORD in *'$clawlab$'*) die "PG_PASSWORD may not contain \$clawlab\$" ;; esac
superuser=NOSUPERUSER
[ "${PG_SUPERUSER:-0}" = 1 ] && superuser=SUPERUSER
psql_su -d postgres >&2 <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$PG_USER')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') \gexec
ALTER ROLE "$PG_USER" LOGIN $superuser PASSWORD \$clawlab\$$PG_PASSWORD\$clawlab\$;
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DB', '$PG_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL

# Percent-encode the password for the URL (RFC 3986 unreserved kept).
urlenc() {
  printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' | tr ' ' '\n' | grep . | while read -r h; do
    # shellcheck disable=SC2059
    case $h in
      3[0-9]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|2d|2e|5f|7e) printf "\\$(printf '%03o' "0x$h")" ;;
      *) printf '%%%s' "$(echo "$h" | tr a-f A-F)" ;;
    esac
  done
}
URL="postgresql://$PG_USER:$(urlenc "$PG_PASSWORD")@127.0.0.1:$PG_PORT/$PG_DB"
PGCONNECT_TIMEOUT=5 psql -X -q -d "$URL" -c 'SELECT 1' >/dev/null 2>&1 || die "login as $PG_USER over TCP failed"
printf '%s\n' "$URL"

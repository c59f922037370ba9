#!/bin/sh
# First start: a cluster whose superuser role POSTGRES_USER (password from POSTGRES_PASSWORD
# or POSTGRES_PASSWORD_FILE) owns POSTGRES_DB, as the official image makes them, with
# password logins over TCP from anywhere (a test sidecar on a private network).
# Every start: the server as PID 1.
set -eu

# password: POSTGRES_PASSWORD, or the file POSTGRES_PASSWORD_FILE names.
password() {
	if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then cat "$POSTGRES_PASSWORD_FILE"; else printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required}"; fi
}

# init_cluster: initdb, the role and its database (only when the data dir is empty).
init_cluster() {
	initdb -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
	printf '%s\n' "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
	printf '%s\n' 'host all all 0.0.0.0/0 scram-sha-256' >>"$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres \
		-v u="${POSTGRES_USER:?POSTGRES_USER is required}" -v p="$(password)" -v d="${POSTGRES_DB:?POSTGRES_DB is required}" <<'SQL'
CREATE ROLE :"u" LOGIN SUPERUSER PASSWORD :'p';
CREATE DATABASE :"d" OWNER :"u";
SQL
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
}

[ -s "$PGDATA/PG_VERSION" ] || init_cluster
exec postgres -D "$PGDATA"

#!/bin/sh
# MicroClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# MicroClaw's own step. MicroClaw takes nothing secret from env: the library renders
# its YAML (mode 0600) at every start. Its web UI would come up with the password
# "helloworld", so the operator password is set from CLAW_WEB_PASSWORD first.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh


# _mc_err MESSAGE: one line on stderr, never a value.
_mc_err() { printf 'clawlab: %s\n' "$1" >&2; }

# microclaw_set_password: set the web operator password from CLAW_WEB_PASSWORD with
# `microclaw web password` (argon2 in MicroClaw's database), only when it changed:
# the command also revokes every web session. A salted SHA-256 of the last password
# set is kept in <state>/.clawlab/web-password (0600) to tell. Reads CLAW_WEB_PASSWORD,
# CLAW_STATE_DIR, CLAW_CONFIG_PATH, _mc_bad (an error reported earlier: exit after
# the password's own checks, before changing anything); unsets CLAW_WEB_PASSWORD.
microclaw_set_password() {
	_mc_marker=$CLAW_STATE_DIR/.clawlab/web-password
	if [ -z "${CLAW_WEB_PASSWORD+x}" ]; then
		if [ -s "$_mc_marker" ]; then
			_mc_err 'CLAW_WEB_PASSWORD: not set; keeping the web password set earlier'
			return 0
		fi
		_mc_err 'CLAW_WEB_PASSWORD: is required (without it the web UI starts with the default password "helloworld")'
		exit 1
	fi
	case $CLAW_WEB_PASSWORD in
	[[:space:]]* | *[[:space:]])
		_mc_err 'CLAW_WEB_PASSWORD: must not start or end with white space (MicroClaw trims it)'
		exit 1
		;;
	esac
	if [ "${#CLAW_WEB_PASSWORD}" -lt 8 ]; then
		_mc_err 'CLAW_WEB_PASSWORD: must be at least 8 characters'
		exit 1
	fi
	[ -z "${_mc_bad-}" ] || exit 1
	_mc_salt=
	[ ! -s "$_mc_marker" ] || read -r _mc_salt _mc_old <"$_mc_marker" || :
	[ -n "$_mc_salt" ] || _mc_salt=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	_mc_sum=$(printf '%s\n%s' "$_mc_salt" "$CLAW_WEB_PASSWORD" | sha256sum) || exit 1
	_mc_sum=${_mc_sum%% *}
	if [ "${_mc_old-}" = "$_mc_sum" ]; then
		unset CLAW_WEB_PASSWORD
		return 0
	fi
	if ! microclaw --config "$CLAW_CONFIG_PATH" web password "$CLAW_WEB_PASSWORD"; then
		_mc_err 'CLAW_WEB_PASSWORD: MicroClaw could not set the web password (its message is above)'
		exit 1
	fi
	unset CLAW_WEB_PASSWORD
	(
		umask 077
		mkdir -p "${_mc_marker%/*}" &&
			printf '%s %s\n' "$_mc_salt" "$_mc_sum" >"$_mc_marker.new" &&
			mv -f "$_mc_marker.new" "$_mc_marker"
	) || _mc_err "CLAW_WEB_PASSWORD: set, but $_mc_marker could not be written (it will be set again next start)"
}

# microclaw_check_key: MicroClaw refuses to start without an api_key for every
# llm_provider the fleet uses but ollama ("api_key is required", and `web password`
# loads the same config); say so first, naming the variable, and set _mc_bad. Reads
# CLAW_LLM_PROVIDER (unset: the baked anthropic) and CLAW_API_KEY (CLAW_API_KEY_FILE
# is already read into it).
microclaw_check_key() {
	case ${CLAW_LLM_PROVIDER:-anthropic} in ollama) return 0 ;; esac
	if [ -z "${CLAW_API_KEY-}" ]; then
		_mc_err 'CLAW_API_KEY: is required (MicroClaw starts without a key only for llm_provider ollama)'
		_mc_bad=1
	fi
}

# claw_hook_pre_exec: before the server starts (not for other microclaw commands),
# check the key and set the web password; the runtime never sees CLAW_WEB_PASSWORD.
claw_hook_pre_exec() {
	case " $* " in
	*" start "*)
		_mc_bad=
		microclaw_check_key
		microclaw_set_password
		[ -z "$_mc_bad" ] || exit 1
		;;
	esac
	unset CLAW_WEB_PASSWORD
}

claw_main "$@"

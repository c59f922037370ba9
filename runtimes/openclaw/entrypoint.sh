#!/bin/sh
# OpenClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# OpenClaw's own checks. openclaw.json is rendered from the baked file at every
# start (the gateway runs with OPENCLAW_CONFIG_READONLY=1, so it never writes it
# back); secrets stay in the environment, where OpenClaw reads them natively:
# OPENCLAW_GATEWAY_TOKEN, the provider keys and TELEGRAM_BOT_TOKEN never reach
# the disk. Sourcing this file defines the functions only; it runs claw_main
# when executed.
# shellcheck source=../shared/clawlab-entrypoint.sh
. "${CLAW_LIB_DIR:-/usr/local/lib/clawlab}/clawlab-entrypoint.sh"


# _openclaw_err VAR REASON: one "clawlab: VAR: REASON" line on stderr, counted in _openclaw_nerr (never a value).
_openclaw_err() {
	printf 'clawlab: %s: %s\n' "$1" "$2" >&2
	_openclaw_nerr=$((${_openclaw_nerr:-0} + 1))
}

# openclaw_check: the rules OpenClaw enforces only at run time, checked before it
# starts so that the message names our variable. Reads OPENCLAW_GATEWAY_TOKEN,
# TELEGRAM_BOT_TOKEN and the CLAW_TELEGRAM_* variables; returns 1 after printing
# every problem.
openclaw_check() {
	_openclaw_nerr=0
	# The gateway binds beyond loopback (gateway.bind "lan"), which OpenClaw
	# refuses without auth; auth.mode "token" takes the token from this variable.
	case ${OPENCLAW_GATEWAY_TOKEN-} in
	'') _openclaw_err OPENCLAW_GATEWAY_TOKEN "not set: the gateway listens on all interfaces and needs a token (set it, or OPENCLAW_GATEWAY_TOKEN_FILE)" ;;
	*[[:space:]]*) _openclaw_err OPENCLAW_GATEWAY_TOKEN "contains white space; clients send it as a bearer token, which cannot carry it" ;;
	esac
	if [ "${CLAW_TELEGRAM_ENABLED-}" = true ] && [ -z "${TELEGRAM_BOT_TOKEN-}" ]; then
		_openclaw_err TELEGRAM_BOT_TOKEN "not set, but CLAW_TELEGRAM_ENABLED=true needs the bot token (or TELEGRAM_BOT_TOKEN_FILE)"
	fi
	# OpenClaw: dmPolicy "allowlist" with an empty allowFrom is a config error.
	if [ "${CLAW_TELEGRAM_DM_POLICY-}" = allowlist ] && [ -z "${CLAW_TELEGRAM_ALLOW_FROM-}" ]; then
		_openclaw_err CLAW_TELEGRAM_ALLOW_FROM "not set, but CLAW_TELEGRAM_DM_POLICY=allowlist needs at least one Telegram user id"
	fi
	# allowFrom holds numeric Telegram user ids (tg:/telegram: prefixes allowed).
	if [ -n "${CLAW_TELEGRAM_ALLOW_FROM-}" ]; then
		_openclaw_ids=$(printf '%s\n' "$CLAW_TELEGRAM_ALLOW_FROM" | LC_ALL=C awk '
			{ n = split($0, it, ","); for (i = 1; i <= n; i++) { v = it[i]; gsub(/^[ \t]+|[ \t]+$/, "", v); sub(/^(tg|telegram):/, "", v); if (v !~ /^[0-9]+$/) bad++ } }
			END { print bad + 0 }')
		[ "$_openclaw_ids" = 0 ] ||
			_openclaw_err CLAW_TELEGRAM_ALLOW_FROM "every item must be a numeric Telegram user id (optionally prefixed tg:), comma-separated"
	fi
	[ "$_openclaw_nerr" -eq 0 ]
}

# claw_hook_pre_exec: as the runtime user, after rendering: refuse a start that
# OpenClaw would refuse (or run insecurely), and pin its paths to the volume.
claw_hook_pre_exec() {
	openclaw_check || exit 1
	export OPENCLAW_STATE_DIR="$CLAW_STATE_DIR" OPENCLAW_CONFIG_PATH="$CLAW_CONFIG_PATH" \
		OPENCLAW_CONFIG_READONLY=1
}

# Run only when executed, not when sourced (tests source it as a library).
case ${0##*/} in
clawlab-entrypoint | entrypoint.sh) claw_main "$@" ;;
esac

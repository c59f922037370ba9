#!/bin/sh
# NullClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# NullClaw's own steps. NullClaw reads its config only from $HOME/.nullclaw/config.json
# and silently falls back to defaults when that file is malformed, so HOME is pinned
# to the volume and the library renders the file (mode 0600) at every start.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh


# _nullclaw_ip ADDR: true when ADDR is an IPv4 or IPv6 literal (NullClaw resolves no names).
_nullclaw_ip() {
	case $1 in
	*[!0-9.]*) ;;
	*.*.*.*)
		printf '%s\n' "$1" | awk -F. 'NF == 4 { for (i = 1; i <= 4; i++) if ($i == "" || $i > 255 || length($i) > 3) exit 1; exit 0 } { exit 1 }'
		return
		;;
	esac
	case $1 in *:*) case $1 in *[!0-9A-Fa-f:.]*) return 1 ;; *) return 0 ;; esac ;; esac
	return 1
}

# claw_hook_pre_exec: NullClaw-specific checks, then HOME on the volume so the config
# lands where it reads it. Reads NULLCLAW_GATEWAY_HOST, CLAW_MODEL_PRIMARY,
# CLAW_TELEGRAM_BOT_TOKEN.
claw_hook_pre_exec() {
	_nullclaw_bad=0
	# NullClaw splits agents.defaults.model.primary at its first "/" and refuses to start
	# when either side is empty (a model name may hold more slashes: openrouter/a/b).
	if [ -n "${CLAW_MODEL_PRIMARY+x}" ]; then
		case $CLAW_MODEL_PRIMARY in
		/*) _nullclaw_model=bad ;;
		*/?*) _nullclaw_model=ok ;;
		*) _nullclaw_model=bad ;;
		esac
		if [ "$_nullclaw_model" = bad ]; then
			printf 'clawlab: CLAW_MODEL_PRIMARY: must be provider/model, e.g. anthropic/claude-sonnet-4-5 (NullClaw refuses to start otherwise)\n' >&2
			_nullclaw_bad=1
		fi
	fi
	if [ -n "${NULLCLAW_GATEWAY_HOST+x}" ] && ! _nullclaw_ip "$NULLCLAW_GATEWAY_HOST"; then
		printf 'clawlab: NULLCLAW_GATEWAY_HOST: must be an IP literal such as 0.0.0.0 or :: (NullClaw does not resolve names)\n' >&2
		_nullclaw_bad=1
	fi
	if [ -n "${CLAW_TELEGRAM_BOT_TOKEN+x}" ] && [ -z "$CLAW_TELEGRAM_BOT_TOKEN" ]; then
		printf 'clawlab: CLAW_TELEGRAM_BOT_TOKEN: is empty; unset it to keep Telegram off (an empty token keeps NullClaw degraded)\n' >&2
		_nullclaw_bad=1
	fi
	[ "$_nullclaw_bad" = 0 ] || exit 1
	export HOME="$CLAW_STATE_DIR"
	export NULLCLAW_WORKSPACE="${NULLCLAW_WORKSPACE:-$CLAW_WORKSPACE_DIR}"
}

claw_main "$@"

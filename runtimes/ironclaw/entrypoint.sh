#!/bin/sh
# IronClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# IronClaw's own steps. The library renders config.toml (provider slot, storage and
# web UI settings; only variable NAMES, never secrets) into IRONCLAW_REBORN_HOME at
# every start; the secrets stay in the environment, where IronClaw reads them.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh


# claw_hook_pre_exec: fail fast on what IronClaw would refuse later, then pin its home
# to the volume and start it in the workspace. Reads IRONCLAW_REBORN_PROFILE,
# IRONCLAW_REBORN_WEBUI_TOKEN, IRONCLAW_REBORN_POSTGRES_URL, IRONCLAW_REBORN_SECRET_MASTER_KEY,
# IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON. Never prints a value.
claw_hook_pre_exec() {
	_ic_bad=0
	if [ -n "${IRONCLAW_REBORN_WEBUI_TOKEN-}" ]; then
		# Bytes, not characters: IronClaw counts the string's length in bytes.
		if [ "$(printf '%s' "$IRONCLAW_REBORN_WEBUI_TOKEN" | wc -c)" -lt 32 ]; then
			printf 'clawlab: IRONCLAW_REBORN_WEBUI_TOKEN: must be at least 32 bytes (it also signs the web sessions)\n' >&2
			_ic_bad=1
		fi
	elif [ ! -f "$CLAW_STATE_DIR/webui-token" ]; then
		printf 'clawlab: IRONCLAW_REBORN_WEBUI_TOKEN: is required (or a webui-token file in %s)\n' "$CLAW_STATE_DIR" >&2
		_ic_bad=1
	fi
	case ${IRONCLAW_REBORN_PROFILE:-hosted-single-tenant} in
	hosted-single-tenant | production | migration-dry-run)
		for _ic_v in IRONCLAW_REBORN_POSTGRES_URL IRONCLAW_REBORN_SECRET_MASTER_KEY; do
			eval "_ic_x=\${$_ic_v-}"
			if [ -z "$_ic_x" ]; then
				printf 'clawlab: %s: is required by the PostgreSQL profile\n' "$_ic_v" >&2
				_ic_bad=1
			fi
		done
		if [ "${IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON-}" != true ]; then
			printf 'clawlab: IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: must be true with the PostgreSQL profile (one IronClaw per database)\n' >&2
			_ic_bad=1
		fi
		;;
	*)
		# The baked config.toml carries [storage]: IronClaw refuses it on every other profile.
		printf 'clawlab: IRONCLAW_REBORN_PROFILE: this image runs the PostgreSQL profiles only (hosted-single-tenant, production, migration-dry-run)\n' >&2
		_ic_bad=1
		;;
	esac
	unset _ic_x
	[ "$_ic_bad" = 0 ] || exit 1
	export IRONCLAW_REBORN_HOME="$CLAW_STATE_DIR"
	# IronClaw takes its workspace root from the working directory and refuses one that
	# holds its skill roots (IRONCLAW_REBORN_HOME/skills, the image's WORKDIR is that home).
	if ! { mkdir -p "$CLAW_WORKSPACE_DIR" && cd "$CLAW_WORKSPACE_DIR"; }; then
		printf 'clawlab: CLAW_WORKSPACE_DIR: cannot enter %s\n' "$CLAW_WORKSPACE_DIR" >&2
		exit 1
	fi
}

claw_main "$@"

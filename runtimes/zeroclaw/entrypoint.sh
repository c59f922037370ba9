#!/bin/sh
# ZeroClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# ZeroClaw's own steps. Everything the fleet configures is a native
# ZEROCLAW_<path> override that ZeroClaw applies at load and never writes back, so
# the library only validates those; config.toml is ZeroClaw's own state (it stores
# the tokens paired at run time there) and is seeded once, never replaced.
. /usr/local/lib/clawlab/clawlab-entrypoint.sh

CLAW_COMMAND='zeroclaw daemon --host 0.0.0.0'

# claw_render [MODE]: the library's claw_render, except that `render` leaves an
# existing config.toml alone (seed-if-missing). Reads CLAW_CONFIG_PATH, CLAW_LIB_DIR.
claw_render() {
	if [ "${1:-render}" = render ] && [ -e "$CLAW_CONFIG_PATH" ]; then
		return 0
	fi
	# The library's own claw_render, from a fresh copy of the library in a subshell.
	(
		. "$CLAW_LIB_DIR/clawlab-entrypoint.sh"
		claw_render "$@"
	)
}

# claw_hook_pre_exec: point ZeroClaw at the volume (config.toml, data/, .secret_key,
# agents/) whatever the caller's environment says.
claw_hook_pre_exec() {
	export ZEROCLAW_CONFIG_DIR="$CLAW_STATE_DIR"
}

claw_main "$@"

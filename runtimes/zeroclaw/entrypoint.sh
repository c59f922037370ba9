#!/bin/sh
# ZeroClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# ZeroClaw's own steps. Everything the fleet configures is a native
# ZEROCLAW_<path> override that ZeroClaw applies at load and never writes back, so
# the library only validates those; config.toml is ZeroClaw's own state (it stores
# the tokens paired at run time there), so the declaration marks it seed-only: the
# library writes it once and never replaces it.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh


# claw_hook_pre_exec: point ZeroClaw at the volume (config.toml, data/, .secret_key,
# agents/) whatever the caller's environment says.
claw_hook_pre_exec() {
	export ZEROCLAW_CONFIG_DIR="$CLAW_STATE_DIR"
}

claw_main "$@"

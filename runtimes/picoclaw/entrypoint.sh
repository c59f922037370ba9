#!/bin/sh
# PicoClaw's entrypoint: the shared library (runtimes/shared/README.md) plus
# PicoClaw's own step. PicoClaw takes gateway and channel-token settings from its
# native env, but LLM API keys only from its config: the library renders
# config.json (mode 0600) from the baked default at every start.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh


# claw_hook_pre_exec: make PicoClaw read the rendered file and keep its home (pid
# file, workspace) on the volume, whatever the caller's environment says.
claw_hook_pre_exec() {
	export PICOCLAW_HOME="$CLAW_STATE_DIR" PICOCLAW_CONFIG="$CLAW_CONFIG_PATH"
}

claw_main "$@"

#!/bin/sh
# start.sh, installed as /usr/local/bin/nanoclaw (the image's CMD): start NanoClaw.
# It resolves .env, data/, store/, groups/ and logs/ against its working directory,
# so it runs from the state dir; its code lives in /opt/nanoclaw (root-owned).
# (Not named nanoclaw/nanoclaw in the build context: Debian's docker 20.10 BuildKit
# then drops nanoclaw/* files from the context under the per-Dockerfile ignore file.)
cd "${CLAW_STATE_DIR:-/var/lib/nanoclaw}" || exit 1
exec node /opt/nanoclaw/dist/index.js "$@"

#!/usr/bin/env bash
# The dev stack in one command: local Docker engine, the program's own registry on
# 127.0.0.1:5000, Pulumi state in .pulumi-state/ (no cloud account). Extra arguments go
# to `pulumi`, e.g. `npm run dev -- preview` or `npm run dev -- destroy`; default `up`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '\033[1mclawlab dev:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31mclawlab dev: %s\033[0m\n' "$*" >&2; exit 1; }

# ensure_pulumi: the Pulumi CLI drives the deployment; it is not an npm package.
ensure_pulumi() {
  command -v pulumi >/dev/null 2>&1 && return
  [ -x "$HOME/.pulumi/bin/pulumi" ] && { PATH="$HOME/.pulumi/bin:$PATH"; return; }
  die "the Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (e.g. curl -fsSL https://get.pulumi.com | sh), then run this again"
}

# ensure_docker: a reachable engine; on Debian/Ubuntu as root, install and start one.
ensure_docker() {
  if docker info >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "no Docker engine answers; installing Debian's docker.io"
    tests/infra/engine.sh >/dev/null
    return
  fi
  die "no Docker engine answers on ${DOCKER_HOST:-/var/run/docker.sock}: start Docker, then run this again"
}

# ensure_state: local file state and a passphrase for this checkout's stack secrets.
ensure_state() {
  mkdir -p "$root/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$root/.pulumi-state"
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    local file="$root/.pulumi-state/passphrase"
    if [ ! -s "$file" ]; then
      (umask 077 && head -c 32 /dev/urandom | base64 >"$file")
      say "generated the dev stack's secrets passphrase in .pulumi-state/passphrase (keep it; it decrypts the stack's secrets)"
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$file"
  fi
}

[ -d node_modules ] || { say "installing dependencies (npm ci)"; npm ci --no-audit --no-fund; }
ensure_pulumi
ensure_docker
ensure_state
pulumi stack select dev 2>/dev/null || pulumi stack init dev --secrets-provider passphrase
say "checking the canonical config"
node cli/clawlab.js check --config "$(sed -n 's/^  clawlab:configFile: *//p' Pulumi.dev.yaml)" >&2
if [ $# -eq 0 ]; then set -- up --yes; fi
pulumi --stack dev "$@"
# summary: after an up, what runs where and how to reach it.
if [ "$1" = up ]; then
  say "deployed; each runtime's health, as probed now:"
  node cli/clawlab.js status --stack dev || true
  say "reach a runtime at its URL above; the gateway/web tokens clients need: pulumi -s dev stack output --show-secrets tokens"
  say "the same environment for other pulumi commands: export PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_FILE=${PULUMI_CONFIG_PASSPHRASE_FILE:-}"
fi

#!/bin/sh
# Build the Pulumi engine and the resource plugins this project pins, from the
# Go module proxy, and install them; print the absolute path of the `pulumi`
# binary on stdout, and nothing else there. Usage:
#   PULUMI=$(tests/infra/pulumi.sh) || exit 1
#   "$PULUMI" version
# What it builds (versions read from package.json / node_modules):
#   - pulumi: the CLI, module github.com/pulumi/pulumi/pkg/v3 at @pulumi/pulumi's
#     version, through the wrapper module tests/infra/pulumi (go.mod pins it:
#     keep the two in step), version stamped with -ldflags;
#   - resource plugins: each name in CLAWLAB_PULUMI_PLUGINS (default
#     "docker-build command random") at the version its npm package declares,
#     installed as $PULUMI_HOME/plugins/resource-<name>-v<version>/pulumi-resource-<name>.
#     Only docker-build can be built from the proxy (two codegen-only modules it
#     imports are stubbed, tests/infra/pulumi/stubs).
# What the Go module proxy does not serve, and so is not built here (Pulumi's own
# installer and `pulumi plugin install` fetch them from GitHub releases): the Node.js
# language host (its module is untagged), the command and random providers (their
# provider modules are untagged) and docker (a patched vendored upstream). A plugin
# already installed counts; what is missing is listed on stderr, and the exit status
# stays 0: the CLI itself works (`pulumi version`, `pulumi plugin ls`); what needs the
# rest (tests/e2e) checks for it and says so.
# Binaries are cached per version under CLAWLAB_PULUMI_CACHE (default
# /var/cache/clawlab-pulumi): <pulumi version>/bin/ (rebuilt when tests/infra/pulumi's
# go.mod or go.sum change) and plugins/<name>-<version>/. `pulumi` is symlinked into
# CLAWLAB_PULUMI_BIN_DIR (default /usr/local/bin). Idempotent: when everything is in
# place it only prints the path. Go (>= 1.26 for docker-build) must be on PATH.
# Env: PULUMI_HOME (default ~/.pulumi), CLAWLAB_PULUMI_CACHE, CLAWLAB_PULUMI_BIN_DIR,
#      CLAWLAB_PULUMI_PLUGINS.
set -eu
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${CLAWLAB_PULUMI_CACHE:-/var/cache/clawlab-pulumi}
BIN_DIR=${CLAWLAB_PULUMI_BIN_DIR:-/usr/local/bin}
PLUGINS=${CLAWLAB_PULUMI_PLUGINS-docker-build command random}
PLUGIN_HOME=${PULUMI_HOME:-$HOME/.pulumi}/plugins

have node || die "node is needed to read the pinned versions from package.json"
# One node call: the @pulumi/pulumi version, then "<name> <version>" per plugin
# (the version from node_modules' "pulumi" block, else package.json's pin).
VERSIONS=$(node -e '
  const root = process.argv[1], pkg = require(root + "/package.json");
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const out = [deps["@pulumi/pulumi"] || ""];
  for (const name of process.argv[2].split(/\s+/).filter(Boolean)) {
    let v = deps["@pulumi/" + name] || "";
    try { v = require(root + "/node_modules/@pulumi/" + name + "/package.json").pulumi.version || v; } catch {}
    out.push(name + " " + v);
  }
  console.log(out.join("\n"));' "$ROOT" "$PLUGINS") || die "could not read $ROOT/package.json"
VERSION=$(printf '%s\n' "$VERSIONS" | head -n 1)
case $VERSION in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) die "package.json pins no exact @pulumi/pulumi version (got '$VERSION')" ;;
esac
VDIR=$CACHE/$VERSION
# The cached CLI is rebuilt when its recipe changes.
SRC_SUM=$(cat "$HERE/pulumi/go.mod" "$HERE/pulumi/go.sum" | cksum | cut -d' ' -f1)

plugin_dir() { echo "$PLUGIN_HOME/resource-$1-v$2"; }

# plugin_ok NAME VERSION : the plugin is installed (by this script or otherwise).
plugin_ok() {
  _d=$(plugin_dir "$1" "$2")
  [ -x "$_d/pulumi-resource-$1" ] && [ ! -e "$_d.partial" ]
}

# Everything in place? (the warm path: no go, no network)
ready() {
  [ -x "$VDIR/bin/pulumi" ] || return 1
  [ "$(cat "$VDIR/src.cksum" 2>/dev/null)" = "$SRC_SUM" ] || return 1
  [ "$(readlink "$BIN_DIR/pulumi" 2>/dev/null)" = "$VDIR/bin/pulumi" ] || return 1
  printf '%s\n' "$VERSIONS" | sed 1d | {
    while read -r n v; do
      case $n in command | random) continue ;; esac # not buildable here: reported, not waited for
      plugin_ok "$n" "$v" || exit 1
    done
  }
}
if ready; then
  printf '%s\n' "$BIN_DIR/pulumi"
  exit 0
fi

mkdir -p /var/lock "$CACHE"
exec 9>/var/lock/clawlab-pulumi.lock
if have flock; then flock 9; fi

have go || die "go is not on PATH (the engine is built from the Go module proxy)"
WORK=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

# gobuild DIR OUT LDFLAGS PKG : a niced, reproducible `go build` run in DIR.
gobuild() {
  (cd "$1" && CGO_ENABLED=0 nice -n 10 go build -trimpath -buildvcs=false \
    -tags osusergo,grpcnotrace -ldflags "-s -w $3" -o "$2" "$4") >&2
}

# 1. The CLI, from the wrapper module.
if [ ! -x "$VDIR/bin/pulumi" ] || [ "$(cat "$VDIR/src.cksum" 2>/dev/null)" != "$SRC_SUM" ]; then
  PINNED=$(sed -n 's|^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 v\([^[:space:]]*\).*|\1|p' "$HERE/pulumi/go.mod")
  [ "$PINNED" = "$VERSION" ] || die "tests/infra/pulumi/go.mod pins pulumi/pkg/v3 v$PINNED but package.json has @pulumi/pulumi $VERSION: in tests/infra/pulumi run go get github.com/pulumi/pulumi/pkg/v3@v$VERSION github.com/pulumi/pulumi/sdk/v3@v$VERSION && go mod tidy"
  X="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION"
  log "building pulumi v$VERSION (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi; takes minutes when cold)"
  mkdir -p "$WORK/bin"
  gobuild "$HERE/pulumi" "$WORK/bin/pulumi" "$X" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ||
    die "go build of the pulumi CLI failed"
  rm -rf "$VDIR"
  mkdir -p "$VDIR"
  mv "$WORK/bin" "$VDIR/bin"
  echo "$SRC_SUM" >"$VDIR/src.cksum"
fi

# 2. Resource plugins. build_plugin NAME VERSION OUT: build from the proxy.
build_plugin() {
  case $1 in
    docker-build)
      mod=github.com/pulumi/pulumi-docker-build
      src=$(go mod download -json "$mod@v$2" | sed -n 's|^[[:space:]]*"Dir": "\(.*\)",*$|\1|p')
      [ -n "$src" ] && [ -d "$src" ] || { log "go mod download $mod@v$2 failed"; return 1; }
      cp -R "$src" "$WORK/docker-build" && chmod -R u+w "$WORK/docker-build" || return 1
      # pulumi-java and pulumi-language-dotnet are not on the proxy; the
      # provider only uses one struct of each (schema metadata): stand-ins.
      (cd "$WORK/docker-build" && go mod edit \
        -replace "github.com/pulumi/pulumi-java=$HERE/pulumi/stubs/pulumi-java" \
        -replace "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3=$HERE/pulumi/stubs/pulumi-language-dotnet") || return 1
      log "building pulumi-resource-docker-build v$2 ($mod)"
      gobuild "$WORK/docker-build" "$3" "-X $mod/provider.Version=$2" ./provider/cmd/pulumi-resource-docker-build
      ;;
    command)
      log "command v$2: github.com/pulumi/pulumi-command/provider is not on the Go module proxy (upstream tags only the root and sdk/ modules)"
      return 1 ;;
    random)
      log "random v$2: github.com/pulumi/pulumi-random/provider/v4 is not on the Go module proxy (upstream tags only the root and sdk/ modules)"
      return 1 ;;
    *)
      log "$1 v$2: no recipe in this script"
      return 1 ;;
  esac
}

missing=
printf '%s\n' "$VERSIONS" | sed 1d >"$WORK/plugins"
while read -r n v; do
  [ -n "$v" ] || die "no version for @pulumi/$n in package.json"
  d=$(plugin_dir "$n" "$v")
  if plugin_ok "$n" "$v"; then
    continue
  fi
  cached=$CACHE/plugins/$n-$v/pulumi-resource-$n
  if [ ! -x "$cached" ]; then
    if build_plugin "$n" "$v" "$WORK/pulumi-resource-$n"; then
      mkdir -p "$(dirname "$cached")"
      mv "$WORK/pulumi-resource-$n" "$cached"
    else
      missing="$missing $n@$v"
      continue
    fi
  fi
  # The engine's own convention: a <dir>.partial file marks an unfinished install.
  mkdir -p "$PLUGIN_HOME"
  : >"$d.partial"
  rm -rf "$d"
  mkdir -p "$d"
  cp "$cached" "$d/pulumi-resource-$n"
  rm -f "$d.partial"
  log "installed plugin resource-$n-v$v"
done <"$WORK/plugins"

mkdir -p "$BIN_DIR"
ln -sfn "$VDIR/bin/pulumi" "$BIN_DIR/pulumi"

if [ -n "$missing" ]; then
  log "WARNING: not installed:$missing (not on the Go module proxy). Pulumi installs them itself where GitHub is reachable (pulumi plugin install resource NAME VERSION); elsewhere: pulumi plugin install resource NAME VERSION --file BINARY"
fi
if ! have pulumi-language-nodejs; then
  log "WARNING: no pulumi-language-nodejs on PATH: Pulumi's installer ships it (its module is not on the Go module proxy); without it no Node.js program runs"
fi
log "pulumi v$VERSION ready ($("$BIN_DIR/pulumi" version 2>/dev/null || echo '?'))"
printf '%s\n' "$BIN_DIR/pulumi"

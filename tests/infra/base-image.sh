#!/bin/sh
# Ensure the local image clawlab-test/debian:bookworm exists (no registry can
# be pulled from here): debootstrap a minimal bookworm (--variant=minbase)
# from the host's configured Debian mirror and `docker import` it.
# Prints the image reference on stdout (only that). Usage:
#   IMAGE=$(tests/infra/base-image.sh)
# Cached: skipped when the image exists with the current recipe revision
# (label org.clawlab.test.base-rev). CLAWLAB_BASE_IMAGE_FORCE=1 rebuilds.
# Env: CLAWLAB_BASE_IMAGE (default clawlab-test/debian:bookworm),
#      CLAWLAB_DEBIAN_MIRROR / CLAWLAB_DEBIAN_SECURITY_MIRROR (default: from
#      /etc/apt sources, else http://deb.debian.org/debian[-security]).
# What is in it: debootstrap's minbase package set only (bash, coreutils,
# apt, util-linux with setpriv, ...), apt sources for bookworm,
# bookworm-updates and bookworm-security, no apt lists/caches, no logs,
# no host identity (/etc/hostname, /etc/resolv.conf). ENV PATH, CMD bash.
set -eu
. "$(dirname "$0")/lib.sh"

IMAGE=${CLAWLAB_BASE_IMAGE:-clawlab-test/debian:bookworm}
SUITE=bookworm
REV=1 # bump when the recipe below changes: cached images are rebuilt

DOCKER=$("$(dirname "$0")/engine.sh")

current_rev() {
  "$DOCKER" image inspect --format '{{ index .Config.Labels "org.clawlab.test.base-rev" }}' "$IMAGE" 2>/dev/null || true
}

if [ "${CLAWLAB_BASE_IMAGE_FORCE:-0}" != 1 ] && [ "$(current_rev)" = "$REV" ]; then
  printf '%s\n' "$IMAGE"
  exit 0
fi

mkdir -p /var/lock
exec 9>/var/lock/clawlab-base-image.lock
if have flock; then flock 9; fi
# Another caller may have built it while we waited for the lock.
if [ "${CLAWLAB_BASE_IMAGE_FORCE:-0}" != 1 ] && [ "$(current_rev)" = "$REV" ]; then
  printf '%s\n' "$IMAGE"
  exit 0
fi

# The mirror the host's apt uses (deb822 .sources or one-line .list).
host_mirror() { # $1 = suite to look for
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$1" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; ok = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris); sub(/[ \t].*/, "", uris) }
          if ($i ~ /^Suites:/ && (" " $i " ") ~ (" " suite " ")) ok = 1
          if ($i ~ /^Types:/ && $i ~ /(^|[ \t])deb([ \t]|$)/) deb = 1
        }
        if (ok && deb && uris != "") { print uris; exit }
      }' "$f"
  done | head -n 1 | grep . && return 0
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk -v suite="$1" '$1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }  # [options]
        if ($(i + 1) == suite) { print $i; exit }
      }' \
    | head -n 1 | grep .
}

MIRROR=${CLAWLAB_DEBIAN_MIRROR:-$(host_mirror "$SUITE" || echo http://deb.debian.org/debian)}
SECURITY=${CLAWLAB_DEBIAN_SECURITY_MIRROR:-$(host_mirror "$SUITE-security" || echo http://deb.debian.org/debian-security)}

apt_install debootstrap

ROOTFS=$(mktemp -d /var/tmp/clawlab-rootfs.XXXXXX)
cleanup() {
  # debootstrap mounts proc/sys inside the target: never rm -rf through a mount.
  awk -v d="$ROOTFS" 'index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT INT TERM

log "debootstrap --variant=minbase $SUITE from $MIRROR (takes ~30 s)"
start=$(date +%s)
if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1; then
  dump_log "$ROOTFS.log"
  dump_log "$ROOTFS/debootstrap/debootstrap.log"
  rm -f "$ROOTFS.log"
  die "debootstrap failed"
fi
rm -f "$ROOTFS.log"

# Trim what a container image does not need, and the host's identity.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/* \
  "$ROOTFS"/etc/hostname "$ROOTFS"/etc/resolv.conf
mkdir -p "$ROOTFS"/var/lib/apt/lists/partial
find "$ROOTFS/dev" -mindepth 1 -delete 2>/dev/null || true
rm -f "$ROOTFS"/etc/apt/sources.list
cat >"$ROOTFS"/etc/apt/sources.list.d/debian.sources <<SRC
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

log "docker import -> $IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --change "LABEL org.clawlab.test.base-rev=$REV" \
  --message "debootstrap --variant=minbase $SUITE $MIRROR" \
  - "$IMAGE" >/dev/null
end=$(date +%s)
log "built $IMAGE in $((end - start))s ($("$DOCKER" image inspect --format '{{.Size}}' "$IMAGE") bytes)"
printf '%s\n' "$IMAGE"

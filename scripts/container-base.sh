#!/usr/bin/env bash
# Parley: make the local Debian base image that stands in for the Dockerfile's pulled base images.
#
#   bash scripts/container-base.sh      prints the image name (localhost/parley-debian-base:12) on stdout
#
# This machine cannot pull images, so a Debian 12 root file system is made with debootstrap (libssl3, libicu72,
# ca-certificates: what the .NET runtime needs) and imported into podman. The first run takes minutes; the root
# file system is cached as a tarball under $PARLEY_CONTAINER_CACHE (default /var/tmp/parley-container, outside
# the repository) and the image is reused while podman keeps it. Idempotent. Needs root (debootstrap).
#
# Environment: PARLEY_CONTAINER_CACHE, PARLEY_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

CACHE=${PARLEY_CONTAINER_CACHE:-/var/tmp/parley-container}
MIRROR=${PARLEY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE=localhost/parley-debian-base:12
TARBALL=$CACHE/debian-base-12.tar

log() { printf '[container-base] %s\n' "$*" >&2; }

if podman image exists "$IMAGE"; then echo "$IMAGE"; exit 0; fi
mkdir -p "$CACHE"
if [[ ! -s $TARBALL ]]; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 3; }
  root=$CACHE/rootfs
  rm -rf "$root"
  log "debootstrap bookworm into $root (slow the first time; cached afterwards)"
  debootstrap --variant=minbase --include=libssl3,libicu72,ca-certificates,tzdata bookworm "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$CACHE/debootstrap.log" >&2; log "debootstrap failed (log: $CACHE/debootstrap.log)"; exit 3; }
  # What a base image does not carry: package caches and logs.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar -C "$root" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf "$root"
fi
log "podman import $TARBALL as $IMAGE"
podman import --change 'CMD ["/bin/bash"]' "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"

#!/usr/bin/env bash
# Parley: build the container image from the repository's Dockerfile on a machine that cannot pull images.
#
#   bash scripts/container-test.sh image     prints the built image's name (localhost/parley:test) on stdout
#
# The Dockerfile's base images are build arguments. Here:
#   RUNTIME_IMAGE  localhost/parley-aspnet:<version>: the Debian base from scripts/container-base.sh (debootstrap)
#                  plus the host's ASP.NET Core runtime (/usr/share/dotnet: dotnet, host/, shared/)
#   APP_FROM       localhost/parley-app:test: only /app, the server and its web client published on the host
#                  (`dotnet publish -c Release`), standing in for the Dockerfile's web and publish stages
# so the runtime stage (user, volume, environment, health check, entry point) is the Dockerfile's own. The web and
# publish stages are not run here (they need the SDK and Node images). Called by
# tests/Parley.IntegrationTests/Deployment/ContainerImageTests.cs, which runs the image with podman and talks to it.
# Idempotent; the base is cached outside the repository (scripts/container-base.sh). Needs root, podman, runc.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${PARLEY_CONTAINER_WORK:-/var/tmp/parley-container/work}
DOTNET_ROOT=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
log() { printf '[container-test] %s\n' "$*" >&2; }

[[ ${1:-} == image ]] || { echo "usage: bash scripts/container-test.sh image" >&2; exit 2; }
command -v podman >/dev/null || { log "podman is missing (apt-get install podman runc)"; exit 3; }
BUILD=(podman build --runtime runc --network host --format docker --ulimit nofile=10000:10000 --ulimit nproc=4096:4096 -q)

base=$(bash "$REPO/scripts/container-base.sh")

# The ASP.NET Core runtime the host runs, on the Debian base.
version=$(ls "$DOTNET_ROOT/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
runtime_version=$(ls "$DOTNET_ROOT/shared/Microsoft.NETCore.App" | sort -V | tail -n 1)
runtime=localhost/parley-aspnet:$version
if ! podman image exists "$runtime"; then
  ctx=$WORK/aspnet
  rm -rf "$ctx"; mkdir -p "$ctx/dotnet/shared"
  cp -a "$DOTNET_ROOT/dotnet" "$DOTNET_ROOT/host" "$ctx/dotnet/"
  mkdir -p "$ctx/dotnet/shared/Microsoft.NETCore.App" "$ctx/dotnet/shared/Microsoft.AspNetCore.App"
  cp -a "$DOTNET_ROOT/shared/Microsoft.NETCore.App/$runtime_version" "$ctx/dotnet/shared/Microsoft.NETCore.App/"
  cp -a "$DOTNET_ROOT/shared/Microsoft.AspNetCore.App/$version" "$ctx/dotnet/shared/Microsoft.AspNetCore.App/"
  printf 'FROM %s\nCOPY dotnet/ /usr/share/dotnet/\nRUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet\nENV DOTNET_ROOT=/usr/share/dotnet\n' "$base" >"$ctx/Containerfile"
  log "building $runtime"
  "${BUILD[@]}" -t "$runtime" -f "$ctx/Containerfile" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

# The server and its web client, published on the host.
app=$WORK/app
rm -rf "$app"; mkdir -p "$app"
log "dotnet publish -c Release (with the web client)"
# --no-build when the Release build exists (scripts/test.sh made it; tests may be running from it right now).
publish=(dotnet publish src/Parley.Server -c Release -o "$app/app" -p:UseAppHost=false -nologo -v:q)
[[ -f $REPO/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll && -f $REPO/web/dist/index.html ]] && publish+=(--no-build)
(cd "$REPO" && "${publish[@]}" >"$WORK/publish.log" 2>&1) ||
  { tail -n 30 "$WORK/publish.log" >&2; log "dotnet publish failed"; exit 4; }
[[ -f $app/app/wwwroot/index.html ]] || { log "the published server has no web client (wwwroot/index.html)"; exit 4; }
printf 'FROM scratch\nCOPY app/ /app/\n' >"$app/Containerfile"
"${BUILD[@]}" -t localhost/parley-app:test -f "$app/Containerfile" "$app" >/dev/null

log "building the repository's Dockerfile (runtime stage) as localhost/parley:test"
"${BUILD[@]}" -t localhost/parley:test --target runtime \
  --build-arg RUNTIME_IMAGE="$runtime" --build-arg APP_FROM=localhost/parley-app:test -f "$REPO/Dockerfile" "$REPO" >/dev/null
echo localhost/parley:test

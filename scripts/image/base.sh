#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image, node:20-bookworm-slim, when it is
# missing: these machines reach no image registry. Debian's packages and the host's Node.js and
# npm, shaped like the official image (user node 1000:1000, /usr/local/bin/node,
# docker-entrypoint.sh), imported under the official name so FROM resolves with --pull=never.
# Needs root, debootstrap and podman.
set -euo pipefail
BASE=docker.io/library/node:20-bookworm-slim
. "$(dirname "$0")/podman-env.sh"

if podman image exists "$BASE"; then
  echo "base image $BASE present"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
echo "building stand-in $BASE with debootstrap from ${mirror:-the default mirror}"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log"; exit 1; }
install -m 755 "$(command -v node)" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd -g 1000 node
chroot "$root" useradd -u 1000 -g node -s /bin/bash -m node
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ]; then set -- node "$@"; fi
exec "$@"
SH
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
rm -rf "$root/var/lib/apt/lists/"*
: >"$root/etc/resolv.conf"
tar -C "$root" -c . | podman import \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$BASE" >/dev/null
echo "base image $BASE built"

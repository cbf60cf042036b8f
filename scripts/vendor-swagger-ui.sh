#!/usr/bin/env bash
# The interactive API docs (/docs) are served with their assets from the package, never from
# a CDN: a register of offenders must not make its users' browsers fetch code from elsewhere.
# This fetches Swagger UI's published distribution from the npm registry at a pinned version,
# checks the tarball against the pinned SHA-256, and keeps the three files /docs serves in
# api/swagger_ui/ (not committed: run this before installing or testing; .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.35.0
SHA256=1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6
TARGET=api/swagger_ui
FILES=(swagger-ui-bundle.js swagger-ui.css LICENSE)

if [[ -f "$TARGET/VERSION" && "$(cat "$TARGET/VERSION")" == "$VERSION" ]]; then
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null)
tarball="$work/swagger-ui-dist-$VERSION.tgz"
echo "$SHA256  $tarball" | sha256sum --check --quiet
tar -xzf "$tarball" -C "$work" "${FILES[@]/#/package/}"
mkdir -p "$TARGET"
for file in "${FILES[@]}"; do
    cp "$work/package/$file" "$TARGET/$file"
done
echo "$VERSION" > "$TARGET/VERSION"

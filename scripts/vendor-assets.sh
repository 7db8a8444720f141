#!/usr/bin/env bash
# Re-fetches the console's third-party static assets from the npm registry at their pinned
# versions and checks them against the digests below; the files are committed (crates/console/
# static/) and embedded in the binary, so building and running need no Node.js at all.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { # package@version, path inside the package, target, sha256
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" "package/$2"
  echo "$4  $work/package/$2" | sha256sum --check --quiet
  cp "$work/package/$2" "$root/crates/console/static/$3"
  rm -rf "$work"/*
  echo "vendor-assets: $1 -> crates/console/static/$3"
}
fetch htmx.org@2.0.11 dist/htmx.min.js htmx.min.js d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717

#!/usr/bin/env bash
# make test-console: the console's browser tests. Installs (once) Debian's Chromium and its
# driver at pinned versions, the Python tools (selenium, pytest; pinned in
# requirements-tools.txt), starts `tinhso dev` on free ports in a scratch folder, and drives it
# in headless Chromium (tests/browser). Screenshots of the main pages go to target/screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
chromium_version="156.0.8078.108-1~deb12u1"
installed=$(dpkg-query -W -f='${Version}' chromium-driver 2>/dev/null || true)
if [[ "$installed" != "$chromium_version" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  if ! $sudo_cmd apt-get install -y -q "chromium=$chromium_version" "chromium-driver=$chromium_version" >/dev/null; then
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd apt-get install -y -q "chromium=$chromium_version" "chromium-driver=$chromium_version" >/dev/null
  fi
fi
bin=$("$root/scripts/python-tools.sh")
cargo build --quiet -p tinhso
data=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc_port=$(free_port)
http_port=$(free_port)
password="browser-bootstrap-password-$$"
TINHSO_BOOTSTRAP_ADMIN_PASSWORD=$password TINHSO_TELEMETRY__LOG_FILTER=warn \
  "$root/target/debug/tinhso" dev --data-dir "$data" --grpc "127.0.0.1:$grpc_port" --http "127.0.0.1:$http_port" \
  >"$data/dev.log" 2>&1 &
dev_pid=$!
cleanup() { kill "$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null || { cat "$data/dev.log"; echo "browser-tests: tinhso dev did not become ready" >&2; exit 1; }
mkdir -p "$root/target/screenshots"
TINHSO_BASE="http://127.0.0.1:$http_port" TINHSO_ADMIN_PASSWORD="$password" \
  TINHSO_SCREENSHOTS="$root/target/screenshots" \
  "$bin/python" -m pytest -q -p no:cacheprovider "$root/tests/browser"

# Sourced by the scripts that test a running platform (fuzz-api.sh, browser-tests.sh): builds
# `tinhso`, starts `tinhso dev` on free ports in a scratch folder with a known admin password,
# waits until it is ready, and stops it (and removes the folder) when the script exits.
# Sets: base (http://127.0.0.1:<port>), password, data.
# shellcheck shell=bash
start_dev_platform() {
  local name=$1
  cargo build --quiet -p tinhso
  data=$(mktemp -d)
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  local grpc_port http_port
  grpc_port=$(free_port)
  http_port=$(free_port)
  base="http://127.0.0.1:$http_port"
  password="$name-bootstrap-password-$$"
  TINHSO_BOOTSTRAP_ADMIN_PASSWORD=$password TINHSO_TELEMETRY__LOG_FILTER=warn \
    "$root/target/debug/tinhso" dev --data-dir "$data" --grpc "127.0.0.1:$grpc_port" --http "127.0.0.1:$http_port" \
    >"$data/dev.log" 2>&1 &
  dev_pid=$!
  trap 'kill "$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$base/readyz" >/dev/null || { cat "$data/dev.log"; echo "$name: tinhso dev did not become ready" >&2; exit 1; }
}

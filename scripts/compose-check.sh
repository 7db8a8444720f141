#!/usr/bin/env bash
# make compose-check: validates deploy/compose.yaml against the Compose Specification
# (check-jsonschema's vendored schema, pinned from PyPI), then checks that every address one
# service is given for another (http://<service>:<port>) is the port that service listens on:
# its TINHSO_GRPC_ADDR in the file, or else the default in crates/<service>/src/config.rs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin=$("$root/scripts/python-tools.sh")
compose="$root/deploy/compose.yaml"
"$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$compose"
"$bin/python" - "$compose" "$root/crates" <<'PY'
import re, sys, yaml
from pathlib import Path

compose, crates = Path(sys.argv[1]), Path(sys.argv[2])
services = yaml.safe_load(compose.read_text())["services"]

def default_grpc_port(service):
    config = crates / service / "src" / "config.rs"
    if not config.exists():
        return None
    match = re.search(r'^grpc_addr = "[^"]*:(\d+)"', config.read_text(), re.M)
    return match and match.group(1)

def listen_port(service):
    addr = (services[service].get("environment") or {}).get("TINHSO_GRPC_ADDR")
    return addr.rsplit(":", 1)[1] if addr else default_grpc_port(service)

problems = []
for name, spec in services.items():
    for key, value in (spec.get("environment") or {}).items():
        for host, port in re.findall(r"https?://([a-z0-9-]+):(\d+)", str(value)):
            if host not in services:
                problems.append(f"{name}: {key} names {host}, which is not a service of the file")
            elif listen_port(host) != port:
                problems.append(
                    f"{name}: {key} calls {host} on port {port}, but {host} listens on {listen_port(host)}")
for p in problems:
    print(f"compose-check: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"compose-check: {compose.name} is valid and every service is called on the port it listens on")
PY

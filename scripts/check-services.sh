#!/usr/bin/env bash
# Fails loudly when the PostgreSQL or NATS that `make test-services` needs is unreachable.
set -euo pipefail
db_url=$1
nats_url=$2
hostport() { # scheme://[user@]host:port[/...] -> host port
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  echo "${rest%:*} ${rest##*:}"
}
check() {
  local name=$1 url=$2
  read -r host port < <(hostport "$url")
  if ! timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    echo "error: $name is unreachable at $host:$port ($url)." >&2
    echo "       make test-services needs PostgreSQL and NATS JetStream; set TINHSO_TEST_DATABASE_URL / TINHSO_TEST_NATS_URL." >&2
    exit 1
  fi
}
check PostgreSQL "$db_url"
check NATS "$nats_url"
echo "services reachable: PostgreSQL ($db_url), NATS ($nats_url)"

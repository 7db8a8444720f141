#!/usr/bin/env bash
# make test-console: the console's browser tests. Installs (once) Debian's Chromium and its
# driver at pinned versions, the Python tools (selenium, pytest; pinned in
# requirements-tools.txt), starts `tinhso dev` on free ports in a scratch folder, and drives it
# in headless Chromium (tests/browser). Screenshots of the main pages go to target/screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Pinned to one Chromium build series: Debian's security archive replaces a build by its
# successor (and drops the old one), so an exact version stops installing within weeks; the
# series keeps the browser and its driver on the same major release as the tests were written for.
chromium_version="156.0.8078.*"
installed=$(dpkg-query -W -f='${Version}' chromium-driver 2>/dev/null || true)
# shellcheck disable=SC2053 # the right side is the series' pattern
if [[ "$installed" != $chromium_version ]]; then
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  if ! $sudo_cmd apt-get install -y -q "chromium=$chromium_version" "chromium-driver=$chromium_version" >/dev/null; then
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd apt-get install -y -q "chromium=$chromium_version" "chromium-driver=$chromium_version" >/dev/null
  fi
fi
bin=$("$root/scripts/python-tools.sh")
# shellcheck source=scripts/dev-platform.sh
source "$root/scripts/dev-platform.sh"
start_dev_platform browser-tests
mkdir -p "$root/target/screenshots"
TINHSO_BASE="$base" TINHSO_ADMIN_PASSWORD="$password" \
  TINHSO_SCREENSHOTS="$root/target/screenshots" \
  "$bin/python" -m pytest -q -p no:cacheprovider "$root/tests/browser"

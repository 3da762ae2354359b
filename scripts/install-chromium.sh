#!/usr/bin/env bash
# Headless Chromium for the report page's browser test (tests/tests/report.rs): installs
# Debian's chromium when it is missing (needs root: CI runs as root). Without root it says
# so and exits 0, unless CI=true, where the test must run.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = true ]; then echo "install-chromium: chromium is not installed and this is not root" >&2; exit 1; fi
    echo "install-chromium: skipped (chromium is not installed and installing it needs root)"
    exit 0
fi
echo "install-chromium: installing chromium from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends chromium >/dev/null

#!/usr/bin/env bash
# Install Debian packages a test needs when a command of theirs is missing:
#
#   scripts/debian-packages.sh COMMAND PACKAGE...
#
# Installs PACKAGE... with apt when COMMAND is not on PATH (needs root: CI runs as root).
# Without root it says so and exits 0, unless CI=true, where the tests must run.
# Used for Chromium (the report page's browser test) and Slurm (scripts/slurm-test.sh).
set -euo pipefail
command=$1; shift
command -v "$command" >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = true ]; then echo "debian-packages: $command is missing and this is not root to install $*" >&2; exit 1; fi
    echo "debian-packages: skipped ($command is missing and installing $* needs root)"
    exit 0
fi
echo "debian-packages: installing $* from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "$@" >/dev/null

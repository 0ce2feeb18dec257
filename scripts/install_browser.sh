#!/usr/bin/env bash
# Installs the headless browser the end-to-end web tests drive (Debian's Chromium at
# /usr/bin/chromium). Idempotent: does nothing when /usr/bin/chromium is already there.
# Playwright never downloads a browser of its own: tests launch this executable.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser.sh: /usr/bin/chromium missing and no apt-get; web e2e tests will skip" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install_browser.sh: not root and no sudo; web e2e tests will skip" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-dejavu-core

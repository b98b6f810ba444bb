#!/usr/bin/env bash
# Installs what the tests need beyond Rust and libtorch: Debian's chromium, for the headless-browser test of
# brief.html (tests/html_browser.rs). Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (or sudo) and Debian's package archive.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-test-deps: chromium is missing and this user is not root; run as root: apt-get install chromium" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
echo "install-test-deps: chromium installed ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))" >&2

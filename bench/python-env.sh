#!/usr/bin/env bash
# Create (once) the benchmark's own Python virtualenv, ~/.cache/tandem/benchenv, and print its python.
# torch 2.4.0 + transformers 4.46.3 are the reference env's (scripts/python-env.sh, ~800 MB + CUDA wheels that a
# CPU benchmark does not need to download twice): benchenv sees them through a .pth file, and adds CTranslate2
# from PyPI on its own. Never used by `cargo test`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}"
VENV="$CACHE/benchenv"
REF_PY="$("$HERE/../scripts/python-env.sh")"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import torch, transformers, ctranslate2" 2>/dev/null; then
    python3 -m venv "$VENV"
    REF_SITE="$("$REF_PY" -c 'import site; print(site.getsitepackages()[0])')"
    BENCH_SITE="$("$VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])')"
    echo "$REF_SITE" > "$BENCH_SITE/tandem-reference-env.pth"
    "$VENV/bin/pip" install --quiet ctranslate2==4.8.5 "numpy<2" pyyaml >&2
fi
echo "$VENV/bin/python"

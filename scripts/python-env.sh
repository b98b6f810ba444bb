#!/usr/bin/env bash
# Create (once) the Python virtualenv used only by the fixture and benchmark scripts, never by the test command:
# torch 2.4.0 + transformers 4.46.3 (the reference implementation) and the tokenizer trainers.
# Prints the python to use.
set -euo pipefail
CACHE="${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}"
VENV="$CACHE/pyenv"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import torch, transformers" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --find-links "$CACHE/wheels" torch==2.4.0 transformers==4.46.3 \
        sentencepiece==0.2.0 tokenizers safetensors "numpy<2" >&2
fi
echo "$VENV/bin/python"

#!/usr/bin/env bash
# Download the real models from the Hugging Face Hub and convert them into what tandem loads.
# Needs internet (the Hub); run it once on your machine:
#
#   scripts/fetch-models.sh                    # all three roles
#   scripts/fetch-models.sh translate-fr-en    # one role
#
# Environment: MODELS_DIR (default: models), HF_ENDPOINT (default: https://huggingface.co),
#              HF_TOKEN (optional), TANDEM (path to the tandem binary; built with `make build` if unset).
# Roles, repositories and revisions come from models/models.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS_DIR="${MODELS_DIR:-models}"
HF_ENDPOINT="${HF_ENDPOINT:-https://huggingface.co}"
MANIFEST=models/models.toml

if [[ -z "${TANDEM:-}" ]]; then
    make build >&2
    TANDEM=target/release/tandem
fi

# role -> "architecture repo revision", read from the manifest with Python's tomllib (3.11+)
spec() {
    python3 - "$MANIFEST" "$1" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    models = tomllib.load(f)["model"]
for m in models:
    if m["role"] == sys.argv[2]:
        print(m["architecture"], m["repo"], m["revision"])
        break
else:
    sys.exit(f"fetch-models: unknown role {sys.argv[2]}")
PY
}

download() { # url dest -> 0 if downloaded, 1 if absent (404), exits on other errors
    local url="$1" dest="$2" code
    local auth=()
    [[ -n "${HF_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $HF_TOKEN")
    code=$(curl -sS -L --retry 3 "${auth[@]}" -w '%{http_code}' -o "$dest" "$url") || {
        echo "fetch-models: cannot reach $url" >&2; exit 1; }
    case "$code" in
        200) return 0 ;;
        404) rm -f "$dest"; return 1 ;;
        *) echo "fetch-models: $url answered HTTP $code" >&2; rm -f "$dest"; exit 1 ;;
    esac
}

fetch_role() {
    local role="$1" arch repo revision tmp
    read -r arch repo revision < <(spec "$role")
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    echo "fetch-models: $role <- $repo@$revision" >&2
    local base="$HF_ENDPOINT/$repo/resolve/$revision"
    download "$base/config.json" "$tmp/config.json" || { echo "fetch-models: $repo has no config.json" >&2; exit 1; }
    download "$base/generation_config.json" "$tmp/generation_config.json" || true
    if ! download "$base/model.safetensors" "$tmp/model.safetensors"; then
        download "$base/pytorch_model.bin" "$tmp/pytorch_model.bin" || {
            echo "fetch-models: $repo has neither model.safetensors nor pytorch_model.bin" >&2; exit 1; }
    fi
    local files
    if [[ "$arch" == marian ]]; then files="source.spm target.spm vocab.json tokenizer_config.json"
    else files="vocab.json merges.txt tokenizer_config.json"; fi
    for f in $files; do
        download "$base/$f" "$tmp/$f" || echo "fetch-models: note: $repo has no $f" >&2
    done
    "$TANDEM" --models-dir "$MODELS_DIR" models import "$tmp" --role "$role" --source "$repo@$revision"
}

roles=("$@")
[[ ${#roles[@]} -eq 0 ]] && roles=(translate-fr-en summarize-en translate-en-fr)
for role in "${roles[@]}"; do
    fetch_role "$role"
done
"$TANDEM" --models-dir "$MODELS_DIR" models

#!/usr/bin/env bash
# tandem's engine benchmark, in one run (not part of `cargo test`):
#   bench/run.sh [OUT_DIR]      (default ~/.cache/tandem/bench)
# 1. random-weight models in the real shapes of opus-mt-fr-en, opus-mt-en-fr, distilbart-cnn-12-6 (HF layout),
#    imported with `tandem models import`; CTranslate2 conversions of the same weights;
# 2. every engine in its own process on the same inputs, generating exactly the same number of tokens:
#    translation 64 sentences × 32 source tokens → 32 new tokens, batch 16, greedy and beam 4;
#    summarization 4 articles × 700 tokens → 60 new tokens, batch 4, greedy and beam 4 (no_repeat_ngram 3);
# 3. bench/report.py: tokens/s, s/article, peak RSS, ratios, int8-vs-float agreement → OUT_DIR/report.md.
# THREADS (default 2) sets the threads of every engine. ENGINES / TASKS restrict what runs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:-${TANDEM_CACHE:-$HOME/.cache/tandem}/bench}"
THREADS="${THREADS:-2}"
ENGINES="${ENGINES:-tandem tandem-int8 rust-bert transformers ct2-float ct2-int8}"
TASKS="${TASKS:-translate summarize}"
PY="$("$HERE/python-env.sh")"
cd "$ROOT"
source scripts/libtorch-env.sh
cargo build --release --locked --example bench_engine --bin tandem >&2
"$PY" "$HERE/make_models.py" "$OUT"
for pair in translate-fr-en:opus-mt-fr-en translate-en-fr:opus-mt-en-fr summarize-en:distilbart-cnn-12-6; do
    role="${pair%%:*}" name="${pair##*:}"
    if [[ ! -f "$OUT/models/$name/model.safetensors" ]]; then
        target/release/tandem --models-dir "$OUT/models" models import "$OUT/hf/$name" --role "$role" >&2
    fi
done
mkdir -p "$OUT/results"
for task in $TASKS; do
    if [[ $task == translate ]]; then
        name=opus-mt-fr-en arch=marian n=32 batch=16
    else
        name=distilbart-cnn-12-6 arch=bart n=60 batch=4
    fi
    for engine in $ENGINES; do
        out="$OUT/results/$task-$engine.json"
        case $engine in
            tandem|tandem-int8|tandem-fp16|rust-bert)
                target/release/examples/bench_engine run --dir "$OUT/models/$name" --arch $arch --engine $engine \
                    --inputs "$OUT/inputs.json" --key $task --new-tokens $n --batch $batch --beams 1,4 \
                    --threads "$THREADS" --out "$out" ;;
            *)
                "$PY" "$HERE/peers.py" --engine $engine --hf "$OUT/hf/$name" --ct2 "$OUT/ct2/$name" \
                    --inputs "$OUT/inputs.json" --key $task --new-tokens $n --batch $batch --beams 1,4 \
                    --threads "$THREADS" --out "$out" ;;
        esac
    done
    if [[ -f "$OUT/results/$task-tandem.json" && -f "$OUT/results/$task-tandem-int8.json" ]]; then
        target/release/examples/bench_engine compare --dir "$OUT/models/$name" --arch $arch \
            "$OUT/results/$task-tandem.json" "$OUT/results/$task-tandem-int8.json" > "$OUT/results/$task-int8-vs-float.txt"
    fi
    if [[ -f "$OUT/results/$task-tandem.json" && -f "$OUT/results/$task-rust-bert.json" ]]; then
        target/release/examples/bench_engine compare --dir "$OUT/models/$name" --arch $arch \
            "$OUT/results/$task-tandem.json" "$OUT/results/$task-rust-bert.json" > "$OUT/results/$task-float-vs-rust-bert.txt"
    fi
done
# Load-only peak RSS of the en-fr model (same shape as fr-en) with each tandem engine.
for engine in tandem tandem-int8; do
    target/release/examples/bench_engine run --dir "$OUT/models/opus-mt-en-fr" --arch marian --engine $engine \
        --inputs "$OUT/inputs.json" --key translate --new-tokens 32 --batch 16 --beams 1 --threads "$THREADS" \
        --out "$OUT/results/en-fr-$engine.json"
done
"$PY" "$HERE/report.py" "$OUT/results" --svg "$OUT/ratios.svg" | tee "$OUT/report.md"

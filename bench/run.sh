#!/usr/bin/env bash
# tandem's engine benchmark in the real regime, in one run (not part of `cargo test`):
#   bench/run.sh [OUT_DIR]      (default ~/.cache/tandem/bench-real)
# 1. bench/make_models.py: random-weight models in the real shapes, configs and tokenizers of opus-mt-fr-en,
#    opus-mt-en-fr and distilbart-cnn-12-6 whose outputs stop at realistic lengths (see its doc), imported with
#    `tandem models import`; CTranslate2 conversions of the same weights; news-like inputs of the repo's own
#    text with real sentence and article lengths, tokenized by the real tokenizers;
# 2. every engine in its own process on the same token ids, with the models' own generation settings (only
#    num_beams set: 1 and 4), the pipeline's length-sorted batches, rows ending at their own EOS — in three
#    layouts of the 2-core machine: 1 thread (`t1`), 2 threads (`t2`), two 1-thread workers side by side on the
#    two halves of the inputs (`w2`, wall time = the slower worker);
# 3. with AVX2=1, tandem and transformers summarization again with every library forced onto its AVX2 code
#    (ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2, FBGEMM_ENABLE_INSTRUCTIONS=AVX2);
# 4. bench/report.py: tables, ratios, id agreement, output lengths, the CPU's ISA → OUT_DIR/report.md.
# ENGINES (1-thread layout) / ENGINES2 (the 2-core layouts) / TASKS / LAYOUTS / BEAMS ("1 4") restrict what runs.
# REPS=N (default 3) repeats the whole sequence N times into results/rep-K/, each repetition with the engines in a
# rotated order, so that the VM's drift (the same binary measured up to 30 % apart half an hour apart) spreads
# over every engine instead of landing on one: the report gives medians, and each ratio as the median of the
# ratios inside one repetition, with its range.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:-${TANDEM_CACHE:-$HOME/.cache/tandem}/bench-real}"
ENGINES="${ENGINES:-tandem tandem-fp16 tandem-int8 rust-bert transformers ct2-float ct2-int8}"
ENGINES2="${ENGINES2:-tandem tandem-fp16 tandem-int8 transformers ct2-int8}"
TASKS="${TASKS:-translate summarize}"
LAYOUTS="${LAYOUTS:-t1 t2 w2}"
BEAMS="${BEAMS:-1 4}"
REPS="${REPS:-3}"
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

# one ENGINE TASK THREADS PART BEAMS OUT: one process.
one() {
    local engine=$1 task=$2 threads=$3 part=$4 beams=$5 out=$6 name arch
    if [[ $task == translate ]]; then name=opus-mt-fr-en arch=marian; else name=distilbart-cnn-12-6 arch=bart; fi
    case $engine in
        tandem*|rust-bert)
            target/release/examples/bench_engine run --dir "$OUT/models/$name" --arch $arch --engine "$engine" \
                --inputs "$OUT/inputs.json" --key "$task" --beams "$beams" --part "$part" --threads "$threads" \
                --out "$out" ;;
        *)
            "$PY" "$HERE/peers.py" --engine "$engine" --hf "$OUT/hf/$name" --ct2 "$OUT/ct2/$name" \
                --inputs "$OUT/inputs.json" --key "$task" --beams "$beams" --part "$part" --threads "$threads" \
                --out "$out" ;;
    esac
}

# ROTATE K WORDS...: the words rotated left by K.
rotate() {
    local k=$1; shift
    local words=("$@") n=$#
    for ((i = 0; i < n; i++)); do echo -n "${words[(i + k) % n]} "; done
}

for ((rep = 1; rep <= REPS; rep++)); do
    dir="$OUT/results/rep-$rep"
    mkdir -p "$dir"
    for layout in $LAYOUTS; do
        engines=$ENGINES
        [[ $layout != t1 ]] && engines=$ENGINES2
        # shellcheck disable=SC2086
        engines=$(rotate $((rep - 1)) $engines)
        for task in $TASKS; do
            for engine in $engines; do
                base="$dir/$task-$engine-$layout"
                [[ -f "$base.json" ]] && continue
                echo "== $(date +%T) rep $rep/$REPS $layout $task $engine (load $(cut -d' ' -f1 /proc/loadavg))" >&2
                case $layout in
                    t1) one "$engine" "$task" 1 0/1 "${BEAMS// /,}" "$base.json" ;;
                    t2) one "$engine" "$task" 2 0/1 "${BEAMS// /,}" "$base.json" ;;
                    w2) for beams in $BEAMS; do
                            [[ -f "$base-b$beams-p1.json" ]] && continue
                            one "$engine" "$task" 1 0/2 "$beams" "$base-b$beams-p0.json" &
                            one "$engine" "$task" 1 1/2 "$beams" "$base-b$beams-p1.json"
                            wait
                        done ;;
                esac
            done
        done
    done
done
if [[ "${AVX2:-0}" == 1 ]]; then
    for engine in tandem transformers; do
        out="$OUT/results/rep-1/avx2-summarize-$engine.json"
        [[ -f $out ]] && continue
        ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 FBGEMM_ENABLE_INSTRUCTIONS=AVX2 \
            one $engine summarize 1 0/1 4 "$out"
    done
fi
"$PY" "$HERE/report.py" "$OUT/results" | tee "$OUT/report.md"

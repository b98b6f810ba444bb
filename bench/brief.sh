#!/usr/bin/env bash
# Whole-brief throughput (not part of `cargo test`): `tandem brief` end to end on N news-like articles with the
# three real-size random-weight models of bench/run.sh (real configs and tokenizers, outputs that stop at
# realistic lengths: bench/make_models.py), per engine; wall time, peak RSS, articles/hour per worker.
#   bench/brief.sh [OUT_DIR]        (default ~/.cache/tandem/bench-real/brief)
# N (default 24; half French, half English: bench/brief_articles.py), ENGINES (default "tandem tandem-int8"),
# THREADS (default 2: the threads of one worker, passed as OMP_NUM_THREADS). Every run gets a fresh, empty cache.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${BENCH:-${TANDEM_CACHE:-$HOME/.cache/tandem}/bench-real}"
OUT="${1:-$BENCH/brief}"
N="${N:-24}"
ENGINES="${ENGINES:-tandem tandem-int8}"
THREADS="${THREADS:-2}"
PY="$("$HERE/python-env.sh")"
cd "$ROOT"
source scripts/libtorch-env.sh
cargo build --release --locked --bin tandem >&2
if [[ ! -f "$BENCH/models/distilbart-cnn-12-6/model.safetensors" ]]; then
    "$PY" "$HERE/make_models.py" "$BENCH"
    for pair in translate-fr-en:opus-mt-fr-en translate-en-fr:opus-mt-en-fr summarize-en:distilbart-cnn-12-6; do
        role="${pair%%:*}" name="${pair##*:}"
        [[ -f "$BENCH/models/$name/model.safetensors" ]] ||
            target/release/tandem --models-dir "$BENCH/models" models import "$BENCH/hf/$name" --role "$role" >&2
    done
fi
mkdir -p "$OUT"
"$PY" "$HERE/brief_articles.py" "$OUT" "$N"
results="$OUT/results.jsonl"
: > "$results"
for engine in $ENGINES; do
    cache="$(mktemp -d "${TMPDIR:-/tmp}/tandem-brief-cache.XXXXXX")"
    rm -rf "$OUT/out-$engine"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    started=$(date +%s.%N)
    OMP_NUM_THREADS="$THREADS" /usr/bin/time -v -o "$OUT/time-$engine.txt" \
        target/release/tandem --models-dir "$BENCH/models" --cache-dir "$cache" \
        brief "$OUT/articles" --out "$OUT/out-$engine" --engine "$engine" > "$OUT/log-$engine.txt" 2>&1 || {
        echo "brief failed with $engine: see $OUT/log-$engine.txt" >&2
        tail -5 "$OUT/log-$engine.txt" >&2
        rm -rf "$cache"
        continue
    }
    ended=$(date +%s.%N)
    rm -rf "$cache"
    rss_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$engine.txt")"
    "$PY" - "$engine" "$N" "$THREADS" "$started" "$ended" "$rss_kb" "$load" "$OUT/out-$engine" >> "$results" <<'EOF'
import json, math, os, sys
engine, n, threads, t0, t1, rss_kb, load, out = sys.argv[1:]
wall = float(t1) - float(t0)
per_hour = int(n) / wall * 3600
report = {}
path = os.path.join(out, "report.json")
if os.path.isfile(path):
    with open(path) as f:
        report = json.load(f)
print(json.dumps({
    "engine": engine, "articles": int(n), "threads": int(threads), "wall_s": round(wall, 1),
    "peak_rss_mb": round(int(rss_kb) / 1024), "articles_per_hour": round(per_hour),
    "workers_for_50000_a_day": math.ceil(50000 / (per_hour * 24)), "load_before": float(load),
    "stages": report.get("stages", report.get("stage_reports")),
}))
EOF
    tail -1 "$results" >&2
done
"$PY" - "$results" <<'EOF' | tee "$OUT/report.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| engine | threads | articles | wall s | articles/hour/worker | workers for 50,000/day | peak RSS MB | load before |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['engine']} | {r['threads']} | {r['articles']} | {r['wall_s']:.0f} | {r['articles_per_hour']} | "
          f"{r['workers_for_50000_a_day']} | {r['peak_rss_mb']} | {r['load_before']:.1f} |")
EOF

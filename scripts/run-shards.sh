#!/usr/bin/env bash
# A sharded `tandem brief` on one machine: runs shards 0..N-1 (GNU parallel when installed, else xargs -P), each
# with its own cache (tandem's shard-I folder of the cache folder), then `tandem merge`. The local form of what deploy/kubernetes and deploy/slurm do.
#
#   scripts/run-shards.sh ARTICLES_DIR OUT_DIR N [tandem brief options: --date D, --since D --until D, --engine E...]
#
# OUT_DIR receives the brief (as `tandem brief --out OUT_DIR` would) and OUT_DIR/shards/ the shard files.
# Environment:
#   TANDEM              the binary (default: target/release/tandem of this checkout, else `tandem` on PATH)
#   TANDEM_JOBS         shards run at once (default: one per 2 cores, at most N; each loads the models, ~2.5 GB);
#                       each gets OMP_NUM_THREADS=cores/jobs unless you set it
#   TANDEM_CACHE_DIR    the cache folder (default ~/.cache/tandem; or pass --cache-dir / --no-cache): tandem keeps
#                       shard I's cache in its shard-I folder, so no two shards share one and a re-run of shard I
#                       reuses its own
#   TANDEM_RUNNER       parallel or xargs (default: parallel when installed)
# Exit status: merge's: 0, 3 (files skipped), 4 (sides untranslated), or 6 when a shard is missing or failed;
# merge then prints each bad shard's re-run command. Usage errors exit 2.
set -uo pipefail

usage() {
    echo "usage: $0 ARTICLES_DIR OUT_DIR N [tandem brief options...]" >&2
    exit 2
}
[[ $# -ge 3 ]] || usage
ARTICLES="$1" OUT="$2" N="$3"
shift 3
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "run-shards: N must be a positive integer, not '$N'" >&2; exit 2; }
[[ -d "$ARTICLES" ]] || { echo "run-shards: no folder $ARTICLES" >&2; exit 2; }
quiet="" cache_set=""
for arg in "$@"; do
    case "$arg" in
        --out | --out=* | --shard | --shard=*)
            echo "run-shards: $arg is set by this script" >&2
            exit 2
            ;;
        -q | --quiet) quiet=1 ;;
        --cache-dir | --cache-dir=* | --no-cache) cache_set=1 ;;
    esac
done

if [[ -z "${TANDEM:-}" ]]; then
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if [[ -x "$here/target/release/tandem" ]]; then
        TANDEM="$here/target/release/tandem"
    elif command -v tandem >/dev/null 2>&1; then
        TANDEM="$(command -v tandem)"
    else
        echo "run-shards: no tandem binary: build it (make build) or set TANDEM" >&2
        exit 2
    fi
fi
cores="$(nproc 2>/dev/null || echo 1)"
default_jobs=$((cores / 2 > 0 ? cores / 2 : 1))
JOBS="${TANDEM_JOBS:-$((default_jobs < N ? default_jobs : N))}"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "run-shards: TANDEM_JOBS must be a positive integer" >&2; exit 2; }
RUNNER="${TANDEM_RUNNER:-}"
if [[ -z "$RUNNER" ]]; then
    if command -v parallel >/dev/null 2>&1; then RUNNER="parallel"; else RUNNER="xargs"; fi
fi
if [[ -z "${OMP_NUM_THREADS:-}" ]]; then
    OMP_NUM_THREADS=$((cores / JOBS > 0 ? cores / JOBS : 1))
    export OMP_NUM_THREADS
fi
# Several shards at once share the terminal: no progress bars.
extra=()
if [[ -z "$quiet" && "$JOBS" -gt 1 ]]; then extra=(--quiet); fi
# The cache folder, named in each shard's command, so the re-run command merge prints finds the same one.
CACHE="the cache folder your options name"
if [[ -z "$cache_set" ]]; then
    CACHE="${TANDEM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}"
    extra+=(--cache-dir "$CACHE")
fi

SHARDS="$OUT/shards"
mkdir -p "$SHARDS" || exit 2
# Shard files of an earlier run (another N, other options) would make merge refuse the set.
rm -f "$SHARDS"/shard-*-of-*.jsonl "$SHARDS"/shard-*-of-*.report.json "$SHARDS"/shard-*-of-*.failed.json

echo "run-shards: $N shards of $ARTICLES, $JOBS at a time ($RUNNER), caches: the shard-I folders of $CACHE" >&2
case "$RUNNER" in
    parallel)
        # -q: the command's words are passed as they are; {} is the shard index
        seq 0 $((N - 1)) | parallel --will-cite --halt never -j "$JOBS" -q \
            "$TANDEM" brief "$ARTICLES" --out "$SHARDS" --shard "{}/$N" "${extra[@]}" "$@"
        ;;
    xargs)
        seq 0 $((N - 1)) | xargs -P "$JOBS" -I{} \
            "$TANDEM" brief "$ARTICLES" --out "$SHARDS" --shard "{}/$N" "${extra[@]}" "$@"
        ;;
    *)
        echo "run-shards: TANDEM_RUNNER must be parallel or xargs, not '$RUNNER'" >&2
        exit 2
        ;;
esac
shards_rc=$?
if [[ $shards_rc -ne 0 ]]; then
    echo "run-shards: some shards failed (above); merging to list them" >&2
fi

"$TANDEM" merge "$SHARDS" --out "$OUT"
rc=$?
if [[ $rc -eq 6 ]]; then
    {
        echo "run-shards: the brief is incomplete. Re-run each shard named above with the command merge printed"
        echo "  (it reuses that shard's cache), then merge again:"
        printf '  %q merge %q --out %q\n' "$TANDEM" "$SHARDS" "$OUT"
        echo "  or run this script again: the shards that finished come back from their caches."
    } >&2
fi
exit $rc

#!/usr/bin/env bash
# Submits a sharded tandem brief to Slurm: a job array of N shards, then the merge, which starts only once every
# shard succeeded (--dependency=afterok).
#
#   deploy/slurm/submit.sh [--only INDICES] N ARTICLES_DIR RUN_DIR [tandem brief options: --date D ...]
#
# RUN_DIR gets shards/, brief/ and logs/. --only re-runs some shards (e.g. --only 2,5) of an earlier submission
# with the same N, RUN_DIR and options, and the merge after them; the other shards' files are kept (without --only,
# RUN_DIR/shards is emptied of shard files first).
# Environment: TANDEM, TANDEM_MODELS and TANDEM_CACHE_DIR reach the jobs (see shard.sbatch); sbatch's own
# SBATCH_PARTITION, SBATCH_ACCOUNT... apply as usual. SBATCH: the sbatch to call (default: sbatch).
set -euo pipefail

usage() {
    echo "usage: $0 [--only INDICES] N ARTICLES_DIR RUN_DIR [tandem brief options...]" >&2
    exit 2
}
ONLY=""
if [[ "${1:-}" == "--only" ]]; then
    [[ $# -ge 2 ]] || usage
    ONLY="$2"
    shift 2
fi
[[ $# -ge 3 ]] || usage
N="$1" ARTICLES="$2" RUN="$3"
shift 3
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "submit: N must be a positive integer, not '$N'" >&2; exit 2; }
if [[ -n "$ONLY" ]]; then
    [[ "$ONLY" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || {
        echo "submit: --only takes shard indices like 2 or 2,5 or 3-6, not '$ONLY'" >&2
        exit 2
    }
    for i in $(tr ',-' '  ' <<<"$ONLY"); do
        ((i < N)) || { echo "submit: shard index $i is not below N=$N" >&2; exit 2; }
    done
fi
[[ -d "$ARTICLES" ]] || { echo "submit: no folder $ARTICLES" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SBATCH="${SBATCH:-sbatch}"
ARTICLES="$(cd "$ARTICLES" && pwd)"
mkdir -p "$RUN/shards" "$RUN/logs"
RUN="$(cd "$RUN" && pwd)"
ARRAY="${ONLY:-0-$((N - 1))}"
if [[ -z "$ONLY" ]]; then
    # a new run: shard files of an earlier one (another N, other options) would make merge refuse the set
    rm -f "$RUN/shards"/shard-*-of-*.jsonl "$RUN/shards"/shard-*-of-*.report.json "$RUN/shards"/shard-*-of-*.failed.json
fi

array_job="$("$SBATCH" --parsable --array="$ARRAY" --export="ALL,TANDEM_SHARDS=$N" \
    --output="$RUN/logs/shard-%a.out" "$HERE/shard.sbatch" "$ARTICLES" "$RUN/shards" "$@")"
array_job="${array_job%%;*}"
merge_job="$("$SBATCH" --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
    --output="$RUN/logs/merge.out" "$HERE/merge.sbatch" "$RUN/shards" "$RUN/brief")"
merge_job="${merge_job%%;*}"

echo "submit: shards $ARRAY of $N: job $array_job; merge: job $merge_job (once every shard succeeded)"
echo "submit: brief in $RUN/brief, logs in $RUN/logs"
echo "submit: if a shard fails, the merge job is cancelled; \`tandem merge $RUN/shards --out $RUN/brief\` lists the"
echo "        bad shards; re-run them with: $0 --only I,J $N $ARTICLES $RUN $*"

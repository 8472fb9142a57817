#!/usr/bin/env bash
# Random forest benchmark: Modeldesk's forest against scikit-learn's RandomForestClassifier,
# on the generated benchmark file with a stratified hold-out of 0.2.
#
# All fit the very same training matrix: Modeldesk's `train --export-split` writes its
# hold-out split and feature matrices as .npy once; then
#   modeldesk        fit seconds of the hold-out fold from `train --json --timings` with
#                    --param trees=50 max_depth=10 feature_fraction=0.5 and the default
#                    splitter (auto: histogram splits from 20,000 training rows)
#   modeldesk exact  the same with --param splitter=exact (every feature's rows kept sorted)
#   scikit-learn     RandomForestClassifier(n_estimators=50, max_depth=10, max_features=0.5,
#                    n_jobs=2) on the exported matrix (bench/forest_peer.py)
# and each one's ROC AUC on the hold-out rows, and peak memory of the whole process.
# Targets: histogram fit <= 0.6 x scikit-learn, |AUC difference| <= 0.002.
# Runs are interleaved REPS times; medians (and the range) are shown. The load average is
# printed before, during and after. Nothing is asserted.
#
# Environment (all optional):
#   ROWS          rows of the generated file                      (200000)
#   BENCH_DIR     where the file lives / is generated             (/tmp/modeldesk-bench)
#   BENCH_CSV     use this CSV instead (needs a `label` column)
#   REPS          repetitions                                     (3)
#   EXACT         1 to time the exact splitter too, 0 to skip it  (1)
#   MODELDESK_BIN modeldesk binary     (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   BENCH_VENV    virtualenv with scikit-learn                    (~/.cache/modeldesk-sklearn-venv)
#   GEN_DATASET   gen_dataset.py                    (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
ROWS=${ROWS:-200000}
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
EXACT=${EXACT:-1}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
BENCH_VENV=${BENCH_VENV:-$HOME/.cache/modeldesk-sklearn-venv}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }
PY=$BENCH_VENV/bin/python
[ -x "$PY" ] || { echo "no $PY: make it with python3 -m venv and pip install scikit-learn" >&2; exit 1; }
PEER=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY")

# The same generated file as the boosting benchmark.
FILE=${BENCH_CSV:-$BENCH_DIR/boost-$ROWS.csv}
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" "$ROWS"
cat "$FILE" > /dev/null

timed() {  # timed OUTFILE CMD... ; CMD's stdout -> OUTFILE; prints "wall_seconds peak_rss_kb"
    local out=$1; shift
    /usr/bin/time -o "$TMP/time" -f "%e %M" "$@" >"$out" 2>"$TMP/err" || { cat "$TMP/err" >&2; return 1; }
    tail -n 1 "$TMP/time"
}

echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB), reps: $REPS, cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
"${PEER[@]}" -c "
import sklearn, numpy
print('scikit-learn %s, numpy %s' % (sklearn.__version__, numpy.__version__))"

TRAIN=("$MODELDESK_BIN" train "$FILE" --target label --algo random_forest
       --param trees=50 --param max_depth=10 --param feature_fraction=0.5
       --holdout 0.2 --json --no-record)
"${TRAIN[@]}" --export-split "$TMP/split" > /dev/null

: > "$TMP/runs"
for ((rep = 1; rep <= REPS; rep++)); do
    res=$(timed "$TMP/md.json" "${TRAIN[@]}" --timings)
    echo "{\"tool\": \"modeldesk\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/md.json")}" >> "$TMP/runs"
    if [ "$EXACT" = 1 ]; then
        res=$(timed "$TMP/mdx.json" "${TRAIN[@]}" --param splitter=exact --timings)
        echo "{\"tool\": \"modeldesk_exact\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/mdx.json")}" >> "$TMP/runs"
    fi
    res=$(timed "$TMP/sk.json" "${PEER[@]}" "$HERE/forest_peer.py" "$TMP/split")
    echo "{\"tool\": \"sklearn\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/sk.json")}" >> "$TMP/runs"
    echo "  rep $rep done (load $(cut -d' ' -f1 /proc/loadavg))"
done

"$PY" - "$TMP/runs" <<'EOF_PY'
import json, statistics, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
by = lambda tool: [r for r in runs if r["tool"] == tool]
med = statistics.median
peak = lambda r: float(r["wall_kb"].split()[1]) / 1024

def md_fit(run):
    [t] = [t for t in run["out"]["models"][0]["timings"] if t["stage"] == "fold 1" and t["step"] == "fit"]
    return t["seconds"]

table = []
for tool, name in [("modeldesk", "modeldesk (histogram)"), ("modeldesk_exact", "modeldesk, splitter=exact")]:
    rs = by(tool)
    if rs:
        fits = [md_fit(r) for r in rs]
        aucs = [r["out"]["models"][0]["metrics"]["roc_auc"] for r in rs]
        table.append((name, med(fits), min(fits), max(fits), aucs[0], med(map(peak, rs))))
rs = by("sklearn")
fits = [r["out"]["fit_seconds"] for r in rs]
table.append(("scikit-learn, n_jobs=2", med(fits), min(fits), max(fits), rs[0]["out"]["roc_auc"], med(map(peak, rs))))
rows = by("modeldesk")[0]["out"]["rows_used"]
print(f"\nrandom forest (50 trees, depth <= 10, max_features 0.5) on the same hold-out training matrix ({rows} rows in the file, 80 % fitted)")
print(f"{'tool':<28}{'fit s':>8}{'min':>8}{'max':>8}{'ROC AUC':>10}{'peak MB':>9}{'/ sklearn':>11}")
sk_s, sk_auc = table[-1][1], table[-1][4]
for name, s, lo, hi, auc, mb in table:
    print(f"{name:<28}{s:>8.3f}{lo:>8.3f}{hi:>8.3f}{auc:>10.5f}{mb:>9.0f}{s / sk_s:>10.3f}x")
md_s, md_auc = table[0][1], table[0][4]
print(f"fit time modeldesk / scikit-learn: {md_s / sk_s:.3f} (target <= 0.6: {'met' if md_s <= 0.6 * sk_s else 'missed'}); "
      f"AUC difference {md_auc - sk_auc:+.5f} (target within 0.002: {'met' if abs(md_auc - sk_auc) <= 0.002 else 'missed'})")
EOF_PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Gradient boosting benchmark: Modeldesk's gradient boosting against scikit-learn's
# HistGradientBoostingClassifier (and LightGBM, for information, when the virtualenv has it),
# on the generated benchmark file with a stratified hold-out of 0.2.
#
# All fit the very same training matrix: Modeldesk's `train --export-split` writes its
# hold-out split and feature matrices as .npy once; then
#   modeldesk      fit seconds of the hold-out fold from `train --json --timings`, with
#                  --param early_stopping=false (defaults otherwise: 100 iterations,
#                  learning rate 0.1, 31 leaves, 20 rows per leaf, no L2, 255 bins)
#   scikit-learn   HistGradientBoostingClassifier, the same parameters, on the exported
#                  matrix, its one-hot columns given back as native categorical features
#                  as Modeldesk splits them (up to 255 levels; bench/boosting_peer.py
#                  sklearn), with its default threads and with
#                  OMP_NUM_THREADS=1 (on a busy machine OpenMP's waiting threads cost more
#                  than they bring)
#   lightgbm       LGBMClassifier, the same settings in its names (bench/boosting_peer.py)
# and each one's ROC AUC on the hold-out rows, and peak memory of the whole process.
# Targets: fit <= 1.0 x scikit-learn, |AUC difference| <= 0.003.
# Runs are interleaved REPS times; medians are shown. The load average is printed before
# and after. Nothing is asserted.
#
# Environment (all optional):
#   ROWS          rows of the generated file                      (200000)
#   BENCH_DIR     where the file lives / is generated             (/tmp/modeldesk-bench)
#   BENCH_CSV     use this CSV instead (needs a `label` column)
#   REPS          repetitions                                     (3)
#   MODELDESK_BIN modeldesk binary     (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   BENCH_VENV    virtualenv with scikit-learn                    (~/.cache/modeldesk-sklearn-venv)
#   GEN_DATASET   gen_dataset.py                    (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
ROWS=${ROWS:-200000}
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
BENCH_VENV=${BENCH_VENV:-$HOME/.cache/modeldesk-sklearn-venv}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }
PY=$BENCH_VENV/bin/python
[ -x "$PY" ] || { echo "no $PY: run bench/sklearn_boosting.py once to make it" >&2; exit 1; }
PEER=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY")

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
try:
    import lightgbm; lgb = 'lightgbm ' + lightgbm.__version__
except ImportError:
    lgb = 'no lightgbm'
print('scikit-learn %s, numpy %s, %s' % (sklearn.__version__, numpy.__version__, lgb))"
HAVE_LGB=$("${PEER[@]}" -c 'import lightgbm' 2>/dev/null && echo 1 || echo 0)

TRAIN=("$MODELDESK_BIN" train "$FILE" --target label --algo gradient_boosting
       --param early_stopping=false --holdout 0.2 --json --no-record)
"${TRAIN[@]}" --export-split "$TMP/split" > /dev/null

: > "$TMP/runs"
for ((rep = 1; rep <= REPS; rep++)); do
    res=$(timed "$TMP/md.json" "${TRAIN[@]}" --timings)
    echo "{\"tool\": \"modeldesk\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/md.json")}" >> "$TMP/runs"
    res=$(timed "$TMP/sk.json" "${PEER[@]}" "$HERE/boosting_peer.py" sklearn "$TMP/split")
    echo "{\"tool\": \"sklearn\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/sk.json")}" >> "$TMP/runs"
    res=$(timed "$TMP/sk1.json" env OMP_NUM_THREADS=1 "${PEER[@]}" "$HERE/boosting_peer.py" sklearn "$TMP/split")
    echo "{\"tool\": \"sklearn_1\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/sk1.json")}" >> "$TMP/runs"
    if [ "$HAVE_LGB" = 1 ]; then
        res=$(timed "$TMP/lgb.json" "${PEER[@]}" "$HERE/boosting_peer.py" lightgbm "$TMP/split")
        echo "{\"tool\": \"lightgbm\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/lgb.json")}" >> "$TMP/runs"
    fi
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

md = by("modeldesk")
rows = md[0]["out"]["rows_used"]
md_s = med(map(md_fit, md))
md_auc = md[0]["out"]["models"][0]["metrics"]["roc_auc"]
table = [("modeldesk", md_s, md_auc, med(map(peak, md)))]
for tool, name in [("sklearn", "scikit-learn"), ("sklearn_1", "scikit-learn, 1 thread"), ("lightgbm", "LightGBM")]:
    rs = by(tool)
    if rs:
        table.append((name, med(r["out"]["fit_seconds"] for r in rs), rs[0]["out"]["roc_auc"], med(map(peak, rs))))
print(f"\ngradient boosting fit on the same hold-out training matrix ({rows} rows in the file, 80 % fitted)")
print(f"{'tool':<26}{'fit s':>8}{'ROC AUC':>10}{'peak MB':>9}{'vs modeldesk':>14}")
for name, s, auc, mb in table:
    print(f"{name:<26}{s:>8.3f}{auc:>10.5f}{mb:>9.0f}{s / md_s:>13.2f}x")
sk_s, sk_auc = table[1][1], table[1][2]
sk1_s = table[2][1]
print(f"fit time modeldesk / scikit-learn: {md_s / sk_s:.3f} (against 1 thread: {md_s / sk1_s:.3f}; target <= 1.0: "
      f"{'met' if md_s <= min(sk_s, sk1_s) else 'missed'}); AUC difference {md_auc - sk_auc:+.6f} "
      f"(target within 0.003: {'met' if abs(md_auc - sk_auc) <= 0.003 else 'missed'})")
EOF_PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

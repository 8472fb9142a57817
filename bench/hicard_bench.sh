#!/usr/bin/env bash
# Categories with many levels: logistic regression on a file with one categorical column of
# 900 levels, against pandas + scikit-learn with a sparse one-hot encoder.
#
# (1) 200,000 rows × (900 levels + 5 numbers), label from x1 + x2 and a per-level effect
#     (bench/gen_hicard.py): bench/train_bench.sh with that file, the Python pipeline's
#     one-hot output sparse (ONE_HOT=sparse). It prints the whole job's wall seconds and
#     peak MB of each tool, and each one's hold-out ROC AUC on the same rows. Targets: wall
#     and peak <= 1.0 x python, |AUC difference| <= 0.002.
# (2) 1,000,000 rows × 5,000 levels: Modeldesk alone (it must work; wall, peak, AUC).
# (3) The 200,000-row file with every other classifier that reads levels as indices
#     (naive Bayes, gradient boosting without early stopping, splitting the column on sets
#     of levels and, for comparison, indicator by indicator, the random forest with 50
#     trees of depth 10): Modeldesk's wall, peak and AUC. scikit-learn's estimators take
#     the indicator matrix dense (HistGradientBoosting rejects sparse input and native
#     categories above 255 levels): bench/boosting_bench.sh with BENCH_CSV set to this file
#     measures that side.
# Nothing is asserted.
#
# Environment: BENCH_DIR (/tmp/modeldesk-bench), REPS (3), MODELDESK_BIN, BENCH_VENV as in
# train_bench.sh; SKIP_FIT=1 leaves out train_bench's (a), a dense scikit-learn fit on the
# exported matrix.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
mkdir -p "$BENCH_DIR"

SMALL=$BENCH_DIR/hicard-200k-900.csv
LARGE=$BENCH_DIR/hicard-1m-5000.csv
[ -s "$SMALL" ] || python3 "$HERE/gen_hicard.py" "$SMALL" 200000 900
[ -s "$LARGE" ] || python3 "$HERE/gen_hicard.py" "$LARGE" 1000000 5000

echo "== (1) $SMALL"
BENCH_CSV=$SMALL ONE_HOT=sparse bash "$HERE/train_bench.sh"

echo
echo "== (2) $LARGE, Modeldesk alone"
cat "$LARGE" > /dev/null
out=$(mktemp)
/usr/bin/time -o "$out.time" -f "%e %M" "$MODELDESK_BIN" train "$LARGE" --target label \
    --holdout 0.2 --json --no-record > "$out"
python3 - "$out" "$out.time" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
wall, kb = open(sys.argv[2]).read().split()[-2:]
print(f"modeldesk train: {float(wall):.2f} s wall, {int(kb) / 1024:.0f} MB peak, "
      f"hold-out ROC AUC {run['metrics']['roc_auc']:.5f}, {run['rows_used']} rows")
PY
echo
echo "== (3) $SMALL, the other classifiers"
for algo in naive_bayes gradient_boosting gradient_boosting/one_hot random_forest; do
    case $algo in
        gradient_boosting) params=(--param early_stopping=false) ;;
        gradient_boosting/one_hot)
            params=(--param early_stopping=false --param categorical_features=one_hot) ;;
        random_forest) params=(--param trees=50 --param max_depth=10) ;;
        *) params=() ;;
    esac
    /usr/bin/time -o "$out.time" -f "%e %M" "$MODELDESK_BIN" train "$SMALL" --target label \
        --algo "${algo%/*}" "${params[@]}" --holdout 0.2 --json --no-record > "$out"
    python3 - "$out" "$out.time" "$algo" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
wall, kb = open(sys.argv[2]).read().split()[-2:]
print(f"modeldesk train --algo {sys.argv[3]}: {float(wall):.2f} s wall, {int(kb) / 1024:.0f} MB peak, "
      f"hold-out ROC AUC {run['metrics']['roc_auc']:.5f}")
PY
done
rm -f "$out" "$out.time"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# ONNX export benchmark: ONNX Runtime scoring the import benchmark's 1,000,000-row file with
# exported models, against `modeldesk score` on the same rows, in the same run.
#
# Models: logistic regression (the default) and a 50-tree random forest (depth 10), both
# trained with `modeldesk train --holdout 0.2` on the file's first 200,000 rows, registered
# in a catalog of the run's own and exported with `modeldesk export --onnx`.
# Each run, interleaved REPS times, the file in the page cache:
#   modeldesk    modeldesk score MODEL@1 FILE -o OUT.csv --digits 17 (whole command: read,
#                schema check, predict, drift, metrics, write the CSV, record the run)
#   onnxruntime  bench/onnx_peer.py score: pandas.read_csv of the model's columns, then
#                InferenceSession.run on all rows (both timed), then labels and
#                probabilities compared with modeldesk's CSV (not timed)
# Then the same two files are loaded and run in ONNX Runtime 1.20.1 (the oldest release the
# export targets), in a virtualenv of its own, on the first 10,000 rows, and compared with
# modeldesk's predictions. Medians are printed; nothing is asserted.
#
# Environment (all optional):
#   BENCH_DIR     where big.csv lives / is generated      (/tmp/modeldesk-bench)
#   REPS          repetitions                              (3)
#   MODELDESK_BIN modeldesk binary      (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   ONNX_VENV     virtualenv with onnxruntime and pandas   (~/.cache/modeldesk-onnx-venv)
#   OLD_ORT_VENV  virtualenv with onnxruntime 1.20.1       (~/.cache/modeldesk-ort120-venv)
#   GEN_DATASET   gen_dataset.py                 (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
ONNX_VENV=${ONNX_VENV:-$HOME/.cache/modeldesk-onnx-venv}
OLD_ORT_VENV=${OLD_ORT_VENV:-$HOME/.cache/modeldesk-ort120-venv}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }

venv_with() {  # venv_with DIR PACKAGE==VERSION...
    local dir=$1; shift
    [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}
venv_with "$ONNX_VENV" -r "$ROOT/tests/python/requirements.txt" pandas==2.3.3
venv_with "$OLD_ORT_VENV" onnxruntime==1.20.1 onnx==1.19.1 "numpy<2.3" pandas==2.2.3
PEER=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$ONNX_VENV/bin/python")

FILE=$BENCH_DIR/big.csv
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" 1000000
head -n 200001 "$FILE" > "$TMP/train.csv"
cat "$FILE" > /dev/null   # warm the page cache

CATALOG=$TMP/catalog.sqlite
for algo in logistic_regression random_forest; do
    "$MODELDESK_BIN" train "$TMP/train.csv" --target label --algo "$algo" --holdout 0.2 \
        --register "$algo" --catalog "$CATALOG" > /dev/null
    "$MODELDESK_BIN" export "$algo@1" --onnx "$TMP/$algo.onnx" --catalog "$CATALOG"
done

echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB), reps: $REPS, cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$TMP/runs"
for ((rep = 1; rep <= REPS; rep++)); do
    for algo in logistic_regression random_forest; do
        start=$(date +%s.%N)
        "$MODELDESK_BIN" score "$algo@1" "$FILE" -o "$TMP/$algo.scored.csv" --digits 17 \
            --catalog "$CATALOG" > /dev/null
        end=$(date +%s.%N)
        echo "{\"tool\": \"modeldesk\", \"algo\": \"$algo\", \"seconds\": $(echo "$end - $start" | bc)}" >> "$TMP/runs"
        start=$(date +%s.%N)
        out=$("${PEER[@]}" "$HERE/onnx_peer.py" score "$TMP/$algo.onnx" "$FILE" "$TMP/$algo.scored.csv")
        echo "{\"tool\": \"onnxruntime\", \"algo\": \"$algo\", \"out\": $out}" >> "$TMP/runs"
    done
    echo "  rep $rep done"
done

"$ONNX_VENV/bin/python" - "$TMP/runs" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
med = statistics.median
print(f"\n{'model':<22}{'modeldesk score s':>18}{'ORT read s':>12}{'ORT run s':>11}{'ORT total s':>13}{'run/score':>11}{'total/score':>13}{'labels differ':>15}{'max |p diff|':>14}")
for algo in ["logistic_regression", "random_forest"]:
    md = med(r["seconds"] for r in runs if r["tool"] == "modeldesk" and r["algo"] == algo)
    ort = [r["out"] for r in runs if r["tool"] == "onnxruntime" and r["algo"] == algo]
    read, run = med(o["read_seconds"] for o in ort), med(o["run_seconds"] for o in ort)
    print(f"{algo:<22}{md:>18.2f}{read:>12.2f}{run:>11.2f}{read + run:>13.2f}{run / md:>11.2f}{(read + run) / md:>13.2f}"
          f"{max(o['label_mismatches'] for o in ort):>15}{max(o['max_proba_diff'] for o in ort):>14.2e}")
print(f"ONNX Runtime {ort[0]['ort']}, rows {ort[0]['rows']}")
PY
echo
for algo in logistic_regression random_forest; do
    echo "ONNX Runtime 1.20.1, $algo: $("$OLD_ORT_VENV/bin/python" "$HERE/onnx_peer.py" load "$TMP/$algo.onnx" "$FILE" "$TMP/$algo.scored.csv")"
done

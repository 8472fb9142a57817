#!/usr/bin/env bash
# TreeSHAP: Modeldesk against shap's TreeExplainer (path-dependent) on a random forest with
# Modeldesk's default parameters (50 trees, depth at most 10) fitted on a 20,000-row file
# with 20 numeric features (gen_dataset.py), explaining 2,000 rows evenly spaced through it.
#   modeldesk   wall time of `modeldesk explain MODEL@1 --shap --data FILE --shap-rows 2000
#               --json`, less that of the same command without --shap (reading the CSV and
#               loading the model); rows in parallel on the machine's cores
#   shap        explainer.shap_values(rows) alone (bench/shap_peer.py), on scikit-learn's own
#               forest with the same parameters (each tool grows its own trees; the leaves of
#               scikit-learn's are printed)
# Medians of REPS runs; the load average is printed.
#
# Environment (all optional):
#   BENCH_DIR     where shap.csv lives / is generated     (/tmp/modeldesk-bench)
#   REPS          repetitions                             (3)
#   MODELDESK_BIN modeldesk binary       (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   GEN_DATASET   gen_dataset.py                (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
ROWS=2000

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }
FILE=$BENCH_DIR/shap.csv
if [ ! -s "$FILE" ]; then
    mkdir -p "$BENCH_DIR"
    python3 "$GEN_DATASET" --rows 20000 --features 20 --out "$FILE.tmp"
    mv "$FILE.tmp" "$FILE"
fi
export MODELDESK_CATALOG=$TMP/catalog.sqlite
"$MODELDESK_BIN" train "$FILE" --target label --algo random_forest --cv 2 --register shapbench >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
with=(); without=(); peer=()
for _ in $(seq "$REPS"); do
    with+=("$(seconds "$MODELDESK_BIN" explain shapbench@1 --shap --data "$FILE" --shap-rows $ROWS --json)")
    without+=("$(seconds "$MODELDESK_BIN" explain shapbench@1 --json)")
    peer+=("$(python3 "$HERE/shap_peer.py" "$FILE" $ROWS)")
done
w=$(printf '%s\n' "${with[@]}" | median)
wo=$(printf '%s\n' "${without[@]}" | median)
p=$(printf '%s\n' "${peer[@]}" | awk '{print $1}' | median)
leaves=$(printf '%s\n' "${peer[@]}" | awk 'NR==1 {print $3}')
echo "modeldesk TreeSHAP, $ROWS rows: $(echo "$w - $wo" | bc) s (command $w s, without --shap $wo s)"
echo "shap TreeExplainer, $ROWS rows: $p s (scikit-learn's forest: $leaves leaves)"

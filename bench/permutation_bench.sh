#!/usr/bin/env bash
# Permutation importance: Modeldesk against scikit-learn on a 200,000-row file with 28
# feature columns (26 numeric, 2 categorical; gen_dataset.py), 5 shuffles of each column,
# accuracy, each tool on its own logistic regression fitted on every row.
#   modeldesk   wall time of `modeldesk explain MODEL@1 --importance permutation --data FILE
#               --repeats 5`: reading the CSV, loading the model, and the importances
#               (the columns in parallel on the machine's cores)
#   sklearn     sklearn.inspection.permutation_importance(pipeline, frame, y, n_repeats=5)
#               alone (not pandas' read or the fit), n_jobs=1 and n_jobs=2
#               (bench/permutation_peer.py)
# Target: modeldesk <= 1.0 x sklearn. Medians of REPS runs; the load average is printed.
#
# Environment (all optional):
#   BENCH_DIR     where perm.csv lives / is generated     (/tmp/modeldesk-bench)
#   REPS          repetitions                             (3)
#   MODELDESK_BIN modeldesk binary       (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   BENCH_VENV    virtualenv with pandas and scikit-learn (~/.cache/modeldesk-sklearn-venv)
#   GEN_DATASET   gen_dataset.py                (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
BENCH_VENV=${BENCH_VENV:-$HOME/.cache/modeldesk-sklearn-venv}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }
PY=$BENCH_VENV/bin/python
[ -x "$PY" ] || python3 -m venv "$BENCH_VENV"
"$PY" -c 'import pandas, sklearn' 2>/dev/null || "$PY" -m pip install --quiet pandas scikit-learn

FILE=$BENCH_DIR/perm.csv
if [ ! -s "$FILE" ]; then
    mkdir -p "$BENCH_DIR"
    python3 "$GEN_DATASET" --rows 200000 --features 26 --categorical 2 --missing 0.02 --out "$FILE.tmp"
    mv "$FILE.tmp" "$FILE"
fi
cat "$FILE" > /dev/null

export MODELDESK_CATALOG=$TMP/catalog.sqlite
"$MODELDESK_BIN" train "$FILE" --target label --holdout 0.2 --register perm > /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "file: $FILE, reps: $REPS, cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
ours=(); peer1=(); peer2=()
for _ in $(seq "$REPS"); do
    start=$(date +%s.%N)
    "$MODELDESK_BIN" explain perm@1 --importance permutation --data "$FILE" --repeats 5 --json > "$TMP/ours.json"
    end=$(date +%s.%N)
    ours+=("$(echo "$end - $start" | bc)")
    (cd "$HERE" && "$PY" permutation_peer.py "$FILE" 5) > "$TMP/peer.json"
    peer1+=("$("$PY" -c "import json; print(json.load(open('$TMP/peer.json'))['permutation_seconds_jobs1'])")")
    peer2+=("$("$PY" -c "import json; print(json.load(open('$TMP/peer.json'))['permutation_seconds_jobs2'])")")
done
o=$(printf '%s\n' "${ours[@]}" | median)
p1=$(printf '%s\n' "${peer1[@]}" | median)
p2=$(printf '%s\n' "${peer2[@]}" | median)
printf '| %-40s | %8s | %s |\n' "" "seconds" "modeldesk / this"
printf '| %-40s | %8.2f | %s |\n' "modeldesk explain (read + importances)" "$o" ""
printf '| %-40s | %8.2f | %.3f |\n' "sklearn permutation_importance n_jobs=1" "$p1" "$(echo "$o / $p1" | bc -l)"
printf '| %-40s | %8.2f | %.3f |\n' "sklearn permutation_importance n_jobs=2" "$p2" "$(echo "$o / $p2" | bc -l)"
"$PY" - "$TMP/ours.json" "$TMP/peer.json" <<'PYEOF'
import json, sys
ours = {c["column"]: c["mean"] for c in json.load(open(sys.argv[1]))["permutation_importance"]["columns"]}
theirs = json.load(open(sys.argv[2]))["importances"]
top = lambda d: sorted(d, key=d.get, reverse=True)[:5]
print("top 5 columns, modeldesk:", ", ".join(f"{c} {ours[c]:.4f}" for c in top(ours)))
print("top 5 columns, sklearn:  ", ", ".join(f"{c} {theirs[c]:.4f}" for c in top(theirs)))
print("largest difference of a column's mean drop:", f"{max(abs(ours[c] - theirs[c]) for c in theirs):.4f}")
PYEOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

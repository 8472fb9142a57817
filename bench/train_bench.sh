#!/usr/bin/env bash
# Training benchmark: Modeldesk's logistic regression against scikit-learn's, on the
# 1M-row file of the import benchmark with a stratified hold-out of 0.2.
#
# (a) Fit: both fit the very same training matrix. Modeldesk's `train --export-split`
#     writes its hold-out split and feature matrices as .npy once; then
#       modeldesk   fit seconds of the hold-out fold, from `train --json --timings`
#       sklearn     LogisticRegression(solver="lbfgs") (C=1, tol 1e-4, max_iter 100, as
#                   Modeldesk's defaults) on the exported matrix (bench/train_peer.py fit)
#     and each one's ROC AUC on the hold-out rows. Targets: fit <= 1.0 x scikit-learn,
#     |AUC difference| <= 0.002.
# (b) Pipeline: wall time of the whole job, each tool as its own process (Python's start
#     and imports count, as the user waits for them too):
#       modeldesk   modeldesk train FILE --target label --holdout 0.2 --json --timings:
#                   import, recipe, fit, hold-out metrics, then the refit on all rows
#       python      bench/train_peer.py pipeline: pandas.read_csv, the same recipe in a
#                   ColumnTransformer, LogisticRegression, the same metrics on the same
#                   hold-out rows, then the refit on all rows (as Modeldesk)
#     Python without its refit is printed too. Target: modeldesk <= 0.5 x python.
# Runs are interleaved REPS times with the file in the page cache; medians are shown.
# The machine may be shared: the load average is printed before and after. Nothing is
# asserted.
#
# Environment (all optional):
#   BENCH_DIR     where big.csv lives / is generated       (/tmp/modeldesk-bench)
#   BENCH_CSV     use this CSV instead (needs a `label` column and an `id` column)
#   REPS          repetitions                               (3)
#   MODELDESK_BIN modeldesk binary       (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   BENCH_VENV    virtualenv with pandas and scikit-learn   (~/.cache/modeldesk-sklearn-venv)
#   GEN_DATASET   gen_dataset.py                  (<repo>/../shared/tools/gen_dataset.py)
#   ONE_HOT       the Python pipeline's one-hot output: dense or sparse   (dense)
#   SKIP_FIT      1: leave out (a), whose exported matrices are dense     (unset)
#   CASES         all: after (a) and (b), every case of the training work in the same run,
#                 each against its peers measured there and then, with peak memory:
#                 bench/hicard_bench.sh (categories with many levels, every algorithm;
#                 SKIP_FIT=1), bench/forest_bench.sh (random forest, 200,000 rows; EXACT=0) and
#                 bench/boosting_bench.sh with ROWS=1000000 (gradient boosting against
#                 scikit-learn and LightGBM); their summary lines are gathered at the end
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

# --- Python peer --------------------------------------------------------------
PY=$BENCH_VENV/bin/python
[ -x "$PY" ] || python3 -m venv "$BENCH_VENV"
if ! "$PY" -c 'import pandas, sklearn, threadpoolctl' 2>/dev/null; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet pandas scikit-learn threadpoolctl
fi
# A current numpy runs slower under these (set on some processors for older OpenBLAS builds).
PEER=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY")

# --- Data -------------------------------------------------------------------
FILE=${BENCH_CSV:-$BENCH_DIR/big.csv}
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" 1000000
cat "$FILE" > /dev/null   # warm the page cache so no tool pays for the disk

if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null; then
    { apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null 2>&1 || true
fi
timed() {  # timed OUTFILE CMD... ; CMD's stdout -> OUTFILE; prints "wall_seconds peak_rss_kb"
    local out=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -o "$TMP/time" -f "%e %M" "$@" >"$out" 2>"$TMP/err" || { cat "$TMP/err" >&2; return 1; }
        tail -n 1 "$TMP/time"
    else
        local start end; start=$(date +%s.%N)
        "$@" >"$out" 2>"$TMP/err" || { cat "$TMP/err" >&2; return 1; }
        end=$(date +%s.%N); echo "$(echo "$end - $start" | bc) 0"
    fi
}

echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB), reps: $REPS, cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
"${PEER[@]}" -c "
import pandas, sklearn, numpy, scipy, threadpoolctl
pools = ['%s %s x%d' % (i['internal_api'], i.get('architecture') or '', i['num_threads']) for i in threadpoolctl.threadpool_info()]
print('pandas %s, scikit-learn %s, numpy %s, scipy %s; %s' % (pandas.__version__, sklearn.__version__, numpy.__version__, scipy.__version__, ', '.join(pools)))"

# --- The split and matrices both fits use ------------------------------------
"$MODELDESK_BIN" train "$FILE" --target label --holdout 0.2 --json --export-split "$TMP/split" > /dev/null

# --- Runs -------------------------------------------------------------------
: > "$TMP/runs"
for ((rep = 1; rep <= REPS; rep++)); do
    res=$(timed "$TMP/md.json" "$MODELDESK_BIN" train "$FILE" --target label --holdout 0.2 --json --timings)
    echo "{\"tool\": \"modeldesk\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/md.json")}" >> "$TMP/runs"
    res=$(timed "$TMP/py.json" "${PEER[@]}" "$HERE/train_peer.py" pipeline "$FILE" "$TMP/split" "${ONE_HOT:-dense}")
    echo "{\"tool\": \"python\", \"wall_kb\": \"$res\", \"out\": $(cat "$TMP/py.json")}" >> "$TMP/runs"
    if [ -z "${SKIP_FIT:-}" ]; then
        "${PEER[@]}" "$HERE/train_peer.py" fit "$TMP/split" > "$TMP/fit.json"
        echo "{\"tool\": \"sklearn_fit\", \"out\": $(cat "$TMP/fit.json")}" >> "$TMP/runs"
    fi
    echo "  rep $rep done"
done

# --- Report -----------------------------------------------------------------
"$PY" - "$TMP/runs" <<'EOF'
import json, statistics, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
by = lambda tool: [r for r in runs if r["tool"] == tool]
med = statistics.median

def fit_step(run, stage):
    [t] = [t for t in run["out"]["models"][0]["timings"] if t["stage"] == stage and t["step"] == "fit"]
    return t

md, py, sk = by("modeldesk"), by("python"), by("sklearn_fit")
md_fit = med(fit_step(r, "fold 1")["seconds"] for r in md)
md_iter = fit_step(md[0], "fold 1")["iterations"]
md_final = med(fit_step(r, "final")["seconds"] for r in md)
md_auc = md[0]["out"]["metrics"]["roc_auc"]
rows = md[0]["out"]["rows_used"]
if sk:
    sk_fit = med(r["out"]["fit_seconds"] for r in sk)
    sk_auc = sk[0]["out"]["roc_auc"]
    print(f"\n(a) logistic regression fit on the same hold-out training matrix ({rows} rows in the file)")
    print(f"{'tool':<14}{'fit s':>8}{'iterations':>12}{'ROC AUC':>10}")
    print(f"{'modeldesk':<14}{md_fit:>8.3f}{md_iter:>12}{md_auc:>10.5f}")
    print(f"{'scikit-learn':<14}{sk_fit:>8.3f}{sk[0]['out']['iterations']:>12}{sk_auc:>10.5f}")
    print(f"fit time modeldesk / scikit-learn: {md_fit / sk_fit:.3f} (target <= 1.0: {'met' if md_fit <= sk_fit else 'missed'}); "
          f"AUC difference {md_auc - sk_auc:+.5f} (target within 0.002: {'met' if abs(md_auc - sk_auc) <= 0.002 else 'missed'})")
print(f"modeldesk's hold-out fit {md_fit:.3f} s ({md_iter} iterations), final fit on all rows {md_final:.3f} s, hold-out ROC AUC {md_auc:.5f}")

wall = lambda r: float(r["wall_kb"].split()[0])
peak = lambda r: float(r["wall_kb"].split()[1]) / 1024
md_wall, py_wall = med(map(wall, md)), med(map(wall, py))
refit = med(r["out"]["stages"]["refit_all_rows"] for r in py)
py_stages = {k: med(r["out"]["stages"][k] for r in py) for k in py[0]["out"]["stages"]}
md_steps = {}
for r in md:
    md_steps.setdefault("import", []).append(r["out"]["import_seconds"])
    for t in r["out"]["models"][0]["timings"]:
        md_steps.setdefault(f"{t['stage']} {t['step']}", []).append(t["seconds"])
print(f"\n(b) whole job, own process each (wall s, peak MB)")
print(f"{'modeldesk train':<28}{md_wall:>8.2f}{med(map(peak, md)):>8.0f}   " + ", ".join(f"{k} {med(v):.3f}" for k, v in md_steps.items()))
print(f"{'python (with refit)':<28}{py_wall:>8.2f}{med(map(peak, py)):>8.0f}   " + ", ".join(f"{k} {v:.3f}" for k, v in py_stages.items()))
print(f"{'python without the refit':<28}{py_wall - refit:>8.2f}")
print(f"python hold-out ROC AUC {py[0]['out']['roc_auc']:.5f} ({py[0]['out']['iterations']} iterations)")
ratio = md_wall / py_wall
print(f"pipeline modeldesk / python: {ratio:.3f} (target <= 0.5: {'met' if ratio <= 0.5 else 'missed'}); "
      f"against python without its refit: {md_wall / (py_wall - refit):.3f}")
EOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${CASES:-}" = all ]; then
    for case in hicard forest boosting; do
        echo
        echo "=== bench/${case}_bench.sh"
        case $case in
            # The dense scikit-learn fit of train_bench's (a) is not the peer here.
            # (hicard_bench.sh runs this script again: without CASES.)
            hicard) CASES= SKIP_FIT=1 BENCH_CSV= bash "$HERE/hicard_bench.sh" ;;
            # The exact splitter's time is not a target.
            forest) EXACT=0 BENCH_CSV= bash "$HERE/forest_bench.sh" ;;
            boosting) ROWS=1000000 BENCH_CSV= bash "$HERE/boosting_bench.sh" ;;
        esac | tee "$TMP/$case.out"
    done
    echo
    echo "=== summary of the run ($(date -u +%Y-%m-%d), $(nproc) cpus)"
    grep -hE "modeldesk / |/ scikit-learn|modeldesk train|target" "$TMP"/hicard.out "$TMP"/forest.out "$TMP"/boosting.out || true
fi

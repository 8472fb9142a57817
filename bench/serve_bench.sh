#!/usr/bin/env bash
# Serving benchmark: `modeldesk serve` against `mlflow models serve --env-manager local
# --workers 2` on this machine, measured with one load generator (oha) in one run.
#
# Models, both fitted on the first 200,000 rows of the import benchmark's file:
#   modeldesk  logistic regression (and a 50-tree forest, for our side only) from
#              `modeldesk train --holdout 0.2`, registered and served by version;
#   mlflow     the same recipe and logistic model fitted by scikit-learn (bench/serve_peer.py),
#              saved with mlflow.sklearn and served by MLflow with 2 workers.
# Load, DURATION seconds each, bodies in MLflow's dataframe_split form (feature columns):
#   1-row requests at concurrency 1, 8 and 64; 1,000-row batches at concurrency 2;
#   modeldesk only: 1-row requests at a fixed 1,000 requests/s (p99 latency).
# Targets (logistic): >= 10x MLflow's requests/s on 1-row requests, p99 < 5 ms at 1,000
# requests/s, >= 5x MLflow's rows/s in 1,000-row batches. Nothing is asserted.
#
# Environment (all optional):
#   BENCH_DIR     where big.csv lives / is generated      (/tmp/modeldesk-bench)
#   DURATION      seconds per load run                      (10)
#   MODELDESK_BIN modeldesk binary      (${CARGO_TARGET_DIR:-<repo>/target}/release/modeldesk)
#   MLFLOW_VENV   virtualenv with mlflow                    (~/.cache/modeldesk-mlflow-venv)
#   OHA           oha binary (installed with cargo install when missing)
#   GEN_DATASET   gen_dataset.py                 (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
DURATION=${DURATION:-10}
MODELDESK_BIN=${MODELDESK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/modeldesk}
MLFLOW_VENV=${MLFLOW_VENV:-$HOME/.cache/modeldesk-mlflow-venv}
TOOLS=$HOME/.cache/modeldesk-bench-tools
OHA=${OHA:-$TOOLS/bin/oha}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

[ -x "$MODELDESK_BIN" ] || { echo "no $MODELDESK_BIN: run cargo build --release first" >&2; exit 1; }
[ -x "$OHA" ] || cargo install oha --locked --root "$TOOLS"
[ -x "$MLFLOW_VENV/bin/python" ] || python3 -m venv "$MLFLOW_VENV"
"$MLFLOW_VENV/bin/python" -m pip install --quiet --disable-pip-version-check mlflow==3.17.2 scikit-learn pandas
export MLFLOW_DISABLE_TELEMETRY=true

FILE=$BENCH_DIR/big.csv
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" 1000000
head -n 200001 "$FILE" > "$TMP/train.csv"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$MLFLOW_VENV/bin/python" "$HERE/serve_peer.py" fit "$FILE" 200000 "$TMP/mlflow_model" "$TMP"

CATALOG=$TMP/catalog.sqlite
for algo in logistic_regression random_forest; do
    "$MODELDESK_BIN" train "$TMP/train.csv" --target label --algo "$algo" --holdout 0.2 \
        --register "$algo" --catalog "$CATALOG" > /dev/null
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ping() {  # wait_ping PORT: up to 120 s
    for _ in $(seq 1 240); do
        curl -sf "http://127.0.0.1:$1/ping" > /dev/null && return 0
        sleep 0.5
    done
    echo "nothing answers on port $1; the servers said:" >&2
    tail -n 20 "$TMP"/*.log >&2; return 1
}
declare -A PORT
for algo in logistic_regression random_forest; do
    PORT[$algo]=$(free_port)
    "$MODELDESK_BIN" serve "$algo@1" --port "${PORT[$algo]}" --catalog "$CATALOG" > /dev/null 2> "$TMP/$algo.log" &
    PIDS+=($!)
done
PORT[mlflow]=$(free_port)
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PATH="$MLFLOW_VENV/bin:$PATH" "$MLFLOW_VENV/bin/mlflow" models serve -m "$TMP/mlflow_model" \
    --env-manager local --workers 2 -h 127.0.0.1 -p "${PORT[mlflow]}" > "$TMP/mlflow.log" 2>&1 &
PIDS+=($!)
for target in logistic_regression random_forest mlflow; do wait_ping "${PORT[$target]}"; done

echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg), $("$OHA" --version), mlflow $("$MLFLOW_VENV/bin/python" -c 'import mlflow; print(mlflow.__version__)')"
: > "$TMP/runs"
load() {  # load NAME TARGET BODY CONCURRENCY [oha options...]
    local name=$1 target=$2 body=$3 c=$4; shift 4
    "$OHA" --no-tui --output-format json -z "${DURATION}s" -c "$c" -m POST \
        -H "Content-Type: application/json" -D "$TMP/$body.json" "$@" \
        "http://127.0.0.1:${PORT[$target]}/invocations" > "$TMP/oha.json"
    echo "{\"name\": \"$name\", \"target\": \"$target\", \"body\": \"$body\", \"c\": $c, \"out\": $("$MLFLOW_VENV/bin/python" "$HERE/serve_peer.py" summary "$TMP/oha.json")}" >> "$TMP/runs"
}
for c in 1 8 64; do
    for target in logistic_regression mlflow random_forest; do load "1 row" "$target" one_row "$c"; done
done
for target in logistic_regression mlflow random_forest; do load "1,000 rows" "$target" batch_1000 2; done
load "1 row at 1,000/s" logistic_regression one_row 8 -q 1000

"$MLFLOW_VENV/bin/python" - "$TMP/runs" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def find(name, target, c=None):
    return next(r["out"] for r in runs if r["name"] == name and r["target"] == target and (c is None or r["c"] == c))
print(f"\n{'load':<22}{'server':<22}{'requests/s':>12}{'rows/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'2xx':>7}{'x mlflow':>10}")
for r in runs:
    rows = 1000 if r["body"] == "batch_1000" else 1
    o = r["out"]
    ratio = ""
    if r["target"] != "mlflow" and r["name"] != "1 row at 1,000/s":
        m = find(r["name"], "mlflow", r["c"])
        ratio = f"{o['rps'] / m['rps']:.1f}"
    label = f"{r['name']}, c={r['c']}"
    print(f"{label:<22}{r['target']:<22}{o['rps']:>12.0f}{o['rps'] * rows:>12.0f}{o['p50_ms']:>9.2f}{o['p99_ms']:>9.2f}{o['ok_share']:>7.0%}{ratio:>10}")
PY

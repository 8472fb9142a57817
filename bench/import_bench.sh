#!/usr/bin/env bash
# Import benchmark: how fast, and with how much memory, does `modeldesk inspect`
# load a big CSV compared with pandas.read_csv and polars.read_csv?
#
# Each tool runs as its own process, REPS times (interleaved, file already in the
# page cache), under /usr/bin/time -f "%e %M" (or getrusage as a fallback):
#   modeldesk  target/release/modeldesk inspect FILE --json > /dev/null
#   pandas     python bench/read_peer.py pandas FILE  (interpreter start + import + read_csv)
#   polars     python bench/read_peer.py polars FILE  (same)
# For the Python peers, read_peer.py also reports the in-process time of the
# read_csv call alone ("read_csv s" column). The table shows medians over REPS;
# MB are MiB of peak resident memory. Ratios are against pandas. The last line
# says whether the targets hold: modeldesk wall <= 0.25 x pandas wall and
# modeldesk peak RSS <= 0.6 x pandas peak RSS. Nothing is asserted.
#
# Environment (all optional):
#   BENCH_DIR     where big.csv lives / is generated     (/tmp/modeldesk-bench)
#   ROWS          rows in the generated CSV               (1000000; other values
#                 use big-ROWS.csv so a stale file is not reused)
#   REPS          repetitions per tool                    (3)
#   MODELDESK_BIN modeldesk binary                        (<repo>/target/release/modeldesk)
#   BENCH_VENV    virtualenv with pandas, polars, psutil  (~/.cache/modeldesk-bench-venv)
#   GEN_DATASET   gen_dataset.py                          (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
ROWS=${ROWS:-1000000}
REPS=${REPS:-3}
MODELDESK_BIN=${MODELDESK_BIN:-$ROOT/target/release/modeldesk}
BENCH_VENV=${BENCH_VENV:-$HOME/.cache/modeldesk-bench-venv}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# --- Python peers -----------------------------------------------------------
PY=$BENCH_VENV/bin/python
[ -x "$PY" ] || python3 -m venv "$BENCH_VENV"
if ! "$PY" -c 'import pandas, polars, psutil' 2>/dev/null; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet pandas polars psutil
fi

# --- Data -------------------------------------------------------------------
if [ "$ROWS" = 1000000 ]; then FILE=$BENCH_DIR/big.csv; else FILE=$BENCH_DIR/big-$ROWS.csv; fi
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" "$ROWS"
cat "$FILE" > /dev/null   # warm the page cache so no tool pays for the disk

# --- Timer: "wall_seconds peak_rss_kb" of one child process -----------------
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null; then
    { apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null 2>&1 || true
fi
timed() {  # timed OUTFILE CMD... ; CMD's stdout -> OUTFILE, stderr -> $TMP/err
    local out=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -o "$TMP/time" -f "%e %M" "$@" >"$out" 2>"$TMP/err" || return 1
        tail -n 1 "$TMP/time"
    else  # getrusage fallback; its peak includes ~10 MB of the forked python before exec
        "$PY" -c '
import resource, subprocess, sys, time
t = time.perf_counter()
with open(sys.argv[1], "w") as out, open(sys.argv[2], "w") as err:
    rc = subprocess.run(sys.argv[3:], stdout=out, stderr=err).returncode
if rc: sys.exit(rc)
print(f"{time.perf_counter() - t:.2f}", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
' "$out" "$TMP/err" "$@" || return 1
    fi
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- Runs -------------------------------------------------------------------
TOOLS=(pandas polars)
if [ -x "$MODELDESK_BIN" ]; then TOOLS=(modeldesk "${TOOLS[@]}")
else echo "NOTE: $MODELDESK_BIN not found - skipping modeldesk, timing the peers only"; fi
cmd_for() {
    case $1 in
        modeldesk) echo "$MODELDESK_BIN" inspect "$FILE" --json ;;
        *)         echo "$PY" "$HERE/read_peer.py" "$1" "$FILE" ;;
    esac
}
declare -A WALL RSS INPROC FAILED
echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB), reps: $REPS, cpus: $(nproc)"
"$PY" -c 'import pandas, polars; print(f"pandas {pandas.__version__}, polars {polars.__version__}")'
for ((rep = 1; rep <= REPS; rep++)); do
    for tool in "${TOOLS[@]}"; do
        [ -n "${FAILED[$tool]:-}" ] && continue
        # shellcheck disable=SC2046  # paths here contain no spaces by construction
        if ! res=$(timed "$TMP/out" $(cmd_for "$tool")); then
            echo "WARNING: $tool failed; skipping it. Its stderr:"; sed 's/^/  /' "$TMP/err" | tail -n 20
            FAILED[$tool]=1; continue
        fi
        read -r wall kb <<<"$res"
        WALL[$tool]+=" $wall"; RSS[$tool]+=" $kb"
        [ "$tool" = modeldesk ] || INPROC[$tool]+=" $(head -n 1 "$TMP/out")"
        echo "  rep $rep $tool: wall ${wall}s, peak $(((kb + 512) / 1024)) MB${INPROC[$tool]:+, read_csv $(head -n 1 "$TMP/out")s}"
    done
done

# --- Report -----------------------------------------------------------------
[ -n "${WALL[pandas]:-}" ] || { echo "pandas did not run; no baseline for ratios" >&2; exit 1; }
pw=$(median ${WALL[pandas]}); pk=$(median ${RSS[pandas]})
echo
printf '%-10s %10s %11s %9s %12s %11s\n' tool "wall s" "read_csv s" "peak MB" "wall/pandas" "mem/pandas"
for tool in "${TOOLS[@]}"; do
    [ -n "${WALL[$tool]:-}" ] && [ -z "${FAILED[$tool]:-}" ] || continue
    w=$(median ${WALL[$tool]}); k=$(median ${RSS[$tool]})
    ip=-; [ -n "${INPROC[$tool]:-}" ] && ip=$(median ${INPROC[$tool]})
    awk -v t="$tool" -v w="$w" -v ip="$ip" -v k="$k" -v pw="$pw" -v pk="$pk" 'BEGIN {
        printf "%-10s %10.2f %11s %9.0f %12.3f %11.3f\n", t, w, (ip == "-" ? ip : sprintf("%.3f", ip)), k/1024, w/pw, k/pk}'
done
echo
if [ -n "${WALL[modeldesk]:-}" ] && [ -z "${FAILED[modeldesk]:-}" ]; then
    awk -v w="$(median ${WALL[modeldesk]})" -v k="$(median ${RSS[modeldesk]})" -v pw="$pw" -v pk="$pk" 'BEGIN {
        tw = w <= 0.25 * pw; tm = k <= 0.6 * pk
        printf "targets %s: wall %.3f x pandas (target <= 0.25: %s), peak memory %.3f x pandas (target <= 0.6: %s)\n",
            (tw && tm ? "HOLD" : "DO NOT HOLD"), w/pw, (tw ? "met" : "missed"), k/pk, (tm ? "met" : "missed")}'
else
    echo "targets NOT CHECKED: modeldesk was not measured (wall <= 0.25 x pandas, peak memory <= 0.6 x pandas)"
fi

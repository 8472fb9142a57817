#!/usr/bin/env bash
# Instruction counts of two Modeldesk builds on the import benchmark's file, so that a change
# meant to leave performance alone can show it did: wall-clock noise on a shared machine is
# about ±30 %, the instructions executed vary by well under 0.1 %.
#
# Usage: bench/instructions.sh BASE_BINARY NEW_BINARY
#
# Each binary runs, as its own process, REPS times (interleaved with the other):
#   inspect   BIN inspect FILE --json
#   train     BIN train FILE --target label --holdout 0.2 --json --timings  (as train_bench.sh)
# and the median count of each is printed with the ratio new / base. `train` is not given
# --register, so no catalog is written (MODELDESK_CATALOG points into a temporary folder all
# the same).
#
# The counter is `perf stat -e instructions` where the processor's counters can be read, and
# otherwise (virtual machines without a PMU, like the development machine) valgrind's
# callgrind, which counts the instructions executed in user space and runs about 30 times
# slower (some 35 s an `inspect`, 70 s a `train` here). The two counters do not agree with
# each other (perf also counts the kernel's instructions): compare counts of one counter only.
# Nothing is asserted; the last line says whether both ratios are within 3 %.
#
# Environment (all optional):
#   BENCH_DIR     where big.csv lives / is generated     (/tmp/modeldesk-bench)
#   BENCH_CSV     use this CSV instead (needs a `label` column)
#   REPS          runs of each command per binary         (3)
#   COUNTER       perf or callgrind                       (perf when it can count, else callgrind)
#   GEN_DATASET   gen_dataset.py                          (<repo>/../shared/tools/gen_dataset.py)
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BASE_BINARY NEW_BINARY" >&2; exit 2; }
BASE=$(realpath "$1")
NEW=$(realpath "$2")
for bin in "$BASE" "$NEW"; do
    [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
done

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/modeldesk-bench}
REPS=${REPS:-3}
GEN_DATASET=${GEN_DATASET:-$HERE/../../shared/tools/gen_dataset.py}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
export MODELDESK_CATALOG=$TMP/catalog.sqlite

# --- Data (the file of bench/import_bench.sh and bench/train_bench.sh) --------
FILE=${BENCH_CSV:-$BENCH_DIR/big.csv}
. "$HERE/bench_file.sh"
ensure_bench_file "$FILE" 1000000

# --- Counter ------------------------------------------------------------------
perf_count() {  # perf_count CMD... ; prints the instructions CMD executed, or fails
    perf stat -x, -e instructions -o "$TMP/perf" -- "$@" > /dev/null 2> "$TMP/err" || return 1
    awk -F, '$3 ~ /^instructions/ && $1 ~ /^[0-9]+$/ { print $1; found = 1 } END { exit !found }' "$TMP/perf"
}
callgrind_count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null -- "$@" > /dev/null 2> "$TMP/err" || return 1
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$TMP/err" | grep . || return 1
}
if [ -z "${COUNTER:-}" ]; then
    if command -v perf > /dev/null && perf_count true > /dev/null; then COUNTER=perf; else COUNTER=callgrind; fi
fi
case $COUNTER in
    perf)      count() { perf_count "$@"; } ;;
    callgrind) command -v valgrind > /dev/null || { echo "neither perf counters nor valgrind" >&2; exit 1; }
               count() { callgrind_count "$@"; } ;;
    *)         echo "COUNTER must be perf or callgrind" >&2; exit 2 ;;
esac

command_for() {  # command_for NAME BINARY
    case $1 in
        inspect) echo "$2" inspect "$FILE" --json ;;
        train)   echo "$2" train "$FILE" --target label --holdout 0.2 --json --timings ;;
    esac
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "counter: $COUNTER; file: $FILE ($(du -m "$FILE" | cut -f1) MB); reps: $REPS; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "base: $BASE"
echo "new:  $NEW"
declare -A COUNTS
for ((rep = 1; rep <= REPS; rep++)); do
    for name in inspect train; do
        for side in base new; do
            bin=$BASE; [ $side = new ] && bin=$NEW
            # shellcheck disable=SC2046  # the paths are split on purpose; they hold no spaces
            if ! n=$(count $(command_for $name "$bin")); then
                echo "$side $name failed:" >&2; tail -n 20 "$TMP/err" >&2; exit 1
            fi
            COUNTS[$name.$side]+=" $n"
            echo "  rep $rep $name $side: $n"
        done
    done
done

echo
printf '%-8s %16s %16s %9s\n' command base new new/base
worst=0
for name in inspect train; do
    b=$(median ${COUNTS[$name.base]}); n=$(median ${COUNTS[$name.new]})
    awk -v c=$name -v b="$b" -v n="$n" 'BEGIN { printf "%-8s %16.0f %16.0f %9.4f\n", c, b, n, n / b }'
    worst=$(awk -v w="$worst" -v b="$b" -v n="$n" 'BEGIN { d = n / b - 1; if (d < 0) d = -d; print (d > w ? d : w) }')
done
awk -v w="$worst" 'BEGIN { printf "both within 3 %% of base: %s (largest difference %.2f %%)\n", (w <= 0.03 ? "yes" : "NO"), 100 * w }'

# Sourced by the benchmarks: the generated CSV they share (gen_dataset.py's 20 features, 2 of
# them categorical, 2 % missing, a `label` column), made once and reused.
#
#   ensure_bench_file FILE ROWS     writes FILE with ROWS rows unless it exists already
#
# GEN_DATASET must name gen_dataset.py.
ensure_bench_file() {
    local file=$1 rows=$2
    [ -s "$file" ] && return 0
    mkdir -p "$(dirname "$file")"
    echo "generating $file ($rows rows)..."
    python3 "$GEN_DATASET" --rows "$rows" --features 20 --categorical 2 --missing 0.02 --out "$file.tmp"
    mv "$file.tmp" "$file"
}

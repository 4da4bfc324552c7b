#!/usr/bin/env bash
# Two polypress binaries in one session, runs alternating so that both see the same machine:
# a full build of a synthetic corpus (N variants of every source, 3 formats: N=300 gives
# 3,600 outputs) and the up-to-date check of the same folder (nothing to build). Prints
# the best and the median wall and CPU (user + sys) seconds of each, as BENCHMARKS.md
# reports them.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY
#   BENCH_N=100 BENCH_REPEATS=3 BENCH_CHECKS=9 bench/compare.sh old new
#
# Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
old=${1:?usage: bench/compare.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: bench/compare.sh OLD_BINARY NEW_BINARY}
n=${BENCH_N:-300}
repeats=${BENCH_REPEATS:-2}
checks=${BENCH_CHECKS:-7}
jobs=${BENCH_JOBS:-2}
work=${BENCH_DIR:-/tmp/polypress-compare}
export SOURCE_DATE_EPOCH=1700000000
cd "$(dirname "$0")/.."
[[ -x /usr/bin/time ]] || { echo "bench/compare.sh needs GNU time: apt-get install time" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work"
"$new" dev corpus --from sources --count "$n" --out "$work/corpus" 2>/dev/null

# run NAME BINARY ARGS...: appends "wall cpu" to $work/NAME.times.
run() {
    local name=$1 bin=$2
    shift 2
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$bin" "$@" 2>"$work/log.txt" ||
        { cat "$work/log.txt" >&2; exit 1; }
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time.txt" >>"$work/$name.times"
}

for ((i = 0; i < repeats; i++)); do
    for which in old new; do
        bin=${!which}
        rm -rf "$work/out-$which"
        run "build-$which" "$bin" build "$work/corpus" --out "$work/out-$which" -j "$jobs"
    done
done
for ((i = 0; i < checks; i++)); do
    for which in old new; do
        bin=${!which}
        run "check-$which" "$bin" build "$work/corpus" --out "$work/out-$which" -j "$jobs"
    done
done

# summary NAME: best and median wall and CPU.
summary() {
    sort -n "$work/$1.times" | awk '{ v[NR] = $1 } END { printf "wall best %.3f median %.3f", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
    sort -n -k2 "$work/$1.times" | awk '{ v[NR] = $2 } END { printf ", CPU best %.3f median %.3f\n", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
outputs=$(find "$work/out-new" -type f -not -name '.*' -not -name 'manifest*.json' | wc -l)
echo "$outputs outputs, -j $jobs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for step in build check; do
    for which in old new; do
        echo "$step $which: $(summary "$step-$which")"
    done
done

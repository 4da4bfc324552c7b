#!/usr/bin/env bash
# Process-level benchmark of polypress, as reported in BENCHMARKS.md: wall time, CPU time
# (user + sys), CPU per output, outputs per second and peak memory (maximum resident set
# size), for the four real sources and for synthetic corpora of N variants per source,
# each with -j 1 and -j 2, in release mode. Prints a Markdown table.
#
#   bench/run.sh                      # N = 10 100 300
#   BENCH_SIZES="10" bench/run.sh     # a quicker look
#
# Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
bin=${POLYPRESS_BIN:-$target/release/polypress}
work=${BENCH_DIR:-/tmp/polypress-bench}
sizes=${BENCH_SIZES:-10 100 300}
repeats=${BENCH_REPEATS:-3}
export SOURCE_DATE_EPOCH=1700000000

if [[ -z ${POLYPRESS_BIN:-} ]]; then
    cargo build --release --quiet --bin polypress
fi
# On a shared machine, other people's sessions take a fair share of the cores whatever
# their nice level (the kernel's autogroups): -j 2 then cannot show what it does on two
# cores. BENCH_BOOST=1 (root) raises this session's share while it measures.
if [[ ${BENCH_BOOST:-0} == 1 && -w /proc/self/autogroup ]]; then
    echo -20 >/proc/self/autogroup
fi
[[ -x /usr/bin/time ]] || { echo "bench/run.sh needs GNU time: apt-get install time" >&2; exit 2; }
mkdir -p "$work"

# measure LABEL JOBS SOURCES MODE: prints one table row: times from the best of $repeats
# runs by wall time (the machine is shared; the best run is the least disturbed), peak
# memory the highest of all runs. MODE is "force" (an
# empty output folder, everything built) or "incremental" (the folder the previous
# measurement left, nothing changed).
measure() {
    local label=$1 jobs=$2 sources=$3 mode=$4
    local best="" peak=0
    for ((i = 0; i < repeats; i++)); do
        local args=()
        if [[ $mode == force ]]; then
            rm -rf "$work/out"
            args=(--force)
        fi
        /usr/bin/time -v -o "$work/time.txt" \
            "$bin" build "$sources" --out "$work/out" -j "$jobs" ${args[@]+"${args[@]}"} \
            2>"$work/log.txt" || { cat "$work/log.txt" >&2; exit 1; }
        local row
        row=$(awk -v label="$label" -v jobs="$jobs" -v logfile="$work/log.txt" '
            /User time/ { user = $NF }
            /System time/ { sys = $NF }
            /Maximum resident set size/ { rss = $NF }
            /Elapsed \(wall clock\)/ {
                n = split($NF, t, ":"); wall = 0
                for (i = 1; i <= n; i++) wall = wall * 60 + t[i]
            }
            END {
                while ((getline line < logfile) > 0)
                    if (match(line, /[0-9]+ outputs written/)) {
                        split(substr(line, RSTART), w, " "); written = w[1]
                        if (match(line, /[0-9]+ skipped/)) { split(substr(line, RSTART), s, " "); skipped = s[1] }
                    }
                outputs = written + skipped
                cpu = user + sys
                printf "%.4f|%d|| %s | %s | %d | %d | %.3f | %.3f | %.1f | %.0f |",
                    wall, rss, label, jobs, written, skipped, wall, cpu,
                    (outputs ? 1000 * cpu / outputs : 0), (wall > 0 ? outputs / wall : 0)
            }' "$work/time.txt")
        local rss=${row#*|}
        rss=${rss%%||*}
        if ((rss > peak)); then peak=$rss; fi
        if [[ -z $best ]] || awk -v a="${row%%|*}" -v b="${best%%|*}" 'BEGIN { exit !(a < b) }'; then
            best=$row
        fi
    done
    echo "|${best#*||} $(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }') |"
}

echo "polypress $("$bin" --version | awk '{print $2}') on $(nproc) cores, $(date -u +%Y-%m-%d), best of $repeats runs"
echo
echo "| run | -j | written | skipped | wall s | CPU s | CPU ms/output | outputs/s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
measure "sources/ (4 documents)" 1 sources force
measure "sources/ (4 documents)" 2 sources force
measure "sources/, up to date" 2 sources incremental
for n in $sizes; do
    corpus="$work/corpus-$n"
    # Made afresh each time (it takes well under a second), so it follows sources/.
    rm -rf "$corpus"
    "$bin" dev corpus --from sources --count "$n" --out "$corpus" 2>/dev/null
    docs=$(find "$corpus" -name '*.xml' | wc -l)
    measure "synthetic N=$n ($docs documents)" 1 "$corpus" force
    measure "synthetic N=$n ($docs documents)" 2 "$corpus" force
    measure "synthetic N=$n, up to date" 2 "$corpus" incremental
done

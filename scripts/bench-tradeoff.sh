#!/usr/bin/env bash
# The trade-off curve of issue 15: for a few settings of uuidmig migrate, its wall time (as a ratio to the
# one-transaction migration without load, timed in the same bench.sh run) against the application's p99 during it
# (as a ratio to the idle p99 of the same run), on a small fixture so the whole curve takes minutes.
# Each setting is one scripts/bench.sh run (fresh fixture, idle baseline, uuidmig under the 100 tx/s load, the
# one-transaction migration without load); the heap comparison, VACUUM FULL reference, validate-post and the
# one-transaction migration under load are skipped. Writes DIR/tradeoff.csv and DIR/tradeoff.png.
# With --repeat N each setting runs N times (the settings in turn, so that a slow minute of the machine does not
# hit one setting's runs only); DIR/runs.csv has every run, tradeoff.csv the median of each column per setting.
#
# usage: scripts/bench-tradeoff.sh [--scale N] [--out DIR] [--png FILE] [--no-build] [--bench-args "ARGS"]
#                                  [--repeat N] [--setting "LABEL|UUIDMIG ARGS"]...  (repeatable; replaces the defaults)
#        scripts/bench-tradeoff.sh --plot-only DIR/tradeoff.csv [--png FILE]
# Needs gnuplot (Debian: apt-get install -y gnuplot-nox). Server and variables as for scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

scale=260
out=""
png=""
build=1
bench_args=""
plot_only=""
settings=()
repeat=1
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --png) png=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --bench-args) bench_args=$2; shift 2 ;;
        --setting) settings+=("$2"); shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --plot-only) plot_only=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "bench-tradeoff.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v gnuplot >/dev/null \
    || { echo "bench-tradeoff.sh: gnuplot is needed for the plot; install it (Debian/Ubuntu: apt-get install -y gnuplot-nox)" >&2; exit 2; }
[ ${#settings[@]} -gt 0 ] || settings=(
    "throttled (default)|"
    "throttled factor 5|--max-latency-factor 5"
    "no-throttle jobs 1|--no-throttle --jobs 1"
    "no-throttle jobs 2|--no-throttle --jobs 2"
    "no-throttle jobs 2 split 100k|--no-throttle --jobs 2 --split-rows 100000"
)
[[ $repeat =~ ^[0-9]+$ ]] && [ "$repeat" -ge 1 ] || { echo "bench-tradeoff.sh: --repeat must be a positive integer" >&2; exit 2; }

plot() { # csv png
    # columns: label,args,wall_ratio,p99_ratio,...; labels and args are quoted; labels alternate above and below
    gnuplot <<GP
set terminal pngcairo size 800,550 font ",9"
set output "$2"
set datafile separator ","
set key off
set grid
set title "uuidmig under 100 tx/s: wall time vs application p99 ($(sed -n 's/^# //p' "$1" | head -1))" noenhanced
set xlabel "wall time / one-transaction migration without load (same run)"
set ylabel "workload p99 during migrate / idle p99 (same run)"
set xrange [0:*]
set yrange [0:*]
set offsets 0, graph 0.3, graph 0.1, 0
set arrow from 1, graph 0 to 1, graph 1 nohead dt 3 lc rgb "#bbbbbb"
set arrow from 0.6, graph 0 to 0.6, graph 1 nohead dt 2 lc rgb "#888888"
set arrow from graph 0, first 2 to graph 1, first 2 nohead dt 2 lc rgb "#888888"
set label "wall 0.6x target" at 0.61, graph 0.97 tc rgb "#666666"
set label "p99 2x target" at graph 0.01, first 2.1 tc rgb "#666666"
plot "$1" using 3:4 skip 2 with points pt 7 ps 1.5 lc rgb "#1f77b4", \
     "$1" using 3:(\$4 * (int(\$0) % 2 ? 0.96 : 1.04)):1 skip 2 with labels offset 1,0 left noenhanced
GP
}

if [ -n "$plot_only" ]; then
    plot "$plot_only" "${png:-${plot_only%.csv}.png}"
    echo "plot: ${png:-${plot_only%.csv}.png}"
    exit 0
fi

positive_ints "$scale"
out=$(results_dir "${out:-target/bench/tradeoff-$(date +%Y%m%d-%H%M%S)}")
png=${png:-$out/tradeoff.png}
csv="$out/tradeoff.csv"

[ $build -eq 1 ] && build_jar_and_classpath

header="label,args,wall_ratio,p99_ratio,uuidmig_wall_s,onetx_wall_s,idle_p99_ms,p99_ms,max_ms,failed,wrong,lost,uuidmig_rc,load_avg_end"
comment="# scale $scale, $(nproc) cores, $(uname -r), PostgreSQL $(psql -X -Atq -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -d postgres -c 'SHOW server_version' | cut -d' ' -f1), $(date -u +%F)"
runs="$out/runs.csv"
printf '%s\n%s\n' "$comment" "$header" > "$runs"

started=$(date +%s)
n=0
total=$(( ${#settings[@]} * repeat ))
for r in $(seq 1 "$repeat"); do
    i=0
    for s in "${settings[@]}"; do
        i=$((i + 1))
        n=$((n + 1))
        label=${s%%|*}
        args=${s#*|}
        dir="$out/$i.$r"
        echo "[$(date +%H:%M:%S)] $n/$total: $label ($args), run $r of $repeat" >&2
        set +e
        # shellcheck disable=SC2086
        scripts/bench.sh --no-build --scale "$scale" --duration-idle 10 --warmup 3 --no-heap-compare --no-compact-reference \
            --no-validate-post --no-one-tx-load --out "$dir" --uuidmig-args "$args" $bench_args > "$dir.log" 2>&1
        rc=$?
        set -e
        if [ $rc -ne 0 ] || [ ! -f "$dir/results.env" ]; then
            echo "bench-tradeoff.sh: bench.sh failed for '$label' (exit $rc); see $dir.log" >&2
            continue
        fi
        (
            # shellcheck disable=SC1091
            source "$dir/results.env"
            awk -v l="$label" -v a="$args" -v uw="${UM_WALL_S:-}" -v ow="${OT_WALL_S:-}" -v ip="${IDLE_P99_MS:-}" \
                -v up="${UM_P99_MS:-}" -v mx="${UM_MAX_MS:-}" -v f="${UM_FAILED:-}" -v w="${UM_WRONG:-}" -v lo="${UM_LOST:-}" \
                -v rc="${UM_RC:-}" -v la="$(cut -d' ' -f1 /proc/loadavg)" \
                'BEGIN { printf "\"%s\",\"%s\",%.2f,%.2f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", l, a,
                         (ow > 0 ? uw / ow : 0), (ip > 0 ? up / ip : 0), uw, ow, ip, up, mx, f, w, lo, rc, la }'
        ) >> "$runs"
        tail -1 "$runs" >&2
    done
done
echo "[$(date +%H:%M:%S)] $total runs in $(( $(date +%s) - started )) s" >&2
[ "$(wc -l < "$runs")" -gt 2 ] || { echo "bench-tradeoff.sh: no setting produced a result" >&2; exit 1; }

# the median of each numeric column per setting (failed, wrong and lost: the largest, so that one bad run shows)
{
    printf '%s, medians of %s\n%s\n' "$comment" "$repeat" "$header"
    for s in "${settings[@]}"; do
        label=${s%%|*}
        grep -F "\"$label\"," "$runs" | awk -F, -v q='"' '
            { n++; for (c = 3; c <= NF; c++) v[c, n] = $c; lab = $1; arg = $2 }
            END {
                if (n == 0) exit;
                line = lab "," arg;
                for (c = 3; c <= 14; c++) {
                    m = 0; for (k = 1; k <= n; k++) a[k] = v[c, k] + 0;
                    for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
                    if (c >= 10 && c <= 12) m = a[n]; else m = (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2);
                    line = line "," m
                }
                print line
            }'
    done
} > "$csv"
plot "$csv" "$png"
column -s, -t < "$csv"
echo "csv: $csv"
echo "plot: $png"

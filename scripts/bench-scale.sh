#!/usr/bin/env bash
# Issue 15's scale check: uuidmig migrate without load on the fixture at scale N and at FACTOR x N, each on a fresh
# database; for each, the wall time, rows/s and the JVM's peak heap (from its GC log, -Xmx the same for both), then
# the ratios: time against rows (linear when they match) and heap (flat when it stays near 1). With --repeat R each
# scale runs R times (in turn) and the medians are printed. On PostgreSQL 14+ each run also records the WAL it wrote
# and how many full-page images it held (pg_stat_wal, the whole server's: run it on a server nothing else uses).
# Writes DIR/scale.csv.
#
# usage: scripts/bench-scale.sh [--scale N] [--factor F] [--repeat R] [--xmx SIZE] [--uuidmig-args "ARGS"]
#                               [--out DIR] [--no-build]
# Defaults: scale 130 (about 590,000 rows), factor 10, repeat 1, -Xmx64m, --uuidmig-args "--no-throttle" (nothing
# else runs: the throttle would lift after its first sample anyway). Server: PGHOST (default 127.0.0.1), PGPORT
# (5432), PGUSER (postgres), PGPASSWORD; it creates and drops databases named uuidmig_scale_<pid>_*.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

scale=130
factor=10
repeat=1
xmx=64m
uuidmig_args="--no-throttle"
out=""
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --factor) factor=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --xmx) xmx=$2; shift 2 ;;
        --uuidmig-args) uuidmig_args=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "bench-scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
positive_ints "$scale" "$factor" "$repeat"
out=$(results_dir "${out:-target/bench/scale-$(date +%Y%m%d-%H%M%S)}")
prefix="uuidmig_scale_$$"
DBS=()
cleanup() { for d in "${DBS[@]}"; do drop_db "$d"; done; }
trap cleanup EXIT

if [ $build -eq 1 ]; then
    ${MVN:-mvn -B -q} -DskipTests package
fi
[ -f target/uuidmig.jar ] || { echo "bench-scale.sh: target/uuidmig.jar is missing; run without --no-build" >&2; exit 2; }

csv="$out/scale.csv"
echo "# $(machine_line), -Xmx$xmx, uuidmig args: $uuidmig_args, $(date -u +%F)" > "$csv"
echo "scale,run,rows,wall_s,rows_per_s,heap_peak_mb,heap_live_mb,gcs,rc,wal_mb,wal_fpi,wal_records" >> "$csv"
# "bytes fpi records" of pg_stat_wal (PostgreSQL 14+), or "0 0 0"
wal_now() { psql -X -Atq -F' ' -d postgres -c "SELECT wal_bytes, wal_fpi, wal_records FROM pg_stat_wal" 2>/dev/null || echo "0 0 0"; }

for r in $(seq 1 "$repeat"); do
    for s in "$scale" $(( scale * factor )); do
        db="${prefix}_${s}_$r"
        DBS+=("$db")
        drop_db "$db"
        log "scale $s, run $r: generating the fixture in $db"
        new_fixture "$db" "$s"
        rows=$(live_rows "$db")
        psql -X -q -d postgres -c "CHECKPOINT" >/dev/null 2>&1 || true
        dir="$out/$s.$r"
        mkdir -p "$dir"
        log "scale $s, run $r: uuidmig migrate $uuidmig_args ($rows rows)"
        read -r wb0 wf0 wr0 < <(wal_now)
        t0=$(now_ms)
        set +e
        # shellcheck disable=SC2086
        java -Xmx"$xmx" -Xlog:gc,gc+heap+exit:file="$dir/gc.log":uptime,level,tags -jar target/uuidmig.jar migrate \
            --url "jdbc:postgresql://$PGHOST:$PGPORT/$db?user=$PGUSER" $uuidmig_args > "$dir/migrate.out" 2> "$dir/migrate.err"
        rc=$?
        set -e
        t1=$(now_ms)
        read -r wb1 wf1 wr1 < <(wal_now)
        # peak heap used before a GC, max live after a GC, number of GCs (MB), as bench.sh reads them
        read -r peak live gcs < <(awk '
            /Pause/ && match($0, /[0-9]+M->[0-9]+M\(/) {
                s = substr($0, RSTART, RLENGTH - 1); split(s, a, /M->|M/);
                if (a[1] + 0 > peak) peak = a[1] + 0; if (a[2] + 0 > live) live = a[2] + 0; n++ }
            /total [0-9]+K, used [0-9]+K/ && match($0, /used [0-9]+K/) { u = substr($0, RSTART + 5, RLENGTH - 6) / 1024; if (u > peak) peak = u }
            END { printf "%d %d %d\n", peak, live, n }' "$dir/gc.log")
        awk -v s="$s" -v r="$r" -v n="$rows" -v a="$t0" -v b="$t1" -v p="$peak" -v l="$live" -v g="$gcs" -v rc="$rc" \
            -v wb=$(( wb1 - wb0 )) -v wf=$(( wf1 - wf0 )) -v wr=$(( wr1 - wr0 )) \
            'BEGIN { w = (b - a) / 1000; printf "%s,%s,%s,%.1f,%.0f,%s,%s,%s,%s,%.0f,%d,%d\n", s, r, n, w, n / w, p, l, g, rc, wb / 1048576, wf, wr }' >> "$csv"
        tail -1 "$csv" >&2
        [ "$rc" -eq 0 ] || log "uuidmig migrate failed (exit $rc): see $dir/migrate.err"
        drop_db "$db"
    done
done

# medians per scale, and the ratios of the large scale to the small one
awk -F, -v small="$scale" -v large="$(( scale * factor ))" "$bench_awk_median"'
    NR <= 2 { next }
    { k = $1; n[k]++; rows[k, n[k]] = $3; wall[k, n[k]] = $4; rps[k, n[k]] = $5; peak[k, n[k]] = $6; live[k, n[k]] = $7 }
    function med(arr, k, m,    i, a) { for (i = 1; i <= m; i++) a[i] = arr[k, i] + 0; return median(a, m) }
    END {
        printf "%-8s %12s %10s %12s %14s %14s\n", "scale", "rows", "wall s", "rows/s", "heap peak MB", "heap live MB";
        for (x = 0; x < 2; x++) {
            k = x ? large : small; m = n[k];
            R[x] = med(rows, k, m); W[x] = med(wall, k, m); P[x] = med(peak, k, m); L[x] = med(live, k, m);
            printf "%-8s %12d %10.1f %12.0f %14d %14d\n", k, R[x], W[x], med(rps, k, m), P[x], L[x] }
        printf "rows x%.2f, wall time x%.2f (linear: the same), peak heap x%.2f, live heap x%.2f (flat: about 1)\n",
            R[1] / R[0], W[1] / W[0], P[1] / P[0], (L[0] > 0 ? L[1] / L[0] : 0) }' "$csv" | tee "$out/summary.txt"
echo "csv: $csv"

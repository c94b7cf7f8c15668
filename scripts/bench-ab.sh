#!/usr/bin/env bash
# A/B timing of `uuidmig migrate` variants without load (docs/performance.md): each variant is a jar, JVM flags and
# migrate options; every run migrates a fresh copy of one fixture (after a CHECKPOINT), the variants taken in turn
# so that a slow minute of the machine does not hit one variant only. Per run it records the wall time, the JVM's
# user and system CPU (GNU time), the backfill region's time (uuidmig's "9 columns done in" line) and the exit code.
#
# usage: scripts/bench-ab.sh [--scale N] [--repeat R] [--out DIR] --variant "LABEL|JVM FLAGS|MIGRATE ARGS|JAR"...
#   JAR defaults to target/uuidmig.jar (built by `mvn -DskipTests package`). For the jar of an older commit:
#   git worktree add /tmp/old REV && (cd /tmp/old && mvn -B -q -DskipTests package) and use /tmp/old/target/uuidmig.jar.
# Example: --variant "now||--no-throttle --jobs 2" --variant "c1|-XX:TieredStopAtLevel=1|--no-throttle --jobs 2"
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres); it creates and drops uuidmig_ab_<pid>_*.
# Results: DIR/ab.csv (every run) and the median of each variant on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

scale=260
repeat=3
out=""
variants=()
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --variant) variants+=("$2"); shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "bench-ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
positive_ints "$scale" "$repeat"
[ ${#variants[@]} -ge 1 ] || { echo "bench-ab.sh: give at least one --variant (see --help)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench-ab.sh: needs GNU time (Debian: apt-get install -y time)" >&2; exit 2; }
out=$(results_dir "${out:-target/bench/ab-$(date +%Y%m%d-%H%M%S)}")
template_dbs "uuidmig_ab_$$"

for v in "${variants[@]}"; do
    IFS='|' read -r label _ _ jar <<< "$v"
    [[ $label =~ ^[A-Za-z0-9_.+-]+$ ]] || { echo "bench-ab.sh: variant label '$label': letters, digits and _.+- only" >&2; exit 2; }
    [ -f "${jar:-target/uuidmig.jar}" ] || { echo "bench-ab.sh: ${jar:-target/uuidmig.jar} is missing" >&2; exit 2; }
done

log "generating the fixture at scale $scale in $pristine"
new_fixture "$pristine" "$scale"
rows=$(live_rows "$pristine")

csv="$out/ab.csv"
echo "# $(machine_line), scale $scale ($rows rows), no load, $(date -u +%F)" > "$csv"
echo "label,run,wall_s,java_user_s,java_sys_s,backfill_s,rc,load_start" >> "$csv"
for r in $(seq 1 "$repeat"); do
    for v in "${variants[@]}"; do
        IFS='|' read -r label jvm args jar <<< "$v"
        jar=${jar:-target/uuidmig.jar}
        fresh_work
        psqlx -d postgres -c "CHECKPOINT"
        load0=$(cut -d' ' -f1 /proc/loadavg)
        log "run $r: $label"
        t0=$(now_ms)
        set +e
        # shellcheck disable=SC2086
        /usr/bin/time -f "%U %S" -o "$out/$label.$r.time" java $jvm -jar "$jar" migrate \
            --url "jdbc:postgresql://$PGHOST:$PGPORT/$work?user=$PGUSER" $args > "$out/$label.$r.out" 2> "$out/$label.$r.err"
        rc=$?
        set -e
        t1=$(now_ms)
        read -r cu cs < <(tail -1 "$out/$label.$r.time")
        backfill=$(grep -o 'columns\? done in [0-9.]*s' "$out/$label.$r.err" | tail -1 | grep -o '[0-9.]*s$' | tr -d s || true)
        awk -v l="$label" -v r="$r" -v a="$t0" -v b="$t1" -v cu="$cu" -v cs="$cs" -v bf="${backfill:-}" -v rc="$rc" -v l0="$load0" \
            'BEGIN { printf "%s,%d,%.2f,%s,%s,%s,%d,%s\n", l, r, (b - a) / 1000, cu, cs, bf, rc, l0 }' >> "$csv"
        tail -1 "$csv" >&2
        [ "$rc" -eq 0 ] || log "migrate failed (exit $rc): see $out/$label.$r.err"
    done
done

awk -F, "$bench_awk_median"'
    NR <= 2 { next }
    { k = $1; if (!(k in n)) order[++m] = k; n[k]++; w[k, n[k]] = $3 + 0; c[k, n[k]] = $4 + $5; f[k, n[k]] = $6 + 0 }
    function med(arr, k,    i, a) { for (i = 1; i <= n[k]; i++) a[i] = arr[k, i]; return median(a, n[k]) }
    END { printf "%-16s %5s %10s %12s %12s\n", "variant", "runs", "wall s", "JVM CPU s", "backfill s";
        for (i = 1; i <= m; i++) { k = order[i]; printf "%-16s %5d %10.2f %12.2f %12.2f\n", k, n[k], med(w, k), med(c, k), med(f, k) } }' "$csv"
echo "results: $csv"

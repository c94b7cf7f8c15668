#!/usr/bin/env bash
# Benchmark of issue 6 (documented in docs/performance.md). In one run, on a freshly generated fixture:
#   a. the workload alone (idle baseline: no migration running);
#   b. uuidmig migrate under the workload;
#   c. the guide's one-transaction migration (scripts/one_transaction_migration.sql) without load, then under load;
#   d. uuidmig migrate at 1/10 of the scale, without load, to compare its peak heap;
# then prints a result block per approach, the two ratios of issue 6 and which targets hold.
#
# usage: scripts/bench.sh [--scale N] [--rate TPS] [--duration-idle S] [--threads N] [--warmup S]
#                         [--out DIR] [--xmx SIZE] [--uuidmig-args "ARGS"] [--no-one-tx] [--no-heap-compare]
#                         [--no-validate-post] [--no-compact-reference] [--no-build]
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD; it creates and drops
# databases named uuidmig_bench_<pid>_*. MVN (default "mvn -B -q") builds; add -o for an offline build.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=1300
rate=100
idle=30
threads=8
warmup=5
xmx=64m
uuidmig_args=""
one_tx=1
heap_compare=1
validate_post=1
compact_ref=1
build=1
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --duration-idle) idle=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --xmx) xmx=$2; shift 2 ;;
        --uuidmig-args) uuidmig_args=$2; shift 2 ;;
        --no-one-tx) one_tx=0; shift ;;
        --no-heap-compare) heap_compare=0; shift ;;
        --no-validate-post) validate_post=0; shift ;;
        --no-compact-reference) compact_ref=0; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in scale rate idle threads warmup; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || { echo "bench.sh: --${v} must be a positive integer" >&2; exit 2; }
done

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
MVN=${MVN:-mvn -B -q}
out=${out:-target/bench/run-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
results="$out/results.txt"
envf="$out/results.env"
: > "$envf"
prefix="uuidmig_bench_$$"
pristine="${prefix}_pristine"
DBS=()
LOADGEN_PID=""

psqlx() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$out/bench.log" >&2; }
now_ms() { date +%s%3N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
url() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1?user=$PGUSER"; }
dbsize() { psql -X -Atq -d postgres -c "SELECT pg_database_size('$1')"; }
setenv() { echo "$1=$2" >> "$envf"; }

server_num=$(psql -X -Atq -d postgres -c "SHOW server_version_num")
force=""
[ "$server_num" -ge 130000 ] && force=" WITH (FORCE)"

drop_db() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\"$force" >/dev/null 2>&1 || true; }

cleanup() {
    local rc=$?
    if [ -n "$LOADGEN_PID" ] && kill -0 "$LOADGEN_PID" 2>/dev/null; then
        kill "$LOADGEN_PID" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$LOADGEN_PID" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$LOADGEN_PID" 2>/dev/null || true
    fi
    for db in "${DBS[@]}"; do drop_db "$db"; done
    [ $rc -ne 0 ] && echo "bench.sh: stopped (exit $rc); logs in $out" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

new_db() { DBS+=("$1"); drop_db "$1"; psqlx -d postgres -c "CREATE DATABASE \"$1\"${2:+ TEMPLATE \"$2\"}"; }
# before each measured phase: flush what the copy (CREATE DATABASE writes the whole copy to WAL) or a VACUUM
# left dirty, so one phase does not pay for the previous one's checkpoints (needs superuser; skipped otherwise)
settle() { psql -X -q -d postgres -c "CHECKPOINT" >/dev/null 2>&1 || true; }
done_db() { drop_db "$1"; }

fixture_dir=src/main/resources/fixture
[ -f "$fixture_dir/schema.sql" ] || fixture_dir=src/test/resources/fixture
load_fixture() { # db scale
    psqlx -d "$1" -f "$fixture_dir/schema.sql" -f "$fixture_dir/data.sql" \
        -c "SELECT pg_temp.uuidmig_fixture_generate($2)" -c "VACUUM ANALYZE" >/dev/null
}

# ---------------------------------------------------------------- build
if [ $build -eq 1 ]; then
    log "building (mvn package, test classes, classpath)"
    $MVN -DskipTests package
    $MVN dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >/dev/null
fi
[ -f target/uuidmig.jar ] && [ -f target/cp.txt ] && [ -d target/test-classes/org/uuidmig/bench ] \
    || { echo "bench.sh: target/uuidmig.jar, target/cp.txt or the test classes are missing; run without --no-build" >&2; exit 2; }
CP="target/test-classes:target/classes:$(cat target/cp.txt)"

lg_java() { java -Xmx512m -cp "$CP" org.uuidmig.bench.LoadGenerator "$@"; }

lg_start() { # db dir
    mkdir -p "$2"; rm -f "$2/stop"
    lg_java run --url "$(url "$1")" --out "$2" --rate "$rate" --threads "$threads" --stop-file "$2/stop" \
        --warmup 0 --max-duration 7200 --drain-timeout 120 > "$2/loadgen.out" 2>&1 &
    LOADGEN_PID=$!
    local i
    for i in $(seq 1 100); do
        grep -q "^loadgen:" "$2/loadgen.out" 2>/dev/null && break
        kill -0 "$LOADGEN_PID" 2>/dev/null || { cat "$2/loadgen.out" >&2; echo "bench.sh: load generator died" >&2; exit 3; }
        sleep 0.2
    done
    sleep "$warmup"
}

lg_stop() { # dir
    touch "$1/stop"
    local i
    for i in $(seq 1 600); do kill -0 "$LOADGEN_PID" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$LOADGEN_PID" 2>/dev/null; then
        log "load generator did not stop within 150 s; terminating it"
        kill "$LOADGEN_PID" 2>/dev/null || true; sleep 5; kill -9 "$LOADGEN_PID" 2>/dev/null || true
    fi
    wait "$LOADGEN_PID" 2>/dev/null || true
    LOADGEN_PID=""
}

lg_report() { # dir from to label envprefix [steps-log]
    lg_java report --tx "$1/tx.csv" --from "$2" --to "$3" --label "$4" --env-out "$envf" --env-prefix "$5" \
        --locks "$1/locks.csv" ${6:+--steps-log "$6"} --slowest 10 > "$1/report.txt"
}

lg_verify() { # db dir envprefix
    lg_java verify --url "$(url "$1")" --written "$2/written.csv" --env-out "$envf" --env-prefix "$3" > "$2/verify.txt" || true
}

# peak heap from a -Xlog:gc,gc+heap+exit log: max used before a GC, max live after a GC, used at exit (MB)
heap_env() { # gclog prefix
    awk -v p="$2" '
        /Pause/ && match($0, /[0-9]+M->[0-9]+M\(/) {
            s = substr($0, RSTART, RLENGTH - 1); split(s, a, /M->|M/);
            if (a[1] + 0 > peak) peak = a[1] + 0; if (a[2] + 0 > live) live = a[2] + 0; n++ }
        /garbage-first heap|def new generation|PSYoungGen|total [0-9]+K, used [0-9]+K/ && match($0, /used [0-9]+K/) {
            u = substr($0, RSTART + 5, RLENGTH - 6) / 1024; if (u > exitu) exitu = u }
        END { if (exitu > peak) peak = exitu;
              printf "%s_HEAP_PEAK_MB=%d\n%s_HEAP_LIVE_MB=%d\n%s_HEAP_EXIT_MB=%d\n%s_GCS=%d\n", p, peak, p, live, p, exitu, p, n }' "$1"
}

run_uuidmig() { # db dir -> sets UM_RC, UM_FROM, UM_TO
    mkdir -p "$2"
    UM_FROM=$(now_ms)
    set +e
    # shellcheck disable=SC2086
    java -Xmx"$xmx" -Xlog:gc,gc+heap+exit:file="$2/gc.log":uptime,level,tags -jar target/uuidmig.jar migrate \
        --url "$(url "$1")" $uuidmig_args > "$2/migrate.out" 2> "$2/migrate.err"
    UM_RC=$?
    set -e
    UM_TO=$(now_ms)
}

run_one_tx() { # db dir -> sets OT_RC, OT_FROM, OT_TO, OT_ERR
    mkdir -p "$2"
    OT_FROM=$(now_ms)
    set +e
    timeout 3600 psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c '\timing on' -e -f scripts/one_transaction_migration.sql \
        > "$2/one_tx.out" 2> "$2/one_tx.err"
    OT_RC=$?
    set -e
    OT_TO=$(now_ms)
    # time per kind of statement (psql -e echoes each statement, \timing prints its time)
    awk '
        /^Time: / { t = $2 / 1000; k = "catalog only (add/drop/rename column, drop index/FK, comment)";
                    if (stmt ~ /^UPDATE public\.[a-z_]+ [a-z]+ SET [a-z_]+_temp/) k = "UPDATE ... FROM users (fill the new column)";
                    else if (stmt ~ /CREATE (UNIQUE )?INDEX/) k = "CREATE INDEX";
                    else if (stmt ~ /PRIMARY KEY|UNIQUE \(/) k = "ADD PRIMARY KEY / UNIQUE (index build)";
                    else if (stmt ~ /FOREIGN KEY/) k = "ADD FOREIGN KEY (validation scan)";
                    else if (stmt ~ /SET NOT NULL/) k = "SET NOT NULL (scan)";
                    else if (stmt ~ /^COMMIT/) k = "COMMIT";
                    sum[k] += t; total += t; stmt = ""; next }
        { stmt = (stmt == "" ? $0 : stmt " " $0) }
        END { for (k in sum) printf "    %8.1f s  %4.1f%%  %s\n", sum[k], 100 * sum[k] / (total ? total : 1), k }' \
        "$2/one_tx.out" | sort -rn > "$2/breakdown.txt"
    OT_ERR=$(grep -m1 -E "ERROR|FATAL" "$2/one_tx.err" | sed 's/^psql:[^ ]* //' || true)
}

rel_sizes() { # db file: heap and index size per relation of schema public
    psql -X -Atq -F' ' -d "$1" -c "SELECT c.relkind, c.relname, pg_relation_size(c.oid) FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i') ORDER BY 2" > "$2"
}
heap_index_mb() { # file -> "heap MB + index MB"
    awk '$1 == "r" { h += $3 } $1 == "i" { i += $3 } END { printf "%.0f + %.0f", h / 1048576, i / 1048576 }' "$1"
}

vacuum_sizes() { # db prefix: size after, VACUUM, size after vacuum
    setenv "${2}_SIZE_AFTER" "$(dbsize "$1")"
    local t0; t0=$(now_ms)
    psqlx -d "$1" -c "VACUUM" >/dev/null
    setenv "${2}_VACUUM_S" "$(secs "$t0" "$(now_ms)")"
    setenv "${2}_SIZE_VACUUMED" "$(dbsize "$1")"
}

# ---------------------------------------------------------------- machine
{
    echo "date:       $(date -Is)"
    echo "machine:    $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
    echo "cpu:        $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "postgresql: $(psql -X -Atq -d postgres -c 'SHOW server_version') (shared_buffers $(psql -X -Atq -d postgres -c 'SHOW shared_buffers'),"\
         "max_wal_size $(psql -X -Atq -d postgres -c 'SHOW max_wal_size'), autovacuum $(psql -X -Atq -d postgres -c 'SHOW autovacuum'))"
    echo "java:       $(java -version 2>&1 | head -1)"
    echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) at start; other client sessions on the server:"\
         "$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")"
    echo "command:    scripts/bench.sh --scale $scale --rate $rate --duration-idle $idle --threads $threads --warmup $warmup --xmx $xmx${uuidmig_args:+ --uuidmig-args \"$uuidmig_args\"}"
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

# ---------------------------------------------------------------- pristine fixture
log "generating the fixture at scale $scale in $pristine"
t0=$(now_ms)
new_db "$pristine"
load_fixture "$pristine" "$scale"
rows=$(psql -X -Atq -d "$pristine" -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables")
setenv ROWS "$rows"
setenv PRISTINE_SIZE "$(dbsize "$pristine")"
log "fixture: $rows rows, $(mb "$(dbsize "$pristine")") MB, in $(secs "$t0" "$(now_ms)") s"

# ---------------------------------------------------------------- a + b: idle baseline, then uuidmig under load
dbA="${prefix}_uuidmig"
new_db "$dbA" "$pristine"
rel_sizes "$dbA" "$out/relsizes_before.txt"
settle
log "a. idle baseline: the workload alone for $idle s ($rate tx/s, $threads threads)"
lg_start "$dbA" "$out/idle"
from=$(now_ms); sleep "$idle"; to=$(now_ms)
lg_stop "$out/idle"
lg_report "$out/idle" "$from" "$to" "idle baseline (no migration)" IDLE

log "b. uuidmig migrate under the workload"
setenv UM_SIZE_BEFORE "$(dbsize "$dbA")"
lg_start "$dbA" "$out/uuidmig"
run_uuidmig "$dbA" "$out/uuidmig"
sleep 2
lg_stop "$out/uuidmig"
setenv UM_RC "$UM_RC"
setenv UM_WALL_S "$(secs "$UM_FROM" "$UM_TO")"
log "uuidmig migrate: exit $UM_RC in $(secs "$UM_FROM" "$UM_TO") s"
lg_report "$out/uuidmig" "$UM_FROM" "$UM_TO" "workload during uuidmig migrate" UM "$out/uuidmig/migrate.err"
lg_verify "$dbA" "$out/uuidmig" UM
setenv UM_UNFINISHED "$(sed -n 's/^LOADGEN_UNFINISHED=//p' "$out/uuidmig/run.env")"
setenv UM_NOT_RUN "$(sed -n 's/^LOADGEN_NOT_RUN=//p' "$out/uuidmig/run.env")"
heap_env "$out/uuidmig/gc.log" UM >> "$envf"
if [ $validate_post -eq 1 ]; then
    set +e
    java -jar target/uuidmig.jar validate-post --url "$(url "$dbA")" > "$out/uuidmig/validate-post.out" 2>&1
    setenv UM_VALIDATE_POST_RC $?
    set -e
fi
vacuum_sizes "$dbA" UM
rel_sizes "$dbA" "$out/uuidmig/relsizes_vacuumed.txt"
if [ $compact_ref -eq 1 ]; then
    log "reference: VACUUM FULL of the migrated database (the smallest it can be)"
    psqlx -d "$dbA" -c "VACUUM FULL" >/dev/null
    setenv UM_SIZE_COMPACT "$(dbsize "$dbA")"
    rel_sizes "$dbA" "$out/uuidmig/relsizes_compact.txt"
fi
done_db "$dbA"

# ---------------------------------------------------------------- c: the one-transaction migration
if [ $one_tx -eq 1 ]; then
    dbB="${prefix}_onetx"
    new_db "$dbB" "$pristine"
    settle
    log "c1. one-transaction migration without load"
    setenv OT_SIZE_BEFORE "$(dbsize "$dbB")"
    run_one_tx "$dbB" "$out/onetx"
    setenv OT_RC "$OT_RC"
    setenv OT_WALL_S "$(secs "$OT_FROM" "$OT_TO")"
    log "one transaction, no load: exit $OT_RC in $(secs "$OT_FROM" "$OT_TO") s ${OT_ERR}"
    vacuum_sizes "$dbB" OT
    rel_sizes "$dbB" "$out/onetx/relsizes_vacuumed.txt"
    done_db "$dbB"

    dbC="${prefix}_onetx_load"
    new_db "$dbC" "$pristine"
    settle
    log "c2. one-transaction migration under the workload"
    setenv OL_SIZE_BEFORE "$(dbsize "$dbC")"
    lg_start "$dbC" "$out/onetx_load"
    run_one_tx "$dbC" "$out/onetx_load"
    sleep 2
    lg_stop "$out/onetx_load"
    setenv OL_RC "$OT_RC"
    setenv OL_WALL_S "$(secs "$OT_FROM" "$OT_TO")"
    printf 'OL_ERR=%q\n' "$OT_ERR" >> "$envf"
    log "one transaction under load: exit $OT_RC in $(secs "$OT_FROM" "$OT_TO") s ${OT_ERR}"
    lg_report "$out/onetx_load" "$OT_FROM" "$OT_TO" "workload during the one-transaction migration" OL
    lg_verify "$dbC" "$out/onetx_load" OL
    vacuum_sizes "$dbC" OL
    done_db "$dbC"
fi
done_db "$pristine"

# ---------------------------------------------------------------- d: heap at 1/10 of the scale
if [ $heap_compare -eq 1 ]; then
    small=$(( scale / 10 )); [ "$small" -ge 1 ] || small=1
    dbD="${prefix}_small"
    log "d. uuidmig migrate at scale $small without load (heap comparison)"
    new_db "$dbD"
    load_fixture "$dbD" "$small"
    setenv SMALL_SCALE "$small"
    run_uuidmig "$dbD" "$out/small"
    setenv SM_RC "$UM_RC"
    setenv SM_WALL_S "$(secs "$UM_FROM" "$UM_TO")"
    heap_env "$out/small/gc.log" SM >> "$envf"
    done_db "$dbD"
fi

# ---------------------------------------------------------------- results
# shellcheck disable=SC1090
source "$envf"
num() { awk -v x="${1:-}" 'BEGIN { if (x == "") print "n/a"; else print x }'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { awk -v c="$1" 'BEGIN { print (c ? "MET" : "MISSED") }'; }
le() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { print (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a + 0 <= b + 0) ? 1 : 0 }'; }

outcome_um=$([ "${UM_RC:-1}" -eq 0 ] && echo "completed" || echo "exit ${UM_RC}")
if [ $one_tx -eq 1 ]; then
    outcome_ot=$([ "${OT_RC:-1}" -eq 0 ] && echo "committed" || echo "failed (exit $OT_RC)")
    outcome_ol=$([ "${OL_RC:-1}" -eq 0 ] && echo "committed" || echo "ROLLED BACK")
fi
{
    cat "$out/machine.txt"
    echo "fixture:    scale $scale, $ROWS rows, $(mb "$PRISTINE_SIZE") MB"
    echo
    cat "$out/idle/report.txt"
    echo
    cat "$out/uuidmig/report.txt"
    echo
    if [ $one_tx -eq 1 ]; then cat "$out/onetx_load/report.txt"; echo; fi
    printf '%-34s %20s %20s %20s\n' "" "uuidmig (under load)" "one-tx (no load)" "one-tx (under load)"
    printf '%-34s %20s %20s %20s\n' "outcome" "$outcome_um" "${outcome_ot:-skipped}" "${outcome_ol:-skipped}"
    printf '%-34s %20s %20s %20s\n' "wall time s" "$UM_WALL_S" "$(num "${OT_WALL_S:-}")" "$(num "${OL_WALL_S:-}")"
    printf '%-34s %20s %20s %20s\n' "workload p50 ms" "$UM_P50_MS" "-" "$(num "${OL_P50_MS:-}")"
    printf '%-34s %20s %20s %20s\n' "workload p99 ms" "$UM_P99_MS" "-" "$(num "${OL_P99_MS:-}")"
    printf '%-34s %20s %20s %20s\n' "workload max ms (longest stall)" "$UM_MAX_MS" "-" "$(num "${OL_MAX_MS:-}")"
    printf '%-34s %20s %20s %20s\n' "transactions over 1 s" "$UM_OVER1S" "-" "$(num "${OL_OVER1S:-}")"
    printf '%-34s %20s %20s %20s\n' "failed transactions" "$UM_FAILED" "-" "$(num "${OL_FAILED:-}")"
    printf '%-34s %20s %20s %20s\n' "unfinished / not run at stop" "$UM_UNFINISHED / $UM_NOT_RUN" "-" "-"
    printf '%-34s %20s %20s %20s\n' "type-switch retries (not failures)" "$UM_SWITCHED" "-" "$(num "${OL_SWITCHED:-}")"
    printf '%-34s %20s %20s %20s\n' "rows written during it: checked" "$UM_CHECKED" "-" "$(num "${OL_CHECKED:-}")"
    printf '%-34s %20s %20s %20s\n' "  wrong / lost" "$UM_WRONG / $UM_LOST" "-" "$(num "${OL_WRONG:-}") / $(num "${OL_LOST:-}")"
    printf '%-34s %20s %20s %20s\n' "user columns afterwards" "$UM_COLUMN_TYPE" "-" "$(num "${OL_COLUMN_TYPE:-}")"
    printf '%-34s %20s %20s %20s\n' "db size before MB" "$(mb "$UM_SIZE_BEFORE")" "$(mb "${OT_SIZE_BEFORE:-0}")" "$(mb "${OL_SIZE_BEFORE:-0}")"
    printf '%-34s %20s %20s %20s\n' "db size after MB" "$(mb "$UM_SIZE_AFTER")" "$(mb "${OT_SIZE_AFTER:-0}")" "$(mb "${OL_SIZE_AFTER:-0}")"
    printf '%-34s %20s %20s %20s\n' "db size after VACUUM MB" "$(mb "$UM_SIZE_VACUUMED")" "$(mb "${OT_SIZE_VACUUMED:-0}")" "$(mb "${OL_SIZE_VACUUMED:-0}")"
    printf '%-34s %20s %20s %20s\n' "  after VACUUM / before" "$(ratio "$UM_SIZE_VACUUMED" "$UM_SIZE_BEFORE")" \
        "$(ratio "${OT_SIZE_VACUUMED:-}" "${OT_SIZE_BEFORE:-}")" "$(ratio "${OL_SIZE_VACUUMED:-}" "${OL_SIZE_BEFORE:-}")"
    printf '%-34s %20s %20s %20s\n' "  heap + index MB before" "$(heap_index_mb "$out/relsizes_before.txt")" \
        "$(heap_index_mb "$out/relsizes_before.txt")" "-"
    printf '%-34s %20s %20s %20s\n' "  heap + index MB after VACUUM" "$(heap_index_mb "$out/uuidmig/relsizes_vacuumed.txt")" \
        "$([ -f "$out/onetx/relsizes_vacuumed.txt" ] && heap_index_mb "$out/onetx/relsizes_vacuumed.txt" || echo -)" "-"
    [ -n "${UM_SIZE_COMPACT:-}" ] && printf '%-34s %20s %20s\n' "  reference: after VACUUM FULL MB" \
        "$(mb "$UM_SIZE_COMPACT") ($(ratio "$UM_SIZE_COMPACT" "$UM_SIZE_BEFORE")x)" "$(heap_index_mb "$out/uuidmig/relsizes_compact.txt")"
    printf '%-34s %20s %20s %20s\n' "peak JVM heap MB (used / live)" "$UM_HEAP_PEAK_MB / $UM_HEAP_LIVE_MB ($UM_GCS GCs)" "n/a (psql)" "n/a (psql)"
    [ -n "${UM_VALIDATE_POST_RC:-}" ] && printf '%-34s %20s\n' "validate-post exit code" "$UM_VALIDATE_POST_RC"
    [ -n "${OL_ERR:-}" ] && echo "one-tx under load: $OL_ERR"
    [ -f "$out/onetx/breakdown.txt" ] && { echo "one-transaction migration without load, time by statement kind:"; cat "$out/onetx/breakdown.txt"; }
    [ -n "${SM_HEAP_PEAK_MB:-}" ] && echo "uuidmig at scale $SMALL_SCALE (no load): ${SM_WALL_S} s, peak heap $SM_HEAP_PEAK_MB MB used / $SM_HEAP_LIVE_MB MB live after GC, $SM_GCS GCs (both runs -Xmx$xmx)"
    echo
    wall_ratio=$(ratio "$UM_WALL_S" "${OT_WALL_S:-}")
    p99_ratio=$(ratio "$UM_P99_MS" "$IDLE_P99_MS")
    size_ratio=$(ratio "$UM_SIZE_VACUUMED" "$UM_SIZE_BEFORE")
    echo "ratios:"
    echo "  uuidmig wall time under load / one-transaction wall time without load = $wall_ratio"
    echo "  workload p99 during uuidmig / idle p99 = $UM_P99_MS / $IDLE_P99_MS = $p99_ratio"
    echo
    echo "targets (issue 6):"
    printf '  %-58s %-24s %s\n' "0 failed application transactions" "$UM_FAILED" "$(verdict "$([ "$UM_FAILED" -eq 0 ] && [ "$UM_UNFINISHED" -eq 0 ] && echo 1 || echo 0)")"
    printf '  %-58s %-24s %s\n' "0 wrong or lost rows" "$UM_WRONG wrong, $UM_LOST lost" \
        "$(verdict "$([ "$UM_WRONG" -eq 0 ] && [ "$UM_LOST" -eq 0 ] && [ "$UM_CHECKED" -gt 0 ] && echo 1 || echo 0)")"
    printf '  %-58s %-24s %s\n' "longest application stall <= 200 ms" "$UM_MAX_MS ms" "$(verdict "$(le "$UM_MAX_MS" 200)")"
    printf '  %-58s %-24s %s\n' "p99 during migration <= 2x idle p99" "${p99_ratio}x" "$(verdict "$(le "$p99_ratio" 2)")"
    printf '  %-58s %-24s %s\n' "wall time under load <= 0.9x one-tx without load" "${wall_ratio}x" "$(verdict "$(le "$wall_ratio" 0.9)")"
    printf '  %-58s %-24s %s\n' "size after VACUUM <= 1.3x before" "${size_ratio}x" "$(verdict "$(le "$size_ratio" 1.3)")"
    if [ -n "${SM_HEAP_LIVE_MB:-}" ]; then
        # flat: 10x the rows needs no more live heap than 1.25x (or +16 MB, whichever is larger) the small run's
        bound=$(awk -v s="$SM_HEAP_LIVE_MB" 'BEGIN { b = s * 1.25; if (s + 16 > b) b = s + 16; printf "%d", b }')
        printf '  %-58s %-24s %s\n' "heap flat: live heap at scale $scale <= max(1.25x, +16 MB) of scale $SMALL_SCALE" \
            "$UM_HEAP_LIVE_MB vs $SM_HEAP_LIVE_MB MB" "$(verdict "$(le "$UM_HEAP_LIVE_MB" "$bound")")"
    fi
    echo "  (uuidmig exit code $UM_RC; load avg at end $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    echo "details: $out (report.txt, tx.csv, locks.csv, migrate.err, gc.log per phase)"
} | tee "$results"

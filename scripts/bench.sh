#!/usr/bin/env bash
# Benchmark of issue 6 (documented in docs/performance.md). In one run, on a freshly generated fixture:
#   a. the workload alone (idle baseline: no migration running);
#   b. uuidmig migrate under the workload;
#   c. the guide's one-transaction migration (scripts/one_transaction_migration.sql) without load, then under load;
#   d. uuidmig migrate at 1/10 of the scale, without load, to compare its peak heap;
# with --standby, a streaming standby of the whole server (pg_basebackup -R, on a free port, in a temporary directory,
# removed at the end with its replication slot) replays everything from the start; its replay lag is sampled once a
# second during b, and b is run once more with --throttle --max-replica-lag (--standby-bound, default 2 s): b2
# (b is throttled too unless --uuidmig-args says --no-throttle, which gives the lag the migration causes unbounded);
# then prints a result block per approach, the two ratios of issue 6 and which targets hold.
#
# usage: scripts/bench.sh [--scale N] [--rate TPS] [--duration-idle S] [--threads N] [--warmup S]
#                         [--out DIR] [--xmx SIZE] [--uuidmig-args "ARGS"] [--no-one-tx] [--no-heap-compare]
#                         [--no-validate-post] [--no-compact-reference] [--no-build] [--no-one-tx-load]
#                         [--standby] [--standby-bound SECONDS]
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD; it creates and drops
# databases named uuidmig_bench_<pid>_*. MVN (default "mvn -B -q") builds; add -o for an offline build.
# --standby needs the server on this machine, PostgreSQL binaries of its major version in PGBIN (default
# /usr/lib/postgresql/<major>/bin), a free walsender and a pg_hba.conf line that allows replication connections.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

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
one_tx_load=1
standby=0
standby_bound=2
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
        --no-one-tx-load) one_tx_load=0; shift ;;
        --standby) standby=1; shift ;;
        --standby-bound) standby_bound=$2; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in scale rate idle threads warmup standby_bound; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || { echo "bench.sh: --${v} must be a positive integer" >&2; exit 2; }
done

out=$(results_dir "${out:-target/bench/run-$(date +%Y%m%d-%H%M%S)}")
results="$out/results.txt"
envf="$out/results.env"
: > "$envf"
prefix="uuidmig_bench_$$"
pristine="${prefix}_pristine"
DBS=()
LOADGEN_PID=""
SB_DIR=""
SB_SLOT=""
SB_PORT=""
SB_STARTED=0
SAMPLER_PID=""

log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$out/bench.log" >&2; } # bench-lib.sh's, also into bench.log
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
url() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1?user=$PGUSER"; }
dbsize() { psql -X -Atq -d postgres -c "SELECT pg_database_size('$1')"; }
setenv() { echo "$1=$2" >> "$envf"; }

server_num=$(server_version_num)

cleanup() {
    local rc=$?
    if [ -n "$LOADGEN_PID" ] && kill -0 "$LOADGEN_PID" 2>/dev/null; then
        kill "$LOADGEN_PID" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$LOADGEN_PID" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$LOADGEN_PID" 2>/dev/null || true
    fi
    for db in "${DBS[@]}"; do drop_db "$db"; done
    declare -F standby_stop >/dev/null && standby_stop
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

load_fixture() { # db scale (in a database new_db made, so that the cleanup drops it)
    psqlx -d "$1" -f "$bench_fixture_dir/schema.sql" -f "$bench_fixture_dir/data.sql" \
        -c "SELECT pg_temp.uuidmig_fixture_generate($2)" -c "VACUUM ANALYZE" >/dev/null
}

# ---------------------------------------------------------------- build
if [ $build -eq 1 ]; then
    log "building (mvn package, test classes, classpath)"
    build_jar_and_classpath
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

run_uuidmig() { # db dir [extra args] -> sets UM_RC, UM_FROM, UM_TO
    mkdir -p "$2"
    # extra args that say --throttle or --no-throttle replace the one --uuidmig-args gives (picocli refuses both)
    local base=$uuidmig_args
    case " ${3:-} " in
        *" --throttle "*|*" --no-throttle "*)
            # shellcheck disable=SC2086
            base=$(printf '%s\n' $uuidmig_args | grep -vx -e --throttle -e --no-throttle | tr '\n' ' ' || true) ;;
    esac
    UM_FROM=$(now_ms)
    set +e
    # shellcheck disable=SC2086
    java -Xmx"$xmx" -Xlog:gc,gc+heap+exit:file="$2/gc.log":uptime,level,tags -jar target/uuidmig.jar migrate \
        --url "$(url "$1")" $base ${3:-} > "$2/migrate.out" 2> "$2/migrate.err"
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

# ---------------------------------------------------------------- the streaming standby (--standby)
PGBIN=${PGBIN:-/usr/lib/postgresql/$(( server_num / 10000 ))/bin}
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
sb_fail() { echo "bench.sh --standby: $*" >&2; exit 2; }
free_port() { # a TCP port nobody listens on at 127.0.0.1 (the standby's start fails loudly if one is taken meanwhile)
    local p i
    for i in $(seq 1 100); do
        p=$(( 20000 + RANDOM % 40000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}
# the walsender of our standby: the one that holds our slot
sb_walsender="FROM pg_catalog.pg_stat_replication r JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid"

standby_start() {
    case "$PGHOST" in 127.0.0.1|localhost|/*) ;; *) sb_fail "the server must run on this machine (PGHOST is $PGHOST)" ;; esac
    [ -x "$PGBIN/pg_basebackup" ] && [ -x "$PGBIN/pg_ctl" ] \
        || sb_fail "no pg_basebackup/pg_ctl in $PGBIN; install postgresql-$(( server_num / 10000 )) or set PGBIN"
    local major; major=$("$PGBIN/postgres" --version | awk '{ split($3, v, "."); print v[1] }')
    [ "$major" = "$(( server_num / 10000 ))" ] || sb_fail "$PGBIN is PostgreSQL $major, the server $(( server_num / 10000 ))"
    local level senders used
    level=$(psql -X -Atq -d postgres -c "SHOW wal_level")
    [ "$level" != minimal ] || sb_fail "wal_level is minimal on the server; set it to replica and restart"
    senders=$(psql -X -Atq -d postgres -c "SHOW max_wal_senders")
    used=$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_catalog.pg_stat_replication")
    [ "$senders" -gt $(( used + 1 )) ] \
        || sb_fail "max_wal_senders is $senders and $used are in use; pg_basebackup -X stream needs two (raise it and restart)"
    psql -X -q "host=$PGHOST port=$PGPORT user=$PGUSER dbname=replication replication=true" -c "IDENTIFY_SYSTEM" \
        >/dev/null 2>"$out/standby-check.err" \
        || sb_fail "the server refuses replication connections: $(head -1 "$out/standby-check.err"); add to pg_hba.conf" \
                   "'host replication $PGUSER 127.0.0.1/32 trust' (or your method) and SELECT pg_reload_conf()"
    SB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/uuidmig-bench-standby.XXXXXX")
    chmod 700 "$SB_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$SB_DIR"
    SB_SLOT="uuidmig_bench_$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')"
    SB_PORT=$(free_port) || sb_fail "no free port found"
    log "standby: pg_basebackup of the whole server into $SB_DIR, slot $SB_SLOT, port $SB_PORT"
    as_pg "$PGBIN/pg_basebackup" -d "host=$PGHOST port=$PGPORT user=$PGUSER" -D "$SB_DIR/data" -R -X stream -C \
        -S "$SB_SLOT" -c fast > "$SB_DIR/basebackup.log" 2>&1 || { cat "$SB_DIR/basebackup.log" >&2; sb_fail "pg_basebackup failed"; }
    # a Debian server keeps its configuration outside the data directory: give the standby its own; a hot standby
    # needs these limits at least as high as the primary's
    local limits
    limits=$(psql -X -Atq -d postgres -c "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_catalog.pg_settings
        WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
                       'max_locks_per_transaction')")
    as_pg sh -c "cat >> '$SB_DIR/data/postgresql.conf'" <<CONF
port = $SB_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SB_DIR'
shared_buffers = 64MB
hot_standby = on
$limits
CONF
    as_pg sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$SB_DIR/data/pg_hba.conf'; : > '$SB_DIR/data/pg_ident.conf'"
    as_pg "$PGBIN/pg_ctl" -D "$SB_DIR/data" -l "$SB_DIR/standby.log" -w -t 120 start >/dev/null \
        || { tail -20 "$SB_DIR/standby.log" >&2; sb_fail "the standby did not start"; }
    SB_STARTED=1
    [ "$(psql -X -Atq -h 127.0.0.1 -p "$SB_PORT" -d postgres -c "SELECT pg_is_in_recovery()")" = t ] \
        || sb_fail "the standby is not in recovery"
    local i state=""
    for i in $(seq 1 120); do
        state=$(psql -X -Atq -d postgres -c "SELECT r.state $sb_walsender WHERE s.slot_name = '$SB_SLOT'")
        [ "$state" = streaming ] && break
        sleep 0.5
    done
    [ "$state" = streaming ] || sb_fail "the standby is not streaming after 60 s (state '$state'); see $SB_DIR/standby.log"
    log "standby: streaming on port $SB_PORT"
}

standby_catch_up() { # wait until the standby has replayed what the server had written when called
    local target i d
    target=$(psql -X -Atq -d postgres -c "SELECT pg_catalog.pg_current_wal_lsn()")
    for i in $(seq 1 1200); do
        d=$(psql -X -Atq -d postgres -c "SELECT pg_catalog.pg_wal_lsn_diff('$target', r.replay_lsn) $sb_walsender WHERE s.slot_name = '$SB_SLOT'")
        [ -n "$d" ] && awk -v d="$d" 'BEGIN { exit !(d <= 0) }' && return 0
        sleep 0.5
    done
    sb_fail "the standby did not catch up within 10 minutes ($d bytes behind)"
}

lag_sampler_start() { # csv: ms, pg_stat_replication.replay_lag s, bytes behind, now() - pg_last_xact_replay_timestamp() on the standby s
    ( while :; do
        p=$(psql -X -Atq -F, -d postgres -c "SELECT (extract(epoch FROM pg_catalog.clock_timestamp()) * 1000)::bigint,
                coalesce(extract(epoch FROM r.replay_lag), 0), pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)
                $sb_walsender WHERE s.slot_name = '$SB_SLOT'" 2>/dev/null)
        [ -n "$p" ] || p="$(date +%s%3N),,"
        a=$(psql -X -Atq -h 127.0.0.1 -p "$SB_PORT" -d postgres -c "SELECT coalesce(extract(epoch FROM
                pg_catalog.clock_timestamp() - pg_catalog.pg_last_xact_replay_timestamp()), -1)" 2>/dev/null)
        echo "$p,$a" >> "$1"
        sleep 1
    done ) &
    SAMPLER_PID=$!
}

lag_sampler_stop() {
    [ -n "$SAMPLER_PID" ] || return 0
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
}

lag_env() { # csv from to prefix: max replay lag, max bytes behind, max replay age, samples, samples without a walsender row
    awk -F, -v from="$2" -v to="$3" -v p="$4" '
        $1 >= from && $1 <= to { n++
            if ($2 == "") { gone++; next }
            if ($2 + 0 > lag) lag = $2 + 0; if ($3 + 0 > behind) behind = $3 + 0; if ($4 + 0 > age) age = $4 + 0 }
        END { printf "%s_LAG_MAX_S=%.2f\n%s_BEHIND_MAX_MB=%.0f\n%s_REPLAY_AGE_MAX_S=%.2f\n%s_LAG_SAMPLES=%d\n%s_LAG_GONE=%d\n",
                p, lag, p, behind / 1048576, p, age, p, n, p, gone }' "$1"
}

standby_stop() { # from the EXIT trap too: stop the sampler and the standby, drop the slot, remove the directory
    lag_sampler_stop
    if [ "$SB_STARTED" -eq 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$SB_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || as_pg "$PGBIN/pg_ctl" -D "$SB_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        SB_STARTED=0
    fi
    if [ -n "$SB_SLOT" ]; then
        local i left=1
        for i in $(seq 1 40); do   # the walsender may take a moment to release the slot
            psql -X -q -d postgres -c "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots
                WHERE slot_name = '$SB_SLOT'" >/dev/null 2>&1 || true
            left=$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = '$SB_SLOT'" 2>/dev/null || echo 1)
            [ "$left" = 0 ] && break
            sleep 0.5
        done
        [ "$left" = 0 ] || echo "bench.sh: WARNING: could not drop replication slot $SB_SLOT; it retains WAL: SELECT pg_drop_replication_slot('$SB_SLOT')" >&2
        SB_SLOT=""
    fi
    if [ -n "$SB_DIR" ]; then
        cp "$SB_DIR/standby.log" "$out/standby.log" 2>/dev/null || true
        rm -rf "$SB_DIR"
        SB_DIR=""
    fi
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
    echo "command:    scripts/bench.sh --scale $scale --rate $rate --duration-idle $idle --threads $threads --warmup $warmup --xmx $xmx${uuidmig_args:+ --uuidmig-args \"$uuidmig_args\"}$([ $standby -eq 1 ] && echo " --standby --standby-bound $standby_bound")"
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

[ $standby -eq 1 ] && standby_start

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
[ $standby -eq 1 ] && { log "waiting for the standby to catch up"; standby_catch_up; }
lg_start "$dbA" "$out/uuidmig"
[ $standby -eq 1 ] && lag_sampler_start "$out/uuidmig/lag.csv"
run_uuidmig "$dbA" "$out/uuidmig"
sleep 2
lag_sampler_stop
lg_stop "$out/uuidmig"
[ $standby -eq 1 ] && lag_env "$out/uuidmig/lag.csv" "$UM_FROM" "$UM_TO" UM >> "$envf"
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

# ---------------------------------------------------------------- b2: the same under --throttle --max-replica-lag
if [ $standby -eq 1 ]; then
    dbT="${prefix}_throttled"
    new_db "$dbT" "$pristine"
    settle
    log "b2. uuidmig migrate --throttle --max-replica-lag ${standby_bound}s under the workload"
    standby_catch_up
    lg_start "$dbT" "$out/throttled"
    lag_sampler_start "$out/throttled/lag.csv"
    run_uuidmig "$dbT" "$out/throttled" "--throttle --max-replica-lag ${standby_bound}s"
    sleep 2
    lag_sampler_stop
    lg_stop "$out/throttled"
    setenv UT_RC "$UM_RC"
    setenv UT_WALL_S "$(secs "$UM_FROM" "$UM_TO")"
    log "uuidmig migrate --throttle: exit $UM_RC in $(secs "$UM_FROM" "$UM_TO") s"
    lag_env "$out/throttled/lag.csv" "$UM_FROM" "$UM_TO" UT >> "$envf"
    lg_report "$out/throttled" "$UM_FROM" "$UM_TO" "workload during uuidmig migrate --throttle" UT "$out/throttled/migrate.err"
    lg_verify "$dbT" "$out/throttled" UT
    setenv UT_THROTTLE_LINES "$(grep -ci 'throttl' "$out/throttled/migrate.err" || true)"
    done_db "$dbT"
fi

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

fi
if [ $one_tx -eq 1 ] && [ $one_tx_load -eq 1 ]; then
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
    [ $one_tx_load -eq 1 ] && outcome_ol=$([ "${OL_RC:-1}" -eq 0 ] && echo "committed" || echo "ROLLED BACK")
fi
{
    cat "$out/machine.txt"
    echo "fixture:    scale $scale, $ROWS rows, $(mb "$PRISTINE_SIZE") MB"
    echo
    cat "$out/idle/report.txt"
    echo
    cat "$out/uuidmig/report.txt"
    echo
    if [ $one_tx -eq 1 ] && [ $one_tx_load -eq 1 ]; then cat "$out/onetx_load/report.txt"; echo; fi
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
    if [ $standby -eq 1 ]; then
        echo
        echo "streaming standby (pg_stat_replication.replay_lag, sampled about once a second during the migration):"
        printf '  %-44s %22s %22s\n' "" "uuidmig (b's args)" "--throttle, lag ${standby_bound}s"
        printf '  %-44s %22s %22s\n' "exit code / wall time s" "$UM_RC / $UM_WALL_S" "$UT_RC / $UT_WALL_S"
        printf '  %-44s %22s %22s\n' "max replay lag s" "$UM_LAG_MAX_S" "$UT_LAG_MAX_S"
        printf '  %-44s %22s %22s\n' "max now() - last replayed commit s" "$UM_REPLAY_AGE_MAX_S" "$UT_REPLAY_AGE_MAX_S"
        printf '  %-44s %22s %22s\n' "max WAL not yet replayed MB" "$UM_BEHIND_MAX_MB" "$UT_BEHIND_MAX_MB"
        printf '  %-44s %22s %22s\n' "samples (without a walsender row)" "$UM_LAG_SAMPLES ($UM_LAG_GONE)" "$UT_LAG_SAMPLES ($UT_LAG_GONE)"
        printf '  %-44s %22s %22s\n' "workload p99 / max ms" "$UM_P99_MS / $UM_MAX_MS" "$UT_P99_MS / $UT_MAX_MS"
        printf '  %-44s %22s %22s\n' "wall-time ratio (vs one-tx without load)" "$wall_ratio" "$(ratio "$UT_WALL_S" "${OT_WALL_S:-}")"
        printf '  %-44s %22s %22s\n' "failed / wrong / lost" "$UM_FAILED / $UM_WRONG / $UM_LOST" "$UT_FAILED / $UT_WRONG / $UT_LOST"
        printf '  %-44s %22s\n' "throttle lines in migrate.err" "$UT_THROTTLE_LINES"
        lag_bound=$(( standby_bound + 1 ))
        printf '  %-58s %-24s %s\n' "replay lag with --throttle <= bound + 1 sample (${lag_bound} s)" "${UT_LAG_MAX_S} s" \
            "$(verdict "$([ "$UT_RC" -eq 0 ] && [ "$(le "$UT_LAG_MAX_S" "$lag_bound")" = 1 ] && echo 1 || echo 0)")"
    fi
    echo "  (uuidmig exit code $UM_RC; load avg at end $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    echo "details: $out (report.txt, tx.csv, locks.csv, migrate.err, gc.log per phase)"
} | tee "$results"

#!/usr/bin/env bash
# Checks uuidmig plan --estimate against a real migrate (documented in docs/performance.md, "Estimates"). On the
# servicecatalog fixture at --scale N, without application load:
#   1. generates the fixture once into a pristine database (VACUUM ANALYZE);
#   2. runs plan --estimate --format json on one copy of it (its rolled-back samples leave dead rows, so not the copy
#      that is migrated);
#   3. on another copy, after a CHECKPOINT: migrate, timing it, sampling pg_database_size every 0.2 s for the peak,
#      and reading pg_current_wal_lsn before and after (the whole server's WAL: use a server of your own);
#   4. a plain VACUUM, then the size after;
# and prints one line: estimate against actual for the time, the peak and the lasting extra disk, and the WAL.
# Repeat with --runs; extra arguments after -- go to both plan and migrate (e.g. -- --jobs 1).
#
# usage: scripts/estimate-check.sh [--scale N] [--runs N] [--no-build] [-- UUIDMIG_ARGS...]
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres); it creates and drops databases named
# uuidmig_estcheck_<pid>_*. MVN (default "mvn -B -q") builds; add -o for an offline build.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=130
runs=1
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --) shift; break ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "estimate-check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in scale runs; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || { echo "estimate-check.sh: --${v} must be a positive integer" >&2; exit 2; }
done
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
MVN=${MVN:-mvn -B -q}
prefix="uuidmig_estcheck_$$"
work=$(mktemp -d)
sampler=""
cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
    for db in $(psql -X -Atq -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'"); do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
q() { psql -X -Atq -d "$1" -c "$2"; }
url() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1?user=$PGUSER"; }

[ $build -eq 1 ] && $MVN -DskipTests package
fixture_dir=src/main/resources/fixture
pristine="${prefix}_pristine"
q postgres "CREATE DATABASE \"$pristine\"" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$pristine" -f "$fixture_dir/schema.sql" -f "$fixture_dir/data.sql" \
    -c "SELECT pg_temp.uuidmig_fixture_generate($scale)" -c "VACUUM ANALYZE" >/dev/null

for run in $(seq 1 "$runs"); do
    est="${prefix}_est"; mig="${prefix}_mig"
    q postgres "CREATE DATABASE \"$est\" TEMPLATE \"$pristine\"" >/dev/null
    q postgres "CREATE DATABASE \"$mig\" TEMPLATE \"$pristine\"" >/dev/null
    java -jar target/uuidmig.jar plan --estimate --format json --url "$(url "$est")" "$@" > "$work/plan.json" 2> "$work/plan.err"
    q postgres "DROP DATABASE \"$est\"" >/dev/null
    load=$(cut -d' ' -f1 /proc/loadavg)
    q postgres "CHECKPOINT" >/dev/null 2>&1 || true
    before=$(q "$mig" "SELECT pg_database_size(current_database())")
    lsn0=$(q "$mig" "SELECT pg_current_wal_lsn()")
    echo "$before" > "$work/peak"
    ( while :; do s=$(q "$mig" "SELECT pg_database_size(current_database())" 2>/dev/null || echo 0)
        [ "${s:-0}" -gt "$(cat "$work/peak")" ] && echo "$s" > "$work/peak"; sleep 0.2; done ) &
    sampler=$!
    t0=$(date +%s.%N)
    java -jar target/uuidmig.jar migrate --url "$(url "$mig")" "$@" > "$work/migrate.out" 2> "$work/migrate.err" \
        || { echo "estimate-check.sh: migrate failed, see below" >&2; tail -20 "$work/migrate.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=""
    wal=$(q "$mig" "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
    q "$mig" "VACUUM" >/dev/null
    after=$(q "$mig" "SELECT pg_database_size(current_database())")
    q postgres "DROP DATABASE \"$mig\"" >/dev/null
    python3 - "$work/plan.json" "$scale" "$run" "$load" "$before" "$(cat "$work/peak")" "$after" "$wal" "$t0" "$t1" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["estimate"]
scale, run, load = sys.argv[2], sys.argv[3], sys.argv[4]
before, peak, after, wal = (int(float(x)) for x in sys.argv[5:9])
secs = float(sys.argv[10]) - float(sys.argv[9])
M = 1024 * 1024
def pair(name, est, act, unit, div):
    return "%s est %.1f act %.1f %s (%.2fx)" % (name, est / div, act / div, unit, est / act if act else float("nan"))
print("scale %s run %s load %s db %.0f MiB | %s | %s | %s | %s" % (scale, run, load, before / M,
      pair("time", e["time"]["seconds"] or 0, secs, "s", 1), pair("peak", e["disk"]["peakBytes"], peak - before, "MiB", M),
      pair("after", e["disk"]["afterBytes"], after - before, "MiB", M), pair("wal", e["wal"]["bytes"], wal, "MiB", M)))
PY
done

#!/usr/bin/env bash
# A quick A/B of the backfill alone (docs/performance.md, "Cheaper batches and the range split"): one table of
# --rows rows referencing users, copied from a template database for each run, a CHECKPOINT before each run (so
# every run starts with the same full-page images to write), no application load. For each variant, --runs runs of
# `uuidmig migrate --column big.user_id --jobs 2`, each timed by its backfill step (the "backfill big.user_id: done in"
# log line) and by the WAL the server wrote meanwhile (server-wide: other sessions' WAL counts too); prints the medians.
#
# usage: scripts/bench-backfill.sh [--rows N] [--runs N] [--variants "a b c d"] [--uuidmig-args "ARGS"] [--out DIR]
# Variants: a = synchronous commit, no wal_compression, no split; b = a with synchronous_commit off;
#           c = b with wal_compression (lz4); d = c with the range split (the defaults).
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres); creates and drops databases named
# uuidmig_bfb_<pid>_*. Needs target/uuidmig.jar (mvn -B -q -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

rows=2000000
runs=3
variants="a b c d"
uuidmig_args=""
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) rows=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --variants) variants=$2; shift 2 ;;
        --uuidmig-args) uuidmig_args=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "bench-backfill.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $rows =~ ^[0-9]+$ && $runs =~ ^[0-9]+$ ]] || { echo "bench-backfill.sh: --rows and --runs must be integers" >&2; exit 2; }
[ -f target/uuidmig.jar ] || { echo "bench-backfill.sh: target/uuidmig.jar is missing: mvn -B -q -DskipTests package" >&2; exit 2; }

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
out=${out:-target/bench-backfill/run-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
prefix="uuidmig_bfb_$$"
template="${prefix}_template"
psqlx() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    for d in $(psql -X -Atq -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'"); do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$d\"" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

echo "[$(date +%H:%M:%S)] template: $rows rows" >&2
psqlx -d postgres -c "CREATE DATABASE \"$template\""
psqlx -d "$template" <<SQL
CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL UNIQUE);
INSERT INTO users (uuid) SELECT md5('u' || i)::uuid FROM generate_series(1, 10000) i;
CREATE TABLE big (id bigserial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), note text,
                  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO big (user_id, note) SELECT 1 + ((i::bigint * 7919) % 10000)::integer, 'note ' || i FROM generate_series(1, $rows) i;
CREATE INDEX ON big (user_id);
VACUUM ANALYZE;
SQL

props() {
    case "$1" in
        a) echo "-Duuidmig.backfill.asyncCommit=false -Duuidmig.backfill.walCompression=false" ;;
        b) echo "-Duuidmig.backfill.walCompression=false" ;;
        c|d) echo "" ;;
    esac
}
split() { [ "$1" = d ] && echo "" || echo "--split-rows 0"; }

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

for v in $variants; do
    : > "$out/$v.backfill_ms"
    : > "$out/$v.wal_mb"
    : > "$out/$v.total_ms"
done
for i in $(seq 1 "$runs"); do
    for v in $variants; do   # interleaved: a drift of the machine's load spreads over every variant
        db="${prefix}_${v}_$i"
        psqlx -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE \"$template\""
        psqlx -d postgres -c "CHECKPOINT"
        lsn0=$(psql -X -Atq -d postgres -c "SELECT pg_current_wal_lsn()")
        t0=$(date +%s%3N)
        # shellcheck disable=SC2046
        java $(props "$v") -jar target/uuidmig.jar migrate --url "jdbc:postgresql://$PGHOST:$PGPORT/$db?user=$PGUSER" \
            --column big.user_id --jobs 2 $(split "$v") $uuidmig_args > "$out/$v.$i.out" 2> "$out/$v.$i.log"
        t1=$(date +%s%3N)
        wal=$(psql -X -Atq -d postgres -c "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0') / 1048576.0)")
        ms=$(sed -n 's/.*backfill big\.user_id: done in \([0-9]*\) ms.*/\1/p' "$out/$v.$i.log")
        [ -n "$ms" ] || { echo "variant $v run $i: no backfill line; see $out/$v.$i.log" >&2; exit 1; }
        echo "$ms" >> "$out/$v.backfill_ms"
        echo "$wal" >> "$out/$v.wal_mb"
        echo $((t1 - t0)) >> "$out/$v.total_ms"
        echo "[$(date +%H:%M:%S)] $v run $i: backfill $ms ms, migrate $((t1 - t0)) ms, WAL $wal MB" >&2
        psql -X -q -d postgres -c "DROP DATABASE \"$db\"" >/dev/null
    done
done
{
    echo "rows $rows, runs $runs, uuidmig args '$uuidmig_args', $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
        "$(psql -X -Atq -d postgres -c 'SHOW server_version')"
    printf "%-8s %14s %14s %10s   (medians; every run: backfill ms)\n" variant backfill_ms migrate_ms WAL_MB
    for v in $variants; do
        printf "%-8s %14s %14s %10s   %s\n" "$v" "$(median < "$out/$v.backfill_ms")" "$(median < "$out/$v.total_ms")" \
            "$(median < "$out/$v.wal_mb")" "$(tr '\n' ' ' < "$out/$v.backfill_ms")"
    done
} | tee "$out/results.txt"

#!/usr/bin/env bash
# What the blue-green window costs an application write (issue 13; figures in docs/performance.md, section
# "The window's cost on a write"). On a scratch database with users (10,000) and messages (200,000, sender_id
# integer with an FK), pgbench times single-row INSERTs, one per transaction, one client, in one run:
#   a. before the migration (no trigger);
#   b. with the window open (after uuidmig migrate --phase expand): blue inserts an integer (the sync trigger
#      derives the uuid, counts the write, and the check trigger looks at the row at commit);
#   c. with the window open: green inserts a uuid through the view (the sync trigger derives the integer);
#   d. after contract: green inserts a uuid into the table (no trigger).
# Prints the median and p99 latency of each, from pgbench's per-transaction log, and the ratios to a.
#
# usage: scripts/bench-window.sh [--seconds S] [--no-build]
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres); creates and drops uuidmig_benchwin_<pid>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=20
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)
[ -x "$pgbench" ] || pgbench=$(command -v pgbench) || { echo "pgbench not found" >&2; exit 2; }
[ "$build" = 1 ] && ${MVN:-mvn -B -q} -DskipTests package
db=uuidmig_benchwin_$$
work=$(mktemp -d)
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null
psql -qX -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL UNIQUE DEFAULT md5(random()::text || clock_timestamp()::text)::uuid);
INSERT INTO users SELECT FROM generate_series(1, 10000);
CREATE TABLE messages (id bigserial PRIMARY KEY, sender_id integer REFERENCES users (id), body text NOT NULL,
                       created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON messages (sender_id);
INSERT INTO messages (sender_id, body) SELECT 1 + i % 10000, 'm' FROM generate_series(1, 200000) i;
VACUUM ANALYZE;
SQL
cat > "$work/blue.sql" <<'SQL'
\set u random(1, 10000)
INSERT INTO messages (sender_id, body) VALUES (:u, 'b');
SQL
cat > "$work/green.sql" <<'SQL'
\set u random(1, 10000)
INSERT INTO messages (sender_id, body) VALUES ((SELECT uuid FROM public.users WHERE id = :u), 'g');
SQL
# the green script's lookup of the uuid is part of every green figure, also d: compare c with d for green
run() { # name script [search_path]
    local name=$1 script=$2 opts=${3:-}
    rm -f "$work"/pgbench_log.*
    (cd "$work" && PGOPTIONS="$opts" "$pgbench" -n -c 1 -T "$seconds" -f "$script" -l -d "$db" >/dev/null 2>&1)
    cat "$work"/pgbench_log.* | awk '{print $3}' | sort -n > "$work/$name.lat"
}
stats() { # file -> "median p99 n" in ms
    awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; p=a[int(NR*0.99)]; printf "%.3f %.3f %d", m/1000, p/1000, NR}' "$1"
}
uuidmig() { java -jar target/uuidmig.jar "$@" --url "postgresql://$PGUSER@$PGHOST:$PGPORT/$db" --column messages.sender_id; }

run a_before "$work/blue.sql"
uuidmig migrate --phase expand >/dev/null 2>&1
run b_blue_window "$work/blue.sql"
run c_green_window "$work/green.sql" "-c search_path=public_uuid,public"
uuidmig migrate --phase contract --force >/dev/null 2>&1
run d_green_after "$work/green.sql"

echo "machine: $(nproc) cores, $(uname -r); $(psql -qXAt -d postgres -c 'SHOW server_version'); ${seconds}s per case, 1 client"
printf '%-16s %10s %10s %8s\n' case median_ms p99_ms inserts
read -r am ap an <<<"$(stats "$work/a_before.lat")"
for c in a_before b_blue_window c_green_window d_green_after; do
    read -r m p n <<<"$(stats "$work/$c.lat")"
    printf '%-16s %10s %10s %8s   (median %.2fx, p99 %.2fx of a)\n' "$c" "$m" "$p" "$n" \
        "$(echo "$m / $am" | bc -l)" "$(echo "$p / $ap" | bc -l)"
done

#!/usr/bin/env bash
# The ceiling of issue 15's wall-time target (docs/performance.md): how fast can ANY batched backfill be on this
# machine, against the guide's one-transaction migration? Without load, on copies of one fixture, per run:
#   one-tx   scripts/one_transaction_migration.sql, as bench.sh times it without load;
#   ideal-1  the same UPDATE ... FROM users of every column, cut into batches of --batch-pages heap pages
#            (synchronous_commit off, as uuidmig's batches), in ONE session;
#   ideal-2  the same batches shared by TWO sessions at once (each takes half of every table's pages).
# The "ideal" runs do nothing else: no triggers, no checkpoints of progress, no vacuum, no REINDEX, no index copies,
# no constraints, no verification, no swap, no JVM. Every one of those is work uuidmig must do on top, so ideal-2's
# time over one-tx is a lower bound for `uuidmig migrate --no-throttle --jobs 2` on this machine. Each ideal run
# checks that every row got its user's uuid, so the figure is for work that was really done.
#
# usage: scripts/bench-ceiling.sh [--scale N] [--repeat R] [--batch-pages P] [--out DIR]
# Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres); PostgreSQL 14 or later (TID range scans).
# It creates and drops databases named uuidmig_ceiling_<pid>_*. Results: DIR/ceiling.csv and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

scale=260
repeat=3
pages=128
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) scale=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --batch-pages) pages=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench-ceiling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
positive_ints "$scale" "$repeat" "$pages"
[ "$(server_version_num)" -ge 140000 ] \
    || { echo "bench-ceiling.sh: needs PostgreSQL 14 or later (TID range scans)" >&2; exit 2; }
out=$(results_dir "${out:-target/bench/ceiling-$(date +%Y%m%d-%H%M%S)}")
template_dbs "uuidmig_ceiling_$$"

# the fixture's nine user columns: table column
columns="chat_messages sender_id
message_read_states user_id
chat_read_monitors user_id
user_sessions user_id
service_requests requester_id
user_roles user_id
user_request_assigns user_id
region_user_assigns user_id
service_request_notes created_by"

log "generating the fixture at scale $scale in $pristine"
new_fixture "$pristine" "$scale"
rows=$(live_rows "$pristine")

# Writes the batches of worker W of N (0-based) into a SQL file: every table's pages cut in N parts, part W in
# batches of $pages pages. Rows whose new version lands beyond the table's first pages are set already.
batches() { # worker n file
    local w=$1 n=$2 f=$3 table col npages lo hi p q upper
    echo "SET synchronous_commit = off;" > "$f"
    while read -r table col; do
        npages=$(psql -X -Atq -d "$work" -c "SELECT pg_relation_size('public.$table') / current_setting('block_size')::int")
        lo=$(( npages * w / n ))
        hi=$(( npages * (w + 1) / n ))
        for (( p = lo; p < hi; p += pages )); do
            q=$(( p + pages < hi ? p + pages : hi ))
            upper=" AND x.ctid < '($q,0)'::tid"
            # the last batch of the last part runs on past the end (new row versions land there, set already)
            [ "$w" -eq $(( n - 1 )) ] && [ "$q" -eq "$hi" ] && upper=""
            echo "UPDATE public.$table x SET ceiling_tmp = u.uuid FROM public.users u WHERE x.ctid >= '($p,0)'::tid$upper AND u.id = x.$col AND x.ceiling_tmp IS NULL;"
        done
    done <<< "$columns" >> "$f"
}

ideal() { # n: the ideal batched backfill with n sessions; prints the seconds
    local n=$1 w t0 t1 pids=() bad
    while read -r table col; do
        psqlx -d "$work" -c "ALTER TABLE public.$table ADD COLUMN ceiling_tmp uuid"
    done <<< "$columns"
    for (( w = 0; w < n; w++ )); do batches "$w" "$n" "$out/ideal-$n.$w.sql"; done
    psqlx -d postgres -c "CHECKPOINT"
    t0=$(now_ms)
    for (( w = 0; w < n; w++ )); do
        psqlx -d "$work" -f "$out/ideal-$n.$w.sql" > /dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    t1=$(now_ms)
    bad=0
    while read -r table col; do
        bad=$(( bad + $(psql -X -Atq -d "$work" -c "SELECT count(*) FROM public.$table x LEFT JOIN public.users u ON u.id = x.$col
            WHERE x.ceiling_tmp IS DISTINCT FROM u.uuid") ))
    done <<< "$columns"
    [ "$bad" -eq 0 ] || { echo "bench-ceiling.sh: ideal-$n left $bad rows without their user's uuid" >&2; exit 1; }
    echo $(( t1 - t0 ))
}

onetx() {
    local t0 t1
    psqlx -d postgres -c "CHECKPOINT"
    t0=$(now_ms)
    psqlx -d "$work" -f scripts/one_transaction_migration.sql > /dev/null
    t1=$(now_ms)
    echo $(( t1 - t0 ))
}

csv="$out/ceiling.csv"
echo "# $(machine_line), scale $scale ($rows rows), batches of $pages pages, $(date -u +%F)" > "$csv"
echo "run,one_tx_s,ideal1_s,ideal2_s,ideal1_ratio,ideal2_ratio,load_start,load_end" >> "$csv"
for r in $(seq 1 "$repeat"); do
    load0=$(cut -d' ' -f1 /proc/loadavg)
    fresh_work; log "run $r: one-transaction migration"; a=$(onetx)
    fresh_work; log "run $r: ideal batches, one session"; b=$(ideal 1)
    fresh_work; log "run $r: ideal batches, two sessions"; c=$(ideal 2)
    awk -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v l0="$load0" -v l1="$(cut -d' ' -f1 /proc/loadavg)" \
        'BEGIN { printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%s,%s\n", r, a / 1000, b / 1000, c / 1000, b / a, c / a, l0, l1 }' >> "$csv"
    tail -1 "$csv" >&2
done

awk -F, "$bench_awk_median"'
    NR <= 2 { next }
    { n++; for (i = 2; i <= 6; i++) v[i, n] = $i + 0 }
    function med(i,    k, a) { for (k = 1; k <= n; k++) a[k] = v[i, k]; return median(a, n) }
    END { printf "medians of %d runs: one-tx %.2f s, ideal-1 %.2f s (%.2fx), ideal-2 %.2f s (%.2fx)\n",
        n, med(2), med(3), med(5), med(4), med(6) }' "$csv"
echo "results: $csv"

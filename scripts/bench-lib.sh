# Shared by the benchmark scripts (bench.sh, bench-tradeoff.sh, bench-ab.sh, bench-ceiling.sh,
# bench-scale.sh): sourced from the project root, not run. Server: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER
# (postgres), PGPASSWORD.
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

psqlx() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now_ms() { date +%s%3N; }

# the server's version number (150020 for 15.20); stops the script when the server cannot be reached
server_version_num() {
    psql -X -Atq -d postgres -c 'SHOW server_version_num' \
        || { echo "$(basename "$0"): cannot reach PostgreSQL at $PGHOST:$PGPORT as $PGUSER" >&2; exit 2; }
}
# drops a database if it exists (forcing other sessions out from PostgreSQL 13); never fails
drop_db() {
    if [ -z "${bench_force+set}" ]; then
        bench_force=""
        [ "$(server_version_num)" -ge 130000 ] && bench_force=" WITH (FORCE)"
    fi
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\"$bench_force" >/dev/null 2>&1 || true
}

bench_fixture_dir=src/main/resources/fixture
[ -f "$bench_fixture_dir/schema.sql" ] || bench_fixture_dir=src/test/resources/fixture
# new_fixture DB SCALE: a new database DB holding the fixture at SCALE, analysed (as bench.sh generates it)
new_fixture() {
    drop_db "$1"
    psqlx -d postgres -c "CREATE DATABASE \"$1\""
    psqlx -d "$1" -f "$bench_fixture_dir/schema.sql" -f "$bench_fixture_dir/data.sql" \
        -c "SELECT pg_temp.uuidmig_fixture_generate($2)" -c "VACUUM ANALYZE" >/dev/null
}
# the live rows of DB's tables
live_rows() { psql -X -Atq -d "$1" -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables"; }

# one line naming the machine and the server, for the first line of a CSV
machine_line() {
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -r)," \
        "PostgreSQL $(psql -X -Atq -d postgres -c 'SHOW server_version' | cut -d' ' -f1)"
}

# positive_ints VALUE... : stops the script unless each value (of --scale, --repeat and such) is a positive integer
positive_ints() {
    local v
    for v in "$@"; do
        [[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] \
            || { echo "$(basename "$0"): $v: --scale, --repeat and the other counts take positive integers" >&2; exit 2; }
    done
}

# results_dir DIR: makes the results directory DIR and prints its absolute path
results_dir() {
    mkdir -p "$1"
    (cd "$1" && pwd)
}

# template_dbs PREFIX: the names of a pristine fixture database ($pristine) and of the copy each run works on ($work);
# both are dropped when the script exits. fresh_work makes $work a new copy of $pristine.
template_dbs() {
    pristine="$1_pristine"
    work="$1_work"
    trap 'drop_db "$work"; drop_db "$pristine"' EXIT
}
fresh_work() {
    drop_db "$work"
    psqlx -d postgres -c "CREATE DATABASE \"$work\" TEMPLATE \"$pristine\""
}

# An awk function for the summaries: median(a, n) of a[1..n] (sorts a in place). Use: awk "$bench_awk_median"' ...'
bench_awk_median='
function median(a, n,    i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}'

# build_jar_and_classpath: the jar, the test classes and target/cp.txt (the load generator's classpath) with
# $MVN (default "mvn -B -q"); says why when the classpath cannot be resolved
build_jar_and_classpath() {
    local mvn=${MVN:-mvn -B -q} cp_log
    $mvn -DskipTests package
    cp_log=$($mvn dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test 2>&1) \
        || { echo "$cp_log" >&2; echo "$(basename "$0"): mvn dependency:build-classpath failed (an offline build needs the plugin in the local repository: run once without -o)" >&2; exit 2; }
}

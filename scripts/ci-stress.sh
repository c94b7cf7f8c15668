#!/usr/bin/env bash
# Runs .ci/run from fresh clones of this repository's HEAD under three machine states, to show
# that the suite depends on events, not on how fast the machine happens to be:
#
#   scripts/ci-stress.sh quiet      one .ci/run, nothing else running
#   scripts/ci-stress.sh loaded     one .ci/run beside two CPU-bound processes (one per core here)
#   scripts/ci-stress.sh parallel   two .ci/run at once, from two clones, on the same PostgreSQL server
#   scripts/ci-stress.sh both       parallel and loaded together: two .ci/run at once beside two CPU burners
#
# Each run's output goes to $OUT/<variant>-<n>.log (default OUT: a new directory under the system
# temporary directory, printed at the start); the last line of each says pass or fail and the time.
# Exit status: non-zero if any .ci/run failed. Nothing outside the clones and $OUT is written,
# apart from what .ci/run itself writes (databases named per process, the binaries cache).
set -euo pipefail

variant=${1:-}
case "$variant" in
  quiet|loaded|parallel|both) ;;
  *) echo "usage: scripts/ci-stress.sh quiet|loaded|parallel|both" >&2; exit 2 ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/uuidmig-ci-stress.XXXXXX")}
mkdir -p "$OUT"
echo "ci-stress: $variant at $(git -C "$repo" rev-parse --short HEAD); logs in $OUT"

clones=()
burners=()
cleanup() {
  for p in "${burners[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "${clones[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

# new_clone: clone HEAD into a fresh directory (removed at exit) and print its path
new_clone() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/uuidmig-ci-clone.XXXXXX")
  git clone -q "$repo" "$dir"
  echo "$dir"
}

# one_run N DIR: run .ci/run in DIR, logging to $OUT/$variant-N.log
one_run() {
  local n=$1 dir=$2 start rc
  start=$(date +%s)
  rc=0
  (cd "$dir" && CI=true bash .ci/run </dev/null) >"$OUT/$variant-$n.log" 2>&1 || rc=$?
  echo "ci-stress: $variant run $n: $([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)") in $(( $(date +%s) - start )) s" \
    | tee -a "$OUT/$variant-$n.log"
  return "$rc"
}

# burn: two CPU-bound processes (one per core on the 2-core machines this project runs on), stopped at exit
burn() {
  for _ in 1 2; do
    ( while :; do :; done ) &
    burners+=("$!")
  done
}

status=0
case "$variant" in
  quiet)
    clones+=("$(new_clone)")
    one_run 1 "${clones[0]}" || status=1
    ;;
  loaded)
    clones+=("$(new_clone)")
    burn
    one_run 1 "${clones[0]}" || status=1
    ;;
  parallel|both)
    if [[ $variant == both ]]; then burn; fi
    # two clones, started together; each .ci/run runs the whole suite and the 12/18 matrix
    clones+=("$(new_clone)" "$(new_clone)")
    one_run 1 "${clones[0]}" & p1=$!
    one_run 2 "${clones[1]}" & p2=$!
    wait "$p1" || status=1
    wait "$p2" || status=1
    ;;
esac
exit "$status"

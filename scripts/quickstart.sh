#!/usr/bin/env bash
# Builds uuidmig and runs the main job on a scratch database: fixture -> validate-pre -> migrate -> validate-post.
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
db=${UUIDMIG_QUICKSTART_DB:-uuidmig_quickstart}
scale=${UUIDMIG_QUICKSTART_SCALE:-20}

mvn -B -q -DskipTests package
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\""
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true' EXIT
psql -X -q -d "$db" -f src/main/resources/fixture/schema.sql -f src/main/resources/fixture/data.sql \
  -c "SELECT pg_temp.uuidmig_fixture_generate($scale)" -c "ANALYZE" >/dev/null

export PGDATABASE=$db
java -jar target/uuidmig.jar validate-pre
java -jar target/uuidmig.jar migrate
java -jar target/uuidmig.jar validate-post

#!/usr/bin/env bash
# End-to-end load runs: starts a throwaway PostgreSQL 15 + TimescaleDB cluster (../shared/timescaledb),
# then for each storage mode (TELEMETRY_TIMESCALE=off: native partitions; auto: hypertable) and each load
# mode, a fresh database and a fresh gateway (its own data directory), and runs
# org.jkn.telemetry.benchmarks.load.EndToEnd against them. Builds nothing: run
# `mvn -q -B -DskipTests install` first. Prints every run's markdown table row together at the end.
#
#   benchmarks/e2e.sh [SECONDS]                     # default 60 s per run
#   MODES="http mqtt" STORAGES=auto benchmarks/e2e.sh 30
#   E2E_ARGS="--rate 20000 --concurrency 8" benchmarks/e2e.sh    # passed to every EndToEnd run
#
# Environment: MODES (http http-dense mqtt), STORAGES (off auto), PG_PORT (55491), HTTP_PORT (18080),
# MQTT_PORT (18830), GATEWAY_JAR (ingest-gateway/target/ingest-gateway.jar, its lib/ beside it),
# GATEWAY_JAVA_OPTS, HARNESS_JAVA_OPTS (-Xmx1g), E2E_ARGS, KEEP=1 keeps the work directory. Other
# TELEMETRY_* variables in the environment reach the gateway (e.g. TELEMETRY_JOURNAL_MAX_PENDING_READINGS);
# the script sets DATA_DIR, DB_URL, TIMESCALE, HTTP_* and MQTT_* itself.
# Logs (harness and gateway) go to benchmarks/target/e2e-<time>/. Root only: PostgreSQL runs as the
# postgres user via cluster.sh, and install.sh may need apt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
modes=${MODES:-http http-dense mqtt}
storages=${STORAGES:-off auto}
pg_port=${PG_PORT:-55491}
http_port=${HTTP_PORT:-18080}
mqtt_port=${MQTT_PORT:-18830}
gateway_jar=${GATEWAY_JAR:-ingest-gateway/target/ingest-gateway.jar}
harness_jar=benchmarks/target/benchmarks.jar
shared=../shared/timescaledb
pg=/usr/lib/postgresql/15/bin

for f in "$gateway_jar" "$harness_jar" "$shared/cluster.sh"; do
  [ -f "$f" ] || { echo "e2e.sh: $f is missing (build with: mvn -q -B -DskipTests install)" >&2; exit 1; }
done
for p in "$pg_port" "$http_port" "$mqtt_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "e2e.sh: port $p is taken; choose others with PG_PORT, HTTP_PORT, MQTT_PORT" >&2; exit 1
  fi
done

# Chronicle Queue's JVM flags, from the one place the build keeps them (the parent pom).
chronicle_flags=$(sed -n 's:.*<chronicle.jvm.args>\(--[^<]*\)</chronicle.jvm.args>.*:\1:p' pom.xml | head -1)
[ -n "$chronicle_flags" ] || { echo "e2e.sh: chronicle.jvm.args not found in pom.xml" >&2; exit 1; }

logs=$root/benchmarks/target/e2e-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$logs"
work=$(mktemp -d /tmp/e2e.XXXXXX)
chmod 755 "$work" # the postgres user must reach the cluster directory inside
gateway_pid=
cluster_started=

cleanup() {
  if [ -n "$gateway_pid" ]; then kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; fi
  if [ -n "$cluster_started" ]; then bash "$shared/cluster.sh" stop "$work/pg" || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

bash "$shared/install.sh" >/dev/null
url=$(bash "$shared/cluster.sh" start "$work/pg" "$pg_port")
cluster_started=1
base_url=${url%/*} # jdbc:postgresql://127.0.0.1:PORT
psql() { "$pg/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qAt "$@"; }

start_gateway() { # $1 storage, $2 database, $3 log file
  local dir=$work/gw-$2
  mkdir -p "$dir"
  # A fresh data directory per run: its own journal and development keys, nothing left from another run.
  env TELEMETRY_PROFILE=dev TELEMETRY_DATA_DIR="$dir" TELEMETRY_DB_URL="$base_url/$2" TELEMETRY_TIMESCALE="$1" \
      TELEMETRY_HTTP_HOST=127.0.0.1 TELEMETRY_HTTP_PORT="$http_port" TELEMETRY_MQTT_HOST=127.0.0.1 TELEMETRY_MQTT_PORT="$mqtt_port" \
      java $chronicle_flags ${GATEWAY_JAVA_OPTS:-} -jar "$gateway_jar" >"$3" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "http://127.0.0.1:$http_port/health"; then return 0; fi
    kill -0 "$gateway_pid" 2>/dev/null || { echo "e2e.sh: the gateway exited; see $3" >&2; tail -20 "$3" >&2; return 1; }
    sleep 0.5
  done
  echo "e2e.sh: the gateway did not become healthy in 120 s; see $3" >&2
  return 1
}

stop_gateway() {
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
}

results=$logs/results.md
status=0
for storage in $storages; do
  for mode in $modes; do
    db=e2e_${storage}_${mode//-/_}
    psql -d postgres -c "drop database if exists $db" -c "create database $db"
    echo "=== $mode, TELEMETRY_TIMESCALE=$storage, database $db, $seconds s ($(date -u +%FT%TZ))"
    start_gateway "$storage" "$db" "$logs/gateway-$storage-$mode.log"
    if java $chronicle_flags ${HARNESS_JAVA_OPTS:--Xmx1g} -cp "$harness_jar" org.jkn.telemetry.benchmarks.load.EndToEnd \
        --mode "$mode" --seconds "$seconds" --http "http://127.0.0.1:$http_port" --mqtt "tcp://127.0.0.1:$mqtt_port" \
        --jdbc "$base_url/$db" ${E2E_ARGS:-} 2>&1 | tee "$logs/e2e-$storage-$mode.log"; then
      :
    else
      status=1
      echo "e2e.sh: the $mode run on TELEMETRY_TIMESCALE=$storage failed; see $logs" >&2
    fi
    stop_gateway
    psql -d postgres -c "drop database if exists $db"
    # the table's header once, then each run's row
    [ -s "$results" ] || grep '^| mode ' -A1 "$logs/e2e-$storage-$mode.log" >"$results" || true
    grep '^| [a-z]' "$logs/e2e-$storage-$mode.log" | grep -v '^| mode ' >>"$results" || true
  done
done

echo
echo "=== all runs ($(date -u +%F), load generator, gateway and database on this machine; logs in $logs)"
cat "$results"
exit $status

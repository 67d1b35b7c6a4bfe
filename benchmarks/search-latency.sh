#!/usr/bin/env bash
# FHIR search latency over a large store: loads a cohort of 1 Hz heart rate straight into sealed
# blocks (store.BlockLoader), starts the gateway on the same database with the same keys, and times
# the searches at the store, rendering and HTTP levels (store.SearchLatency). Builds nothing: run
# `mvn -q -B -DskipTests install` first.
#
#   DB_URL=jdbc:postgresql://127.0.0.1:5432/telemetry benchmarks/search-latency.sh [auto|off]
#   PATIENTS=40 DAYS=15 REQUESTS=2000 SKIP_LOAD=1 DB_URL=... benchmarks/search-latency.sh
#
# DB_URL names an empty database (user postgres, no password) on PostgreSQL, or on TimescaleDB for
# `auto` hypertables; its first use fixes the layout, so use a new database per mode. The argument
# is TELEMETRY_TIMESCALE for both the loader and the gateway (default auto).
# Environment: PATIENTS (40) x DAYS (15) = 51.8 M readings, FIRST_DAY (the DAYS whole UTC days
# before today), HTTP_PORT (18280), REQUESTS (2000) and WARMUP (300) rounds of every level and query, LEVELS
# (store,render,stream,http), QUERIES (hour,day,day-hr,day-asc,none), SKIP_LOAD=1 measures what an earlier run
# loaded (give the same PATIENTS, DAYS and FIRST_DAY), TELEMETRY_KEK and TELEMETRY_PSEUDONYM_KEY
# (fixed benchmark keys by default), BENCH_JAR and GATEWAY_JAR (the built ones, the gateway's lib/
# beside it), LOADER_JAVA_OPTS, GATEWAY_JAVA_OPTS, KEEP=1 keeps the gateway's data directory.
# Logs go to benchmarks/target/search-latency-<time>/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-auto}
[ "$mode" = auto ] || [ "$mode" = off ] || { echo "search-latency.sh: the mode is auto or off" >&2; exit 2; }
db_url=${DB_URL:?DB_URL=jdbc:postgresql://host:port/database is required}
patients=${PATIENTS:-40}
days=${DAYS:-15}
first_day=${FIRST_DAY:-$(date -u -d "-$days days" +%F)}
http_port=${HTTP_PORT:-18280}
bench_jar=${BENCH_JAR:-benchmarks/target/benchmarks.jar}
gateway_jar=${GATEWAY_JAR:-ingest-gateway/target/ingest-gateway.jar}
# the same keys for loader, gateway and harness: the gateway must open what the loader sealed
export TELEMETRY_KEK=${TELEMETRY_KEK:-bench-kek:$(printf 'bench-kek-32-bytes-0123456789abc' | base64 -w0)}
export TELEMETRY_PSEUDONYM_KEY=${TELEMETRY_PSEUDONYM_KEY:-$(printf 'bench-pseudonym-key-0123456789abcdef' | base64 -w0)}

for f in "$bench_jar" "$gateway_jar"; do
  [ -f "$f" ] || { echo "search-latency.sh: $f is missing (build with: mvn -q -B -DskipTests install)" >&2; exit 1; }
done
if (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; then
  echo "search-latency.sh: port $http_port is taken; choose another with HTTP_PORT" >&2; exit 1
fi

# Chronicle Queue's JVM flags, from the one place the build keeps them (the parent pom).
chronicle_flags=$(sed -n 's:.*<chronicle.jvm.args>\(--[^<]*\)</chronicle.jvm.args>.*:\1:p' pom.xml | head -1)
[ -n "$chronicle_flags" ] || { echo "search-latency.sh: chronicle.jvm.args not found in pom.xml" >&2; exit 1; }

logs=$root/benchmarks/target/search-latency-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$logs"
data=$(mktemp -d /tmp/search-latency.XXXXXX)
cohort=(--url "$db_url" --timescale "$mode" --patients "$patients" --days "$days" --first-day "$first_day")
gateway_pid=
cleanup() {
  if [ -n "$gateway_pid" ]; then kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT

if [ "${SKIP_LOAD:-0}" != 1 ]; then
  echo "loading $patients patients x $days days from $first_day ($mode); log: $logs/load.log"
  java $chronicle_flags ${LOADER_JAVA_OPTS:-} -cp "$bench_jar" org.jkn.telemetry.benchmarks.store.BlockLoader "${cohort[@]}" \
      >"$logs/load.log" 2>&1 || { tail -30 "$logs/load.log" >&2; exit 1; }
  grep -E '^\|' "$logs/load.log"
fi

# A data directory of its own (journal, token-signing key); the keys above, not generated ones.
env TELEMETRY_PROFILE=dev TELEMETRY_DATA_DIR="$data" TELEMETRY_DB_URL="$db_url" TELEMETRY_TIMESCALE="$mode" \
    TELEMETRY_HTTP_HOST=127.0.0.1 TELEMETRY_HTTP_PORT="$http_port" TELEMETRY_MQTT_PORT= \
    java $chronicle_flags ${GATEWAY_JAVA_OPTS:-} -jar "$gateway_jar" >"$logs/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 240); do
  curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" && break
  kill -0 "$gateway_pid" 2>/dev/null || { echo "search-latency.sh: the gateway exited; see $logs/gateway.log" >&2; tail -20 "$logs/gateway.log" >&2; exit 1; }
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$http_port/health" || { echo "search-latency.sh: the gateway is not healthy; see $logs/gateway.log" >&2; exit 1; }

java $chronicle_flags -cp "$bench_jar" org.jkn.telemetry.benchmarks.store.SearchLatency "${cohort[@]}" \
    --http "http://127.0.0.1:$http_port" --levels "${LEVELS:-store,render,stream,http}" --queries "${QUERIES:-hour,day,day-hr,day-asc,none}" \
    --warmup "${WARMUP:-300}" --requests "${REQUESTS:-2000}" >"$logs/latency.log" 2>&1 || { tail -30 "$logs/latency.log" >&2; exit 1; }
sed -n '/^| storage/,$p' "$logs/latency.log"

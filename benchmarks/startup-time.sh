#!/usr/bin/env bash
# Start-up time to healthy of the gateway as docker/Dockerfile and docker/compose.yaml run it: the
# prod profile (throwaway secrets generated here), the image's JAVA_OPTS and Chronicle flags,
# broker-bridge mode with the built-in MQTT listener off, against a local Mosquitto standing in for
# EMQX and a TimescaleDB database. Times from launching the JVM to GET /health answering 200
# (polled every 50 ms), RUNS times: the first on an empty database (the migrations run), the others
# restarts on the same database and data directory. Builds nothing: run
# `mvn -q -B -DskipTests package` first.
#
#   url=$(bash ../shared/timescaledb/cluster.sh start /tmp/startup/pg 55817)
#   DB_URL=$url benchmarks/startup-time.sh
#   bash ../shared/timescaledb/cluster.sh stop /tmp/startup/pg
#
# DB_URL: an empty database, user postgres without a password (cluster.sh's). Environment: RUNS (5),
# HTTP_PORT (18480), BROKER_PORT (18483), GATEWAY_JAR (its lib/ beside it). Needs openssl, curl and
# Debian's mosquitto. Logs go to benchmarks/target/startup-time-<time>/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
db_url=${DB_URL:?DB_URL=jdbc:postgresql://host:port/database (an empty one) is required}
runs=${RUNS:-5}
http_port=${HTTP_PORT:-18480}
broker_port=${BROKER_PORT:-18483}
gateway_jar=${GATEWAY_JAR:-ingest-gateway/target/ingest-gateway.jar}
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)

[ -f "$gateway_jar" ] || { echo "startup-time.sh: $gateway_jar is missing (build with: mvn -q -B -DskipTests package)" >&2; exit 1; }
[ -x "$mosquitto" ] || { echo "startup-time.sh: mosquitto is not installed (Debian: apt-get install mosquitto)" >&2; exit 1; }
for p in "$http_port" "$broker_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "startup-time.sh: port $p is taken; choose another with HTTP_PORT or BROKER_PORT" >&2; exit 1
  fi
done

# The image's flags: Chronicle's from the parent pom (the Dockerfile's copy is checked against it)
# and the Dockerfile's JAVA_OPTS.
chronicle_flags=$(sed -n 's:.*<chronicle.jvm.args>\(--[^<]*\)</chronicle.jvm.args>.*:\1:p' pom.xml | head -1)
java_opts=$(sed -n 's/^ *JAVA_OPTS="\([^"]*\)".*/\1/p' docker/Dockerfile | head -1)
[ -n "$chronicle_flags" ] && [ -n "$java_opts" ] || { echo "startup-time.sh: JVM flags not found in pom.xml or docker/Dockerfile" >&2; exit 1; }

logs=$root/benchmarks/target/startup-time-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$logs"
work=$(mktemp -d /tmp/startup-time.XXXXXX)
gateway_pid=
broker_pid=
cleanup() {
  if [ -n "$gateway_pid" ]; then kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; fi
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Throwaway secrets, generated as docker/.env.example says; the JWKS holds one fresh P-256 key.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/signing.pem" 2>/dev/null
openssl ec -in "$work/signing.pem" -pubout -outform DER 2>/dev/null | tail -c 64 >"$work/xy"
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
x=$(head -c 32 "$work/xy" | b64url)
y=$(tail -c 32 "$work/xy" | b64url)
printf '{"keys":[{"kty":"EC","crv":"P-256","kid":"startup-1","use":"sig","alg":"ES256","x":"%s","y":"%s"}]}\n' "$x" "$y" >"$work/jwks.json"

printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$broker_port" >"$work/mosquitto.conf"
"$mosquitto" -c "$work/mosquitto.conf" >"$logs/mosquitto.log" 2>&1 &
broker_pid=$!

mkdir -p "$work/data"
export TELEMETRY_PROFILE=prod TELEMETRY_DATA_DIR="$work/data" \
    TELEMETRY_HTTP_HOST=127.0.0.1 TELEMETRY_HTTP_PORT="$http_port" TELEMETRY_MQTT_PORT= \
    TELEMETRY_DB_URL="$db_url" TELEMETRY_DB_USER=postgres TELEMETRY_DB_PASSWORD=unused-trust-auth \
    TELEMETRY_KEK="startup-kek:$(openssl rand -base64 32)" TELEMETRY_PSEUDONYM_KEY="$(openssl rand -base64 32)" \
    TELEMETRY_AUTH_JWKS_FILE="$work/jwks.json" TELEMETRY_AUTH_ISSUER=https://issuer.invalid \
    TELEMETRY_AUTH_AUDIENCE=telemetry-startup \
    TELEMETRY_MQTT_BROKER_URL="tcp://127.0.0.1:$broker_port" TELEMETRY_MQTT_BROKER_CLIENT_ID=gateway-1 \
    TELEMETRY_MQTT_BROKER_USERNAME=telemetry-gateway

times=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java $chronicle_flags $java_opts -jar "$gateway_jar" >"$logs/gateway-$run.log" 2>&1 &
  gateway_pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$http_port/health"; do
    kill -0 "$gateway_pid" 2>/dev/null || { echo "startup-time.sh: the gateway exited; see $logs/gateway-$run.log" >&2; tail -20 "$logs/gateway-$run.log" >&2; exit 1; }
    [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 120000 ] || { echo "startup-time.sh: not healthy after 120 s; see $logs/gateway-$run.log" >&2; exit 1; }
    sleep 0.05
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  echo "run $run ($([ "$run" = 1 ] && echo 'empty database, migrations' || echo 'restart')): healthy after $ms ms"
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
done
if [ "$runs" -gt 1 ]; then
  restarts=$(printf '%s\n' "${times[@]:1}" | sort -n)
  n=$(( runs - 1 ))
  echo "restarts: min $(echo "$restarts" | head -1) ms, median $(echo "$restarts" | sed -n "$(( (n + 1) / 2 ))p") ms, max $(echo "$restarts" | tail -1) ms"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); logs: $logs"

#!/usr/bin/env bash
# Upgrade drill: a data directory written by the row-per-reading build (d0ce530) is opened by this build;
# the readings must read the same (ids and resources), old ids resolve, a re-sent reading is stored once.
#   mkdir /tmp/before && git archive d0ce530 | tar -x -C /tmp/before
#   (cd /tmp/before && mvn -q -B -DskipTests package -pl ingest-gateway -am)
#   OLD_JAR=/tmp/before/ingest-gateway/target/ingest-gateway.jar benchmarks/upgrade-drill.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
flags=$(sed -n 's:.*<chronicle.jvm.args>\(--.*\)</chronicle.jvm.args>.*:\1:p' "$root/pom.xml")
D=/tmp/upgrade-drill; rm -rf $D; mkdir -p $D
export TELEMETRY_DATA_DIR=$D/data TELEMETRY_HTTP_PORT=18282 TELEMETRY_MQTT_PORT=18832
NIK=3171011508850001
start() { java $flags -jar "$1" > $D/$2.log 2>&1 & echo $! > $D/pid; for i in $(seq 1 120); do curl -sf localhost:18282/health >/dev/null && return 0; sleep 1; done; echo "no health"; tail -20 $D/$2.log; exit 1; }
start "${OLD_JAR:?set OLD_JAR to the ingest-gateway.jar of d0ce530}" old
TOKEN=$(curl -s "localhost:18282/dev/token?role=patient&nik=$NIK")
cat > $D/consent.json <<J
{"resourceType":"Consent","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],"patient":{"identifier":{"system":"https://fhir.kemkes.go.id/id/nik","value":"$NIK"}},"policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},"provision":{"type":"deny","provision":[{"type":"permit","action":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentaction","code":"collect"}]}]}]}}
J
curl -s -o /dev/null -w "consent %{http_code}\n" -X POST localhost:18282/fhir/Consent -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/fhir+json' --data-binary @$D/consent.json
batch() { echo "{\"patient\":\"$NIK\",\"device\":{\"id\":\"watch-7f3a\",\"manufacturer\":\"Acme\",\"model\":\"Band 5\"},\"readings\":[
 {\"id\":\"$1-a1\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:0$2:00+07:00\",\"value\":7$2,\"unit\":\"/min\"},
 {\"id\":\"$1-a2\",\"type\":\"steps\",\"start\":\"2026-11-22T08:0$2:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":120$2},
 {\"id\":\"$1-a3\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:0$2:00+07:00\",\"systolic\":12$2,\"diastolic\":7$2,\"unit\":\"mm[Hg]\"}]}"; }
for n in 1 2 3; do batch old $n > $D/b.json; curl -s -X POST localhost:18282/v1/readings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @$D/b.json; echo; done
sleep 3
PID=$(curl -s -H "Authorization: Bearer $TOKEN" "localhost:18282/fhir/Patient?identifier=https://fhir.kemkes.go.id/id/nik|$NIK" | python3 -c 'import sys,json; print(json.load(sys.stdin)["entry"][0]["resource"]["id"])')
curl -s -H "Authorization: Bearer $TOKEN" "localhost:18282/fhir/Observation?patient=$PID&_count=100&_sort=date" > $D/before.json
python3 -c 'import json; b=json.load(open("'$D'/before.json")); print("before:", len(b.get("entry",[])), [e["resource"]["id"] for e in b["entry"]][:3])'
kill -9 $(cat $D/pid); sleep 2
start "$root/ingest-gateway/target/ingest-gateway.jar" new
sleep 5
TOKEN=$(curl -s "localhost:18282/dev/token?role=patient&nik=$NIK")
curl -s -H "Authorization: Bearer $TOKEN" "localhost:18282/fhir/Observation?patient=$PID&_count=100&_sort=date" > $D/after.json
python3 - <<P
import json
b=json.load(open("$D/before.json")); a=json.load(open("$D/after.json"))
def strip(e):
    r=dict(e["resource"]); r.pop("meta",None); return r
bb=[strip(e) for e in b["entry"]]; aa=[strip(e) for e in a["entry"]]
print("after:", len(aa), "identical resources:", bb==aa)
P
OLDID=$(python3 -c 'import json; print(json.load(open("'$D'/before.json"))["entry"][0]["resource"]["id"])')
curl -s -o /dev/null -w "read old id after upgrade: %{http_code}\n" -H "Authorization: Bearer $TOKEN" "localhost:18282/fhir/Observation/$OLDID"
batch old 1 > $D/b.json; curl -s -X POST localhost:18282/v1/readings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @$D/b.json; echo " (re-sent)"
batch new 5 > $D/b.json; curl -s -X POST localhost:18282/v1/readings -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @$D/b.json; echo " (new)"
sleep 3
curl -s -H "Authorization: Bearer $TOKEN" "localhost:18282/fhir/Observation?patient=$PID&_count=100&_sort=date" | python3 -c 'import sys,json; b=json.load(sys.stdin); print("after re-send and new:", len(b["entry"]), "ids:", [e["resource"]["id"] for e in b["entry"]][-3:])'
grep -i "moved\|upgrade\|ERROR" $D/new.log | cut -c1-200 | head -5
kill $(cat $D/pid)

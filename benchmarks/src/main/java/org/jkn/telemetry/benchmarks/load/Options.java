package org.jkn.telemetry.benchmarks.load;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@link EndToEnd}'s command line: {@code --name value} pairs, each with a default. */
record Options(
        String mode,
        String http,
        String mqtt,
        String jdbc,
        String dbUser,
        String dbPassword,
        double rate,
        int concurrency,
        int seconds,
        int warmup,
        int batch,
        int patients,
        long patientBase,
        int daysBack,
        int drainTimeoutSeconds,
        long copyMinRows,
        int copyChunk,
        int mqttInFlight,
        String token,
        String label) {

    static final String USAGE =
            """
            EndToEnd --mode http|http-dense|mqtt --jdbc jdbc:postgresql://127.0.0.1:5432/telemetry
                [--http http://127.0.0.1:8080] [--mqtt tcp://127.0.0.1:1883] [--db-user postgres] [--db-password '']
                [--rate 0] [--concurrency 4] [--seconds 60] [--warmup 10] [--batch 1000] [--patients 32] [--patient-base 0]
                [--days-back 60] [--drain-timeout 900] [--copy-min-rows 1000000] [--copy-chunk 10000]
                [--mqtt-inflight 16] [--token ADMIN_TOKEN] [--label 'storage label']
              --mode http: batches of --batch heart-rate readings; http-dense: one 1 Hz dense series of --batch samples
                     per batch (each sample a reading); mqtt: one registered device per patient, MQTT 5 QoS 1 publishes
              --rate: offered readings/s over all patients; 0 sends as fast as --concurrency in-flight batches allow
              --warmup: seconds of the same load before the measured run, not counted (JIT warm-up); 0: none
              --patients: simulated patients (NIKs number --patient-base ...), each with a consent; in mqtt, one device each
              --days-back: the wearers' clocks start this many days ago and advance 1 s per reading; at
                     500k readings/s over 32 patients they advance about 13 days a minute, and readings
                     past now are rejected (time-in-future), so keep it ahead of the run
              --jdbc: the gateway's database, for bytes per reading and the COPY baseline (table e2e_copy_baseline)
              --mqtt-inflight: unacknowledged publishes per device (the gateway's Receive Maximum, 16 by default)
              --token: admin bearer token for mqtt device registration; default: the dev gateway's GET /dev/token
            Needs a gateway in the dev profile (it asks GET /dev/token for patient tokens); creates patients, consents
            and devices, so never point it at production data.""";

    private static final Set<String> NAMES =
            Set.of(
                    "mode",
                    "http",
                    "mqtt",
                    "jdbc",
                    "db-user",
                    "db-password",
                    "rate",
                    "concurrency",
                    "seconds",
                    "warmup",
                    "batch",
                    "patients",
                    "patient-base",
                    "days-back",
                    "drain-timeout",
                    "copy-min-rows",
                    "copy-chunk",
                    "mqtt-inflight",
                    "token",
                    "label");

    static Options parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in --name value pairs");
        }
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            m.put(name, args[i + 1]);
        }
        Options o =
                new Options(
                        m.getOrDefault("mode", "http"),
                        strip(m.getOrDefault("http", "http://127.0.0.1:8080")),
                        m.getOrDefault("mqtt", "tcp://127.0.0.1:1883"),
                        m.get("jdbc"),
                        m.getOrDefault("db-user", "postgres"),
                        m.getOrDefault("db-password", ""),
                        Double.parseDouble(m.getOrDefault("rate", "0")),
                        Integer.parseInt(m.getOrDefault("concurrency", "4")),
                        Integer.parseInt(m.getOrDefault("seconds", "60")),
                        Integer.parseInt(m.getOrDefault("warmup", "10")),
                        Integer.parseInt(m.getOrDefault("batch", "1000")),
                        Integer.parseInt(m.getOrDefault("patients", "32")),
                        Long.parseLong(m.getOrDefault("patient-base", "0")),
                        Integer.parseInt(m.getOrDefault("days-back", "60")),
                        Integer.parseInt(m.getOrDefault("drain-timeout", "900")),
                        Long.parseLong(m.getOrDefault("copy-min-rows", "1000000")),
                        Integer.parseInt(m.getOrDefault("copy-chunk", "10000")),
                        Integer.parseInt(m.getOrDefault("mqtt-inflight", "16")),
                        m.get("token"),
                        m.get("label"));
        if (!Set.of("http", "http-dense", "mqtt").contains(o.mode)) {
            throw new IllegalArgumentException("--mode is http, http-dense or mqtt");
        }
        if (o.jdbc == null) {
            throw new IllegalArgumentException("--jdbc is required (the gateway's database)");
        }
        if (o.rate < 0
                || o.concurrency < 1
                || o.seconds < 1
                || o.warmup < 0
                || o.batch < 1
                || o.patients < 1
                || o.daysBack < 1
                || o.copyChunk < 1
                || o.mqttInFlight < 1
                || o.patientBase < 0) {
            throw new IllegalArgumentException("numbers out of range");
        }
        if (o.mode.equals("http-dense") && o.batch > 86_400) {
            throw new IllegalArgumentException("a dense series holds at most 86,400 values");
        }
        return o;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

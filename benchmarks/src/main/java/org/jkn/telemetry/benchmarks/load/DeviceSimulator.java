package org.jkn.telemetry.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Simulated devices against a running service: each registers itself ({@code POST /v1/devices}),
 * connects over MQTT 5 with its credentials (Eclipse Paho) and publishes batches of plausible
 * readings at QoS 1 at a fixed rate. Prints a progress line per second and a summary: publishes
 * sent, acknowledged (PUBACK success), refused (PUBACK >= 0x80), not sent (client-side in-flight
 * limit or a lost connection), PUBACK latency percentiles, and readings stored per second as the
 * service's own {@code telemetry_readings_stored_total} counts them once its journal is drained.
 *
 * <p>No identifier, secret or value is printed. Usage: see {@link #usage()} or BENCHMARKS.md,
 * "Device simulator".
 */
public final class DeviceSimulator {

    private final Map<String, String> opts;
    private final int devices;
    private final double rate;
    private final int seconds;
    private final int perPublish;
    private final List<String> types;
    private GatewayClient gateway;
    private final Recorder latency = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder notSent = new LongAdder();

    private DeviceSimulator(Map<String, String> opts) {
        this.opts = opts;
        devices = Integer.parseInt(opts.getOrDefault("devices", "10"));
        rate = Double.parseDouble(opts.getOrDefault("rate", "1"));
        seconds = Integer.parseInt(opts.getOrDefault("seconds", "30"));
        perPublish = Integer.parseInt(opts.getOrDefault("readings", "1"));
        types =
                Arrays.asList(
                        opts.getOrDefault(
                                        "types",
                                        "heart_rate,oxygen_saturation,blood_pressure,body_temperature")
                                .split(",", -1));
        if (devices < 1
                || rate <= 0
                || seconds < 1
                || perPublish < 1
                || !Readings.TYPES.containsAll(types)) {
            throw new IllegalArgumentException("bad arguments; types are " + Readings.TYPES);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage();
                return;
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage();
            return;
        }
        try {
            new DeviceSimulator(opts).run();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            usage();
            System.exit(2);
        }
        System.exit(0); // Paho's threads are not daemons
    }

    static void usage() {
        System.err.println(
                "DeviceSimulator --http http://127.0.0.1:8080 --mqtt tcp://127.0.0.1:1883 --devices 10 --rate 1"
                        + " --seconds 30 [--readings 1] [--types "
                        + String.join(",", Readings.TYPES)
                        + "] [--token ADMIN_TOKEN]\n"
                        + "  --rate: publishes per second per device; --readings: readings per publish\n"
                        + "  --token: an admin bearer token for registering devices; without it one is asked of a development\n"
                        + "           service's GET /dev/token?role=admin");
    }

    private void run() throws Exception {
        String httpBase = opts.getOrDefault("http", "http://127.0.0.1:8080");
        String mqtt = opts.getOrDefault("mqtt", "tcp://127.0.0.1:1883");
        gateway = new GatewayClient(httpBase);
        String token =
                opts.containsKey("token") ? opts.get("token") : gateway.devToken("role=admin");
        System.out.printf("registering and connecting %d devices...%n", devices);
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<String> topics = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String[] cred = register(token, d);
            clients.add(connect(mqtt, d, cred));
            topics.add("devices/" + cred[0] + "/readings");
        }
        double storedBefore = gateway.metric("telemetry_readings_stored_total");
        ScheduledExecutorService timer =
                Executors.newScheduledThreadPool(
                        Math.max(2, Runtime.getRuntime().availableProcessors()));
        long start = System.nanoTime();
        schedule(timer, clients, topics);
        progress(start);
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        Thread.sleep(2_000); // the last PUBACKs
        double elapsed = (System.nanoTime() - start) / 1e9;
        total.add(latency.getIntervalHistogram());
        disconnect(clients);
        long drainDeadline = System.nanoTime() + 60_000_000_000L;
        while (gateway.metric("telemetry_journal_lag_readings") > 0
                && System.nanoTime() < drainDeadline) {
            Thread.sleep(200);
        }
        double storedSeconds = (System.nanoTime() - start) / 1e9;
        double stored = gateway.metric("telemetry_readings_stored_total") - storedBefore;
        summary(elapsed, stored, storedSeconds);
    }

    /** Device number {@code d} connected with its credentials {id, secret}. */
    private static MqttAsyncClient connect(String mqtt, int d, String[] cred) throws MqttException {
        MqttAsyncClient c =
                new MqttAsyncClient(
                        mqtt, "sim-" + d + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(cred[0]);
        o.setPassword(cred[1].getBytes(StandardCharsets.UTF_8));
        o.setCleanStart(true);
        o.setKeepAliveInterval(30);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    private void schedule(
            ScheduledExecutorService timer, List<MqttAsyncClient> clients, List<String> topics) {
        long periodMicros = (long) (1_000_000 / rate);
        for (int d = 0; d < devices; d++) {
            MqttAsyncClient c = clients.get(d);
            String topic = topics.get(d);
            long[] seq = {0};
            // spread the devices over one period so they do not all publish in the same millisecond
            // cancelled by shutting the timer down; publish() handles its own failures
            var unused =
                    timer.scheduleAtFixedRate(
                            () -> publish(c, topic, seq[0]++),
                            periodMicros * d / devices,
                            periodMicros,
                            TimeUnit.MICROSECONDS);
        }
    }

    /** One line a second for {@code seconds} from {@code start}. */
    private void progress(long start) throws InterruptedException {
        long last = System.nanoTime();
        long lastAcked = 0;
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(Math.max(0, (start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            Histogram h = latency.getIntervalHistogram();
            total.add(h);
            long now = System.nanoTime();
            long a = acked.sum();
            System.out.printf(
                    "%3ds sent %d acked %d refused %d not-sent %d | %.0f acks/s, p50 %.1f ms, p99 %.1f ms%n",
                    s,
                    sent.sum(),
                    a,
                    refused.sum(),
                    notSent.sum(),
                    (a - lastAcked) * 1e9 / (now - last),
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0);
            last = now;
            lastAcked = a;
        }
    }

    private static void disconnect(List<MqttAsyncClient> clients) {
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            } catch (MqttException e) {
                // the summary counts what matters; closing is best effort
            }
        }
    }

    private void summary(double elapsed, double stored, double storedSeconds) {
        System.out.printf(
                "%nsummary: %d devices, %.1f publishes/s/device target, %d reading(s) per publish, %.1f s%n",
                devices, rate, perPublish, elapsed);
        System.out.printf(
                "  sent %d, acknowledged %d, refused %d, not sent %d%n",
                sent.sum(), acked.sum(), refused.sum(), notSent.sum());
        System.out.printf(
                "  %.0f acknowledged publishes/s, %.0f readings/s acknowledged%n",
                acked.sum() / elapsed, acked.sum() * perPublish / elapsed);
        System.out.printf(
                "  PUBACK latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                total.getValueAtPercentile(50) / 1000.0,
                total.getValueAtPercentile(99) / 1000.0,
                total.getValueAtPercentile(99.9) / 1000.0,
                total.getMaxValue() / 1000.0);
        System.out.printf(
                "  stored %.0f new readings, %.0f readings/s stored (until the journal was drained, %.1f s)%n",
                stored, stored / storedSeconds, storedSeconds);
    }

    private void publish(MqttAsyncClient c, String topic, long seq) {
        MqttMessage m = new MqttMessage(Readings.batch(types, "s", seq, perPublish));
        m.setQos(1);
        long t0 = System.nanoTime();
        try {
            c.publish(
                    topic,
                    m,
                    null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            int[] codes = token.getReasonCodes();
                            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                                refused.increment();
                            } else {
                                acked.increment();
                                latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                            }
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            if (e instanceof MqttException me && me.getReasonCode() >= 0x80) {
                                refused.increment();
                            } else {
                                notSent.increment();
                            }
                        }
                    });
            sent.increment();
        } catch (MqttException e) {
            notSent.increment(); // in-flight window full (Receive Maximum) or disconnected
        }
    }

    /** Registers device number {@code n} for its own patient; returns id and secret. */
    private String[] register(String token, int n) throws Exception {
        // a valid NIK per device: Jakarta region, born 15-08-85, serial n+1
        String nik = "317101150885" + String.format("%04d", 1 + n % 9999);
        gateway.consent(token, nik);
        return gateway.registerDevice(token, nik, "SIM-" + n + "-" + System.nanoTime());
    }
}

package org.jkn.telemetry.benchmarks.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phone apps uploading batches with {@code POST /v1/readings}, each with its patient's token: in
 * mode {@code http} as {@code batch} single heart-rate readings, in {@code http-dense} as one 1 Hz
 * dense series of {@code batch} samples (the gateway stores each sample as a reading).
 */
final class HttpTransport implements Transport {

    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    private static final Pattern REJECTION = Pattern.compile("\"reason\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");

    private final URI uri;
    private final List<HeartRateFeed> feeds;
    private final List<String> tokens;
    private final int batch;
    private final boolean dense;
    private final ExecutorService executor =
            Executors.newFixedThreadPool(
                    2,
                    r -> {
                        Thread t = new Thread(r, "http-client");
                        t.setDaemon(true);
                        return t;
                    });
    // HTTP/1.1: each in-flight request gets a connection of its own from the pool, as separate
    // phones
    // would; with the default (HTTP/2) the client would try an h2c upgrade on every new connection.
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(executor)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    HttpTransport(
            String base, List<HeartRateFeed> feeds, List<String> tokens, int batch, boolean dense) {
        this.uri = URI.create(base + "/v1/readings");
        this.feeds = feeds;
        this.tokens = tokens;
        this.batch = batch;
        this.dense = dense;
    }

    @Override
    public byte[] nextBatch(int patient) {
        HeartRateFeed f = feeds.get(patient);
        return dense ? f.denseSeries(batch) : f.items(batch, true);
    }

    @Override
    public CompletableFuture<Outcome> send(int patient, byte[] body) {
        HttpRequest request =
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofMinutes(2))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + tokens.get(patient))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle(
                        (r, e) -> {
                            if (e != null) {
                                return Outcome.failed(
                                        e.getClass().getSimpleName() + ": " + e.getMessage());
                            }
                            long retryAfter =
                                    r.headers()
                                            .firstValue("Retry-After")
                                            .map(HttpTransport::seconds)
                                            .orElse(1L);
                            return outcome(r.statusCode(), r.body(), retryAfter * 1000);
                        });
    }

    /**
     * 202 {"accepted": n, "rejected": [...]}; 503 (journal-full, consent-unavailable) is a refusal.
     */
    static Outcome outcome(int status, String body, long retryAfterMillis) {
        if (status == 202) {
            Matcher a = ACCEPTED.matcher(body);
            if (!a.find()) {
                return Outcome.failed("202 without an accepted count");
            }
            Matcher reasons = REJECTION.matcher(body);
            long rejected = 0;
            String first = null;
            while (reasons.find()) {
                rejected++;
                first = first == null ? reasons.group(1) : first;
            }
            return Outcome.answered(Long.parseLong(a.group(1)), rejected, first);
        }
        Matcher code = ERROR_CODE.matcher(body);
        String reason = status + " " + (code.find() ? code.group(1) : "");
        return status == 503 ? Outcome.refused(reason, retryAfterMillis) : Outcome.failed(reason);
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return 1; // an HTTP date: the gateway sends seconds, so this is only a fallback
        }
    }

    @Override
    public int maxInFlightPerPatient() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

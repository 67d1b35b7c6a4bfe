package org.jkn.telemetry.benchmarks.store;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP side of the latency harnesses: one client, GETs that fail loudly, answers counted. */
final class GatewayHttp {

    private GatewayHttp() {}

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The body of a 200 answer to GET {@code url}, with the bearer {@code token} if not null. */
    static String get(HttpClient client, String url, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder r =
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json");
        }
        HttpResponse<String> response =
                client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            String b = response.body();
            throw new IOException(
                    "GET "
                            + url
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + b.substring(0, Math.min(300, b.length())));
        }
        return response.body();
    }

    /**
     * How often {@code needle} occurs: cheaper than parsing a megabyte of JSON, and enough to check
     * an answer.
     */
    static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}

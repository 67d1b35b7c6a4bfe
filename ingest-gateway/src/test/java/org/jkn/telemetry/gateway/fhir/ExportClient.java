package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;

/** The Bulk Data async flow over plain HTTP, for tests: kick-off, polling, download. */
final class ExportClient {

    private final GatewayFixture gw;

    ExportClient(GatewayFixture gw) {
        this.gw = gw;
    }

    /** A kick-off with the headers the IG requires. */
    HttpResponse<String> kickOff(String pathAndQuery, String token) throws Exception {
        return gw.send(
                HttpRequest.newBuilder(gw.uri(pathAndQuery))
                        .timeout(Duration.ofSeconds(30))
                        .header("Accept", "application/fhir+json")
                        .header("Prefer", "respond-async")
                        .GET(),
                token);
    }

    /**
     * The status URL's path of an accepted kick-off; a 429 (every export worker busy, e.g. with an
     * export cancelled a moment ago) is retried as its Retry-After invites.
     */
    String started(String pathAndQuery, String token) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Poll.until(
                "export accepted",
                () -> {
                    last.set(kickOff(pathAndQuery, token));
                    if (last.get().statusCode() == 429) {
                        assertTrue(last.get().headers().firstValue("Retry-After").isPresent());
                        return false;
                    }
                    return true;
                });
        HttpResponse<String> r = last.get();
        assertEquals(202, r.statusCode(), r.body());
        String location = r.headers().firstValue("Content-Location").orElseThrow();
        assertTrue(location.startsWith(gw.uri("/fhir/").toString()), location);
        return path(location);
    }

    HttpResponse<String> status(String statusPath, String token) throws Exception {
        return gw.get(statusPath, "application/json", token);
    }

    /** Polls until the export is done; returns its manifest. */
    JsonObject manifest(String statusPath, String token) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Poll.until(
                "export complete",
                () -> {
                    HttpResponse<String> r = status(statusPath, token);
                    last.set(r);
                    if (r.statusCode() == 202) {
                        assertTrue(r.headers().firstValue("X-Progress").isPresent());
                        assertTrue(r.headers().firstValue("Retry-After").isPresent());
                        return false;
                    }
                    return true;
                });
        assertEquals(200, last.get().statusCode(), last.get().body());
        return new JsonObject(last.get().body());
    }

    /** The lines of the file at {@code url}, downloaded with {@code token}. */
    List<String> lines(String url, String token) throws Exception {
        HttpResponse<String> r = download(url, token);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("application/fhir+ndjson"));
        List<String> out = new ArrayList<>();
        for (String line : r.body().split("\n", -1)) {
            if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    HttpResponse<String> download(String url, String token) throws Exception {
        return gw.get(path(url), "application/fhir+ndjson", token);
    }

    /** Every line of every file of one type in the manifest. */
    List<String> linesOf(JsonObject manifest, String type, String token) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object o : manifest.getJsonArray("output")) {
            JsonObject f = (JsonObject) o;
            if (f.getString("type").equals(type)) {
                List<String> lines = lines(f.getString("url"), token);
                assertEquals(f.getLong("count").intValue(), lines.size(), "manifest count");
                out.addAll(lines);
            }
        }
        return out;
    }

    static String path(String url) {
        return url.substring(url.indexOf("/fhir/"));
    }
}

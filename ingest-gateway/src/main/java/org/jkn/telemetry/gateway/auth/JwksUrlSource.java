package org.jkn.telemetry.gateway.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of an identity provider's JWKS URL (Keycloak: {@code
 * /realms/{realm}/protocol/openid-connect/certs}). Fetched at start-up (a failure stops start-up),
 * again when a token names an unknown {@code kid} (the provider rotated its key), at most once per
 * {@code minRefreshInterval} so that tokens with made-up kids cannot make this server hammer the
 * provider, and periodically by the caller's timer so that keys the provider withdrew stop
 * verifying. A failed fetch keeps the keys held before. Bounded: a document is at most {@link
 * Jwks#MAX_BYTES} and {@link Jwks#MAX_KEYS} keys, fetched with a 5 s timeout, redirects not
 * followed.
 *
 * <p>Thread-safe: {@link #find} reads a volatile snapshot; fetches are serialized.
 */
public final class JwksUrlSource implements KeySource {

    private static final Logger log = LoggerFactory.getLogger(JwksUrlSource.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI uri;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .connectTimeout(TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
    private volatile Jwks keys;
    private volatile long lastFetch;

    private JwksUrlSource(URI uri, Duration minRefreshInterval, LongSupplier nanoTime) {
        this.uri = uri;
        this.minIntervalNanos = minRefreshInterval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Fetches the keys once; throws when the URL does not serve a JWKS. Blocking. */
    public static JwksUrlSource open(URI uri, Duration minRefreshInterval) throws IOException {
        JwksUrlSource s = new JwksUrlSource(uri, minRefreshInterval, System::nanoTime);
        s.keys = s.fetch();
        s.lastFetch = System.nanoTime();
        if (s.keys.size() == 0) {
            throw new IOException("the JWKS holds no RS256 or ES256 signing key with a kid");
        }
        return s;
    }

    @Override
    public Jwks.Key find(String kid) {
        return keys.find(kid);
    }

    @Override
    public boolean canRefresh() {
        return nanoTime.getAsLong() - lastFetch >= minIntervalNanos;
    }

    @Override
    public synchronized boolean refresh() throws IOException {
        if (!canRefresh()) {
            return false; // fetched moments ago, perhaps by the request that queued before this one
        }
        return refreshNow();
    }

    /** Fetches regardless of the rate limit (the periodic refresh). Blocking. */
    public synchronized boolean refreshNow() throws IOException {
        lastFetch = nanoTime.getAsLong();
        try {
            keys = fetch();
            return true;
        } catch (IOException e) {
            log.warn(
                    "JWKS refresh failed, keeping the {} keys held: {}",
                    keys.size(),
                    e.getMessage());
            throw e;
        }
    }

    private Jwks fetch() throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(uri)
                        .timeout(TIMEOUT)
                        .header("Accept", "application/json")
                        .GET()
                        .build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the JWKS");
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("the JWKS URL answered " + r.statusCode());
            }
            byte[] body = in.readNBytes(Jwks.MAX_BYTES + 1);
            try {
                return Jwks.parse(body);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
        }
    }
}

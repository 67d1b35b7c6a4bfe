package org.jkn.telemetry.gateway.http;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.mqtt.SelfSignedCertificate;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS listener with a certificate made for the test, used by a real HTTPS client (HTTP/1.1
 * and HTTP/2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsTest {

    @TempDir static Path dir;
    GatewayFixture gw;
    SelfSignedCertificate certificate;
    int tlsPort;

    @BeforeAll
    void start() throws Exception {
        certificate = SelfSignedCertificate.create(dir);
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve("gateway"));
        c.put(ConfigKey.HTTP_TLS_CERT, certificate.cert.toString());
        c.put(ConfigKey.HTTP_TLS_KEY, certificate.key.toString());
        c.put(ConfigKey.HTTP_TLS_PORT, "0");
        gw = GatewayFixture.start(c);
        tlsPort = gw.gateway().tlsPort();
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(certificate.trustingContext())
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void batchesAreUploadedAndReadBackOverHttps() throws Exception {
        assertTrue(tlsPort > 0 && tlsPort != gw.gateway().port());
        for (HttpClient.Version v : HttpClient.Version.values()) {
            HttpClient https = client(v);
            HttpResponse<String> up =
                    https.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "https://127.0.0.1:"
                                                            + tlsPort
                                                            + "/v1/readings"))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + gw.defaultToken())
                                    .POST(HttpRequest.BodyPublishers.ofString(EXAMPLE))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, up.statusCode(), up.body());
            assertEquals(v, up.version(), "negotiated by ALPN");
            Poll.until("stored", () -> gw.observationCount() == 4);
            HttpResponse<String> read =
                    https.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "https://127.0.0.1:"
                                                            + tlsPort
                                                            + "/fhir/Observation?patient="
                                                            + PATIENT_ID))
                                    .header("Authorization", "Bearer " + gw.defaultToken())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode());
            assertTrue(read.body().contains("\"total\":4"), read.body());
            assertTrue(
                    read.body().contains("https://127.0.0.1:" + tlsPort + "/fhir/Observation/"),
                    "links name the scheme used");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateSendsNothing() {
        HttpClient untrusting =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(
                SSLHandshakeException.class,
                () ->
                        untrusting.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "https://127.0.0.1:" + tlsPort + "/health"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void plainHttpOnTheTlsPortIsNotServed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", tlsPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(
                    "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                n = -1; // reset: also not an answer
            }
            String answer = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            assertTrue(!answer.startsWith("HTTP/"), "no HTTP answer in clear text: " + answer);
        }
    }
}

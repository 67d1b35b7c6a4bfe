package org.jkn.telemetry.gateway.mqtt;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate for 127.0.0.1 (MQTT and HTTPS listeners) made with the JDK's own keytool for the
 * test, written as the PEM certificate and PKCS#8 key the gateway is configured with, plus a TLS
 * context that trusts it.
 */
public final class SelfSignedCertificate {

    private static final char[] PASSWORD = "test-only".toCharArray();

    public final Path cert;
    public final Path key;
    private final KeyStore trust;

    private SelfSignedCertificate(Path cert, Path key, KeyStore trust) {
        this.cert = cert;
        this.key = key;
        this.trust = trust;
    }

    public static SelfSignedCertificate create(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                                .toString(),
                                        "-genkeypair",
                                        "-alias",
                                        "mqtt",
                                        "-keyalg",
                                        "RSA",
                                        "-keysize",
                                        "2048",
                                        "-validity",
                                        "2",
                                        "-dname",
                                        "CN=127.0.0.1",
                                        "-ext",
                                        "SAN=ip:127.0.0.1",
                                        "-storetype",
                                        "PKCS12",
                                        "-keystore",
                                        store.toString(),
                                        "-storepass",
                                        new String(PASSWORD),
                                        "-keypass",
                                        new String(PASSWORD)))
                        .redirectErrorStream(true)
                        .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        Certificate certificate = ks.getCertificate("mqtt");
        PrivateKey privateKey = (PrivateKey) ks.getKey("mqtt", PASSWORD);
        Path certPem = dir.resolve("server.crt");
        Path keyPem = dir.resolve("server.key");
        Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", privateKey.getEncoded()));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("mqtt", certificate);
        return new SelfSignedCertificate(certPem, keyPem, trust);
    }

    /** A TLS context that trusts this certificate and nothing else. */
    public SSLContext trustingContext() throws Exception {
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }
}

package org.jkn.telemetry.gateway.auth;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.jkn.telemetry.gateway.auth.dev.DevSigningKey;
import org.jkn.telemetry.gateway.auth.dev.DevTokenEndpoint;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer-token authentication as configured: the key source (JWKS file, JWKS URL, or in dev the
 * generated key), the verifier, and in dev the token minter. {@link #mount} puts the {@link
 * AuthHandler} in front of {@code /v1} and {@code /fhir}, leaving open only what must be: {@code
 * /fhir/metadata} (clients read it before they have a token); {@code /health} and {@code /metrics}
 * are outside both prefixes.
 */
public final class Authentication {

    private static final Logger log = LoggerFactory.getLogger(Authentication.class);

    /** Paths under /fhir that need no token. */
    public static final Set<String> OPEN_FHIR_PATHS =
            Set.of("/fhir/metadata", "/fhir" + SmartConfiguration.PATH);

    private final AuthConfig config;
    private final KeySource keys;
    private final TokenVerifier verifier;
    private final DevTokens devTokens;

    private Authentication(
            AuthConfig config, KeySource keys, TokenVerifier verifier, DevTokens devTokens) {
        this.config = config;
        this.keys = keys;
        this.verifier = verifier;
        this.devTokens = devTokens;
    }

    /**
     * Loads the keys (blocking: reads the JWKS file, fetches the URL, or loads or generates the
     * development key). Throws when no usable signing key results, or when a production JWKS trusts
     * this data directory's development key.
     */
    public static Authentication create(
            AuthConfig config, boolean production, Path dataDir, Clock clock) throws IOException {
        KeySource keys;
        DevTokens devTokens = null;
        if (config.development()) {
            DevSigningKey key = DevSigningKey.load(dataDir);
            keys = KeySource.of(Jwks.of(key.verificationKey()));
            devTokens = new DevTokens(key, config.issuer(), config.audience(), clock);
            log.warn(
                    "development tokens: trusting the generated key in {}; mint with GET {}",
                    dataDir.resolve("keys"),
                    DevTokenEndpoint.PATH);
        } else if (config.jwksFile() != null) {
            Jwks jwks;
            try {
                jwks = Jwks.parse(Files.readAllBytes(config.jwksFile()));
            } catch (IllegalArgumentException e) {
                throw new IOException("TELEMETRY_AUTH_JWKS_FILE: " + e.getMessage());
            }
            if (jwks.size() == 0) {
                throw new IOException(
                        "TELEMETRY_AUTH_JWKS_FILE holds no RS256 or ES256 signing key with a kid");
            }
            keys = KeySource.of(jwks);
        } else {
            try {
                keys = JwksUrlSource.open(config.jwksUrl(), config.minRefreshInterval());
            } catch (IOException e) {
                throw new IOException(
                        "TELEMETRY_AUTH_JWKS_URL could not be fetched: " + e.getMessage(), e);
            }
        }
        if (production) {
            refuseDevelopmentKey(keys, dataDir);
        }
        return new Authentication(
                config,
                keys,
                new TokenVerifier(keys, config.issuer(), config.audience(), config.leeway(), clock),
                devTokens);
    }

    /**
     * A production server must not trust the key whose private half lies in its own data directory.
     */
    private static void refuseDevelopmentKey(KeySource keys, Path dataDir) throws IOException {
        if (!Files.exists(dataDir.resolve("keys").resolve(DevSigningKey.FILE))) {
            return;
        }
        if (keys.find(DevSigningKey.load(dataDir).kid()) != null) {
            throw new IOException(
                    "the configured JWKS trusts the development signing key in "
                            + dataDir.resolve("keys")
                            + "; the prod profile refuses development keys");
        }
    }

    /**
     * Mounts authentication in front of the APIs, the dev endpoint in dev, and the JWKS refresh
     * timer.
     */
    public void mount(
            Vertx vertx, Router router, AuthResponses responses, Pseudonymizer pseudonymizer) {
        AuthHandler handler = new AuthHandler(vertx, verifier, responses);
        router.route("/v1/*").handler(handler);
        router.route("/fhir/*")
                .handler(
                        ctx -> {
                            if (isOpen(ctx)) {
                                ctx.next();
                            } else {
                                handler.handle(ctx);
                            }
                        });
        if (devTokens != null) {
            new DevTokenEndpoint(devTokens, pseudonymizer).mount(router);
        }
        if (keys instanceof JwksUrlSource url) {
            vertx.setPeriodic(
                    config.refreshInterval().toMillis(),
                    id -> vertx.executeBlocking(url::refreshNow, false));
        }
    }

    private static boolean isOpen(RoutingContext ctx) {
        return OPEN_FHIR_PATHS.contains(ctx.normalizedPath());
    }

    public TokenVerifier verifier() {
        return verifier;
    }

    /** The development token minter, or null outside development mode. */
    public DevTokens devTokens() {
        return devTokens;
    }

    public AuthConfig config() {
        return config;
    }
}

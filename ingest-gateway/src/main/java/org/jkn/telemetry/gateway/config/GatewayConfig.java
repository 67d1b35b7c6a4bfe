package org.jkn.telemetry.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jkn.telemetry.gateway.auth.AuthConfig;
import org.jkn.telemetry.gateway.auth.OAuthEndpoints;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.mqtt.MqttServerConfig;
import org.jkn.telemetry.gateway.mqtt.bridge.BrokerBridgeConfig;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.db.DatabaseConfig;

/**
 * The gateway's configuration, read once and validated eagerly: a bad value stops start-up with a
 * message naming the key; nothing is clamped silently.
 */
public record GatewayConfig(
        boolean production,
        String httpHost,
        int httpPort,
        Path dataDir,
        DatabaseConfig database,
        byte[] pseudonymKey,
        int maxBodyBytes,
        NormalizerLimits limits,
        boolean journalSync,
        long maxPendingReadings,
        DiskBudget disk,
        int writeBatchReadings,
        int drainWriters,
        ZoneId searchZone,
        Duration deviceAuthCacheTtl,
        MqttServerConfig mqtt,
        BrokerBridgeConfig broker,
        AuthConfig auth,
        HttpTls httpTls,
        ConsentConfig consent,
        LocalKek kek,
        List<LocalKek> previousKeks,
        Duration erasureSweepPeriod,
        ExportConfig export) {

    /** A plain HTTP port of this value means no plain listener. */
    public static final int DISABLED = -1;

    /** The HTTPS listener: off when {@code cert} is null. */
    public record HttpTls(int port, Path cert, Path key) {
        public boolean enabled() {
            return cert != null;
        }
    }

    /**
     * Ingest is refused while the data directory's file system has fewer than {@code minFreeBytes}
     * free, or the journal's files exceed {@code maxJournalBytes} (0: no budget).
     */
    public record DiskBudget(long minFreeBytes, long maxJournalBytes) {}

    /** The consent decision cache: entry lifetime (zero: no caching) and bound. */
    public record ConsentConfig(Duration cacheTtl, int cacheMaxPatients) {}

    /**
     * Bulk export: where its files go, how long they are kept after the export ends, how many
     * exports run at once, and how many resources one file holds.
     */
    public record ExportConfig(
            Path directory, Duration expiry, int maxRunningJobs, int fileMaxResources) {}

    /** Reads from system properties, then environment variables, then defaults. */
    public static GatewayConfig fromEnvironment() {
        return from(
                key -> {
                    String p = System.getProperty(key.propertyName());
                    return p != null ? p : System.getenv(key.envName());
                });
    }

    /** Reads from the given source; missing keys take their defaults. */
    public static GatewayConfig from(Map<ConfigKey, String> values) {
        return from(values::get);
    }

    /** Reads and checks the keys in a fixed order: the first bad one is the one reported. */
    private static GatewayConfig from(Function<ConfigKey, String> source) {
        Map<ConfigKey, String> v = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            String s = source.apply(k);
            v.put(k, s == null ? k.defaultValue() : s.trim());
        }
        String profile = v.get(ConfigKey.PROFILE);
        if (!profile.equals("dev") && !profile.equals("prod")) {
            throw bad(ConfigKey.PROFILE, "must be dev or prod");
        }
        boolean production = profile.equals("prod");
        Path dataDir = Path.of(v.get(ConfigKey.DATA_DIR)).toAbsolutePath();
        DatabaseConfig db = database(v, production, dataDir);
        byte[] key = pseudonymKey(v, production);
        LocalKek kek = currentKek(v, production);
        List<LocalKek> previous = previousKeks(v);
        NormalizerLimits limits = limits(v);
        ZoneId zone = searchZone(v);
        HttpTls tls = httpTls(v);
        int httpPort = httpPort(v, tls);
        return new GatewayConfig(
                production,
                v.get(ConfigKey.HTTP_HOST),
                httpPort,
                dataDir,
                db,
                key,
                integer(v, ConfigKey.MAX_BODY_BYTES, 1024, 1 << 30),
                limits,
                bool(v, ConfigKey.JOURNAL_SYNC),
                longValue(v, ConfigKey.JOURNAL_MAX_PENDING_READINGS, 1),
                new DiskBudget(
                        longValue(v, ConfigKey.DISK_MIN_FREE_BYTES, 0),
                        longValue(v, ConfigKey.JOURNAL_MAX_BYTES, 0)),
                integer(v, ConfigKey.WRITE_BATCH_READINGS, 1, 1_000_000),
                integer(v, ConfigKey.DRAIN_WRITERS, 1, 64),
                zone,
                durationOrZero(v, ConfigKey.DEVICE_AUTH_CACHE_TTL),
                mqtt(v),
                broker(v),
                auth(v, production),
                tls,
                new ConsentConfig(
                        durationOrZero(v, ConfigKey.CONSENT_CACHE_TTL),
                        integer(v, ConfigKey.CONSENT_CACHE_MAX_PATIENTS, 1, 100_000_000)),
                kek,
                List.copyOf(previous),
                duration(v, ConfigKey.ERASURE_SWEEP_PERIOD, false),
                export(v, dataDir));
    }

    private static ExportConfig export(Map<ConfigKey, String> v, Path dataDir) {
        String dir = v.get(ConfigKey.EXPORT_DIR);
        return new ExportConfig(
                dir.isEmpty() ? dataDir.resolve("export") : Path.of(dir).toAbsolutePath(),
                duration(v, ConfigKey.EXPORT_EXPIRY, false),
                integer(v, ConfigKey.EXPORT_MAX_RUNNING_JOBS, 1, 64),
                integer(v, ConfigKey.EXPORT_FILE_MAX_RESOURCES, 1, 10_000_000));
    }

    private static DatabaseConfig database(
            Map<ConfigKey, String> v, boolean production, Path dataDir) {
        String dbUrl = v.get(ConfigKey.DB_URL);
        if (production && dbUrl.isEmpty()) {
            throw bad(
                    ConfigKey.DB_URL,
                    "is required in the prod profile (the embedded database is for development)");
        }
        String timescale = v.get(ConfigKey.TIMESCALE);
        if (!timescale.equals("auto") && !timescale.equals("off")) {
            throw bad(ConfigKey.TIMESCALE, "must be auto or off");
        }
        try {
            return new DatabaseConfig(
                    dbUrl.isEmpty() ? null : dbUrl,
                    v.get(ConfigKey.DB_USER),
                    v.get(ConfigKey.DB_PASSWORD),
                    integer(v, ConfigKey.DB_POOL_SIZE, 1, 200),
                    dataDir.resolve("postgres"),
                    timescale,
                    duration(v, ConfigKey.CHUNK_INTERVAL, false),
                    duration(v, ConfigKey.COMPRESS_AFTER, true),
                    duration(v, ConfigKey.RETENTION, true),
                    integer(v, ConfigKey.PARTITIONS_AHEAD, 1, 24),
                    duration(v, ConfigKey.MAX_READING_AGE, false),
                    duration(v, ConfigKey.AUDIT_RETENTION, true));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("database configuration: " + e.getMessage(), e);
        }
    }

    /** Null in the dev profile when unset: a development key is generated in the data directory. */
    private static byte[] pseudonymKey(Map<ConfigKey, String> v, boolean production) {
        String keyText = v.get(ConfigKey.PSEUDONYM_KEY);
        if (keyText.isEmpty()) {
            if (production) {
                throw bad(ConfigKey.PSEUDONYM_KEY, "is required in the prod profile");
            }
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(keyText);
        } catch (IllegalArgumentException e) {
            throw bad(ConfigKey.PSEUDONYM_KEY, "must be base64");
        }
        if (key.length < 32) {
            throw bad(ConfigKey.PSEUDONYM_KEY, "must decode to at least 32 bytes");
        }
        return key;
    }

    /** Null in the dev profile when unset: a development KEK is generated in the data directory. */
    private static LocalKek currentKek(Map<ConfigKey, String> v, boolean production) {
        if (!v.get(ConfigKey.KEK).isEmpty()) {
            return kek(ConfigKey.KEK, v.get(ConfigKey.KEK));
        }
        if (production) {
            throw bad(ConfigKey.KEK, "is required in the prod profile (id:base64 of 32 bytes)");
        }
        return null;
    }

    private static List<LocalKek> previousKeks(Map<ConfigKey, String> v) {
        List<LocalKek> previous = new ArrayList<>();
        for (String part : v.get(ConfigKey.KEK_PREVIOUS).split(",", -1)) {
            if (!part.isBlank()) {
                previous.add(kek(ConfigKey.KEK_PREVIOUS, part.trim()));
            }
        }
        return previous;
    }

    private static NormalizerLimits limits(Map<ConfigKey, String> v) {
        try {
            return new NormalizerLimits(
                    integer(v, ConfigKey.MAX_READINGS_PER_BATCH, 1, 10_000_000),
                    duration(v, ConfigKey.FUTURE_SKEW, false),
                    duration(v, ConfigKey.MAX_READING_AGE, false),
                    duration(v, ConfigKey.MAX_READING_PERIOD, false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reading limits: " + e.getMessage(), e);
        }
    }

    private static ZoneId searchZone(Map<ConfigKey, String> v) {
        try {
            return ZoneId.of(v.get(ConfigKey.SEARCH_ZONE));
        } catch (DateTimeException e) {
            throw bad(ConfigKey.SEARCH_ZONE, "must be a time zone id such as UTC or Asia/Jakarta");
        }
    }

    /** {@link #DISABLED} when empty, which the HTTPS listener must then make up for. */
    private static int httpPort(Map<ConfigKey, String> v, HttpTls tls) {
        int httpPort =
                v.get(ConfigKey.HTTP_PORT).isEmpty()
                        ? DISABLED
                        : integer(v, ConfigKey.HTTP_PORT, 0, 65535);
        if (httpPort == DISABLED && !tls.enabled()) {
            throw bad(
                    ConfigKey.HTTP_PORT,
                    "may be empty only with the HTTPS listener on (HTTP_TLS_CERT and HTTP_TLS_KEY)");
        }
        return httpPort;
    }

    private static LocalKek kek(ConfigKey k, String text) {
        try {
            return LocalKek.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(k, e.getMessage()); // the message never repeats the key
        }
    }

    private static HttpTls httpTls(Map<ConfigKey, String> v) {
        String cert = v.get(ConfigKey.HTTP_TLS_CERT);
        String key = v.get(ConfigKey.HTTP_TLS_KEY);
        if (cert.isEmpty() != key.isEmpty()) {
            throw bad(
                    cert.isEmpty() ? ConfigKey.HTTP_TLS_CERT : ConfigKey.HTTP_TLS_KEY,
                    "is required with "
                            + (cert.isEmpty() ? ConfigKey.HTTP_TLS_KEY : ConfigKey.HTTP_TLS_CERT)
                                    .envName());
        }
        for (ConfigKey k : new ConfigKey[] {ConfigKey.HTTP_TLS_CERT, ConfigKey.HTTP_TLS_KEY}) {
            if (!v.get(k).isEmpty() && !Files.isReadable(Path.of(v.get(k)))) {
                throw bad(k, "must name a readable PEM file");
            }
        }
        return new HttpTls(
                integer(v, ConfigKey.HTTP_TLS_PORT, 0, 65535),
                cert.isEmpty() ? null : Path.of(cert),
                key.isEmpty() ? null : Path.of(key));
    }

    /**
     * Token verification. Prod needs a JWKS (file or URL), an issuer and an audience; dev without a
     * JWKS trusts the generated development key, with the development issuer and audience by
     * default.
     */
    private static AuthConfig auth(Map<ConfigKey, String> v, boolean production) {
        String file = v.get(ConfigKey.AUTH_JWKS_FILE);
        String url = v.get(ConfigKey.AUTH_JWKS_URL);
        if (!file.isEmpty() && !url.isEmpty()) {
            throw bad(
                    ConfigKey.AUTH_JWKS_URL,
                    "cannot be set together with " + ConfigKey.AUTH_JWKS_FILE.envName());
        }
        boolean development = file.isEmpty() && url.isEmpty();
        if (development && production) {
            throw bad(
                    ConfigKey.AUTH_JWKS_URL,
                    "or "
                            + ConfigKey.AUTH_JWKS_FILE.envName()
                            + " is required in the prod profile (development tokens are refused there)");
        }
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            throw bad(ConfigKey.AUTH_JWKS_FILE, "must name a readable JWKS file");
        }
        URI uri = httpUrl(v, ConfigKey.AUTH_JWKS_URL);
        String issuer = v.get(ConfigKey.AUTH_ISSUER);
        String audience = v.get(ConfigKey.AUTH_AUDIENCE);
        if (development) {
            issuer = issuer.isEmpty() ? DevTokens.ISSUER : issuer;
            audience = audience.isEmpty() ? DevTokens.AUDIENCE : audience;
        } else if (issuer.isEmpty()) {
            throw bad(ConfigKey.AUTH_ISSUER, "is required with a JWKS");
        } else if (audience.isEmpty()) {
            throw bad(ConfigKey.AUTH_AUDIENCE, "is required with a JWKS");
        }
        Duration leeway = durationOrZero(v, ConfigKey.AUTH_LEEWAY);
        if (leeway.compareTo(Duration.ofMinutes(5)) > 0) {
            throw bad(ConfigKey.AUTH_LEEWAY, "must be at most PT5M");
        }
        return new AuthConfig(
                file.isEmpty() ? null : Path.of(file),
                uri,
                issuer,
                audience,
                leeway,
                durationOrZero(v, ConfigKey.AUTH_JWKS_MIN_REFRESH_INTERVAL),
                duration(v, ConfigKey.AUTH_JWKS_REFRESH_INTERVAL, false),
                endpoints(v));
    }

    /** The identity provider's endpoints, as clients are told of them; none when not set. */
    private static OAuthEndpoints endpoints(Map<ConfigKey, String> v) {
        URI authorize = httpUrl(v, ConfigKey.AUTH_AUTHORIZATION_ENDPOINT);
        URI token = httpUrl(v, ConfigKey.AUTH_TOKEN_ENDPOINT);
        if (authorize != null && token == null) {
            throw bad(
                    ConfigKey.AUTH_TOKEN_ENDPOINT,
                    "is required with " + ConfigKey.AUTH_AUTHORIZATION_ENDPOINT.envName());
        }
        List<String> grants = new ArrayList<>();
        for (String g : v.get(ConfigKey.AUTH_GRANT_TYPES).split(",", -1)) {
            String grant = g.strip();
            if (!grant.matches("[a-z_:.0-9-]{1,100}")) {
                throw bad(
                        ConfigKey.AUTH_GRANT_TYPES,
                        "must be a comma-separated list of grant types");
            }
            grants.add(grant);
        }
        return token == null ? OAuthEndpoints.NONE : new OAuthEndpoints(authorize, token, grants);
    }

    /** An http or https URL without credentials, or null when the key is empty. */
    private static URI httpUrl(Map<ConfigKey, String> v, ConfigKey key) {
        String url = v.get(key);
        if (url.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad(key, "must be an http or https URL");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null
                || uri.getUserInfo() != null) {
            throw bad(key, "must be an http or https URL without credentials");
        }
        return uri;
    }

    /** Null when MQTT_BROKER_URL is empty: no external broker. */
    private static BrokerBridgeConfig broker(Map<ConfigKey, String> v) {
        String url = v.get(ConfigKey.MQTT_BROKER_URL);
        if (url.isEmpty()) {
            return null;
        }
        if (v.get(ConfigKey.MQTT_BROKER_CLIENT_ID).isEmpty()) {
            throw bad(
                    ConfigKey.MQTT_BROKER_CLIENT_ID,
                    "is required with " + ConfigKey.MQTT_BROKER_URL.envName());
        }
        String user = v.get(ConfigKey.MQTT_BROKER_USERNAME);
        String password = v.get(ConfigKey.MQTT_BROKER_PASSWORD);
        if (user.isEmpty() && !password.isEmpty()) {
            throw bad(
                    ConfigKey.MQTT_BROKER_USERNAME,
                    "is required with " + ConfigKey.MQTT_BROKER_PASSWORD.envName());
        }
        try {
            return new BrokerBridgeConfig(
                    url,
                    v.get(ConfigKey.MQTT_BROKER_CLIENT_ID),
                    v.get(ConfigKey.MQTT_BROKER_SHARE_GROUP),
                    user.isEmpty() ? null : user,
                    password.isEmpty() ? null : password);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TELEMETRY_MQTT_BROKER_*: " + e.getMessage(), e);
        }
    }

    private static MqttServerConfig mqtt(Map<ConfigKey, String> v) {
        int port =
                v.get(ConfigKey.MQTT_PORT).isEmpty()
                        ? MqttServerConfig.DISABLED
                        : integer(v, ConfigKey.MQTT_PORT, 0, 65535);
        String cert = v.get(ConfigKey.MQTT_TLS_CERT);
        String key = v.get(ConfigKey.MQTT_TLS_KEY);
        if (cert.isEmpty() != key.isEmpty()) {
            throw bad(
                    cert.isEmpty() ? ConfigKey.MQTT_TLS_CERT : ConfigKey.MQTT_TLS_KEY,
                    "is required with "
                            + (cert.isEmpty() ? ConfigKey.MQTT_TLS_KEY : ConfigKey.MQTT_TLS_CERT)
                                    .envName());
        }
        for (ConfigKey k : new ConfigKey[] {ConfigKey.MQTT_TLS_CERT, ConfigKey.MQTT_TLS_KEY}) {
            if (!v.get(k).isEmpty() && !Files.isReadable(Path.of(v.get(k)))) {
                throw bad(k, "must name a readable PEM file");
            }
        }
        return new MqttServerConfig(
                v.get(ConfigKey.MQTT_HOST),
                port,
                integer(v, ConfigKey.MQTT_TLS_PORT, 0, 65535),
                cert.isEmpty() ? null : Path.of(cert),
                key.isEmpty() ? null : Path.of(key),
                integer(
                        v,
                        ConfigKey.MQTT_MAX_PACKET_BYTES,
                        MqttServerConfig.MIN_PACKET_BYTES,
                        MqttServerConfig.MAX_PACKET_BYTES),
                integer(v, ConfigKey.MQTT_RECEIVE_MAXIMUM, 1, 65535),
                integer(v, ConfigKey.MQTT_MAX_CONNECTIONS_PER_DEVICE, 1, 100_000),
                duration(v, ConfigKey.MQTT_CONNECT_TIMEOUT, false),
                integer(v, ConfigKey.MQTT_MAX_PUBLISHES_PER_SECOND, 0, 1_000_000));
    }

    private static int integer(Map<ConfigKey, String> v, ConfigKey k, int min, int max) {
        long n = longValue(v, k, min);
        if (n > max) {
            throw bad(k, "must be <= " + max);
        }
        return (int) n;
    }

    private static long longValue(Map<ConfigKey, String> v, ConfigKey k, long min) {
        long n;
        try {
            n = Long.parseLong(v.get(k));
        } catch (NumberFormatException e) {
            throw bad(k, "must be an integer");
        }
        if (n < min) {
            throw bad(k, "must be >= " + min);
        }
        return n;
    }

    private static boolean bool(Map<ConfigKey, String> v, ConfigKey k) {
        return switch (v.get(k)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(k, "must be true or false");
        };
    }

    private static Duration duration(Map<ConfigKey, String> v, ConfigKey k, boolean optional) {
        String s = v.get(k);
        if (s.isEmpty() && optional) {
            return null;
        }
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative() || d.isZero()) {
                throw bad(k, "must be positive");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw bad(k, "must be an ISO 8601 duration such as PT5M or P7D");
        }
    }

    /** A duration that may be zero (a feature turned off), never negative. */
    private static Duration durationOrZero(Map<ConfigKey, String> v, ConfigKey k) {
        try {
            Duration d = Duration.parse(v.get(k));
            if (d.isNegative()) {
                throw bad(k, "must not be negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw bad(k, "must be an ISO 8601 duration such as PT5M or P7D");
        }
    }

    private static IllegalArgumentException bad(ConfigKey k, String what) {
        return new IllegalArgumentException(k.envName() + " " + what);
    }
}

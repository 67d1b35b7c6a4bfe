package org.jkn.telemetry.gateway.config;

/**
 * Every configuration key, with its default and meaning. Each is read from the environment variable
 * {@code TELEMETRY_<NAME>} or the system property {@code telemetry.<name>} (lower case, dots for
 * underscores); the system property wins. Durations are ISO 8601 ({@code PT5M}, {@code P365D}).
 * Each key's {@link Tier} is the table of {@code docs/configuration.md} it is documented in.
 */
public enum ConfigKey {
    PROFILE(
            Tier.REQUIRED_IN_PROD,
            "dev",
            "dev (generated keys and development tokens allowed) or prod (every secret and the token issuer must be configured)"),
    HTTP_HOST(Tier.RARELY, "0.0.0.0", "address the HTTP server binds"),
    HTTP_PORT(
            Tier.OFTEN,
            "8080",
            "plain HTTP port (development, or behind a TLS-terminating proxy); 0 picks a free one; empty turns it off"),
    HTTP_TLS_PORT(
            Tier.RARELY,
            "8443",
            "HTTPS port, open only when HTTP_TLS_CERT and HTTP_TLS_KEY are set; 0 picks a free one"),
    HTTP_TLS_CERT(
            Tier.OFTEN,
            "",
            "PEM certificate chain of the HTTPS listener; with HTTP_TLS_KEY it turns the listener on"),
    HTTP_TLS_KEY(Tier.OFTEN, "", "PEM private key of the HTTPS listener"),
    AUTH_JWKS_FILE(
            Tier.REQUIRED_IN_PROD,
            "",
            "JWKS file of the keys that sign bearer tokens; empty (and no AUTH_JWKS_URL) in dev: a generated key and GET /dev/token"),
    AUTH_JWKS_URL(
            Tier.REQUIRED_IN_PROD,
            "",
            "JWKS URL of the identity provider (e.g. Keycloak .../protocol/openid-connect/certs), fetched at start and on an unknown kid"),
    AUTH_ISSUER(
            Tier.REQUIRED_IN_PROD,
            "",
            "required iss of bearer tokens; required with a JWKS; dev default urn:telemetry:dev"),
    AUTH_AUDIENCE(
            Tier.REQUIRED_IN_PROD,
            "",
            "a value the tokens' aud must hold; required with a JWKS; dev default urn:telemetry:gateway"),
    AUTH_AUTHORIZATION_ENDPOINT(
            Tier.OFTEN,
            "",
            "the identity provider's OAuth 2 authorization endpoint, published in /.well-known/smart-configuration and /fhir/metadata; empty: left out"),
    AUTH_TOKEN_ENDPOINT(
            Tier.OFTEN,
            "",
            "the identity provider's OAuth 2 token endpoint, published likewise (SMART clients need it); empty: left out"),
    AUTH_GRANT_TYPES(
            Tier.RARELY,
            "authorization_code,client_credentials",
            "grant types the token endpoint supports, published with it"),
    AUTH_LEEWAY(Tier.RARELY, "PT30S", "clock skew allowed on exp and nbf (at most PT5M)"),
    AUTH_JWKS_MIN_REFRESH_INTERVAL(
            Tier.RARELY,
            "PT30S",
            "least time between JWKS URL fetches caused by tokens with an unknown kid"),
    AUTH_JWKS_REFRESH_INTERVAL(
            Tier.RARELY,
            "PT10M",
            "period of the background JWKS URL refresh (withdrawn keys stop verifying)"),
    DATA_DIR(
            Tier.OFTEN,
            "data",
            "directory for the journal, the embedded database and generated dev keys"),
    DB_URL(
            Tier.REQUIRED_IN_PROD,
            "",
            "JDBC URL of PostgreSQL or TimescaleDB; empty starts the embedded PostgreSQL in DATA_DIR/postgres"),
    DB_USER(Tier.OFTEN, "postgres", "database user"),
    DB_PASSWORD(Tier.OFTEN, "", "database password"),
    DB_POOL_SIZE(Tier.OFTEN, "8", "database connections"),
    TIMESCALE(
            Tier.RARELY,
            "auto",
            "auto: a hypertable when the timescaledb extension can be created; off: native partitions"),
    CHUNK_INTERVAL(Tier.RARELY, "P7D", "TimescaleDB chunk interval"),
    COMPRESS_AFTER(
            Tier.RARELY,
            "P30D",
            "TimescaleDB: compress chunks older than this; empty disables compression"),
    RETENTION(Tier.OFTEN, "", "drop readings older than this; empty keeps them"),
    PARTITIONS_AHEAD(Tier.RARELY, "3", "native partitioning: months of partitions created ahead"),
    AUDIT_RETENTION(
            Tier.OFTEN,
            "",
            "drop monthly partitions of the audit trail older than this (at least P31D); empty keeps the whole trail"),
    PSEUDONYM_KEY(
            Tier.REQUIRED_IN_PROD,
            "",
            "base64 key (>= 32 bytes) for NIK pseudonyms; empty in dev generates DATA_DIR/keys/pseudonym.key"),
    KEK(
            Tier.REQUIRED_IN_PROD,
            "",
            "key-encryption key that wraps patients' data keys, written id:base64 (32 bytes, AES-256); empty in dev generates DATA_DIR/keys/kek.key; required in prod"),
    KEK_PREVIOUS(
            Tier.RARELY,
            "",
            "earlier KEKs (id:base64, comma-separated) still unwrapping data keys until the start-up rotation has re-wrapped them"),
    ERASURE_SWEEP_PERIOD(
            Tier.RARELY,
            "PT1M",
            "how often the readings of erased patients (already unreadable) are deleted, in batches"),
    EXPORT_DIR(
            Tier.RARELY,
            "",
            "directory of bulk export files; empty: DATA_DIR/export; emptied at start (exports do not survive a restart)"),
    EXPORT_EXPIRY(
            Tier.RARELY,
            "PT1H",
            "how long a bulk export's files and status are kept after it ends; then they are deleted"),
    EXPORT_MAX_RUNNING_JOBS(
            Tier.RARELY,
            "2",
            "bulk exports running at once; another kick-off gets 429 with Retry-After"),
    EXPORT_FILE_MAX_RESOURCES(
            Tier.RARELY,
            "100000",
            "resources in one NDJSON file of a bulk export; more continue in another file"),
    MAX_BODY_BYTES(Tier.RARELY, "16777216", "largest accepted request body; larger gets 413"),
    MAX_READINGS_PER_BATCH(Tier.RARELY, "100000", "readings in one batch; more gets 400"),
    MAX_READING_AGE(Tier.RARELY, "P365D", "oldest accepted reading"),
    FUTURE_SKEW(Tier.RARELY, "PT5M", "how far ahead of the server clock a reading may be"),
    MAX_READING_PERIOD(Tier.RARELY, "P31D", "longest interval one reading may cover"),
    JOURNAL_SYNC(
            Tier.RARELY,
            "true",
            "msync the journal before acknowledging (survives power loss, not only kill -9)"),
    JOURNAL_MAX_PENDING_READINGS(
            Tier.RARELY,
            "5000000",
            "journaled but unstored readings above which ingest answers 503"),
    DISK_MIN_FREE_BYTES(
            Tier.OFTEN,
            "536870912",
            "free bytes the data directory's file system must keep; below, ingest answers 503 disk-low (MQTT 0x97) until space is back"),
    JOURNAL_MAX_BYTES(
            Tier.RARELY,
            "0",
            "largest total size of the journal's files; above, ingest answers 503 disk-low; 0: no budget"),
    WRITE_BATCH_READINGS(Tier.RARELY, "10000", "readings per database transaction"),
    DRAIN_WRITERS(
            Tier.RARELY,
            "1",
            "transactions that merge one drained chunk into blocks at once (split by patient); more help only with cores to spare"),
    SEARCH_ZONE(Tier.OFTEN, "UTC", "time zone for FHIR date search values given without an offset"),
    DEVICE_AUTH_CACHE_TTL(
            Tier.RARELY,
            "PT5M",
            "how long a verified device secret is remembered in memory (revocation forgets it at once, on every instance); PT0S disables"),
    CONSENT_CACHE_TTL(
            Tier.RARELY,
            "PT5S",
            "how long a patient's consent decision is cached; changes apply at once on every instance sharing the database (change notices), this bounds staleness should notices be lost"),
    CONSENT_CACHE_MAX_PATIENTS(
            Tier.RARELY, "100000", "patients whose consent decisions are cached at most"),
    MQTT_HOST(Tier.RARELY, "0.0.0.0", "address the MQTT listeners bind"),
    MQTT_PORT(
            Tier.OFTEN,
            "1883",
            "plain MQTT port (3.1.1 and 5); 0 picks a free one; empty disables the plain listener"),
    MQTT_TLS_PORT(
            Tier.RARELY,
            "8883",
            "MQTT over TLS port, open only when MQTT_TLS_CERT and MQTT_TLS_KEY are set; 0 picks a free one"),
    MQTT_TLS_CERT(
            Tier.OFTEN,
            "",
            "PEM certificate chain of the MQTT TLS listener; with MQTT_TLS_KEY it turns the listener on"),
    MQTT_TLS_KEY(Tier.OFTEN, "", "PEM private key of the MQTT TLS listener"),
    MQTT_MAX_PACKET_BYTES(
            Tier.RARELY,
            "262144",
            "largest MQTT packet, fixed header included; a larger one closes its connection (MQTT 5: DISCONNECT 0x95)"),
    MQTT_RECEIVE_MAXIMUM(
            Tier.RARELY,
            "16",
            "QoS 1 publishes a connection may have unacknowledged (MQTT 5 Receive Maximum; more: DISCONNECT 0x93)"),
    MQTT_MAX_CONNECTIONS_PER_DEVICE(
            Tier.RARELY,
            "2",
            "live connections one device may hold; more are refused (CONNACK 0x97, 3.1.1: 5)"),
    MQTT_CONNECT_TIMEOUT(
            Tier.RARELY,
            "PT10S",
            "time from opening a connection to a complete CONNECT, after which it is closed"),
    MQTT_MAX_PUBLISHES_PER_SECOND(
            Tier.OFTEN,
            "0",
            "publishes one connection may send per second (bursts up to as many); more ends it (MQTT 5: DISCONNECT 0x96); 0: no limit"),
    MQTT_BROKER_URL(
            Tier.OFTEN,
            "",
            "external MQTT 5 broker (tcp://host:1883 or ssl://host:8883) whose devices/+/readings this instance takes its share of; empty: off"),
    MQTT_BROKER_CLIENT_ID(
            Tier.OFTEN,
            "",
            "this instance's client id at the broker: unique per instance and stable across restarts (its persistent session); required with MQTT_BROKER_URL"),
    MQTT_BROKER_SHARE_GROUP(
            Tier.RARELY,
            "telemetry",
            "shared-subscription group: instances in one group share the load ($share/{group}/devices/+/readings)"),
    MQTT_BROKER_USERNAME(Tier.OFTEN, "", "user name at the broker; empty: none"),
    MQTT_BROKER_PASSWORD(Tier.OFTEN, "", "password at the broker; empty: none");

    /** How often an operator sets a key, so the documentation can put the few that matter first. */
    public enum Tier {
        /**
         * What production must set: {@code PROFILE=prod} itself, and what that profile refuses to
         * start without.
         */
        REQUIRED_IN_PROD("Required in production"),
        /**
         * Set by most deployments: ports, TLS, database account and pool, retention, search zone,
         * scale-out.
         */
        OFTEN("Often changed"),
        /** Tuning and limits whose defaults suit nearly everyone. */
        RARELY("Rarely changed");

        private final String heading;

        Tier(String heading) {
            this.heading = heading;
        }

        /** The heading of this tier's table in {@code docs/configuration.md}. */
        public String heading() {
            return heading;
        }
    }

    private final Tier tier;
    private final String defaultValue;
    private final String meaning;

    ConfigKey(Tier tier, String defaultValue, String meaning) {
        this.tier = tier;
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    public Tier tier() {
        return tier;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }

    public String envName() {
        return "TELEMETRY_" + name();
    }

    public String propertyName() {
        return "telemetry." + name().toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }
}

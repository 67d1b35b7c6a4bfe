package org.jkn.telemetry.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    private static Map<ConfigKey, String> with(ConfigKey k, String v) {
        Map<ConfigKey, String> m = new EnumMap<>(ConfigKey.class);
        m.put(k, v);
        return m;
    }

    @Test
    void defaultsStartTheEmbeddedDevelopmentSetup() {
        GatewayConfig c = GatewayConfig.from(Map.of());
        assertEquals(8080, c.httpPort());
        assertTrue(c.database().embedded());
        assertNull(c.pseudonymKey(), "dev generates a key in the data directory");
        assertTrue(c.journalSync());
        assertEquals(1883, c.mqtt().port());
        assertFalse(c.mqtt().tlsEnabled(), "TLS needs a certificate and key");
        assertEquals(262_144, c.mqtt().maxPacketBytes());
    }

    @Test
    void anEmptyMqttPortTurnsThePlainListenerOff() {
        assertFalse(GatewayConfig.from(with(ConfigKey.MQTT_PORT, "")).mqtt().plainEnabled());
    }

    @Test
    void badValuesFailFastNamingTheKey() {
        String[][] cases = {
            {"HTTP_PORT", "65536"},
            {"HTTP_PORT", "eighty"},
            {"DB_POOL_SIZE", "0"},
            {"TIMESCALE", "maybe"},
            {"CHUNK_INTERVAL", "7 days"},
            {"FUTURE_SKEW", "-PT5M"},
            {"PSEUDONYM_KEY", "c2hvcnQ="},
            {"PSEUDONYM_KEY", "not base64!"},
            {"JOURNAL_SYNC", "yes"},
            {"SEARCH_ZONE", "Mars/Olympus"},
            {"PROFILE", "test"},
            {"DEVICE_AUTH_CACHE_TTL", "-PT1S"},
            {"MQTT_PORT", "70000"},
            {"MQTT_TLS_PORT", "-1"},
            {"MQTT_TLS_CERT", "/no/such/cert.pem"},
            {"MQTT_TLS_KEY", "/no/such/key.pem"},
            {"MQTT_MAX_PACKET_BYTES", "10"},
            {"MQTT_MAX_PACKET_BYTES", "268435461"},
            {"MQTT_RECEIVE_MAXIMUM", "0"},
            {"MQTT_RECEIVE_MAXIMUM", "65536"},
            {"MQTT_MAX_CONNECTIONS_PER_DEVICE", "0"},
            {"MQTT_CONNECT_TIMEOUT", "PT0S"},
            {"MQTT_MAX_PUBLISHES_PER_SECOND", "-1"},
            {"HTTP_PORT", ""},
            {"HTTP_TLS_PORT", "65536"},
            {"HTTP_TLS_CERT", "/no/such/cert.pem"},
            {"HTTP_TLS_KEY", "/no/such/key.pem"},
            {"AUTH_JWKS_FILE", "/no/such/jwks.json"},
            {"AUTH_JWKS_URL", "ftp://idp/certs"},
            {"AUTH_JWKS_URL", "https://user:pw@idp/certs"},
            {"AUTH_JWKS_URL", "not a url"},
            {"AUTH_LEEWAY", "PT6M"},
            {"AUTH_LEEWAY", "-PT1S"},
            {"AUTH_JWKS_REFRESH_INTERVAL", "PT0S"},
            {"AUTH_JWKS_MIN_REFRESH_INTERVAL", "soon"},
        };
        for (String[] c : cases) {
            ConfigKey key = ConfigKey.valueOf(c[0]);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> GatewayConfig.from(with(key, c[1])),
                            c[0] + "=" + c[1]);
            assertTrue(e.getMessage().contains(key.envName()), e.getMessage());
        }
    }

    @Test
    void productionRefusesDevelopmentDefaults() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GatewayConfig.from(with(ConfigKey.PROFILE, "prod")));
        assertTrue(e.getMessage().contains("TELEMETRY_DB_URL"));
        Map<ConfigKey, String> m = with(ConfigKey.PROFILE, "prod");
        m.put(ConfigKey.DB_URL, "jdbc:postgresql://db/telemetry");
        e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
        assertTrue(e.getMessage().contains("TELEMETRY_PSEUDONYM_KEY"));
    }

    @Test
    void productionRefusesDevelopmentTokens() throws Exception {
        Map<ConfigKey, String> m = with(ConfigKey.PROFILE, "prod");
        m.put(ConfigKey.DB_URL, "jdbc:postgresql://db/telemetry");
        m.put(ConfigKey.PSEUDONYM_KEY, "dGVzdC1wc2V1ZG9ueW0ta2V5LTAxMjM0NTY3ODlhYmNkZWY=");
        m.put(ConfigKey.KEK, "kek-1:dGVzdC1rZWstMzItYnl0ZXMtMDEyMzQ1Njc4OWFiY2Q=");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
        assertTrue(e.getMessage().contains("TELEMETRY_AUTH_JWKS"), e.getMessage());
        Path jwks = Files.createTempFile("jwks", ".json");
        try {
            m.put(ConfigKey.AUTH_JWKS_FILE, jwks.toString());
            e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
            assertTrue(e.getMessage().contains("TELEMETRY_AUTH_ISSUER"), e.getMessage());
            m.put(ConfigKey.AUTH_ISSUER, "https://idp/realms/jkn");
            e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
            assertTrue(e.getMessage().contains("TELEMETRY_AUTH_AUDIENCE"), e.getMessage());
            m.put(ConfigKey.AUTH_AUDIENCE, "telemetry");
            GatewayConfig c = GatewayConfig.from(m);
            assertFalse(c.auth().development());
            m.put(ConfigKey.AUTH_JWKS_URL, "https://idp/realms/jkn/protocol/openid-connect/certs");
            e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
            assertTrue(
                    e.getMessage().contains("TELEMETRY_AUTH_JWKS_URL"),
                    "a file or a URL, not both: " + e.getMessage());
        } finally {
            Files.delete(jwks);
        }
    }

    @Test
    void devWithoutAJwksUsesTheDevelopmentIssuerAndAudience() {
        GatewayConfig c = GatewayConfig.from(Map.of());
        assertTrue(c.auth().development());
        assertEquals("urn:telemetry:dev", c.auth().issuer());
        assertEquals("urn:telemetry:gateway", c.auth().audience());
        assertFalse(c.httpTls().enabled());
    }

    @Test
    void readmeDocumentsEveryKeyWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigKey k : ConfigKey.values()) {
            String shown = k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            assertTrue(
                    readme.contains("| `" + k.envName() + "` | " + shown + " |"),
                    "README is missing or wrong about " + k.envName());
        }
    }
}

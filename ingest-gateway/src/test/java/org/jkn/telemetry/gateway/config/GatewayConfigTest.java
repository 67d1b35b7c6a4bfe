package org.jkn.telemetry.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
            {"AUTH_TOKEN_ENDPOINT", "javascript:alert(1)"},
            {"AUTH_TOKEN_ENDPOINT", "https://client:secret@idp/token"},
            {"AUTH_AUTHORIZATION_ENDPOINT", "https://idp/authorize"},
            {"AUTH_GRANT_TYPES", "authorization_code,,client_credentials"},
            {"AUTH_GRANT_TYPES", "code\"}],\"x\":[\""},
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

    /**
     * Each {@code | `TELEMETRY_X` | default |} row of docs/configuration.md, with the heading it
     * sits under.
     */
    private record DocRow(String envName, String shownDefault, String heading) {}

    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\| (.*?) \\|");

    private static List<DocRow> configurationDocRows() throws Exception {
        List<DocRow> rows = new ArrayList<>();
        String heading = "";
        for (String line : Files.readAllLines(Path.of("..", "docs", "configuration.md"))) {
            if (line.startsWith("## ")) {
                heading = line.substring(3).trim();
            }
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.add(new DocRow(m.group(1), m.group(2), heading));
            }
        }
        return rows;
    }

    @Test
    void configurationDocListsEveryKeyOnceWithItsDefaultUnderItsTier() throws Exception {
        List<DocRow> rows = configurationDocRows();
        for (ConfigKey k : ConfigKey.values()) {
            List<DocRow> mine = rows.stream().filter(r -> r.envName().equals(k.envName())).toList();
            assertEquals(
                    1,
                    mine.size(),
                    "docs/configuration.md should have exactly one row for " + k.envName());
            DocRow row = mine.get(0);
            String shown = k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            assertEquals(
                    shown,
                    row.shownDefault(),
                    "docs/configuration.md shows the wrong default of " + k.envName());
            assertEquals(
                    k.tier().heading(),
                    row.heading(),
                    k.envName() + " is documented under the wrong heading");
        }
    }

    @Test
    void configurationDocHasNoRowForAKeyThatDoesNotExist() throws Exception {
        Set<String> known =
                Arrays.stream(ConfigKey.values())
                        .map(ConfigKey::envName)
                        .collect(Collectors.toSet());
        List<DocRow> rows = configurationDocRows();
        assertFalse(rows.isEmpty(), "docs/configuration.md has no configuration rows at all");
        for (DocRow row : rows) {
            assertTrue(
                    known.contains(row.envName()),
                    "docs/configuration.md documents " + row.envName() + ", which is no ConfigKey");
        }
    }
}

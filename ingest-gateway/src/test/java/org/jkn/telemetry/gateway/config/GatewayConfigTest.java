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
            {"HTTP_PORT", "65536"}, {"HTTP_PORT", "eighty"}, {"DB_POOL_SIZE", "0"}, {"TIMESCALE", "maybe"},
            {"CHUNK_INTERVAL", "7 days"}, {"FUTURE_SKEW", "-PT5M"}, {"PSEUDONYM_KEY", "c2hvcnQ="},
            {"PSEUDONYM_KEY", "not base64!"}, {"JOURNAL_SYNC", "yes"}, {"SEARCH_ZONE", "Mars/Olympus"}, {"PROFILE", "test"},
            {"DEVICE_AUTH_CACHE_TTL", "-PT1S"}, {"MQTT_PORT", "70000"}, {"MQTT_TLS_PORT", "-1"}, {"MQTT_TLS_CERT", "/no/such/cert.pem"},
            {"MQTT_TLS_KEY", "/no/such/key.pem"}, {"MQTT_MAX_PACKET_BYTES", "10"}, {"MQTT_MAX_PACKET_BYTES", "268435461"},
            {"MQTT_RECEIVE_MAXIMUM", "0"}, {"MQTT_RECEIVE_MAXIMUM", "65536"}, {"MQTT_MAX_CONNECTIONS_PER_DEVICE", "0"},
            {"MQTT_CONNECT_TIMEOUT", "PT0S"}, {"MQTT_MAX_PUBLISHES_PER_SECOND", "-1"},
        };
        for (String[] c : cases) {
            ConfigKey key = ConfigKey.valueOf(c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(with(key, c[1])),
                    c[0] + "=" + c[1]);
            assertTrue(e.getMessage().contains(key.envName()), e.getMessage());
        }
    }

    @Test
    void productionRefusesDevelopmentDefaults() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(with(ConfigKey.PROFILE, "prod")));
        assertTrue(e.getMessage().contains("TELEMETRY_DB_URL"));
        Map<ConfigKey, String> m = with(ConfigKey.PROFILE, "prod");
        m.put(ConfigKey.DB_URL, "jdbc:postgresql://db/telemetry");
        e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(m));
        assertTrue(e.getMessage().contains("TELEMETRY_PSEUDONYM_KEY"));
    }

    @Test
    void readmeDocumentsEveryKeyWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigKey k : ConfigKey.values()) {
            String shown = k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            assertTrue(readme.contains("| `" + k.envName() + "` | " + shown + " |"), "README is missing or wrong about " + k.envName());
        }
    }
}

package org.jkn.telemetry.gateway.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.DevKeys;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekConfigTest {

    static final String KEK =
            "kek-2026:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

    static Map<ConfigKey, String> prod() {
        Map<ConfigKey, String> c = new EnumMap<>(ConfigKey.class);
        c.put(ConfigKey.PROFILE, "prod");
        c.put(ConfigKey.DB_URL, "jdbc:postgresql://db/telemetry");
        c.put(ConfigKey.PSEUDONYM_KEY, java.util.Base64.getEncoder().encodeToString(new byte[32]));
        c.put(
                ConfigKey.AUTH_JWKS_URL,
                "https://idp.example/realms/jkn/protocol/openid-connect/certs");
        c.put(ConfigKey.AUTH_ISSUER, "https://idp.example/realms/jkn");
        c.put(ConfigKey.AUTH_AUDIENCE, "telemetry");
        return c;
    }

    @Test
    void productionRefusesToStartWithoutAKek() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(prod()));
        assertTrue(e.getMessage().startsWith("TELEMETRY_KEK "), e.getMessage());
        Map<ConfigKey, String> c = prod();
        c.put(ConfigKey.KEK, KEK);
        assertEquals("kek-2026", GatewayConfig.from(c).kek().id());
    }

    @Test
    void badKeksAreRefusedWithoutEchoingThem() {
        Map<ConfigKey, String> c = prod();
        c.put(ConfigKey.KEK, "k1:c2hvcnQ=");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(c));
        assertTrue(
                e.getMessage().contains("32 bytes") && !e.getMessage().contains("c2hvcnQ"),
                e.getMessage());
        c.put(ConfigKey.KEK, KEK);
        c.put(ConfigKey.KEK_PREVIOUS, "no-colon-here");
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(c))
                        .getMessage()
                        .startsWith("TELEMETRY_KEK_PREVIOUS"));
        c.put(
                ConfigKey.KEK_PREVIOUS,
                LocalKek.generate("old-1") + "," + LocalKek.generate("old-2"));
        assertEquals(2, GatewayConfig.from(c).previousKeks().size());
    }

    @Test
    void developmentGeneratesTheKekOnceInTheDataDirectory(@TempDir Path dir) throws Exception {
        Map<ConfigKey, String> c = new EnumMap<>(ConfigKey.class);
        c.put(ConfigKey.DATA_DIR, dir.toString());
        assertNull(GatewayConfig.from(c).kek());
        LocalKek first = DevKeys.kek(dir);
        LocalKek again = DevKeys.kek(dir);
        assertTrue(Files.exists(dir.resolve("keys/kek.key")));
        byte[] context = {1, 2, 3};
        byte[] wrapped = first.wrap(new byte[32], context);
        assertEquals(32, again.unwrap(wrapped, context).length, "the same KEK after a restart");
        assertFalse(Files.readString(dir.resolve("keys/kek.key")).isBlank());
    }
}

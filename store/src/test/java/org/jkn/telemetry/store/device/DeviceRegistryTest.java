package org.jkn.telemetry.store.device;

import static org.jkn.telemetry.testing.Sql.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.DeviceSealer;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device registry against a real PostgreSQL: what is stored, authentication, revocation. */
class DeviceRegistryTest {

    private static final Pseudonymizer PSEUDONYMS =
            new Pseudonymizer(
                    "registry-test-key-0123456789abcdefgh".getBytes(StandardCharsets.US_ASCII));
    private static final String NIK = "3171011508850001";
    private static final String PATIENT = PSEUDONYMS.patientId(NIK);
    private static final String SERIAL = "SN-4417-XK-0009";

    @TempDir static Path dir;
    private static Database db;
    private static DeviceRegistry registry;

    @BeforeAll
    static void open() throws Exception {
        db = Database.open(TestDatabases.embedded(dir.resolve("pg")));
        registry =
                new DeviceRegistry(
                        db.dataSource(),
                        PSEUDONYMS,
                        new SecretHasher(),
                        new DeviceSealer(TestCrypto.of(db.dataSource())),
                        Duration.ofMinutes(5),
                        2);
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private static DeviceCredentials register() throws Exception {
        return registry.register(new DeviceRegistration(PATIENT, "Acme", "Band 5", SERIAL));
    }

    @Test
    void registrationIssuesAnIdAndAStrongSecretAndStoresNeitherSecretNorSerial() throws Exception {
        DeviceCredentials c = register();
        assertTrue(c.deviceId().matches("dev-[0-9a-f]{32}"), c.deviceId());
        assertEquals(32, Base64.getUrlDecoder().decode(c.secret()).length);
        assertFalse(c.toString().contains(c.secret()), "the secret never reaches a log line");

        try (Connection conn = db.dataSource().getConnection();
                PreparedStatement s =
                        conn.prepareStatement("select * from registered_devices where id = ?")) {
            s.setString(1, c.deviceId());
            ResultSet r = s.executeQuery();
            assertTrue(r.next());
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                Object v = r.getObject(i);
                row.append(
                                v instanceof byte[] b
                                        ? new String(b, StandardCharsets.ISO_8859_1)
                                        : String.valueOf(v))
                        .append('|');
            }
            assertFalse(row.toString().contains(SERIAL), "no plaintext serial at rest");
            assertFalse(row.toString().contains(c.secret()), "no plaintext secret at rest");
            assertFalse(row.toString().contains(NIK), "no NIK at rest");
            assertEquals(PATIENT, r.getString("patient_id"));
            assertEquals(PSEUDONYMS.deviceSerial("Acme", SERIAL), r.getString("serial_hash"));
            assertTrue(r.getInt("secret_iterations") >= 210_000);
            assertEquals(16, r.getBytes("secret_salt").length);
        }
    }

    @Test
    void saltsDifferSoEqualSecretsWouldNotHashAlike() throws Exception {
        register();
        register();
        assertEquals(
                count(db.dataSource(), "select count(*) from registered_devices"),
                count(
                        db.dataSource(),
                        "select count(distinct secret_salt) from registered_devices"));
    }

    @Test
    void goodCredentialsAuthenticateAndAreThenCached() throws Exception {
        DeviceCredentials c = register();
        assertNull(
                registry.cached(c.deviceId(), c.secret()), "nothing cached before a verification");
        AuthResult r = registry.authenticate(c.deviceId(), c.secret());
        assertEquals(AuthResult.Outcome.ACCEPTED, r.outcome());
        assertEquals(PATIENT, r.device().patientId());
        assertEquals("Acme", r.device().manufacturer());
        RegisteredDevice cached = registry.cached(c.deviceId(), c.secret());
        assertNotNull(cached);
        assertEquals(c.deviceId(), cached.id());
        assertNull(
                registry.cached(c.deviceId(), c.secret() + "x"),
                "the cache is keyed by the exact secret");
    }

    @Test
    void wrongSecretAndUnknownOrHostileIdsAreBadCredentials() throws Exception {
        DeviceCredentials c = register();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {c.deviceId(), c.secret().substring(1)});
        cases.add(new String[] {c.deviceId(), ""});
        cases.add(new String[] {"dev-00000000000000000000000000000000", c.secret()});
        cases.add(new String[] {"' or '1'='1", c.secret()});
        cases.add(new String[] {"dev-1; drop table registered_devices; --", c.secret()});
        cases.add(new String[] {"x".repeat(100_000), c.secret()});
        cases.add(new String[] {null, c.secret()});
        for (String[] k : cases) {
            assertEquals(
                    AuthResult.Outcome.BAD_CREDENTIALS,
                    registry.authenticate(k[0], k[1]).outcome());
            assertNull(registry.cached(k[0], k[1]));
        }
        assertEquals(
                AuthResult.Outcome.BAD_CREDENTIALS,
                registry.authenticate(c.deviceId(), null).outcome());
        assertTrue(
                count(db.dataSource(), "select count(*) from registered_devices") >= 1,
                "the table is still there");
    }

    @Test
    void revocationIsImmediateEvenForCachedCredentials() throws Exception {
        DeviceCredentials c = register();
        assertTrue(registry.authenticate(c.deviceId(), c.secret()).accepted());
        List<String> told = new ArrayList<>();
        registry.onRevoked(told::add);

        assertTrue(registry.revoke(c.deviceId()));
        assertEquals(
                List.of(c.deviceId()),
                told,
                "listeners hear of it so live connections can be closed");
        assertNull(registry.cached(c.deviceId(), c.secret()), "the cached verification is gone");
        assertTrue(registry.isRevoked(c.deviceId()));
        assertEquals(
                AuthResult.Outcome.REVOKED,
                registry.authenticate(c.deviceId(), c.secret()).outcome());
        assertEquals(
                AuthResult.Outcome.BAD_CREDENTIALS,
                registry.authenticate(c.deviceId(), "wrong").outcome(),
                "a wrong secret does not learn that the device was revoked");
        assertTrue(registry.revoke(c.deviceId()), "revoking twice is harmless");
        assertFalse(registry.revoke("dev-ffffffffffffffffffffffffffffffff"));
        assertFalse(registry.revoke("'; delete from registered_devices; --"));
    }

    @Test
    void aRevocationSeenOnlyInTheDatabaseStillRefuses() throws Exception {
        DeviceCredentials c = register();
        DeviceRegistry other =
                new DeviceRegistry(
                        db.dataSource(),
                        PSEUDONYMS,
                        new SecretHasher(),
                        new DeviceSealer(TestCrypto.of(db.dataSource())),
                        Duration.ofMinutes(5),
                        1);
        assertTrue(other.revoke(c.deviceId()));
        assertFalse(
                registry.isRevoked(c.deviceId()), "the other registry stands for another process");
        assertEquals(
                AuthResult.Outcome.REVOKED,
                registry.authenticate(c.deviceId(), c.secret()).outcome());
    }

    @Test
    void serialHashesDependOnTheKeyAndTheManufacturer() {
        Pseudonymizer otherKey =
                new Pseudonymizer(
                        "another-key-0123456789abcdefghijklmn".getBytes(StandardCharsets.US_ASCII));
        assertNotEquals(
                PSEUDONYMS.deviceSerial("Acme", SERIAL), otherKey.deviceSerial("Acme", SERIAL));
        assertNotEquals(
                PSEUDONYMS.deviceSerial("Acme", SERIAL), PSEUDONYMS.deviceSerial("Other", SERIAL));
        assertEquals(
                PSEUDONYMS.deviceSerial("Acme", SERIAL), PSEUDONYMS.deviceSerial("Acme", SERIAL));
    }

    private static byte[] sealedOf(String deviceId) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "select attrs_sealed from registered_devices where id = ?")) {
            s.setString(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getBytes(1);
            }
        }
    }

    private static void setSealed(String deviceId, byte[] sealed) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "update registered_devices set attrs_sealed = ? where id = ?")) {
            s.setBytes(1, sealed);
            s.setString(2, deviceId);
            s.executeUpdate();
        }
    }

    @Test
    void manufacturerAndModelAreStoredSealedAndOpenOnlyForTheirDevice() throws Exception {
        DeviceRegistry fresh =
                new DeviceRegistry(
                        db.dataSource(),
                        PSEUDONYMS,
                        new SecretHasher(),
                        new DeviceSealer(TestCrypto.of(db.dataSource())),
                        Duration.ZERO,
                        1); // no credential cache: every authentication reads the row
        DeviceCredentials mine =
                fresh.register(
                        new DeviceRegistration(
                                PATIENT, "Zephyrine Medika", "QX-9931 Kirana", SERIAL));
        DeviceCredentials sibling =
                fresh.register(new DeviceRegistration(PATIENT, "Acme", "Band 5", SERIAL));
        DeviceCredentials elsewhere =
                fresh.register(
                        new DeviceRegistration(
                                PSEUDONYMS.patientId("3273024506900002"),
                                "Acme",
                                "Band 5",
                                SERIAL));

        assertEquals(
                0,
                count(
                        db.dataSource(),
                        "select count(*) from registered_devices where manufacturer is not null or model is not null"
                                + " or position(convert_to('Zephyrine', 'UTF8') in attrs_sealed) > 0 or position(convert_to('Kirana', 'UTF8') in attrs_sealed) > 0"));
        RegisteredDevice opened = fresh.authenticate(mine.deviceId(), mine.secret()).device();
        assertEquals("Zephyrine Medika", opened.manufacturer());
        assertEquals("QX-9931 Kirana", opened.model());
        assertEquals("QX-9931 Kirana", fresh.lookup(mine.deviceId()).device().model());

        byte[] original = sealedOf(mine.deviceId());
        byte[] siblingOriginal = sealedOf(sibling.deviceId());
        setSealed(sibling.deviceId(), original); // moved to another device of the same patient
        assertEquals(
                CryptoFailure.DECRYPTION_FAILED,
                assertThrows(CryptoFailure.class, () -> fresh.lookup(sibling.deviceId())).code());
        AuthResult refused = fresh.authenticate(sibling.deviceId(), sibling.secret());
        assertEquals(
                AuthResult.Outcome.REVOKED,
                refused.outcome(),
                "turned away for good: no retry would open it");
        assertNull(refused.device(), "never the other device's attributes");
        setSealed(elsewhere.deviceId(), original); // moved to another patient's device
        assertEquals(
                CryptoFailure.DECRYPTION_FAILED,
                assertThrows(CryptoFailure.class, () -> fresh.lookup(elsewhere.deviceId())).code());
        assertEquals(
                AuthResult.Outcome.REVOKED,
                fresh.authenticate(elsewhere.deviceId(), elsewhere.secret()).outcome());
        byte[] flipped = original.clone();
        flipped[flipped.length - 20] ^= 1;
        setSealed(mine.deviceId(), flipped);
        assertEquals(
                CryptoFailure.DECRYPTION_FAILED,
                assertThrows(CryptoFailure.class, () -> fresh.lookup(mine.deviceId())).code());
        setSealed(mine.deviceId(), new byte[] {1, 2, 3});
        assertEquals(
                CryptoFailure.DECRYPTION_FAILED,
                assertThrows(CryptoFailure.class, () -> fresh.lookup(mine.deviceId())).code());
        setSealed(mine.deviceId(), original);
        setSealed(sibling.deviceId(), siblingOriginal);
        assertEquals(
                "Zephyrine Medika",
                fresh.authenticate(mine.deviceId(), mine.secret()).device().manufacturer(),
                "restored, it opens again");
        assertEquals(
                "Band 5",
                fresh.authenticate(sibling.deviceId(), sibling.secret()).device().model());
    }

    @Test
    void registrationsStoredInClearByEarlierVersionsAreSealedAtStart() throws Exception {
        DeviceCredentials old = register();
        Sql.execute(
                db.dataSource(),
                "update registered_devices set attrs_sealed = null, attrs_key_version = null, "
                        + "manufacturer = 'Old Maker', model = 'Old Model' where id = '"
                        + old.deviceId()
                        + "'");
        assertEquals(
                "Old Maker",
                registry.lookup(old.deviceId()).device().manufacturer(),
                "still served before it is sealed");

        assertTrue(registry.sealPlaintextRows(1) >= 1);
        assertEquals(0, registry.sealPlaintextRows(1), "nothing left in clear");
        assertEquals(
                0,
                count(
                        db.dataSource(),
                        "select count(*) from registered_devices where manufacturer is not null or model is not null"));
        RegisteredDevice sealed = registry.authenticate(old.deviceId(), old.secret()).device();
        assertEquals("Old Maker", sealed.manufacturer());
        assertEquals("Old Model", sealed.model());
    }
}

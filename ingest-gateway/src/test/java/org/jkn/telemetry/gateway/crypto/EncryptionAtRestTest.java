package org.jkn.telemetry.gateway.crypto;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest through the real service: what reaches the database, its files and the journal
 * files; what a tampered or moved ciphertext gives; what metrics and logs say.
 */
class EncryptionAtRestTest {

    static final String NIK = "3273015507910123";
    static final String OTHER_NIK = "3273015507910456";
    static final String DEVICE = "SN-7731-QX-4242";
    static final String MANUFACTURER = "Zyxqvendor";
    static final String MODEL = "Quasar-77Q";
    static final String REGISTERED_SERIAL = "SN-REG-5521-ZZ";

    /** Free text of a device registration: sealed like readings. */
    static final String REGISTERED_MANUFACTURER = "Kestrelmedika";

    static final String REGISTERED_MODEL = "Orbit-5521K";

    /**
     * A JKN card number sent along by a client: no field takes it, and it must be dropped, never
     * kept.
     */
    static final String CARD = "0001377420915";

    static final String[] READING_IDS = {"rd-unique-9f1k2", "rd-unique-8z3m4"};
    static final String[] VALUES = {"71.828", "131.4142", "83.2718"};

    static final java.util.Set<String> CONSENTED = new java.util.HashSet<>();

    @TempDir static Path dir;
    static GatewayFixture gateway;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = new LogCapture();
        gateway = GatewayFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    static String batch(String nik, String readingPrefix) {
        String at =
                OffsetDateTime.now(ZoneOffset.ofHours(7))
                        .minusHours(1)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString();
        return """
                {"patient": "%s", "card": "%s", "device": {"id": "%s", "manufacturer": "%s", "model": "%s"},
                 "readings": [
                   {"id": "%s", "type": "weight", "time": "%s", "value": %s, "unit": "kg"},
                   {"id": "%s", "type": "blood_pressure", "time": "%s", "systolic": %s, "diastolic": %s, "unit": "mm[Hg]"}]}
                """
                .formatted(
                        nik,
                        CARD,
                        DEVICE,
                        MANUFACTURER,
                        MODEL,
                        readingPrefix + READING_IDS[0],
                        at,
                        VALUES[0],
                        readingPrefix + READING_IDS[1],
                        at,
                        VALUES[1],
                        VALUES[2]);
    }

    static String patientId(String nik) {
        return new Pseudonymizer(GatewayFixture.KEY).patientId(nik);
    }

    /**
     * Posts the batch and waits until both readings can be read back through FHIR; returns the
     * searchset.
     */
    static JsonObject ingest(String nik, String readingPrefix) throws Exception {
        if (CONSENTED.add(nik)) {
            gateway.consentToCollectingEverything(nik);
        }
        gateway.defaultToken(
                gateway.patientToken(
                        nik)); // the patient's own app, for this and the reads that follow
        HttpResponse<String> r = gateway.postBatch(batch(nik, readingPrefix));
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(2, json(r).getInteger("accepted"), r.body());
        String pid = patientId(nik);
        Poll.until("both readings are stored", () -> search(pid).size() >= 2);
        return json(gateway.get("/fhir/Observation?patient=" + pid));
    }

    static JsonArray search(String pid) {
        try {
            HttpResponse<String> r = gateway.get("/fhir/Observation?patient=" + pid);
            JsonArray e = r.statusCode() == 200 ? json(r).getJsonArray("entry") : null;
            return e == null ? new JsonArray() : e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static DataSource db() {
        return gateway.gateway().database().dataSource();
    }

    static PlaintextScan needles() {
        PlaintextScan scan =
                new PlaintextScan()
                        .text(NIK)
                        .text(DEVICE)
                        .text(MANUFACTURER)
                        .text(MODEL)
                        .text(REGISTERED_SERIAL)
                        .text(CARD)
                        .text(REGISTERED_MANUFACTURER)
                        .text(REGISTERED_MODEL);
        for (String id : READING_IDS) {
            scan.text(id);
        }
        for (String v : VALUES) {
            scan.number(v);
        }
        return scan;
    }

    @Test
    void noTableDatabaseFileJournalFileMetricOrLogHoldsAValueNikDeviceOrReadingId()
            throws Exception {
        HttpResponse<String> reg =
                gateway.post(
                        "/v1/devices",
                        "application/json",
                        ("{\"patient\": \""
                                        + NIK
                                        + "\", \"card\": \""
                                        + CARD
                                        + "\", \"manufacturer\": \""
                                        + REGISTERED_MANUFACTURER
                                        + "\", \"model\": \""
                                        + REGISTERED_MODEL
                                        + "\", \"serial\": \""
                                        + REGISTERED_SERIAL
                                        + "\"}")
                                .getBytes(StandardCharsets.UTF_8),
                        gateway.adminToken());
        assertEquals(201, reg.statusCode(), reg.body());
        String bundle = ingest(NIK, "").encode();

        // the service itself can still read everything back
        for (String v : VALUES) {
            assertTrue(bundle.contains(v), "FHIR shows " + v);
        }
        assertTrue(bundle.contains(DEVICE) && bundle.contains(MANUFACTURER + " " + MODEL), bundle);

        try (Connection c = db().getConnection();
                Statement s = c.createStatement()) {
            s.execute("checkpoint");
        }
        PlaintextScan scan = needles();
        assertEquals(List.of(), scan.database(db()), "database rows");
        Path pg = dir.resolve("postgres");
        assertTrue(scan.fileCount(pg) > 100, "the database directory was scanned");
        assertEquals(List.of(), scan.files(pg), "database files on disk");
        Path journal = dir.resolve("journal");
        assertTrue(scan.fileCount(journal) > 0);
        assertEquals(List.of(), scan.files(journal), "journal files");
        assertEquals(List.of(), scan.text("metrics", gateway.get("/metrics").body()), "metrics");
        assertEquals(List.of(), scan.text("logs", logs.text()), "logs");
        assertEquals(0L, count("select count(*) from readings"), "no reading is kept one row each");
        assertEquals(
                0L,
                count(
                        "select count(*) from reading_blocks where key_version is null or sealed is null"));
    }

    @Test
    void tamperedCiphertextFailsClosedWithACodeAndAMetric() throws Exception {
        String pid = patientId(OTHER_NIK);
        JsonObject before = ingest(OTHER_NIK, "tamper-");
        String id =
                before.getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource")
                        .getString("id");
        assertEquals(200, gateway.get("/fhir/Observation/" + id).statusCode());

        update(
                "update reading_blocks set sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1) where "
                        + BLOCK_OF,
                block(id));
        assertFailsClosed("/fhir/Observation/" + id);
        assertFailsClosed("/fhir/Observation?patient=" + pid);
        update(
                "update reading_blocks set sealed = set_byte(sealed, 20, get_byte(sealed, 20) # 1) where "
                        + BLOCK_OF,
                block(id));
        assertEquals(
                200,
                gateway.get("/fhir/Observation/" + id).statusCode(),
                "the original bytes open again");

        assertTrue(
                gateway.get("/metrics")
                        .body()
                        .contains(
                                "telemetry_decryption_failures_total{code=\"decryption-failed\"}"));
        String log = logs.text();
        assertTrue(log.contains("decryption-failed"), "the failure is logged by its code");
        assertEquals(List.of(), needles().text(OTHER_NIK).text(pid).text(id).text("logs", log));
    }

    @Test
    void ciphertextMovedToAnotherRowOrAnotherPatientFailsToDecrypt() throws Exception {
        String nikA = "3273015507910789";
        String nikB = "3273015507910987";
        JsonArray a = ingest(nikA, "move-").getJsonArray("entry");
        JsonArray b = ingest(nikB, "move-").getJsonArray("entry");
        String a0 = a.getJsonObject(0).getJsonObject("resource").getString("id");
        String a1 = a.getJsonObject(1).getJsonObject("resource").getString("id");
        String b0 = b.getJsonObject(0).getJsonObject("resource").getString("id");
        gateway.defaultToken(gateway.patientToken(nikA));

        // another block of the same patient, same key (the two readings are of two types)
        update(
                "update reading_blocks set sealed = (select sealed from reading_blocks where "
                        + BLOCK_OF
                        + ") where "
                        + BLOCK_OF,
                concat(block(a0), block(a1)));
        assertFailsClosed("/fhir/Observation/" + a1);
        assertEquals(
                200,
                gateway.get("/fhir/Observation/" + a0).statusCode(),
                "the source row is intact");

        // another patient's block, with the key version it names
        update(
                "update reading_blocks set sealed = (select sealed from reading_blocks where "
                        + BLOCK_OF
                        + ") where "
                        + BLOCK_OF,
                concat(block(a0), block(b0)));
        gateway.defaultToken(gateway.patientToken(nikB));
        assertFailsClosed("/fhir/Observation/" + b0);
    }

    static void assertFailsClosed(String path) throws Exception {
        HttpResponse<String> r = gateway.get(path);
        assertEquals(500, r.statusCode(), r.body());
        JsonObject issue = json(r).getJsonArray("issue").getJsonObject(0);
        assertEquals("security", issue.getString("code"));
        assertTrue(issue.getString("diagnostics").startsWith("decryption-failed"), r.body());
        for (String v : VALUES) {
            assertTrue(!r.body().contains(v), "no value is shown");
        }
    }

    /**
     * The block of a reading, by the type and patient tag its Observation id names; args from
     * {@link #block}.
     */
    static final String BLOCK_OF =
            "type = ?::int2 and patient_id in (select id from patients where tag = ?::bigint)";

    static String[] block(String observationId) {
        String tail = observationId.substring(observationId.lastIndexOf('-') + 1);
        return new String[] {
            String.valueOf(Integer.parseInt(tail.substring(0, 2), 16)),
            String.valueOf(Long.parseUnsignedLong(tail.substring(2), 16))
        };
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void update(String sql, String... args) throws SQLException {
        try (Connection c = db().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            assertEquals(1, ps.executeUpdate(), sql);
        }
    }

    static long count(String sql) throws SQLException {
        return Sql.count(db(), sql);
    }
}

package org.jkn.telemetry.benchmarks.store;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.DatabaseConfig;

/**
 * The synthetic patients {@link BlockLoader} writes and {@link SearchLatency} reads: patient {@code
 * i} has a valid NIK of its own, and 1 Hz heart rate on every second of {@code days} UTC days from
 * {@code firstDay}. Both programs derive everything from the same options, so nothing has to be
 * passed between them but those.
 *
 * <p>Keys come from {@code TELEMETRY_KEK} and {@code TELEMETRY_PSEUDONYM_KEY}, as the gateway reads
 * them (fixed benchmark keys when unset): a gateway started with the same two reads what the loader
 * sealed. The row-key secret is the pseudonym key, as in the gateway.
 */
final class Cohort {

    /** Not secret: benchmark data only. */
    static final String DEFAULT_KEK =
            "bench-kek:"
                    + Base64.getEncoder()
                            .encodeToString(
                                    "bench-kek-32-bytes-0123456789abc"
                                            .getBytes(StandardCharsets.US_ASCII));

    static final String DEFAULT_PSEUDONYM_KEY =
            Base64.getEncoder()
                    .encodeToString(
                            "bench-pseudonym-key-0123456789abcdef"
                                    .getBytes(StandardCharsets.US_ASCII));
    static final long HOUR_MICROS = 3_600_000_000L;
    static final long DAY_MICROS = 24 * HOUR_MICROS;

    final int patients;
    final int days;
    final LocalDate firstDay;
    final byte[] pseudonymKey;
    final String kek;
    private final Pseudonymizer pseudonymizer;

    Cohort(int patients, int days, LocalDate firstDay, byte[] pseudonymKey, String kek) {
        this.patients = patients;
        this.days = days;
        this.firstDay = firstDay;
        this.pseudonymKey = pseudonymKey;
        this.kek = kek;
        this.pseudonymizer = new Pseudonymizer(pseudonymKey);
    }

    /**
     * From {@code --patients}, {@code --days} and {@code --first-day} (default: the last {@code
     * days} whole UTC days).
     */
    static Cohort of(Map<String, String> o) {
        int days = Integer.parseInt(o.get("--days"));
        String first = o.getOrDefault("--first-day", "");
        LocalDate firstDay =
                first.isEmpty()
                        ? LocalDate.now(ZoneOffset.UTC).minusDays(days)
                        : LocalDate.parse(first);
        return new Cohort(
                Integer.parseInt(o.get("--patients")),
                days,
                firstDay,
                Base64.getDecoder().decode(env("TELEMETRY_PSEUDONYM_KEY", DEFAULT_PSEUDONYM_KEY)),
                env("TELEMETRY_KEK", DEFAULT_KEK));
    }

    /**
     * A valid NIK per index: region 317101, a birth date cycling through 28 days, 12 months and 30
     * years, and a serial counting the cycles, so indexes below 10,080 x 9,999 never collide.
     */
    static String nik(int i) {
        int cycle = 28 * 12 * 30;
        int k = i % cycle;
        String nik =
                String.format(
                        "317101%02d%02d%02d%04d",
                        1 + k % 28, 1 + k / 28 % 12, 70 + k / 336, 1 + i / cycle);
        if (!Nik.isValid(nik)) {
            throw new IllegalStateException("not a valid NIK: patient " + i);
        }
        return nik;
    }

    String patientId(int i) {
        return pseudonymizer.patientId(nik(i));
    }

    long firstDayMicros() {
        return firstDay.atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
    }

    long readings() {
        return (long) patients * days * 86_400;
    }

    /**
     * Data keys as the gateway keeps them, under the configured KEK; the row-key secret is the
     * pseudonym key.
     */
    ReadingCrypto crypto(DataSource ds) throws SQLException {
        DataKeys keys =
                new DataKeys(
                        ds,
                        new KekRing(LocalKek.parse(kek), List.of()),
                        100_000,
                        TimeUnit.MINUTES.toNanos(10),
                        System::nanoTime);
        return new ReadingCrypto(keys, new RowKeys(pseudonymKey), NonceSource.fromDatabase(ds));
    }

    /**
     * The gateway's defaults for everything but the URL, mode and pool, so both lay out the schema
     * alike.
     */
    static DatabaseConfig database(String url, String timescale, int pool) {
        return new DatabaseConfig(
                url,
                "postgres",
                "",
                pool,
                null,
                timescale,
                Duration.ofDays(7),
                Duration.ofDays(30),
                null,
                3,
                Duration.ofDays(365));
    }

    /** {@code --name value} pairs over the defaults. */
    static Map<String, String> options(String[] args, String... defaults) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < defaults.length; i += 2) {
            o.put(defaults[i], defaults[i + 1]);
        }
        for (int i = 0; i < args.length; i += 2) {
            if (!o.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "unknown option or missing value: " + args[i] + "; known: " + o.keySet());
            }
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}

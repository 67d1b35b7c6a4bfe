package org.jkn.telemetry.store.copy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.BlockKey;
import org.jkn.telemetry.store.block.BlockReadings;
import org.jkn.telemetry.store.crypto.BlockCipher;
import org.jkn.telemetry.store.crypto.DataKey;
import org.jkn.telemetry.store.crypto.ReadingCrypto;

/**
 * Merges readings into their blocks in one transaction: takes an advisory lock on each block's key
 * (in one global order, so writers never deadlock), reads the blocks that exist, opens them, adds
 * the new readings, drops those already there (same device, reading id and start: stored once),
 * encodes, seals and upserts; then, when asked, advances the journal checkpoint. Either all of it
 * commits or none of it does.
 *
 * <p>The locks make a merge safe against other drainer threads and other instances sharing the
 * database: a second writer of the same block waits, then reads what the first committed (read
 * committed takes a new snapshot per statement). Readings of a data key destroyed meanwhile (the
 * patient was erased while they waited in the journal) are not stored.
 *
 * <p>Not thread-safe: one per drainer thread. Cost: five round trips per call, one open and one
 * seal per touched block.
 */
public final class BlockWriter {

    private static final String LIVE_KEYS =
            "select patient_id, key_version from data_keys "
                    + "where destroyed_at is null and patient_id = any(?)";
    private static final String LOCK =
            "select count(pg_advisory_xact_lock(x)) from (select x from unnest(?::bigint[]) x order by x) s";
    private static final String PATIENTS =
            "insert into patients (id) select unnest(?::text[]) on conflict do nothing";
    private static final String WINDOW = "(timestamptz 'epoch' + w * interval '1 microsecond')";
    private static final String EXISTING =
            "select b.patient_id, b.type, u.w, b.key_version, b.sealed from reading_blocks b "
                    + "join unnest(?::text[], ?::int2[], ?::bigint[], ?::int[]) as u(p, t, w, v) "
                    + "on b.patient_id = u.p and b.type = u.t and b.window_start = "
                    + WINDOW
                    + " and b.key_version = u.v";
    private static final String UPSERT =
            "insert into reading_blocks (patient_id, type, window_start, key_version, n_readings, sealed) "
                    + "select p, t, "
                    + WINDOW
                    + ", v, n, s from unnest(?::text[], ?::int2[], ?::bigint[], ?::int[], ?::int[], ?::bytea[]) "
                    + "as u(p, t, w, v, n, s) on conflict (patient_id, type, window_start, key_version) "
                    + "do update set n_readings = excluded.n_readings, sealed = excluded.sealed";
    private static final String CHECKPOINT =
            "insert into journal_checkpoints (journal_id, last_index) values (?, ?) "
                    + "on conflict (journal_id) do update set last_index = excluded.last_index, updated_at = now()";
    private static final Comparator<BlockKey> LOCK_ORDER =
            Comparator.comparingLong(BlockKey::lockId);

    private final DataSource dataSource;
    private final ReadingCrypto crypto;
    private final BlockCipher cipher;
    private final BlockCodec codec = new BlockCodec();
    private final BlockReadings merged = new BlockReadings();

    public BlockWriter(DataSource dataSource, ReadingCrypto crypto) {
        this.dataSource = dataSource;
        this.crypto = crypto;
        this.cipher = crypto.newBlockCipher();
    }

    /**
     * Merges {@code blocks} into the database and, when {@code journalId} is not null, records
     * {@code lastIndex} as that journal's checkpoint, in one transaction.
     *
     * @return the number of readings newly stored (the rest were already there, or erased)
     */
    public int write(Map<BlockKey, BlockReadings> blocks, String journalId, long lastIndex)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted = blocks.isEmpty() ? 0 : merge(c, blocks);
                if (journalId != null) {
                    try (PreparedStatement cp = c.prepareStatement(CHECKPOINT)) {
                        cp.setString(1, journalId);
                        cp.setLong(2, lastIndex);
                        cp.executeUpdate();
                    }
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Merges within the caller's transaction; the caller commits. */
    public int merge(Connection c, Map<BlockKey, BlockReadings> blocks) throws SQLException {
        List<BlockKey> keys = live(c, blocks.keySet());
        if (keys.isEmpty()) {
            return 0;
        }
        keys.sort(LOCK_ORDER);
        lock(c, keys);
        insertPatients(c, keys);
        Map<BlockKey, byte[]> existing = existing(c, keys);
        Upserts upserts = new Upserts(keys.size());
        int inserted = 0;
        for (BlockKey k : keys) {
            DataKey key = crypto.keys().version(k.patientId(), k.keyVersion());
            int added = mergeBlock(k, key, existing.get(k), blocks.get(k));
            if (added == 0) {
                continue; // every reading was already stored: leave the block as it is
            }
            inserted += added;
            int length = codec.encode(merged, k.windowStartMicros());
            upserts.add(
                    k,
                    merged.size(),
                    cipher.sealBlock(key, k.type(), k.windowStartMicros(), codec.buffer(), length));
        }
        upserts.execute(c);
        merged.clear();
        return inserted;
    }

    /**
     * Fills {@link #merged} with the block's stored readings, if any, and the incoming ones, sorted
     * and deduplicated; returns how many of them are new.
     */
    private int mergeBlock(BlockKey k, DataKey key, byte[] stored, BlockReadings incoming) {
        int before = 0;
        merged.clear();
        if (stored != null) {
            int length =
                    cipher.openBlock(key, k.patientId(), k.type(), k.windowStartMicros(), stored);
            codec.decode(cipher.plain(), 0, length, k.windowStartMicros(), merged);
            before = merged.size();
        }
        for (int i = 0; i < incoming.size(); i++) {
            merged.copy(incoming, i);
        }
        merged.sortAndDeduplicate();
        return merged.size() - before;
    }

    /** The sealed blocks of one merge, as the parallel arrays the upsert unnests. */
    private static final class Upserts {
        private final String[] patients;
        private final Short[] types;
        private final Long[] windows;
        private final Integer[] versions;
        private final Integer[] counts;
        private final byte[][] sealed;
        private int rows;

        Upserts(int capacity) {
            patients = new String[capacity];
            types = new Short[capacity];
            windows = new Long[capacity];
            versions = new Integer[capacity];
            counts = new Integer[capacity];
            sealed = new byte[capacity][];
        }

        void add(BlockKey k, int readings, byte[] sealedBlock) {
            patients[rows] = k.patientId();
            types[rows] = (short) k.type().id();
            windows[rows] = k.windowStartMicros();
            versions[rows] = k.keyVersion();
            counts[rows] = readings;
            sealed[rows] = sealedBlock;
            rows++;
        }

        void execute(Connection c) throws SQLException {
            if (rows == 0) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                ps.setArray(1, c.createArrayOf("text", Arrays.copyOf(patients, rows)));
                ps.setArray(2, c.createArrayOf("int2", Arrays.copyOf(types, rows)));
                ps.setArray(3, c.createArrayOf("int8", Arrays.copyOf(windows, rows)));
                ps.setArray(4, c.createArrayOf("int4", Arrays.copyOf(versions, rows)));
                ps.setArray(5, c.createArrayOf("int4", Arrays.copyOf(counts, rows)));
                ps.setArray(6, c.createArrayOf("bytea", Arrays.copyOf(sealed, rows)));
                ps.executeUpdate();
            }
        }
    }

    /** The blocks whose data key still lives; the others belong to an erasure and are dropped. */
    private static List<BlockKey> live(Connection c, Collection<BlockKey> keys)
            throws SQLException {
        Set<String> patients = new HashSet<>();
        for (BlockKey k : keys) {
            patients.add(k.patientId());
        }
        Set<String> alive = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(LIVE_KEYS)) {
            ps.setArray(1, c.createArrayOf("text", patients.toArray(new String[0])));
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    alive.add(r.getString(1) + "/" + r.getInt(2));
                }
            }
        }
        List<BlockKey> out = new ArrayList<>(keys.size());
        for (BlockKey k : keys) {
            if (alive.contains(k.patientId() + "/" + k.keyVersion())) {
                out.add(k);
            }
        }
        return out;
    }

    private static void lock(Connection c, List<BlockKey> keys) throws SQLException {
        Long[] ids = new Long[keys.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = keys.get(i).lockId();
        }
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setArray(1, c.createArrayOf("int8", ids));
            ps.executeQuery().close();
        }
    }

    private static void insertPatients(Connection c, List<BlockKey> keys) throws SQLException {
        Set<String> patients = new HashSet<>();
        for (BlockKey k : keys) {
            patients.add(k.patientId());
        }
        String[] sorted = patients.toArray(new String[0]);
        java.util.Arrays.sort(
                sorted); // one order everywhere, so two writers' row locks cannot deadlock
        try (PreparedStatement ps = c.prepareStatement(PATIENTS)) {
            ps.setArray(1, c.createArrayOf("text", sorted));
            ps.executeUpdate();
        }
    }

    private static Map<BlockKey, byte[]> existing(Connection c, List<BlockKey> keys)
            throws SQLException {
        int n = keys.size();
        String[] p = new String[n];
        Short[] t = new Short[n];
        Long[] w = new Long[n];
        Integer[] v = new Integer[n];
        for (int i = 0; i < n; i++) {
            BlockKey k = keys.get(i);
            p[i] = k.patientId();
            t[i] = (short) k.type().id();
            w[i] = k.windowStartMicros();
            v[i] = k.keyVersion();
        }
        Map<BlockKey, byte[]> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
            ps.setArray(1, c.createArrayOf("text", p));
            ps.setArray(2, c.createArrayOf("int2", t));
            ps.setArray(3, c.createArrayOf("int8", w));
            ps.setArray(4, c.createArrayOf("int4", v));
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    ReadingType type = ReadingType.ofId(r.getInt(2));
                    if (type == null) {
                        throw new SQLException(
                                "reading_blocks row has an unknown type id", "XX000");
                    }
                    out.put(
                            new BlockKey(r.getString(1), type, r.getLong(3), r.getInt(4)),
                            r.getBytes(5));
                }
            }
        }
        return out;
    }
}

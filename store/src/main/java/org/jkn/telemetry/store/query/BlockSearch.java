package org.jkn.telemetry.store.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockReadings;
import org.jkn.telemetry.store.block.BlockWindow;
import org.jkn.telemetry.store.crypto.ReadingCrypto;

/**
 * Search and read by id over sealed blocks. A search streams the patient's blocks in window order
 * (a cursor, so a first page opens only the newest blocks), opens each, keeps the readings that
 * match, and emits them in the order today's API promises: by start, then by row key. A reading is
 * final once no block still to come can hold an earlier one (ascending, blocks come by window
 * start: the next one starts after it; descending, they come by window end: the next one ends at or
 * before it), so pages come out without reading the patient's whole history. The window end in SQL
 * knows two lengths, {@link BlockWindow#HOUR} and {@link BlockWindow#DAY}.
 *
 * <p>Thread-safe: per-call state only. Cost per search: one open and one decode per block in the
 * windows scanned, one HMAC per reading on the page (and per tie of equal starts).
 */
final class BlockSearch {

    private static final String LIVE =
            " and exists (select 1 from data_keys k where k.patient_id = b.patient_id "
                    + "and k.key_version = b.key_version and k.destroyed_at is null)";
    private static final String MICROS = "(extract(epoch from b.window_start) * 1000000)::bigint";
    private static final int FETCH = 16;

    private final ReadingCrypto crypto;
    private final long maxPeriodMicros;

    BlockSearch(ReadingCrypto crypto, long maxPeriodMicros) {
        this.crypto = crypto;
        this.maxPeriodMicros = maxPeriodMicros;
    }

    /**
     * The reading types a search can match: of the disclosed categories, and able to carry one of
     * the codes.
     */
    static List<ReadingType> types(ObservationSearch q) {
        List<ReadingType> out = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            if ((q.categories() & t.dataCategory().bit()) == 0) {
                continue;
            }
            if (q.codes().isEmpty() || q.codes().stream().anyMatch(t.storedCodes()::contains)) {
                out.add(t);
            }
        }
        return out;
    }

    Optional<StoredReading> read(Connection c, ObservationIds.Parsed id, String observationId)
            throws SQLException {
        List<String> patients;
        ReadingType type;
        if (id.legacy()) {
            LegacyOwner owner = legacyOwner(c, id);
            if (owner == null) {
                return Optional.empty();
            }
            patients = List.of(owner.patient());
            type = owner.type();
        } else {
            patients = patientsTagged(c, id.patientTag());
            type = id.type();
        }
        if (type == null) {
            return Optional.empty();
        }
        Search s = new Search(crypto, null, maxPeriodMicros);
        for (String patient : patients) {
            Entry e = find(c, s, patient, type, id);
            if (e != null) {
                StoredReading found = s.materialize(e);
                // a reading is found only by the id it is shown with
                return found.observationId().equals(observationId)
                        ? Optional.of(found)
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The patient and type of a reading moved from a row, by its old id. */
    private record LegacyOwner(String patient, ReadingType type) {}

    /** Where the upgrade recorded a reading's old id; null when it did not. */
    private static LegacyOwner legacyOwner(Connection c, ObservationIds.Parsed id)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "select patient_id, type from legacy_observation_ids where obs_key = ? and effective_start = ?")) {
            ps.setString(1, id.key());
            ps.setObject(2, ReadingQueries.timestamp(id.startMicros()));
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                return new LegacyOwner(r.getString(1), ReadingType.ofId(r.getInt(2)));
            }
        }
    }

    /** The patients whose pseudonym has this tag (almost always one). */
    private static List<String> patientsTagged(Connection c, long tag) throws SQLException {
        List<String> patients = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select id from patients where tag = ?")) {
            ps.setLong(1, tag);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    patients.add(r.getString(1));
                }
            }
        }
        return patients;
    }

    /** The reading with this id's start and key in the patient's block, or null. */
    private static Entry find(
            Connection c, Search s, String patient, ReadingType type, ObservationIds.Parsed id)
            throws SQLException {
        long window = BlockWindow.of(type).startOf(id.startMicros());
        try (PreparedStatement ps =
                c.prepareStatement(
                        "select b.key_version, b.sealed from reading_blocks b "
                                + "where b.patient_id = ? and b.type = ? and b.window_start = ?"
                                + LIVE)) {
            ps.setString(1, patient);
            ps.setShort(2, (short) type.id());
            ps.setObject(3, ReadingQueries.timestamp(window));
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    BlockReadings b = s.open(patient, type, window, r.getInt(1), r.getBytes(2));
                    for (int i = 0; i < b.size(); i++) {
                        if (b.startMicros(i) != id.startMicros()) {
                            continue;
                        }
                        Entry e = new Entry(patient, type, b, i, null);
                        if (s.key(e).equals(id.key())) {
                            return e;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * True when a reading of {@code [start, end]} meets every date condition of {@code q}, as FHIR
     * compares ranges: {@code eq} within, {@code ne} not within, {@code ge}/{@code gt} some of it
     * at or after, {@code le}/{@code lt} some of it before, {@code sa} all after, {@code eb} all
     * before, {@code ap} overlapping the widened range. The look-back on {@code start} only repeats
     * what the longest period implies, so windows can be pruned by start.
     */
    static boolean datesMatch(ObservationSearch q, long start, long end, long maxPeriodMicros) {
        for (DateBound d : q.dates()) {
            boolean ok =
                    switch (d.prefix()) {
                        case EQ -> start >= d.lowMicros() && end < d.highMicros();
                        case NE -> !(start >= d.lowMicros() && end < d.highMicros());
                        case GE -> end >= d.lowMicros() && start >= d.lowMicros() - maxPeriodMicros;
                        case GT ->
                                end >= d.highMicros() && start >= d.highMicros() - maxPeriodMicros;
                        case LT -> start < d.lowMicros();
                        case LE -> start < d.highMicros();
                        case SA -> start >= d.highMicros();
                        case EB -> end < d.lowMicros();
                        case AP ->
                                end >= d.lowMicros()
                                        && start < d.highMicros()
                                        && start >= d.lowMicros() - maxPeriodMicros;
                    };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    List<StoredReading> search(
            Connection c, ObservationSearch q, List<ReadingType> types, List<StoredReading> legacy)
            throws SQLException {
        Search s = new Search(crypto, q, maxPeriodMicros);
        for (StoredReading r : legacy) {
            s.queue.add(new Entry(r.patientId(), r.type(), null, 0, r));
        }
        boolean full =
                forEachBlock(
                        c,
                        q,
                        types,
                        (type, window, keyVersion, ciphertext) -> {
                            if (s.emitBefore(
                                    q.ascending()
                                            ? window
                                            : window + BlockWindow.of(type).micros())) {
                                return true;
                            }
                            s.add(q.patientId(), type, window, keyVersion, ciphertext);
                            return false;
                        });
        if (!full) {
            s.emitAll();
        }
        return s.out;
    }

    /**
     * How many readings in the patient's blocks match {@code q} (its page aside): every block that
     * can hold a match is opened, so the cost grows with the range searched.
     */
    long count(Connection c, ObservationSearch q, List<ReadingType> types) throws SQLException {
        Search s = new Search(crypto, q, maxPeriodMicros);
        long[] matched = {0};
        forEachBlock(
                c,
                q,
                types,
                (type, window, keyVersion, ciphertext) -> {
                    BlockReadings b = s.open(q.patientId(), type, window, keyVersion, ciphertext);
                    for (int i = 0; i < b.size(); i++) {
                        if (s.matches(type, b, i)) {
                            matched[0]++;
                        }
                    }
                    return false;
                });
        return matched[0];
    }

    /** What is done with each block a search streams; true to stop. */
    private interface BlockVisitor {
        boolean visit(ReadingType type, long window, int keyVersion, byte[] ciphertext)
                throws SQLException;
    }

    /**
     * Streams the patient's blocks that can hold a match of {@code q}, in the order the search
     * needs them, to {@code visitor} until it says stop; true when it did.
     */
    private boolean forEachBlock(
            Connection c, ObservationSearch q, List<ReadingType> types, BlockVisitor visitor)
            throws SQLException {
        Bounds bounds = bounds(q);
        Map<Long, List<Short>> groups = windowGroups(types, bounds);
        String sql = blockQuery(q, groups, bounds);
        boolean autoCommit = c.getAutoCommit();
        // a cursor: blocks are fetched FETCH at a time, as the page needs them
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(FETCH);
            bind(c, ps, q, types, groups, bounds);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    ReadingType type = ReadingType.ofId(r.getInt(1));
                    if (type == null) {
                        throw new SQLException(
                                "reading_blocks row has an unknown type id", "XX000");
                    }
                    if (visitor.visit(type, r.getLong(2), r.getInt(3), r.getBytes(4))) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * The date conditions as bounds on the blocks to read: the earliest start a match can have, for
     * instant and for period readings ({@code Long.MIN_VALUE} when none), and the start every match
     * lies before ({@code Long.MAX_VALUE} when none).
     */
    private record Bounds(long instantFrom, long periodFrom, long upper) {}

    private Bounds bounds(ObservationSearch q) {
        // the earliest start a match can have: an instant reading ends where it starts, so "ge"
        // needs no look-back for it; a period may begin up to the longest period earlier
        long instantFrom = Long.MIN_VALUE;
        long periodFrom = Long.MIN_VALUE;
        long upper = Long.MAX_VALUE;
        for (DateBound d : q.dates()) {
            switch (d.prefix()) {
                case EQ -> {
                    instantFrom = Math.max(instantFrom, d.lowMicros());
                    periodFrom = Math.max(periodFrom, d.lowMicros());
                    upper = Math.min(upper, d.highMicros());
                }
                case GE -> {
                    instantFrom = Math.max(instantFrom, d.lowMicros());
                    periodFrom = Math.max(periodFrom, d.lowMicros() - maxPeriodMicros);
                }
                case GT -> {
                    instantFrom = Math.max(instantFrom, d.highMicros());
                    periodFrom = Math.max(periodFrom, d.highMicros() - maxPeriodMicros);
                }
                case LT, EB -> upper = Math.min(upper, d.lowMicros());
                case LE -> upper = Math.min(upper, d.highMicros());
                case SA -> {
                    instantFrom = Math.max(instantFrom, d.highMicros());
                    periodFrom = Math.max(periodFrom, d.highMicros());
                }
                case AP -> {
                    instantFrom = Math.max(instantFrom, d.lowMicros());
                    periodFrom = Math.max(periodFrom, d.lowMicros() - maxPeriodMicros);
                    upper = Math.min(upper, d.highMicros());
                }
                case NE -> {
                    // matches on both sides of the range: no bound
                }
            }
        }
        return new Bounds(instantFrom, periodFrom, upper);
    }

    /**
     * The type ids by the first window a match can be in ({@code Long.MIN_VALUE}: any), in the
     * order of {@code types}.
     */
    private static Map<Long, List<Short>> windowGroups(List<ReadingType> types, Bounds bounds) {
        // one window bound per group of types sharing a window length and shape, so an hour of
        // heart rate does not drag in the day before it
        Map<Long, List<Short>> groups = new LinkedHashMap<>();
        for (ReadingType t : types) {
            long from = t.shape().isPeriod() ? bounds.periodFrom() : bounds.instantFrom();
            long window = from == Long.MIN_VALUE ? Long.MIN_VALUE : BlockWindow.of(t).startOf(from);
            groups.computeIfAbsent(window, k -> new ArrayList<>()).add((short) t.id());
        }
        return groups;
    }

    /** The query for the patient's blocks that can hold a match, in the order they are needed. */
    private static String blockQuery(
            ObservationSearch q, Map<Long, List<Short>> groups, Bounds bounds) {
        StringBuilder sql =
                new StringBuilder("select b.type, ")
                        .append(MICROS)
                        .append(
                                ", b.key_version, b.sealed "
                                        + "from reading_blocks b where b.patient_id = ?");
        sql.append(" and (");
        int g = 0;
        for (Long window : groups.keySet()) {
            sql.append(g++ == 0 ? "" : " or ")
                    .append(
                            window == Long.MIN_VALUE
                                    ? "b.type = any(?)"
                                    : "(b.type = any(?) and b.window_start >= ?)");
        }
        sql.append(')').append(LIVE);
        if (bounds.upper() != Long.MAX_VALUE) {
            sql.append(" and b.window_start < ?");
        }
        // newest first goes by window end, so a day block and the hour blocks inside its day are
        // read in the order their readings can come, and a page opens only the blocks it needs
        sql.append(
                q.ascending()
                        ? " order by b.window_start asc"
                        : " order by b.window_start + (case when b.type = any(?) then ? else ? end) * interval '1 microsecond' desc");
        return sql.toString();
    }

    /** Binds the values of {@link #blockQuery}, in its order. */
    private static void bind(
            Connection c,
            PreparedStatement ps,
            ObservationSearch q,
            List<ReadingType> types,
            Map<Long, List<Short>> groups,
            Bounds bounds)
            throws SQLException {
        int p = 1;
        ps.setString(p++, q.patientId());
        for (Map.Entry<Long, List<Short>> e : groups.entrySet()) {
            ps.setArray(p++, c.createArrayOf("int2", e.getValue().toArray(new Short[0])));
            if (e.getKey() != Long.MIN_VALUE) {
                ps.setObject(p++, ReadingQueries.timestamp(e.getKey()));
            }
        }
        if (bounds.upper() != Long.MAX_VALUE) {
            ps.setObject(p++, ReadingQueries.timestamp(bounds.upper()));
        }
        if (!q.ascending()) {
            List<Short> hourly = new ArrayList<>();
            for (ReadingType t : types) {
                if (BlockWindow.of(t) == BlockWindow.HOUR) {
                    hourly.add((short) t.id());
                }
            }
            ps.setArray(p++, c.createArrayOf("int2", hourly.toArray(new Short[0])));
            ps.setLong(p++, BlockWindow.HOUR.micros());
            ps.setLong(p, BlockWindow.DAY.micros());
        }
    }

    /**
     * One reading found: in a block ({@code block}, {@code index}) or a row stored before blocks
     * ({@code row}).
     */
    private static final class Entry {
        final String patient;
        final ReadingType type;
        final BlockReadings block;
        final int index;
        final StoredReading row;
        final long start;
        String key;

        Entry(String patient, ReadingType type, BlockReadings block, int index, StoredReading row) {
            this.patient = patient;
            this.type = type;
            this.block = block;
            this.index = index;
            this.row = row;
            this.start = row != null ? row.startMicros() : block.startMicros(index);
            if (row != null) {
                String id = row.observationId();
                this.key = id.substring(id.indexOf('-') + 1);
            }
        }
    }

    /** The state of one search or read. */
    private static final class Search {
        final ObservationSearch q;
        final long maxPeriodMicros;
        final SealedBlocks blocks;
        final PriorityQueue<Entry> queue;
        final List<StoredReading> out = new ArrayList<>();
        int skipped;

        Search(ReadingCrypto crypto, ObservationSearch q, long maxPeriodMicros) {
            this.q = q;
            this.maxPeriodMicros = maxPeriodMicros;
            this.blocks = new SealedBlocks(crypto);
            Comparator<Entry> order =
                    Comparator.<Entry>comparingLong(e -> e.start).thenComparing(this::key);
            this.queue = new PriorityQueue<>(q == null || q.ascending() ? order : order.reversed());
        }

        String key(Entry e) {
            if (e.key == null) {
                e.key = blocks.key(e.patient, e.block, e.index);
            }
            return e.key;
        }

        BlockReadings open(
                String patient, ReadingType type, long window, int keyVersion, byte[] sealed) {
            return blocks.open(patient, type, window, keyVersion, sealed, new BlockReadings());
        }

        void add(String patient, ReadingType type, long window, int keyVersion, byte[] sealed) {
            BlockReadings b = open(patient, type, window, keyVersion, sealed);
            for (int i = 0; i < b.size(); i++) {
                if (matches(type, b, i)) {
                    queue.add(new Entry(patient, type, b, i, null));
                }
            }
        }

        /**
         * The code and date conditions, exactly as the row search applies them in SQL, then the
         * filter on what is sealed.
         */
        private boolean matches(ReadingType type, BlockReadings b, int i) {
            if (!q.codes().isEmpty() && !q.codes().contains(type.storedCode(b.attrs(i)))) {
                return false;
            }
            if (!datesMatch(q, b.startMicros(i), b.endMicros(i), maxPeriodMicros)) {
                return false;
            }
            ReadingFilter f = q.filter();
            return f.valueMatches(type, b.attrs(i), b.value(i))
                    && (f.device() == null
                            || (f.device().equals(b.device(i).id())
                                    && f.readingId().equals(b.readingId(i))));
        }

        /** Emits what no block from {@code edge} on can precede; true once the page is full. */
        boolean emitBefore(long edge) {
            while (!queue.isEmpty()) {
                Entry head = queue.peek();
                // blocks still to come start at or after the edge (ascending) or end at or before
                // it
                boolean fin = q.ascending() ? head.start < edge : head.start >= edge;
                if (!fin) {
                    return false;
                }
                if (emit(queue.poll())) {
                    return true;
                }
            }
            return false;
        }

        void emitAll() {
            while (!queue.isEmpty()) {
                if (emit(queue.poll())) {
                    return;
                }
            }
        }

        private boolean emit(Entry e) {
            if (skipped < q.offset()) {
                skipped++;
                return false;
            }
            out.add(materialize(e));
            return out.size() > q.count();
        }

        StoredReading materialize(Entry e) {
            return e.row != null
                    ? e.row
                    : blocks.reading(e.patient, e.type, e.block, e.index, key(e));
        }
    }
}

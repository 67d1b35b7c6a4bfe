package org.jkn.telemetry.store.block;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * Readings on their way to the database, grouped by the block each belongs to. Filled by the
 * drainer from journal records, emptied by {@link org.jkn.telemetry.store.copy.BlockWriter}.
 *
 * <p>Not thread-safe: one per drainer thread.
 */
public final class PendingBlocks {

    private final Map<BlockKey, BlockReadings> blocks = new HashMap<>();
    private final List<BlockReadings> spare = new ArrayList<>();
    private int readings;

    /** Adds reading {@code i} of {@code source} (all of {@code type}). */
    public void add(
            String patientId, int keyVersion, ReadingType type, BlockReadings source, int i) {
        long start = source.start[i];
        target(patientId, keyVersion, type, start).copy(source, i);
        readings++;
    }

    /** Adds every reading of {@code source} (all of {@code type}). */
    public void addAll(String patientId, int keyVersion, ReadingType type, BlockReadings source) {
        for (int i = 0; i < source.size; i++) {
            add(patientId, keyVersion, type, source, i);
        }
    }

    /** Adds one reading as the batch format describes it. */
    public void add(
            String patientId,
            int keyVersion,
            NormalizedReading r,
            DeviceInfo device,
            long receivedMicros) {
        target(patientId, keyVersion, r.type(), r.startMicros()).add(r, device, receivedMicros);
        readings++;
    }

    /**
     * Marks the reading just added for this block as one stored before blocks ({@link
     * BlockReadings#LEGACY_ID}).
     */
    public void markLastLegacy(
            String patientId, int keyVersion, ReadingType type, long startMicros) {
        blocks.get(
                        new BlockKey(
                                patientId,
                                type,
                                BlockWindow.of(type).startOf(startMicros),
                                keyVersion))
                .markLastLegacy();
    }

    private BlockReadings target(String patientId, int keyVersion, ReadingType type, long start) {
        BlockKey key =
                new BlockKey(patientId, type, BlockWindow.of(type).startOf(start), keyVersion);
        BlockReadings b = blocks.get(key);
        if (b == null) {
            b = spare.isEmpty() ? new BlockReadings() : spare.remove(spare.size() - 1);
            blocks.put(key, b);
        }
        return b;
    }

    public Map<BlockKey, BlockReadings> blocks() {
        return blocks;
    }

    /** Readings added since the last {@link #clear()}. */
    public int readings() {
        return readings;
    }

    public boolean isEmpty() {
        return readings == 0;
    }

    public void clear() {
        for (BlockReadings b : blocks.values()) {
            b.clear();
            if (spare.size() < 1024) {
                spare.add(b);
            }
        }
        blocks.clear();
        readings = 0;
    }
}

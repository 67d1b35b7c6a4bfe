package org.jkn.telemetry.normalizer;

import java.util.Arrays;

/**
 * The batch position of each accepted reading, in acceptance order (a dense series puts one
 * position many times). Later checks that reject accepted readings report them by it. One per batch
 * being parsed; not thread-safe.
 */
final class SourceIndexes {

    private int[] indexes = new int[16];
    private int size;

    void add(int index, int times) {
        if (size + times > indexes.length) {
            indexes = Arrays.copyOf(indexes, Math.max(indexes.length * 2, size + times));
        }
        Arrays.fill(indexes, size, size + times, index);
        size += times;
    }

    int[] toArray() {
        return size == indexes.length ? indexes : Arrays.copyOf(indexes, size);
    }
}

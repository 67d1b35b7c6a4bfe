package org.jkn.telemetry.store.block;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.SleepStage;

/**
 * The readings of one block (one patient, type and window) as columns: what {@link BlockCodec}
 * encodes and decodes. Devices and the text part of reading ids are kept once each in dictionaries;
 * a reading id is split into that text prefix and a numeric suffix, so {@code series-7#1}, {@code
 * series-7#2}... cost a dictionary entry and a counter.
 *
 * <p>The idempotency key of a reading is (device id, reading id, start), as in the batch format:
 * {@link #sortAndDeduplicate()} keeps the first of readings sharing it, so a reading already in a
 * block wins over a re-sent copy appended after it.
 *
 * <p>Not thread-safe; reusable through {@link #clear()}: one per drainer or query thread.
 */
public final class BlockReadings {

    /**
     * The id has no numeric suffix (or one the split cannot give back exactly, such as {@code
     * 007}).
     */
    public static final long NO_NUMBER = -1;

    public static final int LEGACY_ID = 1;
    private static final int MAX_SUFFIX_DIGITS = 18;

    int size;
    long[] start = new long[64];
    long[] end = new long[64];
    long[] received = new long[64];
    int[] offset = new int[64];
    int[] attrs = new int[64];

    /**
     * {@link #LEGACY_ID}: the reading was stored by a version before blocks, and keeps the id it
     * was shown with.
     */
    int[] flags = new int[64];

    int[] device = new int[64];
    int[] idPrefix = new int[64];
    long[] idNumber = new long[64];
    double[] value = new double[64];
    double[] diastolic = new double[64];

    /** Null for every reading when none has stages, so most blocks never allocate it. */
    List<SleepStage>[] stages;

    final List<DeviceInfo> devices = new ArrayList<>();
    final List<String> prefixes = new ArrayList<>();
    private final Map<DeviceInfo, Integer> deviceIndex = new HashMap<>();
    private final Map<String, Integer> prefixIndex = new HashMap<>();

    public void clear() {
        size = 0;
        stages = null;
        devices.clear();
        prefixes.clear();
        deviceIndex.clear();
        prefixIndex.clear();
    }

    public int size() {
        return size;
    }

    /** Adds a reading as sent by {@code device} and received at {@code receivedMicros}. */
    public void add(NormalizedReading r, DeviceInfo device, long receivedMicros) {
        String id = r.readingId();
        int cut = id.length();
        while (cut > 0 && id.charAt(cut - 1) >= '0' && id.charAt(cut - 1) <= '9') {
            cut--;
        }
        int digits = id.length() - cut;
        long number = NO_NUMBER;
        // a leading zero (other than "0" itself) would be lost by the number, so it stays text
        if (digits > 0 && digits <= MAX_SUFFIX_DIGITS && (digits == 1 || id.charAt(cut) != '0')) {
            number = Long.parseLong(id, cut, id.length(), 10);
        } else {
            cut = id.length();
        }
        int i =
                append(
                        r.startMicros(),
                        r.endMicros(),
                        receivedMicros,
                        r.offsetSeconds(),
                        r.attrs(),
                        deviceIndex(device),
                        prefixIndex(cut == id.length() ? id : id.substring(0, cut)),
                        number,
                        r.value(),
                        r.diastolic());
        if (!r.stages().isEmpty()) {
            stagesFor(i, r.stages());
        }
    }

    /**
     * Appends reading {@code i} of {@code src}, mapping its dictionary entries into this block's.
     */
    public void copy(BlockReadings src, int i) {
        int k =
                append(
                        src.start[i],
                        src.end[i],
                        src.received[i],
                        src.offset[i],
                        src.attrs[i],
                        deviceIndex(src.devices.get(src.device[i])),
                        prefixIndex(src.prefixes.get(src.idPrefix[i])),
                        src.idNumber[i],
                        src.value[i],
                        src.diastolic[i]);
        flags[k] = src.flags[i];
        if (src.stages != null && src.stages[i] != null) {
            stagesFor(k, src.stages[i]);
        }
    }

    /** Marks the last reading added as one stored before blocks ({@link #LEGACY_ID}). */
    public void markLastLegacy() {
        flags[size - 1] |= LEGACY_ID;
    }

    public int flags(int i) {
        return flags[i];
    }

    int append(
            long s,
            long e,
            long recv,
            int off,
            int at,
            int dev,
            int prefix,
            long number,
            double v,
            double v2) {
        if (size == start.length) {
            grow(size * 2);
        }
        int i = size++;
        start[i] = s;
        end[i] = e;
        received[i] = recv;
        offset[i] = off;
        attrs[i] = at;
        device[i] = dev;
        idPrefix[i] = prefix;
        idNumber[i] = number;
        value[i] = v;
        diastolic[i] = v2;
        flags[i] = 0;
        if (stages != null) {
            stages[i] = null;
        }
        return i;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void stagesFor(int i, List<SleepStage> list) {
        if (stages == null) {
            stages = new List[start.length];
        }
        stages[i] = list;
    }

    int deviceIndex(DeviceInfo d) {
        Integer k = deviceIndex.get(d);
        if (k == null) {
            k = devices.size();
            devices.add(d);
            deviceIndex.put(d, k);
        }
        return k;
    }

    int prefixIndex(String p) {
        Integer k = prefixIndex.get(p);
        if (k == null) {
            k = prefixes.size();
            prefixes.add(p);
            prefixIndex.put(p, k);
        }
        return k;
    }

    private void grow(int capacity) {
        start = Arrays.copyOf(start, capacity);
        end = Arrays.copyOf(end, capacity);
        received = Arrays.copyOf(received, capacity);
        offset = Arrays.copyOf(offset, capacity);
        attrs = Arrays.copyOf(attrs, capacity);
        flags = Arrays.copyOf(flags, capacity);
        device = Arrays.copyOf(device, capacity);
        idPrefix = Arrays.copyOf(idPrefix, capacity);
        idNumber = Arrays.copyOf(idNumber, capacity);
        value = Arrays.copyOf(value, capacity);
        diastolic = Arrays.copyOf(diastolic, capacity);
        if (stages != null) {
            stages = Arrays.copyOf(stages, capacity);
        }
    }

    void ensureCapacity(int capacity) {
        if (capacity > start.length) {
            grow(Math.max(capacity, start.length * 2));
        }
    }

    public long startMicros(int i) {
        return start[i];
    }

    public long endMicros(int i) {
        return end[i];
    }

    public long receivedMicros(int i) {
        return received[i];
    }

    public int offsetSeconds(int i) {
        return offset[i];
    }

    public int attrs(int i) {
        return attrs[i];
    }

    public double value(int i) {
        return value[i];
    }

    public double diastolic(int i) {
        return diastolic[i];
    }

    public List<SleepStage> stages(int i) {
        return stages == null || stages[i] == null ? List.of() : stages[i];
    }

    public DeviceInfo device(int i) {
        return devices.get(device[i]);
    }

    /** The reading id as sent (allocates). */
    public String readingId(int i) {
        String prefix = prefixes.get(idPrefix[i]);
        return idNumber[i] == NO_NUMBER ? prefix : prefix + idNumber[i];
    }

    /**
     * Sorts by start (then device id and reading id, so the order is the same whatever the arrival
     * order) and drops every reading whose key an earlier one in arrival order has.
     *
     * @return how many readings were dropped as duplicates
     */
    public int sortAndDeduplicate() {
        int n = size;
        if (n < 2) {
            return 0;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (sortedByStart()) {
            return 0; // the common case: starts strictly increasing, so no ties and no duplicates
        }
        mergeSort(order, new int[n], 0, n); // stable, so the first in arrival order comes first
        int kept = 0;
        int[] keep = new int[n];
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (kept > 0 && sameKey(keep[kept - 1], i)) {
                continue; // the one already stored, not the re-sent copy
            }
            keep[kept++] = i;
        }
        permute(keep, kept);
        return n - kept;
    }

    private boolean sortedByStart() {
        for (int i = 1; i < size; i++) {
            if (start[i] <= start[i - 1]) {
                return false;
            }
        }
        return true;
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && compare(a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    /** Start, then device id, then reading id; equal only for the same idempotency key. */
    private int compare(int a, int b) {
        int c = Long.compare(start[a], start[b]);
        if (c != 0) {
            return c;
        }
        c = devices.get(device[a]).id().compareTo(devices.get(device[b]).id());
        if (c != 0) {
            return c;
        }
        c = prefixes.get(idPrefix[a]).compareTo(prefixes.get(idPrefix[b]));
        return c != 0 ? c : Long.compare(idNumber[a], idNumber[b]);
    }

    private boolean sameKey(int a, int b) {
        return compare(a, b) == 0;
    }

    private void permute(int[] keep, int kept) {
        long[] s = new long[kept];
        long[] e = new long[kept];
        long[] r = new long[kept];
        int[] o = new int[kept];
        int[] at = new int[kept];
        int[] fl = new int[kept];
        int[] d = new int[kept];
        int[] p = new int[kept];
        long[] num = new long[kept];
        double[] v = new double[kept];
        double[] v2 = new double[kept];
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<SleepStage>[] st = stages == null ? null : new List[kept];
        for (int k = 0; k < kept; k++) {
            int i = keep[k];
            s[k] = start[i];
            e[k] = end[i];
            r[k] = received[i];
            o[k] = offset[i];
            at[k] = attrs[i];
            fl[k] = flags[i];
            d[k] = device[i];
            p[k] = idPrefix[i];
            num[k] = idNumber[i];
            v[k] = value[i];
            v2[k] = diastolic[i];
            if (st != null) {
                st[k] = stages[i];
            }
        }
        System.arraycopy(s, 0, start, 0, kept);
        System.arraycopy(e, 0, end, 0, kept);
        System.arraycopy(r, 0, received, 0, kept);
        System.arraycopy(o, 0, offset, 0, kept);
        System.arraycopy(at, 0, attrs, 0, kept);
        System.arraycopy(fl, 0, flags, 0, kept);
        System.arraycopy(d, 0, device, 0, kept);
        System.arraycopy(p, 0, idPrefix, 0, kept);
        System.arraycopy(num, 0, idNumber, 0, kept);
        System.arraycopy(v, 0, value, 0, kept);
        System.arraycopy(v2, 0, diastolic, 0, kept);
        if (st != null) {
            System.arraycopy(st, 0, stages, 0, kept);
        }
        size = kept;
    }
}

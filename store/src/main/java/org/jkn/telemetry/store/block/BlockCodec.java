package org.jkn.telemetry.store.block;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;

/**
 * The time-series codec of a block's readings, column by column (the lesson of Gorilla, Prometheus
 * chunks and Parquet: each column is regular on its own). Times are delta-of-delta, so a 1 Hz
 * series costs a run token for the whole hour; integer-like columns are deltas; values are scaled
 * to integers (at most 4 decimals, chosen per block so every value comes back bit for bit) and
 * delta coded, or XORed with the previous value's bits when they are not fixed-point (units
 * converted from pounds or mmol/L). Every column ends in run-length coded zigzag varints.
 *
 * <pre>
 * u8 1 | varint n
 * varint devices | devices x (str id | ostr manufacturer | ostr model)
 * varint prefixes | prefixes x str
 * start (dod, from the window start) | end - start (delta) | received (dod, from the window start)
 * | offset (delta) | attrs (delta) | flags (delta) | device (delta) | prefix (delta) | id number (dod)
 * | value (double) | diastolic (double) | stages
 * </pre>
 *
 * A run token is {@code varint(zigzag(x) << 1 | 1), varint(count - 2)}, a single value {@code
 * varint(zigzag(x) << 1)}. Strings are {@code varint length | UTF-8}; an optional string stores
 * length + 1, 0 for null.
 *
 * <p>Not thread-safe: one per thread, reusing its buffer. {@link #encode} returns a view valid
 * until the next call.
 */
public final class BlockCodec {

    static final int FORMAT = 1;
    private static final int MAX_SCALE = 4;
    private static final double[] POW10 = {1, 10, 100, 1_000, 10_000};
    private static final long MAX_EXACT = 1L << 53;
    private static final int KIND_NONE = 0;
    private static final int KIND_SCALED = 1;
    private static final int KIND_XOR = 2;
    private static final int HAS_GAPS = 0x80;

    private byte[] out = new byte[4096];
    private int pos;
    private long[] scratch = new long[64];

    // decoding state
    private byte[] in;
    private int at;
    private int limit;

    /**
     * Encodes the readings (already sorted and deduplicated); the bytes are {@code [0, length())}
     * of {@link #buffer()}.
     */
    public int encode(BlockReadings r, long windowStart) {
        pos = 0;
        int n = r.size;
        putByte(FORMAT);
        putVarint(n);
        putVarint(r.devices.size());
        for (DeviceInfo d : r.devices) {
            putString(d.id());
            putOptionalString(d.manufacturer());
            putOptionalString(d.model());
        }
        putVarint(r.prefixes.size());
        for (String p : r.prefixes) {
            putString(p);
        }
        long[] t = scratch(n);
        for (int i = 0; i < n; i++) {
            t[i] = r.start[i] - windowStart;
        }
        putLongs(t, n, true);
        for (int i = 0; i < n; i++) {
            t[i] = r.end[i] - r.start[i];
        }
        putLongs(t, n, false);
        for (int i = 0; i < n; i++) {
            t[i] = r.received[i] - windowStart;
        }
        putLongs(t, n, true);
        putInts(r.offset, n);
        putInts(r.attrs, n);
        putInts(r.flags, n);
        putInts(r.device, n);
        putInts(r.idPrefix, n);
        putLongs(r.idNumber, n, true);
        putDoubles(r.value, n);
        putDoubles(r.diastolic, n);
        putStages(r, n);
        return pos;
    }

    public byte[] buffer() {
        return out;
    }

    public int length() {
        return pos;
    }

    /**
     * Decodes a block into {@code r} (cleared first). An {@link IllegalArgumentException} when the
     * bytes are not a block of this format; callers only pass authenticated plaintext, so that is a
     * bug or a key used for something else.
     */
    public void decode(byte[] bytes, int offset, int length, long windowStart, BlockReadings r) {
        in = bytes;
        at = offset;
        limit = offset + length;
        try {
            decode(windowStart, r);
        } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("a block is truncated");
        } finally {
            in = null;
        }
    }

    private void decode(long windowStart, BlockReadings r) {
        r.clear();
        if (getByte() != FORMAT) {
            throw new IllegalArgumentException("unknown block format");
        }
        int n = count();
        int devices = count();
        for (int i = 0; i < devices; i++) {
            r.deviceIndex(new DeviceInfo(getString(), getOptionalString(), getOptionalString()));
        }
        int prefixes = count();
        for (int i = 0; i < prefixes; i++) {
            r.prefixIndex(getString());
        }
        r.ensureCapacity(n);
        r.size = n;
        getLongs(r.start, n, true);
        getLongs(r.end, n, false);
        getLongs(r.received, n, true);
        for (int i = 0; i < n; i++) {
            r.start[i] += windowStart;
            r.end[i] += r.start[i];
            r.received[i] += windowStart;
        }
        getInts(r.offset, n);
        getInts(r.attrs, n);
        getInts(r.flags, n);
        getInts(r.device, n);
        getInts(r.idPrefix, n);
        getLongs(r.idNumber, n, true);
        for (int i = 0; i < n; i++) {
            if (r.device[i] < 0
                    || r.device[i] >= devices
                    || r.idPrefix[i] < 0
                    || r.idPrefix[i] >= prefixes) {
                throw new IllegalArgumentException(
                        "a block refers to a dictionary entry it does not have");
            }
        }
        getDoubles(r.value, n);
        getDoubles(r.diastolic, n);
        getStages(r, n);
        if (at != limit) {
            throw new IllegalArgumentException("a block has trailing bytes");
        }
    }

    // ---- columns ----

    private void putInts(int[] x, int n) {
        long[] t = scratch(n);
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        putLongs(t, n, false);
    }

    private void getInts(int[] x, int n) {
        long[] t = scratch(n);
        getLongs(t, n, false);
        for (int i = 0; i < n; i++) {
            x[i] = (int) t[i];
        }
    }

    /** Delta (or delta-of-delta) then run-length coded zigzag varints. {@code x} is not changed. */
    private void putLongs(long[] x, int n, boolean deltaOfDelta) {
        long prev = 0;
        long prevDelta = 0;
        long runValue = 0;
        int run = 0;
        for (int i = 0; i < n; i++) {
            long delta = x[i] - prev;
            long token = deltaOfDelta ? delta - prevDelta : delta;
            prev = x[i];
            prevDelta = delta;
            if (run > 0 && token == runValue) {
                run++;
                continue;
            }
            flushRun(runValue, run);
            runValue = token;
            run = 1;
        }
        flushRun(runValue, run);
    }

    private void flushRun(long token, int run) {
        if (run == 0) {
            return;
        }
        long z = (token << 1) ^ (token >> 63);
        if (run == 1) {
            putVarint(z << 1);
        } else {
            putVarint(z << 1 | 1);
            putVarint(run - 2);
        }
    }

    private void getLongs(long[] x, int n, boolean deltaOfDelta) {
        long prev = 0;
        long prevDelta = 0;
        int i = 0;
        while (i < n) {
            long v = getVarint();
            long z = v >>> 1;
            long token = (z >>> 1) ^ -(z & 1);
            int run = (v & 1) == 0 ? 1 : count() + 2;
            if (run > n - i) {
                throw new IllegalArgumentException("a block's run overflows its column");
            }
            for (int k = 0; k < run; k++) {
                long delta = deltaOfDelta ? prevDelta + token : token;
                prev += delta;
                prevDelta = delta;
                x[i++] = prev;
            }
        }
    }

    private void putDoubles(double[] v, int n) {
        int present = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(v[i])) {
                present++;
            }
        }
        if (present == 0) {
            putByte(KIND_NONE);
            return;
        }
        int scale = scaleOf(v, n);
        int gaps = present < n ? HAS_GAPS : 0;
        putByte((scale >= 0 ? KIND_SCALED : KIND_XOR) | gaps);
        if (gaps != 0) {
            for (int i = 0; i < n; i += 8) {
                int b = 0;
                for (int k = 0; k < 8 && i + k < n; k++) {
                    if (!Double.isNaN(v[i + k])) {
                        b |= 1 << k;
                    }
                }
                putByte(b);
            }
        }
        if (scale >= 0) {
            putByte(scale);
            long[] t = scratch(present);
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(v[i])) {
                    t[j++] = Math.round(v[i] * POW10[scale]);
                }
            }
            putLongs(t, present, false);
        } else {
            long prev = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(v[i])) {
                    long bits = Double.doubleToRawLongBits(v[i]);
                    putVarint(bits ^ prev);
                    prev = bits;
                }
            }
        }
    }

    /** The fewest decimals that give back every present value exactly, or -1. */
    private static int scaleOf(double[] v, int n) {
        int scale = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(v[i])) {
                continue;
            }
            while (!exact(v[i], scale)) {
                if (++scale > MAX_SCALE) {
                    return -1;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(v[i]) && !exact(v[i], scale)) {
                return -1;
            }
        }
        return scale;
    }

    private static boolean exact(double v, int scale) {
        double scaled = v * POW10[scale];
        if (!(Math.abs(scaled) < MAX_EXACT)) {
            return false;
        }
        long l = Math.round(scaled);
        // raw bits, so -0.0 (which equals 0.0) is not turned into 0.0
        return Double.doubleToRawLongBits(l / POW10[scale]) == Double.doubleToRawLongBits(v);
    }

    private void getDoubles(double[] v, int n) {
        int mode = getByte();
        int kind = mode & ~HAS_GAPS;
        if (kind == KIND_NONE) {
            Arrays.fill(v, 0, n, Double.NaN);
            return;
        }
        if (kind != KIND_SCALED && kind != KIND_XOR) {
            throw new IllegalArgumentException("unknown value column kind");
        }
        int present = n;
        if ((mode & HAS_GAPS) != 0) {
            present = 0;
            for (int i = 0; i < n; i += 8) {
                int b = getByte();
                for (int k = 0; k < 8 && i + k < n; k++) {
                    boolean here = (b & (1 << k)) != 0;
                    v[i + k] = here ? 0 : Double.NaN;
                    present += here ? 1 : 0;
                }
            }
        }
        boolean all = present == n;
        if (kind == KIND_SCALED) {
            int scale = getByte();
            if (scale > MAX_SCALE) {
                throw new IllegalArgumentException("unknown value scale");
            }
            long[] t = scratch(present);
            getLongs(t, present, false);
            double p = POW10[scale];
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (all || !Double.isNaN(v[i])) {
                    v[i] = scale == 0 ? (double) t[j++] : t[j++] / p;
                }
            }
        } else {
            long prev = 0;
            for (int i = 0; i < n; i++) {
                if (all || !Double.isNaN(v[i])) {
                    prev ^= getVarint();
                    v[i] = Double.longBitsToDouble(prev);
                }
            }
        }
    }

    private void putStages(BlockReadings r, int n) {
        if (r.stages == null) {
            putByte(0);
            return;
        }
        putByte(1);
        for (int i = 0; i < n; i++) {
            List<SleepStage> list = r.stages[i];
            int count = list == null ? 0 : list.size();
            putVarint(count);
            for (int k = 0; k < count; k++) {
                SleepStage s = list.get(k);
                putByte(s.kind().storedCode());
                long rel = s.startMicros() - r.start[i];
                putVarint((rel << 1) ^ (rel >> 63));
                putVarint(s.endMicros() - s.startMicros());
            }
        }
    }

    private void getStages(BlockReadings r, int n) {
        int flag = getByte();
        if (flag == 0) {
            return;
        }
        if (flag != 1) {
            throw new IllegalArgumentException("unknown stages flag");
        }
        for (int i = 0; i < n; i++) {
            int count = count();
            if (count == 0) {
                continue;
            }
            List<SleepStage> list = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                SleepStageKind kind = SleepStageKind.ofStoredCode(getByte());
                if (kind == null) {
                    throw new IllegalArgumentException("unknown sleep stage");
                }
                long z = getVarint();
                long start = r.start[i] + ((z >>> 1) ^ -(z & 1));
                list.add(new SleepStage(kind, start, start + getVarint()));
            }
            r.stagesFor(i, List.copyOf(list));
        }
    }

    // ---- bytes ----

    private long[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new long[Math.max(n, scratch.length * 2)];
        }
        return scratch;
    }

    private void ensure(int more) {
        if (pos + more > out.length) {
            out = Arrays.copyOf(out, Math.max(pos + more, out.length * 2));
        }
    }

    private void putByte(int b) {
        ensure(1);
        out[pos++] = (byte) b;
    }

    private void putVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
    }

    private void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putVarint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, out, pos, b.length);
        pos += b.length;
    }

    private void putOptionalString(String s) {
        if (s == null) {
            putVarint(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putVarint(b.length + 1L);
        ensure(b.length);
        System.arraycopy(b, 0, out, pos, b.length);
        pos += b.length;
    }

    private int getByte() {
        if (at >= limit) {
            throw new IllegalArgumentException("a block is truncated");
        }
        return in[at++] & 0xff;
    }

    private long getVarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = getByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("a block has an overlong varint");
    }

    /**
     * A non-negative count no larger than the bytes left could justify (one per byte at least, or
     * runs).
     */
    private int count() {
        long v = getVarint();
        if (v < 0 || v > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("a block has an impossible count");
        }
        return (int) v;
    }

    private String getString() {
        int n = count();
        if (n > limit - at) {
            throw new IllegalArgumentException("a block is truncated");
        }
        String s = new String(in, at, n, StandardCharsets.UTF_8);
        at += n;
        return s;
    }

    private String getOptionalString() {
        int n = count();
        if (n == 0) {
            return null;
        }
        n--;
        if (n > limit - at) {
            throw new IllegalArgumentException("a block is truncated");
        }
        String s = new String(in, at, n, StandardCharsets.UTF_8);
        at += n;
        return s;
    }
}

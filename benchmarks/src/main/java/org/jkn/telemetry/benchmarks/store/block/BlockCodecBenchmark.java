package org.jkn.telemetry.benchmarks.store.block;

import java.util.Arrays;
import java.util.Random;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockCodec;
import org.jkn.telemetry.store.block.BlockReadings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The block codec alone: one hour of 1 Hz heart rate (3,600 samples, a random walk as a watch sends
 * it) encoded and decoded. Scores are samples per second ({@link OperationsPerInvocation}).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar BlockCodecBenchmark -f 1 -wi 2 -w 1s -i 3 -r 2s
 * </pre>
 */
@State(Scope.Thread)
public class BlockCodecBenchmark extends BenchmarkBase {

    private static final int SAMPLES = 3600;
    private static final long WINDOW = 1_763_769_600_000_000L;

    private final BlockCodec codec = new BlockCodec();
    private final BlockReadings hour = new BlockReadings();
    private final BlockReadings decoded = new BlockReadings();
    private byte[] encoded;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        DeviceInfo watch = new DeviceInfo("watch-7f3a", "Acme", "Band 5");
        double bpm = 72;
        for (int s = 0; s < SAMPLES; s++) {
            bpm = Math.max(40, Math.min(180, bpm + random.nextInt(5) - 2));
            long t = WINDOW + s * 1_000_000L;
            hour.add(
                    new NormalizedReading(
                            ReadingType.HEART_RATE, "series-1#" + s, t, t, 25200, bpm, Double.NaN),
                    watch,
                    WINDOW + 3_600_000_000L);
        }
        encoded = Arrays.copyOf(codec.buffer(), codec.encode(hour, WINDOW));
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public int encode() {
        return codec.encode(hour, WINDOW);
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public BlockReadings decode() {
        codec.decode(encoded, 0, encoded.length, WINDOW, decoded);
        return decoded;
    }
}

package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.loinc;
import static org.jkn.telemetry.normalizer.catalog.Coding.observationType;

/**
 * Sleep stages as Health Connect names them, with the component code their total goes under (LOINC
 * where one exists: 93830-8 light, 93831-6 deep, 93829-0 REM) and whether they count as asleep.
 *
 * <p>Each kind has a stored code, written in journal records and sealed blocks: a code never
 * changes and is never reused, whatever the declaration order.
 */
public enum SleepStageKind {
    AWAKE(
            0,
            "awake",
            observationType("sleep-awake-duration", "Awake duration during sleep session"),
            false),
    LIGHT(1, "light", loinc("93830-8", "Light sleep duration"), true),
    DEEP(2, "deep", loinc("93831-6", "Deep sleep duration"), true),
    REM(3, "rem", loinc("93829-0", "REM sleep duration"), true),
    SLEEPING(
            4,
            "sleeping",
            observationType("sleep-unspecified-duration", "Sleep duration, stage not specified"),
            true),
    OUT_OF_BED(
            5,
            "out_of_bed",
            observationType("sleep-out-of-bed-duration", "Out of bed duration"),
            false),
    AWAKE_IN_BED(
            6,
            "awake_in_bed",
            observationType("sleep-awake-in-bed-duration", "Awake in bed duration"),
            false),
    UNKNOWN(
            7,
            "unknown",
            observationType("sleep-unknown-duration", "Unknown sleep stage duration"),
            false);

    private static final SleepStageKind[] VALUES = values();

    private final int storedCode;
    private final String wire;
    private final Coding totalCode;
    private final boolean asleep;

    SleepStageKind(int storedCode, String wire, Coding totalCode, boolean asleep) {
        this.storedCode = storedCode;
        this.wire = wire;
        this.totalCode = totalCode;
        this.asleep = asleep;
    }

    public static SleepStageKind ofWire(String wire) {
        for (SleepStageKind k : VALUES) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        return null;
    }

    /** The kind stored under this code, or null for a code no kind has. */
    public static SleepStageKind ofStoredCode(int code) {
        for (SleepStageKind k : VALUES) {
            if (k.storedCode == code) {
                return k;
            }
        }
        return null;
    }

    /** The number this kind is stored as (0-255). */
    public int storedCode() {
        return storedCode;
    }

    public String wire() {
        return wire;
    }

    public Coding totalCode() {
        return totalCode;
    }

    public boolean asleep() {
        return asleep;
    }

    public static String wireNames() {
        StringBuilder sb = new StringBuilder();
        for (SleepStageKind k : VALUES) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k.wire);
        }
        return sb.toString();
    }
}

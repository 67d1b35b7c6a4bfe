package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.loinc;
import static org.jkn.telemetry.normalizer.catalog.Coding.observationType;

/**
 * Sleep stages as Health Connect names them, with the component code their total goes under
 * (LOINC where one exists: 93830-8 light, 93831-6 deep, 93829-0 REM) and whether they count as asleep.
 */
public enum SleepStageKind {
    AWAKE("awake", observationType("sleep-awake-duration", "Awake duration during sleep session"), false),
    LIGHT("light", loinc("93830-8", "Light sleep duration"), true),
    DEEP("deep", loinc("93831-6", "Deep sleep duration"), true),
    REM("rem", loinc("93829-0", "REM sleep duration"), true),
    SLEEPING("sleeping", observationType("sleep-unspecified-duration", "Sleep duration, stage not specified"), true),
    OUT_OF_BED("out_of_bed", observationType("sleep-out-of-bed-duration", "Out of bed duration"), false),
    AWAKE_IN_BED("awake_in_bed", observationType("sleep-awake-in-bed-duration", "Awake in bed duration"), false),
    UNKNOWN("unknown", observationType("sleep-unknown-duration", "Unknown sleep stage duration"), false);

    private static final SleepStageKind[] VALUES = values();

    private final String wire;
    private final Coding totalCode;
    private final boolean asleep;

    SleepStageKind(String wire, Coding totalCode, boolean asleep) {
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

    public static SleepStageKind ofOrdinal(int ordinal) {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
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

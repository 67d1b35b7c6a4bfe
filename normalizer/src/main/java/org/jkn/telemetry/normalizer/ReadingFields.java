package org.jkn.telemetry.normalizer;

import java.util.Arrays;

/**
 * The fields of one reading as read from the wire, before any check. One instance is owned by a
 * {@link BatchNormalizer} call and reset for each reading; its arrays grow and are reused.
 */
final class ReadingFields {

    /** Time field states. */
    static final byte ABSENT = 0;

    static final byte PRESENT = 1;
    static final byte INVALID = 2;

    /**
     * Value recorded for an extra field that was neither a string nor a boolean; compared by
     * identity, so no wire value can equal it.
     */
    static final String NOT_TEXT = new String("not a string or boolean");

    /**
     * The value is the {@link #NOT_TEXT} marker itself (compared by identity: a sent string with
     * the same text is not it).
     */
    @SuppressWarnings("ReferenceEquality")
    static boolean isNotText(String value) {
        return value == NOT_TEXT;
    }

    String id;
    String type;
    String unit;
    byte timeState;
    byte startState;
    byte endState;
    long timeMicros;
    long startMicros;
    long endMicros;
    int timeOffset;
    int startOffset;
    double value = Double.NaN;
    double systolic = Double.NaN;
    double diastolic = Double.NaN;
    boolean hasValue;
    boolean hasSystolic;
    boolean hasDiastolic;

    /** First field whose JSON type was wrong, with the type it should have had. */
    String wrongField;

    String wrongFieldExpected;

    /**
     * Other fields (attributes such as appearance or location), by interned name: string,
     * "true"/"false" or {@link #NOT_TEXT}.
     */
    String[] extraNames = new String[8];

    String[] extraValues = new String[8];
    int extraCount;

    /**
     * Dense series: {@code values} (NaN for a null gap) at {@code interval} seconds from {@code
     * start}.
     */
    boolean hasSamples;

    double[] samples = new double[64];
    int sampleCount;
    double interval = Double.NaN;
    boolean hasInterval;

    /** Sleep stages: kind wire name (null when not a string), and times with their states. */
    boolean hasStages;

    boolean stagesMalformed;
    String[] stageKinds = new String[16];
    long[] stageStarts = new long[16];
    long[] stageEnds = new long[16];
    int stageCount;

    void reset() {
        id = type = unit = null;
        timeState = startState = endState = ABSENT;
        value = systolic = diastolic = Double.NaN;
        hasValue = hasSystolic = hasDiastolic = false;
        wrongField = wrongFieldExpected = null;
        extraCount = 0;
        hasSamples = false;
        sampleCount = 0;
        interval = Double.NaN;
        hasInterval = false;
        hasStages = false;
        stagesMalformed = false;
        stageCount = 0;
    }

    void wrongType(String field, String expected) {
        if (wrongField == null) {
            wrongField = field;
            wrongFieldExpected = expected;
        }
    }

    void extra(String name, String value) {
        // grows rather than drops: fields the format may add must not crowd out an attribute sent
        // after them
        if (extraCount == extraNames.length) {
            extraNames = Arrays.copyOf(extraNames, extraCount * 2);
            extraValues = Arrays.copyOf(extraValues, extraCount * 2);
        }
        extraNames[extraCount] = name;
        extraValues[extraCount] = value;
        extraCount++;
    }

    /**
     * Value of an extra field by name, or null. Names are interned by the parser, so identity
     * compares.
     */
    String extra(String name) {
        for (int i = 0; i < extraCount; i++) {
            if (extraNames[i].equals(name)) {
                return extraValues[i];
            }
        }
        return null;
    }

    void sample(double v) {
        if (sampleCount == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[sampleCount++] = v;
    }

    void stage(String kind, long start, long end) {
        if (stageCount == stageKinds.length) {
            stageKinds = Arrays.copyOf(stageKinds, stageCount * 2);
            stageStarts = Arrays.copyOf(stageStarts, stageCount * 2);
            stageEnds = Arrays.copyOf(stageEnds, stageCount * 2);
        }
        stageKinds[stageCount] = kind;
        stageStarts[stageCount] = start;
        stageEnds[stageCount] = end;
        stageCount++;
    }
}

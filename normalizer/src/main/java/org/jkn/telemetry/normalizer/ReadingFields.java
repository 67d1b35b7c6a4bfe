package org.jkn.telemetry.normalizer;

/**
 * The fields of one reading as read from the wire, before any check. One instance is owned by a
 * {@link BatchNormalizer} call and reset for each reading.
 */
final class ReadingFields {
    /** Time field states. */
    static final byte ABSENT = 0;
    static final byte PRESENT = 1;
    static final byte INVALID = 2;

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

    void reset() {
        id = type = unit = null;
        timeState = startState = endState = ABSENT;
        value = systolic = diastolic = Double.NaN;
        hasValue = hasSystolic = hasDiastolic = false;
        wrongField = wrongFieldExpected = null;
    }

    void wrongType(String field, String expected) {
        if (wrongField == null) {
            wrongField = field;
            wrongFieldExpected = expected;
        }
    }
}

package org.jkn.telemetry.normalizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads one reading object of a batch into a reused {@link ReadingFields}, token by token. A field
 * of the wrong JSON type is recorded in the holder, to be rejected by {@link ReadingChecker}, never
 * thrown; only malformed JSON escapes, as the parser's exception.
 *
 * <p>Hot path: times are parsed in place, no String is made for them. Stateless; the holder and the
 * time parser belong to the caller, one per batch.
 */
final class ReadingFieldsReader {

    private ReadingFieldsReader() {}

    /**
     * Reads the fields of one reading object, its start token already read, into {@code f}; times
     * are parsed in place with {@code t}.
     */
    static void read(JsonParser p, ReadingFields f, IsoTime t) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken tok = p.nextToken();
            switch (field) {
                case "id" -> f.id = text(p, tok, f, field);
                case "type" -> f.type = text(p, tok, f, field);
                case "time" -> {
                    f.timeState = time(p, tok, f, field, t);
                    f.timeMicros = t.micros;
                    f.timeOffset = t.offsetSeconds;
                }
                case "start" -> {
                    f.startState = time(p, tok, f, field, t);
                    f.startMicros = t.micros;
                    f.startOffset = t.offsetSeconds;
                }
                case "end" -> {
                    f.endState = time(p, tok, f, field, t);
                    f.endMicros = t.micros;
                }
                case "unit" -> f.unit = text(p, tok, f, field);
                case "value" -> {
                    f.value = number(p, tok, f, field);
                    f.hasValue = tok != JsonToken.VALUE_NULL;
                }
                case "systolic" -> {
                    f.systolic = number(p, tok, f, field);
                    f.hasSystolic = tok != JsonToken.VALUE_NULL;
                }
                case "diastolic" -> {
                    f.diastolic = number(p, tok, f, field);
                    f.hasDiastolic = tok != JsonToken.VALUE_NULL;
                }
                case "interval" -> {
                    f.interval = number(p, tok, f, field);
                    f.hasInterval = tok != JsonToken.VALUE_NULL;
                }
                case "values" -> readSamples(p, tok, f);
                case "stages" -> readStages(p, tok, f, t);
                default -> readExtra(p, tok, f, field);
            }
        }
    }

    /**
     * A field the reading format does not name: an attribute (appearance, location,
     * protection_used...) or one the format may add.
     */
    private static void readExtra(JsonParser p, JsonToken tok, ReadingFields f, String field)
            throws IOException {
        if (tok == JsonToken.VALUE_STRING) {
            f.extra(field, p.getText());
        } else if (tok == JsonToken.VALUE_TRUE || tok == JsonToken.VALUE_FALSE) {
            f.extra(field, tok == JsonToken.VALUE_TRUE ? "true" : "false");
        } else {
            if (tok != JsonToken.VALUE_NULL) {
                // an attribute sent as a number or object is refused, not dropped
                f.extra(field, ReadingFields.NOT_TEXT);
            }
            p.skipChildren();
        }
    }

    /** Dense series values: numbers, null for a gap. */
    private static void readSamples(JsonParser p, JsonToken tok, ReadingFields f)
            throws IOException {
        if (tok != JsonToken.START_ARRAY) {
            if (tok != JsonToken.VALUE_NULL) {
                f.wrongType("values", "an array of numbers");
                p.skipChildren();
            }
            return;
        }
        f.hasSamples = true;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e == JsonToken.VALUE_NUMBER_INT || e == JsonToken.VALUE_NUMBER_FLOAT) {
                f.sample(p.getDoubleValue());
            } else if (e == JsonToken.VALUE_NULL) {
                f.sample(Double.NaN);
            } else {
                f.wrongType("values", "an array of numbers");
                p.skipChildren();
            }
        }
    }

    /** Sleep stages: objects with stage, start and end. */
    private static void readStages(JsonParser p, JsonToken tok, ReadingFields f, IsoTime t)
            throws IOException {
        if (tok != JsonToken.START_ARRAY) {
            if (tok != JsonToken.VALUE_NULL) {
                f.wrongType("stages", "an array of {stage, start, end}");
                p.skipChildren();
            }
            return;
        }
        f.hasStages = true;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.START_OBJECT) {
                f.stagesMalformed = true;
                p.skipChildren();
                continue;
            }
            String kind = null;
            long start = 0;
            long end = 0;
            int seen = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "stage" -> kind = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "start", "end" -> {
                        if (v == JsonToken.VALUE_STRING
                                && t.parse(
                                        p.getTextCharacters(),
                                        p.getTextOffset(),
                                        p.getTextLength())) {
                            if (name.equals("start")) {
                                start = t.micros;
                                seen |= 1;
                            } else {
                                end = t.micros;
                                seen |= 2;
                            }
                        }
                    }
                    default -> {}
                }
                p.skipChildren();
            }
            if (kind == null || seen != 3) {
                f.stagesMalformed = true;
            } else {
                f.stage(kind, start, end);
            }
        }
    }

    private static String text(JsonParser p, JsonToken t, ReadingFields f, String field)
            throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t != JsonToken.VALUE_NULL) {
            f.wrongType(field, "a string");
            p.skipChildren();
        }
        return null;
    }

    /** Parses a time field in place (no String is made); returns its state. */
    private static byte time(JsonParser p, JsonToken tok, ReadingFields f, String field, IsoTime t)
            throws IOException {
        if (tok == JsonToken.VALUE_STRING) {
            return t.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())
                    ? ReadingFields.PRESENT
                    : ReadingFields.INVALID;
        }
        if (tok != JsonToken.VALUE_NULL) {
            f.wrongType(field, "a string");
            p.skipChildren();
        }
        return ReadingFields.ABSENT;
    }

    private static double number(JsonParser p, JsonToken t, ReadingFields f, String field)
            throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t != JsonToken.VALUE_NULL) {
            f.wrongType(field, "a number");
            p.skipChildren();
        }
        return Double.NaN;
    }
}

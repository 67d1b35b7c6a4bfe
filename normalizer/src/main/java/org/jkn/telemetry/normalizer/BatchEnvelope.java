package org.jkn.telemetry.normalizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;

/**
 * The batch object's fields as read, before {@link BatchNormalizer} checks them against each other
 * and the source. One per call; not thread-safe.
 */
final class BatchEnvelope {

    private static final int MAX_TEXT_LENGTH = 128;

    String nik;
    boolean patientSeen;
    DeviceInfo device;
    String deviceProblem;
    List<NormalizedReading> readings;
    List<Rejection> rejections;
    SourceIndexes sources;
    boolean tooMany;

    /** Reads the {@code device} field, its value token {@code t} already read. */
    void readDevice(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            device = parseDevice(p);
            if (device == null) {
                deviceProblem =
                        "device.id must be 1-64 characters of letters, digits and . _ : -; manufacturer and model at most 128 characters";
            }
        } else {
            deviceProblem =
                    t == JsonToken.VALUE_NULL ? null : "device must be an object with an id";
            p.skipChildren();
        }
    }

    private static DeviceInfo parseDevice(JsonParser p) throws IOException {
        String id = null;
        String manufacturer = null;
        String model = null;
        boolean bad = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            String text = t == JsonToken.VALUE_STRING ? p.getText() : null;
            boolean stringOrNull = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL;
            switch (field) {
                case "id" -> {
                    id = text;
                    bad |= !stringOrNull;
                }
                case "manufacturer" -> {
                    manufacturer = text;
                    bad |= !stringOrNull || (text != null && !isPrintable(text, MAX_TEXT_LENGTH));
                }
                case "model" -> {
                    model = text;
                    bad |= !stringOrNull || (text != null && !isPrintable(text, MAX_TEXT_LENGTH));
                }
                default -> p.skipChildren();
            }
        }
        if (bad || id == null || !BatchNormalizer.isValidId(id)) {
            return null;
        }
        return new DeviceInfo(id, manufacturer, model);
    }

    private static boolean isPrintable(String s, int maxLength) {
        if (s.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}

package org.jkn.telemetry.normalizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * Turns a request body (the JSON batch) into checked readings in canonical units.
 *
 * <p>Bad input is a value, not an exception: a body that is not a batch gives a {@link BatchError};
 * a bad reading gives a {@link Rejection} and the rest of the batch is kept. Exceptions escape only
 * for bugs. The NIK is replaced by its pseudonym here and goes no further.
 *
 * <p>Thread-safe and cheap to share: it holds only the immutable parser factory, limits and
 * pseudonymizer. No I/O.
 */
public final class BatchNormalizer {

    private static final int MAX_ID_LENGTH = 64;

    private final JsonFactory json;
    private final Pseudonymizer pseudonymizer;
    private final NormalizerLimits limits;

    public BatchNormalizer(Pseudonymizer pseudonymizer, NormalizerLimits limits) {
        this.pseudonymizer = pseudonymizer;
        this.limits = limits;
        this.json =
                JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(32)
                                        .maxStringLength(64 * 1024)
                                        .maxNumberLength(64)
                                        .build())
                        .build();
    }

    /** Normalizes one body; {@code nowMicros} is the server clock used for the time checks. */
    public NormalizedBatch normalize(byte[] body, long nowMicros) {
        return normalize(body, nowMicros, null);
    }

    /**
     * Normalizes one body sent by an authenticated source (a registered device, or an app with a
     * patient's token): a device's body may leave out {@code patient} and {@code device}, which
     * then come from the source (an app's body must name both), but may not name others ({@link
     * BatchError#PATIENT_MISMATCH}, {@link BatchError#DEVICE_MISMATCH}); the NIK is compared as its
     * pseudonym. The source's device (id, manufacturer, model) is what the readings are stored
     * under.
     */
    public NormalizedBatch normalize(byte[] body, long nowMicros, BatchSource source) {
        try (JsonParser p = json.createParser(body)) {
            return parseBatch(p, nowMicros, source);
        } catch (StreamConstraintsException e) {
            return NormalizedBatch.refused(
                    BatchError.MALFORMED_JSON,
                    "body exceeds a JSON limit (nesting, string or number length)");
        } catch (IOException e) {
            // JsonParseException and friends: report where, never what (the body may hold
            // identifiers).
            String where =
                    e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                                    && jpe.getLocation() != null
                            ? " at line "
                                    + jpe.getLocation().getLineNr()
                                    + ", column "
                                    + jpe.getLocation().getColumnNr()
                            : "";
            return NormalizedBatch.refused(
                    BatchError.MALFORMED_JSON, "body is not valid JSON" + where);
        }
    }

    private NormalizedBatch parseBatch(JsonParser p, long nowMicros, BatchSource source)
            throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            return NormalizedBatch.refused(BatchError.MALFORMED_JSON, "body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            return NormalizedBatch.refused(
                    BatchError.NOT_A_BATCH,
                    "body must be a JSON object with patient, device and readings");
        }
        BatchEnvelope envelope = new BatchEnvelope();
        NormalizedBatch refused = readEnvelope(p, nowMicros, envelope);
        if (refused != null) {
            return refused;
        }
        if (p.nextToken() != null) {
            return NormalizedBatch.refused(
                    BatchError.MALFORMED_JSON, "unexpected content after the batch object");
        }
        return checkEnvelope(envelope, source);
    }

    /**
     * Reads the batch object's fields into {@code e}, checking the readings on the way; returns a
     * refusal when {@code readings} is not an array, else null.
     */
    private NormalizedBatch readEnvelope(JsonParser p, long nowMicros, BatchEnvelope e)
            throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "patient" -> {
                    e.patientSeen = t != JsonToken.VALUE_NULL;
                    e.nik = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
                case "device" -> e.readDevice(p, t);
                case "readings" -> {
                    if (t != JsonToken.START_ARRAY) {
                        p.skipChildren();
                        if (t != JsonToken.VALUE_NULL) {
                            return NormalizedBatch.refused(
                                    BatchError.READINGS_MISSING, "readings must be an array");
                        }
                        continue;
                    }
                    e.readings = new ArrayList<>();
                    e.rejections = new ArrayList<>();
                    e.sources = new SourceIndexes();
                    e.tooMany = !parseReadings(p, nowMicros, e.readings, e.rejections, e.sources);
                }
                default -> p.skipChildren(); // fields may be added to the format
            }
        }
        return null;
    }

    /**
     * The batch, once its patient, device and readings are sound and agree with the source; a
     * refusal otherwise.
     */
    private NormalizedBatch checkEnvelope(BatchEnvelope e, BatchSource source) {
        if (!e.patientSeen && (source == null || source.device() == null)) {
            // only a device's own channel may leave the patient out; an app's batch always names it
            return NormalizedBatch.refused(
                    BatchError.PATIENT_MISSING,
                    "patient (the participant's 16-digit NIK) is required");
        }
        String patientId = source == null ? null : source.patientId();
        if (e.patientSeen) {
            if (e.nik == null || !Nik.isValid(e.nik)) {
                return NormalizedBatch.refused(
                        BatchError.PATIENT_INVALID, "patient must be a valid 16-digit NIK");
            }
            String named = pseudonymizer.patientId(e.nik);
            if (patientId != null && !patientId.equals(named)) {
                return NormalizedBatch.refused(
                        BatchError.PATIENT_MISMATCH,
                        "patient is not the one this sender may write for; leave it out or send that patient's NIK");
            }
            patientId = named;
        }
        if (e.deviceProblem != null) {
            return NormalizedBatch.refused(BatchError.DEVICE_INVALID, e.deviceProblem);
        }
        DeviceInfo device = e.device;
        if (source != null && source.device() != null) {
            if (device != null && !device.id().equals(source.device().id())) {
                return NormalizedBatch.refused(
                        BatchError.DEVICE_MISMATCH,
                        "device.id must be the id this device authenticated with");
            }
            device = source.device();
        }
        if (device == null) {
            return NormalizedBatch.refused(
                    BatchError.DEVICE_MISSING, "device with an id is required");
        }
        if (e.readings == null) {
            return NormalizedBatch.refused(
                    BatchError.READINGS_MISSING, "readings (an array) is required");
        }
        if (e.tooMany) {
            return NormalizedBatch.refused(
                    BatchError.TOO_MANY_READINGS,
                    "a batch holds at most " + limits.maxReadings() + " readings; split it");
        }
        return NormalizedBatch.accepted(
                patientId, device, e.readings, e.rejections, e.sources.toArray());
    }

    /** Returns false when the batch holds more readings than allowed. */
    private boolean parseReadings(
            JsonParser p,
            long nowMicros,
            List<NormalizedReading> out,
            List<Rejection> rejections,
            SourceIndexes sources)
            throws IOException {
        ReadingFields f = new ReadingFields();
        IsoTime clock = new IsoTime();
        ReadingChecker checker = new ReadingChecker(limits, nowMicros, out, rejections);
        int index = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
            if (index >= limits.maxReadings()) {
                p.skipChildren();
                // keep reading to the end so a malformed tail is still reported as malformed
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    p.skipChildren();
                }
                return false;
            }
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                rejections.add(
                        new Rejection(
                                index,
                                null,
                                RejectReason.NOT_AN_OBJECT,
                                "each reading must be a JSON object"));
                continue;
            }
            f.reset();
            ReadingFieldsReader.read(p, f, clock);
            int before = out.size();
            checker.check(index, f);
            sources.add(index, out.size() - before); // a series gives several readings of one index
        }
        return true;
    }

    static boolean isValidId(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '-'
                            || c == '.'
                            || c == '_'
                            || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}

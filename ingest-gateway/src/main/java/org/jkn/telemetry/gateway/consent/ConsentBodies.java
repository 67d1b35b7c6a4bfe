package org.jkn.telemetry.gateway.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.hl7.fhir.r4.model.Consent;

/**
 * Turns a request body into a HAPI {@link Consent}, or a {@link ConsentProblem}. Before HAPI sees
 * it, a streaming pass bounds nesting and string length, so a hostile body costs one linear scan
 * and never a deep recursion. HAPI then parses strictly: unknown elements, invalid values
 * (dates...) and another resource type are refused, not dropped. JSON only.
 *
 * <p>Thread-safe: the factory and context are; a parser is made per call.
 */
final class ConsentBodies {

    /** Largest Consent accepted; a real one is a few kilobytes. */
    static final int MAX_BYTES = 64 * 1024;

    static final int MAX_DEPTH = 24;

    private final FhirContext fhir;
    private final JsonFactory json =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_DEPTH)
                                    .maxStringLength(8 * 1024)
                                    .maxNumberLength(64)
                                    .build())
                    .build();

    ConsentBodies(FhirContext fhir) {
        this.fhir = fhir;
    }

    record Parsed(Consent consent, ConsentProblem problem) {}

    Parsed parse(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/fhir+json") && !type.startsWith("application/json")) {
            return new Parsed(
                    null, new ConsentProblem(415, "send the Consent as application/fhir+json"));
        }
        if (body.length > MAX_BYTES) {
            return new Parsed(
                    null, new ConsentProblem(413, "a Consent is at most " + MAX_BYTES + " bytes"));
        }
        try (JsonParser p = json.createParser(body)) {
            while (p.nextToken() != null) {
                // scan only: the constraints throw on excess
            }
        } catch (IOException e) {
            return new Parsed(
                    null,
                    ConsentProblem.malformed(
                            "the body is not JSON, or nests deeper than "
                                    + MAX_DEPTH
                                    + " levels or holds a string longer than 8192 characters"));
        }
        IParser parser = fhir.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        try {
            Consent c =
                    parser.parseResource(Consent.class, new String(body, StandardCharsets.UTF_8));
            return new Parsed(c, null);
        } catch (DataFormatException | ClassCastException | IllegalArgumentException e) {
            // HAPI's message may quote the body: say what is wrong in general, never what was sent
            return new Parsed(
                    null,
                    ConsentProblem.malformed(
                            "the body is not a valid FHIR R4 Consent: wrong resourceType, "
                                    + "an unknown element or an invalid value (a date, a code...)"));
        }
    }
}

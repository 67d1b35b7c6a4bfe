package org.jkn.telemetry.gateway.auth.dev;

import java.io.IOException;
import java.time.Clock;
import org.jkn.telemetry.gateway.config.DevKeys;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * {@code java -jar ingest-gateway.jar token patient <NIK> | clinician [Practitioner/id
 * [Organization/id]] | admin}: prints a development token signed with the key in the configured
 * data directory, the same one {@code GET /dev/token} hands out, for when the service is not
 * running or not reachable on loopback. Refused outside development mode (the prod profile, or a
 * configured JWKS).
 */
public final class DevTokenCommand {

    public static final String USAGE =
            "usage: token patient <NIK> | token clinician [Practitioner/{id} [Organization/{id}]] | token admin";

    private DevTokenCommand() {}

    /**
     * The token for these arguments (after {@code token}); throws IllegalArgumentException with a
     * message to show.
     */
    public static String run(String[] args, GatewayConfig config) throws IOException {
        if (config.production() || !config.auth().development()) {
            throw new IllegalArgumentException(
                    "development tokens exist only in the dev profile without a configured JWKS");
        }
        if (args.length == 0) {
            throw new IllegalArgumentException(USAGE);
        }
        DevTokens tokens =
                new DevTokens(
                        DevSigningKey.load(config.dataDir()),
                        config.auth().issuer(),
                        config.auth().audience(),
                        Clock.systemUTC());
        switch (args[0]) {
            case "patient" -> {
                if (args.length != 2 || !Nik.isValid(args[1])) {
                    throw new IllegalArgumentException("token patient <NIK>: a valid 16-digit NIK");
                }
                byte[] key =
                        config.pseudonymKey() != null
                                ? config.pseudonymKey()
                                : DevKeys.pseudonymKey(config.dataDir());
                return tokens.patient(
                        new Pseudonymizer(key).patientId(args[1]),
                        DevTokens.PATIENT_SCOPES,
                        DevTokens.DEFAULT_TTL);
            }
            case "clinician" -> {
                String fhirUser = args.length > 1 ? args[1] : "Practitioner/dev-practitioner";
                String organization = args.length > 2 ? args[2] : "Organization/dev-clinic";
                if (args.length > 3
                        || !fhirUser.matches(
                                "(Practitioner|PractitionerRole)/[A-Za-z0-9\\-.]{1,64}")
                        || !organization.matches("Organization/[A-Za-z0-9\\-.]{1,64}")) {
                    throw new IllegalArgumentException(
                            "token clinician [Practitioner/{id} [Organization/{id}]]");
                }
                return tokens.clinician(
                        fhirUser, organization, DevTokens.CLINICIAN_SCOPES, DevTokens.DEFAULT_TTL);
            }
            case "admin" -> {
                return tokens.admin(DevTokens.DEFAULT_TTL);
            }
            default -> throw new IllegalArgumentException(USAGE);
        }
    }
}

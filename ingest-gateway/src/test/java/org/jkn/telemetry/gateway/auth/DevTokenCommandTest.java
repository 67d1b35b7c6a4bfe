package org.jkn.telemetry.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevSigningKey;
import org.jkn.telemetry.gateway.auth.dev.DevTokenCommand;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar ingest-gateway.jar token ...}: the tokens it prints are the ones the dev service
 * trusts.
 */
class DevTokenCommandTest {

    @TempDir Path dir;

    private Principal verify(GatewayConfig config, String token) throws Exception {
        TokenVerifier v =
                new TokenVerifier(
                        KeySource.of(
                                Jwks.of(DevSigningKey.load(config.dataDir()).verificationKey())),
                        config.auth().issuer(),
                        config.auth().audience(),
                        config.auth().leeway(),
                        Clock.systemUTC());
        return v.verify(token).principal();
    }

    @Test
    void printsPatientClinicianAndAdminTokensTheDevServiceTrusts() throws Exception {
        GatewayConfig config = GatewayConfig.from(GatewayFixture.config(dir));
        Principal patient =
                verify(
                        config,
                        DevTokenCommand.run(new String[] {"patient", GatewayFixture.NIK}, config));
        assertEquals(Principal.Kind.PATIENT, patient.kind());
        assertEquals(
                GatewayFixture.PATIENT_ID,
                patient.patientId(),
                "the configured pseudonym key makes the patient id");
        assertTrue(patient.allows("patient", "Observation", 'c'));
        Principal clinician =
                verify(
                        config,
                        DevTokenCommand.run(
                                new String[] {"clinician", "Practitioner/9", "Organization/rs-1"},
                                config));
        assertEquals("Practitioner/9", clinician.fhirUser());
        assertEquals("Organization/rs-1", clinician.organization());
        assertEquals(
                Principal.Kind.ADMIN,
                verify(config, DevTokenCommand.run(new String[] {"admin"}, config)).kind());
        assertTrue(
                Files.exists(dir.resolve("keys").resolve(DevSigningKey.FILE)),
                "made on first use, as the service would");
    }

    @Test
    void refusesBadArgumentsAndAnyConfiguredJwks() throws Exception {
        GatewayConfig config = GatewayConfig.from(GatewayFixture.config(dir));
        for (String[] args :
                List.of(
                        new String[] {},
                        new String[] {"patient"},
                        new String[] {"patient", "1234"},
                        new String[] {"root"},
                        new String[] {"clinician", "Patient/1"})) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> DevTokenCommand.run(args, config),
                    String.join(" ", args));
        }
        Map<ConfigKey, String> c = GatewayFixture.config(dir);
        c.put(
                ConfigKey.AUTH_JWKS_FILE,
                TestKeys.writeJwks(dir.resolve("jwks.json"), List.of(TestKeys.ec("k"))).toString());
        c.put(ConfigKey.AUTH_ISSUER, TestKeys.ISSUER);
        c.put(ConfigKey.AUTH_AUDIENCE, TestKeys.AUDIENCE);
        GatewayConfig withJwks = GatewayConfig.from(c);
        assertThrows(
                IllegalArgumentException.class,
                () -> DevTokenCommand.run(new String[] {"admin"}, withJwks));
    }
}

package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /.well-known/smart-configuration}: open, and consistent with {@code /fhir/metadata}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmartConfigurationTest {

    private GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.sharedWithoutConsent("3171020101900205");
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private JsonObject configuration(String path) throws Exception {
        HttpResponse<String> r = gw.get(path, "application/json", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return new JsonObject(r.body());
    }

    @Test
    void openAtTheRootAndUnderTheFhirBaseAlike() throws Exception {
        JsonObject root = configuration("/.well-known/smart-configuration");
        assertEquals(root, configuration("/fhir/.well-known/smart-configuration"));
        assertEquals(DevTokens.ISSUER, root.getString("issuer"));
        JsonArray capabilities = root.getJsonArray("capabilities");
        assertTrue(capabilities.contains("permission-v2"));
        assertTrue(capabilities.contains("permission-patient"));
        assertTrue(capabilities.contains("permission-user"));
        assertFalse(root.containsKey("jwks_uri"), "no JWKS URL is configured here");
        assertFalse(root.containsKey("token_endpoint"), "nothing said that is not configured");
    }

    @Test
    void everyScopeTheCapabilityStatementNamesIsSupported() throws Exception {
        JsonObject metadata = new JsonObject(gw.get("/fhir/metadata", null, null).body());
        JsonObject security =
                metadata.getJsonArray("rest").getJsonObject(0).getJsonObject("security");
        assertEquals(
                "SMART-on-FHIR",
                security.getJsonArray("service")
                        .getJsonObject(0)
                        .getJsonArray("coding")
                        .getJsonObject(0)
                        .getString("code"));
        List<String> named = new ArrayList<>();
        Matcher m =
                Pattern.compile("(patient|user)/[A-Za-z]+\\.[a-z]+")
                        .matcher(security.getString("description"));
        while (m.find()) {
            named.add(m.group());
        }
        assertFalse(named.isEmpty());
        JsonArray supported =
                configuration("/.well-known/smart-configuration").getJsonArray("scopes_supported");
        for (String scope : named) {
            assertTrue(supported.contains(scope), scope);
        }
    }

    @Test
    void theCapabilityStatementListsTheExportOperations() throws Exception {
        String metadata = gw.get("/fhir/metadata", null, null).body();
        assertTrue(
                metadata.contains(
                        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"));
        assertTrue(
                metadata.contains(
                        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"));
    }
}

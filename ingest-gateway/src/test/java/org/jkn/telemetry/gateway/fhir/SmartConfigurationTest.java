package org.jkn.telemetry.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

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
    void theIdentityProvidersEndpointsAreListedAlikeInBothDocumentsOnceConfigured(@TempDir Path dir)
            throws Exception {
        Map<ConfigKey, String> config = GatewayFixture.config(dir);
        config.put(ConfigKey.AUTH_AUTHORIZATION_ENDPOINT, "https://idp.example/oauth2/authorize");
        config.put(ConfigKey.AUTH_TOKEN_ENDPOINT, "https://idp.example/oauth2/token");
        config.put(ConfigKey.AUTH_GRANT_TYPES, "authorization_code, client_credentials");
        try (GatewayFixture configured = GatewayFixture.startWithoutConsent(config)) {
            HttpResponse<String> r =
                    configured.get("/.well-known/smart-configuration", "application/json", null);
            assertEquals(200, r.statusCode(), r.body());
            JsonObject smart = new JsonObject(r.body());
            assertEquals(
                    "https://idp.example/oauth2/authorize",
                    smart.getString("authorization_endpoint"));
            assertEquals("https://idp.example/oauth2/token", smart.getString("token_endpoint"));
            assertEquals(
                    new JsonArray(List.of("authorization_code", "client_credentials")),
                    smart.getJsonArray("grant_types_supported"));
            assertEquals(
                    new JsonArray(List.of("S256")),
                    smart.getJsonArray("code_challenge_methods_supported"));

            JsonObject security =
                    new JsonObject(configured.get("/fhir/metadata", null, null).body())
                            .getJsonArray("rest")
                            .getJsonObject(0)
                            .getJsonObject("security");
            JsonObject uris = security.getJsonArray("extension").getJsonObject(0);
            assertEquals(
                    "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    uris.getString("url"));
            Map<String, String> listed = new HashMap<>();
            for (Object o : uris.getJsonArray("extension")) {
                JsonObject e = (JsonObject) o;
                listed.put(e.getString("url"), e.getString("valueUri"));
            }
            assertEquals(
                    Map.of(
                            "authorize", smart.getString("authorization_endpoint"),
                            "token", smart.getString("token_endpoint")),
                    listed,
                    "the CapabilityStatement names the endpoints the SMART document names");
        }
    }

    @Test
    void withoutConfiguredEndpointsTheCapabilityStatementClaimsNone() throws Exception {
        JsonObject security =
                new JsonObject(gw.get("/fhir/metadata", null, null).body())
                        .getJsonArray("rest")
                        .getJsonObject(0)
                        .getJsonObject("security");
        assertFalse(security.containsKey("extension"), security.encode());
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

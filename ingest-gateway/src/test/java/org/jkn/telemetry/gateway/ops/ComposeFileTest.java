package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * The compose stack and the image configure the gateway with keys it knows, give each instance what
 * the {@code prod} profile refuses to start without, and run it with the JVM flags Chronicle needs.
 * compose.yaml is read line by line: it keeps each setting on a line of its own ({@code KEY:
 * value}) and each gateway's environment written out in full (no anchors).
 */
class ComposeFileTest {

    private static final Pattern SERVICE = Pattern.compile("^  ([a-z0-9-]+):\\s*$");
    private static final Pattern SETTING =
            Pattern.compile("^\\s+(TELEMETRY_[A-Z0-9_]+):\\s*(.*?)\\s*$");
    private static final Pattern ENV_FILE_LINE = Pattern.compile("^(TELEMETRY_[A-Z0-9_]+)=.*$");
    private static final Set<String> KNOWN =
            Stream.of(ConfigKey.values()).map(ConfigKey::envName).collect(Collectors.toSet());

    @Test
    void everyVariableSetIsAConfigurationKey() throws IOException {
        for (String line : Files.readAllLines(DockerDirectory.resolve("compose.yaml"))) {
            Matcher m = SETTING.matcher(line);
            if (m.matches()) {
                assertTrue(KNOWN.contains(m.group(1)), () -> "compose.yaml: unknown " + m.group(1));
            }
        }
        for (String line : Files.readAllLines(DockerDirectory.resolve(".env.example"))) {
            Matcher m = ENV_FILE_LINE.matcher(line);
            if (m.matches()) {
                assertTrue(KNOWN.contains(m.group(1)), () -> ".env.example: unknown " + m.group(1));
            }
        }
    }

    @Test
    void everyGatewayHasWhatProductionRequires() throws IOException {
        Map<String, Map<String, String>> gateways = gatewayEnvironments();
        assertEquals(2, gateways.size(), () -> "gateway services: " + gateways.keySet());
        Set<String> clientIds = new HashSet<>();
        for (Map.Entry<String, Map<String, String>> g : gateways.entrySet()) {
            Map<String, String> env = g.getValue();
            String service = g.getKey();
            assertEquals("prod", env.get(ConfigKey.PROFILE.envName()), service);
            // a JWKS file or a JWKS URL, never both (GatewayConfig refuses both)
            Set<ConfigKey> jwks = EnumSet.of(ConfigKey.AUTH_JWKS_FILE, ConfigKey.AUTH_JWKS_URL);
            jwks.removeIf(k -> !env.containsKey(k.envName()));
            assertEquals(1, jwks.size(), () -> service + ": JWKS keys " + jwks);
            for (ConfigKey k : ConfigKey.values()) {
                if (k.tier() == ConfigKey.Tier.REQUIRED_IN_PROD
                        && k != ConfigKey.AUTH_JWKS_FILE
                        && k != ConfigKey.AUTH_JWKS_URL) {
                    String value = env.get(k.envName());
                    assertTrue(
                            value != null && !value.isEmpty(),
                            () -> service + " does not set " + k.envName());
                }
            }
            String url = env.get(ConfigKey.MQTT_BROKER_URL.envName());
            assertTrue(url != null && !url.isEmpty(), () -> service + ": not in broker mode");
            String clientId = env.get(ConfigKey.MQTT_BROKER_CLIENT_ID.envName());
            assertTrue(
                    clientId != null && clientIds.add(clientId),
                    () -> service + ": broker client id missing or shared: " + clientId);
        }
    }

    @Test
    void imageRunsWithTheChronicleFlagsOfTheBuild() throws IOException {
        String pom = Files.readString(DockerDirectory.repositoryRoot().resolve("pom.xml"));
        Matcher m = Pattern.compile("<chronicle.jvm.args>(.*?)</chronicle.jvm.args>").matcher(pom);
        assertTrue(m.find(), "pom.xml has no chronicle.jvm.args");
        String flags = m.group(1).trim();
        assertTrue(flags.contains("-Dchronicle.analytics.disable=true"), flags);
        String dockerfile = Files.readString(DockerDirectory.resolve("Dockerfile"));
        assertTrue(
                dockerfile.contains("CHRONICLE_JVM_ARGS=\"" + flags + "\""),
                "docker/Dockerfile's CHRONICLE_JVM_ARGS differ from pom.xml's chronicle.jvm.args");
    }

    /** Each service that sets a TELEMETRY_ variable, with the variables it sets. */
    private static Map<String, Map<String, String>> gatewayEnvironments() throws IOException {
        Map<String, Map<String, String>> services = new LinkedHashMap<>();
        List<String> lines =
                new ArrayList<>(Files.readAllLines(DockerDirectory.resolve("compose.yaml")));
        boolean inServices = false;
        String service = null;
        for (String line : lines) {
            if (!line.isEmpty()
                    && !Character.isWhitespace(line.charAt(0))
                    && !line.startsWith("#")) {
                inServices = line.startsWith("services:");
                service = null;
                continue;
            }
            Matcher s = SERVICE.matcher(line);
            if (inServices && s.matches()) {
                service = s.group(1);
                continue;
            }
            Matcher m = SETTING.matcher(line);
            if (service != null && m.matches()) {
                services.computeIfAbsent(service, k -> new LinkedHashMap<>())
                        .put(m.group(1), unquoted(m.group(2)));
            }
        }
        return services;
    }

    private static String unquoted(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}

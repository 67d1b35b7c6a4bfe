package org.jkn.telemetry.gateway.mqtt.bridge;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Settings of the subscription to an external MQTT 5 broker, validated eagerly.
 *
 * @param brokerUrl {@code tcp://host:port} or {@code ssl://host:port}
 * @param clientId this instance's client id at the broker: stable across restarts, so the broker
 *     keeps its persistent session (and what it had not acknowledged) for it, and unique per
 *     instance, since a second connection with the same id takes the session over
 * @param shareGroup the shared-subscription group; instances in one group share the devices' topics
 * @param username user name at the broker, or null
 * @param password password at the broker, or null
 */
public record BrokerBridgeConfig(
        String brokerUrl, String clientId, String shareGroup, String username, String password) {

    private static final Set<String> SCHEMES = Set.of("tcp", "ssl");

    public BrokerBridgeConfig {
        URI uri;
        try {
            uri = new URI(brokerUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("broker URL must look like tcp://host:1883");
        }
        if (uri.getScheme() == null
                || !SCHEMES.contains(uri.getScheme())
                || uri.getHost() == null
                || uri.getUserInfo() != null) {
            // credentials belong in the username and password keys, never in a URL that may be
            // logged
            throw new IllegalArgumentException(
                    "broker URL must be tcp://host:port or ssl://host:port, without credentials");
        }
        if (clientId == null || clientId.isEmpty() || clientId.length() > 128) {
            throw new IllegalArgumentException(
                    "broker client id is required (1-128 characters), unique and stable per instance");
        }
        // MQTT 5 §4.8.2: a ShareName must not contain '/', '+' or '#'
        if (shareGroup == null
                || shareGroup.isEmpty()
                || shareGroup.chars().anyMatch(c -> c == '/' || c == '+' || c == '#')) {
            throw new IllegalArgumentException(
                    "broker share group must be non-empty without '/', '+' or '#'");
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("broker password given without a username");
        }
    }

    /** The subscription every instance of the group makes. */
    public String sharedTopicFilter() {
        return "$share/" + shareGroup + "/devices/+/readings";
    }

    /** Redacted: the password never reaches a log or an exception message. */
    @Override
    public String toString() {
        return "BrokerBridgeConfig[" + brokerUrl + ", group " + shareGroup + "]";
    }
}

package org.jkn.telemetry.gateway.auth;

import java.net.URI;
import java.util.List;

/**
 * Where clients get their tokens: the identity provider's OAuth 2 endpoints, which this server (a
 * resource server) only publishes, in {@code /.well-known/smart-configuration} and in the
 * CapabilityStatement's security section (SMART App Launch v2 §Metadata; the {@code oauth-uris}
 * extension). Absent endpoints are left out of both rather than guessed.
 *
 * @param authorize the authorization endpoint, or null
 * @param token the token endpoint, or null
 * @param grantTypes the grant types the token endpoint supports, published with it
 */
public record OAuthEndpoints(URI authorize, URI token, List<String> grantTypes) {

    /** None configured: the development profile, or a provider found through its issuer. */
    public static final OAuthEndpoints NONE = new OAuthEndpoints(null, null, List.of());

    public OAuthEndpoints {
        grantTypes = List.copyOf(grantTypes);
        if (authorize != null && token == null) {
            throw new IllegalArgumentException("an authorization endpoint needs a token endpoint");
        }
    }
}

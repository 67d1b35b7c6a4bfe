package org.jkn.telemetry.gateway.auth;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Authenticates every request of the routes it is mounted on: reads {@code Authorization: Bearer},
 * verifies the token and puts the {@link Principal} into the context ({@link Principal#CONTEXT_KEY}),
 * or answers 401. It runs before any body is read, so an unauthenticated upload costs no buffering.
 *
 * <p>Verification runs on the event loop (keys are in memory, a verification costs microseconds);
 * only a token naming a {@code kid} the key source does not hold, when the source may be
 * refreshed, goes to a worker thread for the fetch and is verified again after it.
 */
public final class AuthHandler implements Handler<RoutingContext> {

    private final Vertx vertx;
    private final TokenVerifier verifier;
    private final AuthResponses responses;

    public AuthHandler(Vertx vertx, TokenVerifier verifier, AuthResponses responses) {
        this.vertx = vertx;
        this.verifier = verifier;
        this.responses = responses;
    }

    @Override
    public void handle(RoutingContext ctx) {
        List<String> headers = ctx.request().headers().getAll("Authorization");
        if (headers.isEmpty()) {
            responses.missing(ctx);
            return;
        }
        String token = headers.size() == 1 ? bearer(headers.get(0)) : null;
        if (token == null) {
            // another scheme, several headers, or "Bearer" with nothing usable after it
            responses.invalid(ctx, TokenError.MALFORMED);
            return;
        }
        // fast path: the key is known
        TokenVerifier.Result r = verifier.verify(token);
        if (r.error() == TokenError.KID_UNKNOWN && verifier.keys().canRefresh()) {
            refreshThenVerify(ctx, token);
            return;
        }
        finish(ctx, r);
    }

    private void refreshThenVerify(RoutingContext ctx, String token) {
        vertx.executeBlocking(() -> verifier.keys().refresh(), false).onComplete(ar -> {
            TokenVerifier.Result again = verifier.verify(token);
            boolean unreachable = ar.failed() && again.error() == TokenError.KID_UNKNOWN;
            finish(ctx, unreachable ? TokenVerifier.Result.fail(TokenError.KEYS_UNAVAILABLE) : again);
        });
    }

    private void finish(RoutingContext ctx, TokenVerifier.Result r) {
        if (r.principal() == null) {
            responses.invalid(ctx, r.error());
            return;
        }
        ctx.put(Principal.CONTEXT_KEY, r.principal());
        ctx.next();
    }

    /** The token of a {@code Bearer} credential (scheme case-insensitive, RFC 6750 §2.1), or null. */
    static String bearer(String header) {
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() || token.length() > TokenVerifier.MAX_TOKEN_CHARS ? null : token;
    }
}

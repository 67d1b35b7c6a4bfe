package org.jkn.telemetry.gateway.auth;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every request of the routes it is mounted on: reads {@code Authorization: Bearer},
 * verifies the token and puts the {@link Principal} into the context ({@link
 * Principal#CONTEXT_KEY}), or answers 401. It runs before any body is read, so an unauthenticated
 * upload costs no buffering.
 *
 * <p>A token verified before is answered on the event loop from the verifier's cache (a map
 * lookup). A token seen for the first time is verified on a worker thread: an ES256 verification
 * can take milliseconds on a busy core, and a flood of forged tokens must not stall the event loop
 * that serves everyone else. A {@code kid} the key source does not hold makes that worker refetch
 * the JWKS (when allowed) and verify again.
 *
 * <p>At most {@code maxVerifications} such workers run at once (by default twice the cores). A
 * token that finds them all busy is answered {@code 503} {@code auth-busy} with Retry-After at
 * once, unverified: a flood of fresh (forged) tokens then costs bounded CPU and leaves the worker
 * pool to the database work of everyone else, while tokens verified before go on passing from the
 * cache. Limiting per client address was left out on purpose: behind carrier-grade NAT, common on
 * mobile networks, one address is many patients.
 */
public final class AuthHandler implements Handler<RoutingContext> {

    private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);

    private final Vertx vertx;
    private final TokenVerifier verifier;
    private final AuthResponses responses;
    private final Semaphore verifications;

    public AuthHandler(Vertx vertx, TokenVerifier verifier, AuthResponses responses) {
        this(
                vertx,
                verifier,
                responses,
                Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
    }

    AuthHandler(
            Vertx vertx, TokenVerifier verifier, AuthResponses responses, int maxVerifications) {
        this.vertx = vertx;
        this.verifier = verifier;
        this.responses = responses;
        this.verifications = new Semaphore(maxVerifications);
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
        // fast path: the same token verified before (an app sends its token with every request)
        Principal known = verifier.cached(token);
        if (known != null) {
            ctx.put(Principal.CONTEXT_KEY, known);
            ctx.next();
            return;
        }
        if (!verifications.tryAcquire()) {
            responses.busy(ctx);
            return;
        }
        // the body must wait for the verdict: nothing may arrive (and be lost) before the body
        // handler is in place
        ctx.request().pause();
        vertx.executeBlocking(() -> verifyInFull(token), false)
                .onComplete(
                        ar -> {
                            verifications.release();
                            if (ar.failed()) {
                                log.error(
                                        "token verification failed unexpectedly: {}",
                                        ar.cause().getClass().getName()); // never the token
                            }
                            finish(
                                    ctx,
                                    ar.succeeded()
                                            ? ar.result()
                                            : TokenVerifier.Result.fail(TokenError.MALFORMED));
                        });
    }

    /**
     * On a worker thread: a signature verification, and for an unknown kid perhaps a JWKS fetch.
     */
    private TokenVerifier.Result verifyInFull(String token) {
        TokenVerifier.Result r = verifier.verify(token);
        if (r.error() != TokenError.KID_UNKNOWN || !verifier.keys().canRefresh()) {
            return r;
        }
        try {
            verifier.keys().refresh();
        } catch (IOException e) {
            TokenVerifier.Result again = verifier.verify(token);
            return again.error() == TokenError.KID_UNKNOWN
                    ? TokenVerifier.Result.fail(TokenError.KEYS_UNAVAILABLE)
                    : again;
        }
        return verifier.verify(token);
    }

    private void finish(RoutingContext ctx, TokenVerifier.Result r) {
        if (r.principal() == null) {
            responses.invalid(ctx, r.error());
        } else {
            ctx.put(Principal.CONTEXT_KEY, r.principal());
            ctx.next(); // installs the body handler, if the route has one, before the body
            // flows again
        }
        ctx.request().resume();
    }

    /**
     * The token of a {@code Bearer} credential (scheme case-insensitive, RFC 6750 §2.1), or null.
     */
    static String bearer(String header) {
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() || token.length() > TokenVerifier.MAX_TOKEN_CHARS ? null : token;
    }
}

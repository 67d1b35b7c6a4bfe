package org.jkn.telemetry.gateway.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.Scopes;
import org.jkn.telemetry.gateway.http.JsonErrors;
import org.jkn.telemetry.store.journal.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's view of the dead letters (admin tokens only): where and why each record was
 * refused, never whose it is or what it holds.
 *
 * <ul>
 *   <li>{@code GET /v1/admin/dead-letters?after={id}&count={n}}: a page, oldest first, with the
 *       totals;
 *   <li>{@code POST /v1/admin/dead-letters/{id}/replay}: stores it again after a fix (200), or says
 *       it is still refused (409, counted again);
 *   <li>{@code DELETE /v1/admin/dead-letters/{id}} and {@code DELETE /v1/admin/dead-letters}: purge
 *       one or all.
 * </ul>
 */
public final class DeadLettersHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLettersHandler.class);
    private static final String PATH = "/v1/admin/dead-letters";
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1_000;

    private final Vertx vertx;
    private final DeadLetters letters;
    private final AuthResponses auth;

    public DeadLettersHandler(Vertx vertx, DeadLetters letters, AuthResponses auth) {
        this.vertx = vertx;
        this.letters = letters;
        this.auth = auth;
    }

    public void mount(Router router) {
        router.get(PATH).handler(this::list);
        router.delete(PATH).handler(this::purgeAll);
        router.post(PATH + "/:id/replay").handler(this::replay);
        router.delete(PATH + "/:id").handler(this::purge);
    }

    private void list(RoutingContext ctx) {
        if (!admin(ctx)) {
            return;
        }
        Long after = number(ctx.request().getParam("after"), 0, Long.MAX_VALUE);
        Long count = number(ctx.request().getParam("count"), 1, MAX_PAGE);
        if (after == null || count == null) {
            JsonErrors.send(
                    ctx.response(),
                    400,
                    "bad-parameter",
                    "after is a dead letter id (0 or more), count 1-" + MAX_PAGE);
            return;
        }
        int limit = ctx.request().getParam("count") == null ? DEFAULT_PAGE : count.intValue();
        long from = ctx.request().getParam("after") == null ? 0 : after;
        blocking(
                ctx,
                () -> {
                    List<DeadLetters.Entry> page = letters.list(from, limit);
                    long[] totals = letters.totals();
                    JsonArray items = new JsonArray();
                    for (DeadLetters.Entry e : page) {
                        items.add(
                                new JsonObject()
                                        .put("id", e.id())
                                        .put("journal", e.journalId())
                                        .put("journalIndex", Long.toHexString(e.journalIndex()))
                                        .put("reason", e.reason())
                                        .put("sqlState", e.sqlState())
                                        .put("readings", e.readings())
                                        .put("replayable", e.kept())
                                        .put("timesSeen", e.timesSeen())
                                        .put("firstSeen", e.firstSeen().toString())
                                        .put("lastSeen", e.lastSeen().toString()));
                    }
                    return new JsonObject()
                            .put("records", totals[0])
                            .put("readings", totals[1])
                            .put("deadLetters", items);
                },
                200);
    }

    private void replay(RoutingContext ctx) {
        Long id = admin(ctx) ? idOf(ctx) : null;
        if (id == null) {
            return;
        }
        vertx.executeBlocking(() -> letters.replay(id), false)
                .onSuccess(
                        outcome -> {
                            switch (outcome) {
                                case STORED ->
                                        json(ctx, 200, new JsonObject().put("outcome", "stored"));
                                case REFUSED ->
                                        JsonErrors.send(
                                                ctx.response(),
                                                409,
                                                "still-refused",
                                                "the database refused it again; see its reason");
                                case NOT_KEPT ->
                                        JsonErrors.send(
                                                ctx.response(),
                                                409,
                                                "not-replayable",
                                                "the record of an early journal version was not kept; purge it");
                                case NOT_FOUND -> notFound(ctx);
                            }
                        })
                .onFailure(e -> unavailable(ctx, e));
    }

    private void purge(RoutingContext ctx) {
        Long id = admin(ctx) ? idOf(ctx) : null;
        if (id == null) {
            return;
        }
        vertx.executeBlocking(() -> letters.purge(id), false)
                .onSuccess(
                        purged -> {
                            if (purged) {
                                ctx.response().setStatusCode(204).end();
                            } else {
                                notFound(ctx);
                            }
                        })
                .onFailure(e -> unavailable(ctx, e));
    }

    private void purgeAll(RoutingContext ctx) {
        if (!admin(ctx)) {
            return;
        }
        blocking(ctx, () -> new JsonObject().put("purged", letters.purgeAll()), 200);
    }

    private boolean admin(RoutingContext ctx) {
        Principal p = Principal.of(ctx);
        if (p == null || !p.isAdmin()) {
            auth.insufficientScope(ctx, Scopes.ADMIN);
            return false;
        }
        return true;
    }

    private static Long idOf(RoutingContext ctx) {
        Long id = number(ctx.pathParam("id"), 1, Long.MAX_VALUE);
        if (id == null) {
            notFound(ctx);
        }
        return id;
    }

    /** A decimal number within bounds; null when absent-and-invalid or out of bounds. */
    private static Long number(String text, long min, long max) {
        if (text == null) {
            return min;
        }
        if (text.isEmpty() || text.length() > 19) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return null;
            }
        }
        try {
            long v = Long.parseLong(text);
            return v < min || v > max ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private interface Work {
        JsonObject run() throws Exception;
    }

    private void blocking(RoutingContext ctx, Work work, int status) {
        vertx.executeBlocking(work::run, false)
                .onSuccess(body -> json(ctx, status, body))
                .onFailure(e -> unavailable(ctx, e));
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    private static void notFound(RoutingContext ctx) {
        JsonErrors.send(ctx.response(), 404, "not-found", "no dead letter has that id");
    }

    private static void unavailable(RoutingContext ctx, Throwable e) {
        // the class only: database messages can quote row contents
        log.warn("dead letter request failed ({})", e.getClass().getSimpleName());
        JsonErrors.send(
                ctx.response(), 503, "database-unavailable", "the database did not answer; retry");
    }
}

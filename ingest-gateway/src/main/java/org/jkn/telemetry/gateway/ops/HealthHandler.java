package org.jkn.telemetry.gateway.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;

/**
 * {@code GET /health}: 200 when the database answers and the drainer is writing, 503 otherwise,
 * with one status per check. {@code GET /health/live} only says the process serves HTTP.
 */
public final class HealthHandler {

    private final Vertx vertx;
    private final Database database;
    private final JournalDrainer drainer;
    private final Journal journal;

    public HealthHandler(Vertx vertx, Database database, JournalDrainer drainer, Journal journal) {
        this.vertx = vertx;
        this.database = database;
        this.drainer = drainer;
        this.journal = journal;
    }

    public void live(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "UP").encode());
    }

    public void health(RoutingContext ctx) {
        vertx.executeBlocking(() -> database.isReachable(2), false)
                .onComplete(
                        ar -> {
                            boolean db = ar.succeeded() && ar.result();
                            boolean writer = drainer.isHealthy();
                            boolean up = db && writer;
                            JsonObject body =
                                    new JsonObject()
                                            .put("status", up ? "UP" : "DOWN")
                                            .put(
                                                    "checks",
                                                    new JsonObject()
                                                            .put("database", db ? "UP" : "DOWN")
                                                            .put(
                                                                    "journalWriter",
                                                                    writer ? "UP" : "DOWN"))
                                            .put(
                                                    "storage",
                                                    database.mode()
                                                            .name()
                                                            .toLowerCase(java.util.Locale.ROOT))
                                            .put("journalLagReadings", journal.pendingReadings());
                            ctx.response()
                                    .setStatusCode(up ? 200 : 503)
                                    .putHeader("Content-Type", "application/json")
                                    .end(body.encode());
                        });
    }
}

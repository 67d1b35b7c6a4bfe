package org.jkn.telemetry.gateway.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Error bodies of the ingest API: {@code {"error": {"code": "...", "message": "..."}}}. Never a
 * stack trace.
 */
public final class JsonErrors {

    private JsonErrors() {}

    public static void send(HttpServerResponse response, int status, String code, String message) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(
                        new JsonObject()
                                .put(
                                        "error",
                                        new JsonObject().put("code", code).put("message", message))
                                .encode());
    }
}

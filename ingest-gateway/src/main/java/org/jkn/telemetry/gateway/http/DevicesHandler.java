package org.jkn.telemetry.gateway.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.sql.SQLException;
import java.util.Locale;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.auth.Scopes;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.device.DeviceCredentials;
import org.jkn.telemetry.store.device.DeviceIds;
import org.jkn.telemetry.store.device.DeviceRegistration;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.device.RegistryBusyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/devices} registers a device for a patient and answers {@code 201} with its id and
 * secret, shown this once; {@code DELETE /v1/devices/{id}} revokes it at once ({@code 204}, or
 * {@code 404} when there is no such device). The NIK is pseudonymised here and goes no further.
 *
 * <p>Who may: an admin token ({@code telemetry.admin}) for any patient; a patient token with {@code
 * patient/Observation.c} for the patient's own devices only (pairing a watch from the app). A
 * device only ever uploads Observations for its patient, which that scope already allows the
 * patient to do, so registering one grants nothing new; revoking only takes away. A patient
 * revoking another patient's device gets the same 404 as for a device that does not exist. Anything
 * else is 403 {@code insufficient-scope}, or {@code patient-mismatch} for a patient token
 * registering for another NIK.
 *
 * <p>Hashing the secret and the database work run on a worker thread. Errors are {@code {"error":
 * {"code", "message"}}}: {@code malformed-json}, {@code not-an-object}, {@code patient-missing},
 * {@code patient-invalid}, {@code manufacturer-invalid}, {@code model-invalid}, {@code
 * serial-invalid} (400); {@code device-unknown} (404); {@code registry-busy} (503, retry); {@code
 * internal-error} (500).
 */
public final class DevicesHandler {

    /** A registration is four short strings; anything bigger is not one. */
    public static final int MAX_BODY_BYTES = 4096;

    private static final int MAX_TEXT_LENGTH = 128;
    private static final Logger log = LoggerFactory.getLogger(DevicesHandler.class);

    private final Vertx vertx;
    private final DeviceRegistry registry;
    private final Pseudonymizer pseudonymizer;
    private final AuthResponses auth;

    public DevicesHandler(
            Vertx vertx, DeviceRegistry registry, Pseudonymizer pseudonymizer, AuthResponses auth) {
        this.vertx = vertx;
        this.registry = registry;
        this.pseudonymizer = pseudonymizer;
        this.auth = auth;
    }

    public void mount(Router router) {
        router.post("/v1/devices")
                .handler(this::requireScope); // a route of its own: a body handler must come
        // first in one
        router.post("/v1/devices")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::register);
        router.delete("/v1/devices/:id").handler(this::requireScope).handler(this::revoke);
    }

    /** Admin, or a patient who may upload; before the body is read. */
    private void requireScope(RoutingContext ctx) {
        Principal p = Principal.of(ctx);
        if (p != null
                && (p.isAdmin()
                        || (p.kind() == Principal.Kind.PATIENT
                                && p.allows("patient", "Observation", 'c')))) {
            ctx.next();
            return;
        }
        auth.insufficientScope(
                ctx, Scopes.ADMIN + ", or patient/Observation.c for the patient's own devices");
    }

    private void register(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            JsonErrors.send(
                    ctx.response(),
                    415,
                    "unsupported-media-type",
                    "send the registration as application/json");
            return;
        }
        JsonObject o = registrationObject(ctx);
        if (o == null || !hasValidFields(ctx, o)) {
            return;
        }
        String patientId = pseudonymizer.patientId(o.getString("patient"));
        Principal principal = Principal.of(ctx);
        if (!principal.isAdmin() && !principal.isPatient(patientId)) {
            auth.forbidden(
                    ctx,
                    RefusalCode.PATIENT_MISMATCH,
                    "a patient token registers devices only for its own patient");
            return;
        }
        DeviceRegistration registration =
                new DeviceRegistration(
                        patientId,
                        o.getString("manufacturer"),
                        o.getString("model"),
                        o.getString("serial"));
        vertx.executeBlocking(() -> registry.register(registration), false)
                .onComplete(ar -> answerRegistration(ctx, ar));
    }

    /** The body as a JSON object; null once the 400 saying why it is not one has been sent. */
    private static JsonObject registrationObject(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        Object parsed;
        try {
            parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
        } catch (DecodeException e) {
            parsed = e;
        }
        if (parsed == null || parsed instanceof DecodeException) {
            JsonErrors.send(ctx.response(), 400, "malformed-json", "the body is not valid JSON");
            return null;
        }
        if (!(parsed instanceof JsonObject o)) {
            JsonErrors.send(
                    ctx.response(),
                    400,
                    "not-an-object",
                    "send {\"patient\": NIK, \"manufacturer\": ..., \"model\": ..., \"serial\": ...}");
            return null;
        }
        return o;
    }

    /**
     * Whether the patient's NIK and the device's fields are valid; if not, sends the 400 saying
     * which.
     */
    private static boolean hasValidFields(RoutingContext ctx, JsonObject o) {
        Object patient = o.getValue("patient");
        if (patient == null) {
            JsonErrors.send(
                    ctx.response(),
                    400,
                    "patient-missing",
                    "patient (the participant's 16-digit NIK) is required");
            return false;
        }
        if (!(patient instanceof String nik) || !Nik.isValid(nik)) {
            JsonErrors.send(
                    ctx.response(), 400, "patient-invalid", "patient must be a valid 16-digit NIK");
            return false;
        }
        for (String field : new String[] {"manufacturer", "model", "serial"}) {
            if (!isShortPrintable(o.getValue(field))) {
                JsonErrors.send(
                        ctx.response(),
                        400,
                        field + "-invalid",
                        field + " is required: 1-" + MAX_TEXT_LENGTH + " printable characters");
                return false;
            }
        }
        return true;
    }

    private static void answerRegistration(RoutingContext ctx, AsyncResult<DeviceCredentials> ar) {
        if (ar.succeeded()) {
            ctx.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Location", "/v1/devices/" + ar.result().deviceId())
                    .end(
                            new JsonObject()
                                    .put("id", ar.result().deviceId())
                                    .put("secret", ar.result().secret())
                                    .encode());
        } else if (ar.cause() instanceof RegistryBusyException) {
            ctx.response().putHeader("Retry-After", "1");
            JsonErrors.send(
                    ctx.response(),
                    503,
                    "registry-busy",
                    "too many registrations at once; nothing was registered, retry");
        } else {
            log.error("device registration failed: {}", reason(ar.cause()));
            JsonErrors.send(
                    ctx.response(),
                    500,
                    "internal-error",
                    "the device could not be registered; retry later");
        }
    }

    private void revoke(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!DeviceIds.isPlausible(id)) {
            JsonErrors.send(
                    ctx.response(), 404, "device-unknown", "there is no device with this id");
            return;
        }
        Principal principal = Principal.of(ctx);
        vertx.executeBlocking(
                        () -> {
                            if (!principal.isAdmin()
                                    && !principal.patientId().equals(registry.patientOf(id))) {
                                return false; // not this patient's device: answered as if it did
                                // not exist
                            }
                            return registry.revoke(id);
                        },
                        false)
                .onComplete(
                        ar -> {
                            if (ar.failed()) {
                                log.error("device revocation failed: {}", reason(ar.cause()));
                                JsonErrors.send(
                                        ctx.response(),
                                        500,
                                        "internal-error",
                                        "the device could not be revoked; retry");
                            } else if (ar.result()) {
                                ctx.response().setStatusCode(204).end();
                            } else {
                                JsonErrors.send(
                                        ctx.response(),
                                        404,
                                        "device-unknown",
                                        "there is no device with this id");
                            }
                        });
    }

    private static boolean isShortPrintable(Object v) {
        if (!(v instanceof String s) || s.isEmpty() || s.length() > MAX_TEXT_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What may be logged about a failure: its type and SQLSTATE, never a message that could quote
     * values.
     */
    private static String reason(Throwable t) {
        return t instanceof SQLException sql
                ? "SQLSTATE " + sql.getSQLState()
                : t.getClass().getSimpleName();
    }
}

/**
 * The pieces {@link org.jkn.telemetry.gateway.Gateway} is composed of, one per part of the service:
 * storage, ingest, HTTP routes and listeners, MQTT, background jobs. Each piece opens what it owns
 * in a fixed order and says what it closes; the gateway alone decides the order between pieces, at
 * start and at close. Public only so the gateway can reach them: nothing else uses them.
 */
package org.jkn.telemetry.gateway.wiring;

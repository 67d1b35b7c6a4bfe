package org.jkn.telemetry.gateway.mqtt.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live sessions by device: enforces the per-device connection limit and session takeover. A client
 * id names a session within its device only, so one device can never take over another's.
 *
 * <p>Thread-safe (listeners on different event loops and revocations from HTTP threads use it);
 * every method holds the lock briefly and never calls out while holding it.
 */
final class SessionTable {

    /** Outcome of {@link #admit}: whether the session may go on, and which one it replaces. */
    record Admission(boolean admitted, DeviceSession replaced) {}

    private final Map<String, List<DeviceSession>> byDevice = new HashMap<>();
    private final int maxPerDevice;
    private int size;

    SessionTable(int maxPerDevice) {
        this.maxPerDevice = maxPerDevice;
    }

    /**
     * Adds the session unless its device is at its limit. A live session of the same device and
     * client id is replaced, and returned so the caller can close it (MQTT 5 §3.1.4: takeover).
     */
    synchronized Admission admit(DeviceSession session) {
        List<DeviceSession> sessions =
                byDevice.computeIfAbsent(session.deviceId(), k -> new ArrayList<>(2));
        for (int i = 0; i < sessions.size(); i++) {
            DeviceSession old = sessions.get(i);
            if (old.clientId().equals(session.clientId())) {
                sessions.set(i, session);
                return new Admission(true, old);
            }
        }
        if (sessions.size() >= maxPerDevice) {
            return new Admission(false, null);
        }
        sessions.add(session);
        size++;
        return new Admission(true, null);
    }

    synchronized void remove(DeviceSession session) {
        List<DeviceSession> sessions = byDevice.get(session.deviceId());
        if (sessions != null && sessions.remove(session)) {
            size--;
            if (sessions.isEmpty()) {
                byDevice.remove(session.deviceId());
            }
        }
    }

    /** A copy of the device's live sessions. */
    synchronized List<DeviceSession> of(String deviceId) {
        List<DeviceSession> sessions = byDevice.get(deviceId);
        return sessions == null ? List.of() : List.copyOf(sessions);
    }

    synchronized List<DeviceSession> all() {
        List<DeviceSession> all = new ArrayList<>(size);
        byDevice.values().forEach(all::addAll);
        return all;
    }

    synchronized int size() {
        return size;
    }
}

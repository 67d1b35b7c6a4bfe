package org.jkn.telemetry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports, for servers a test must restart on the same port or pass a port to. */
public final class Ports {

    private Ports() {}

    /**
     * A port that was free a moment ago. Another process can take it before the caller binds it;
     * tests that start many servers retry instead.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

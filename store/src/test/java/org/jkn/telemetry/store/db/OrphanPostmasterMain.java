package org.jkn.telemetry.store.db;

import java.nio.file.Path;

/**
 * Starts the embedded server on {@code args[0]}, says so on stdout and waits to be killed: a test
 * kills this JVM with SIGKILL to leave the postmaster running, as a crashed service would.
 */
public final class OrphanPostmasterMain {

    public static final String READY = "postmaster-ready";

    private OrphanPostmasterMain() {}

    public static void main(String[] args) throws Exception {
        EmbeddedDatabase.start(Path.of(args[0]));
        System.out.println(READY);
        System.out.flush();
        // kept sleep: a child process that waits to be killed, there is nothing to poll
        Thread.sleep(Long.MAX_VALUE);
    }
}

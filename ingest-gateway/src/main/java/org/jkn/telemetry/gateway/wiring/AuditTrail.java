package org.jkn.telemetry.gateway.wiring;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.db.Database;

/** Opens the audit log with this instance named as the observer of what it records. */
public final class AuditTrail {

    private AuditTrail() {}

    public static AuditLog open(GatewayConfig config, Database database) {
        return new AuditLog(database.dataSource(), source(config), Clock.systemUTC());
    }

    /**
     * The node named as observer in audit records: the instance's broker client id when it has one
     * (unique and stable per instance by contract), else the host name.
     */
    private static String source(GatewayConfig config) {
        if (config.broker() != null) {
            return config.broker().clientId();
        }
        try {
            String host = InetAddress.getLocalHost().getHostName();
            return host == null || host.isBlank() ? "localhost" : host;
        } catch (IOException e) {
            return "localhost";
        }
    }
}

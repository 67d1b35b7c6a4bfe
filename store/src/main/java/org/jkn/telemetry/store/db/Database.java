package org.jkn.telemetry.store.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database side of the service: starts the embedded PostgreSQL when no URL is configured, opens
 * the connection pool, applies the versioned migrations and the time layout.
 *
 * <p>Thread-safe; one per process. Closing it closes the pool and stops the embedded server.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final EmbeddedDatabase embedded;
    private final HikariDataSource pool;
    private final StorageMode mode;
    private final SchemaMaintenance maintenance;

    private Database(
            EmbeddedDatabase embedded,
            HikariDataSource pool,
            StorageMode mode,
            SchemaMaintenance maintenance) {
        this.embedded = embedded;
        this.pool = pool;
        this.mode = mode;
        this.maintenance = maintenance;
    }

    public static Database open(DatabaseConfig config) throws IOException, SQLException {
        EmbeddedDatabase embedded =
                config.embedded() ? EmbeddedDatabase.start(config.embeddedDir()) : null;
        HikariDataSource pool = null;
        try {
            HikariConfig hc = new HikariConfig();
            if (embedded != null) {
                hc.setJdbcUrl(embedded.jdbcUrl());
                hc.setUsername("postgres");
            } else {
                hc.setJdbcUrl(config.url());
                hc.setUsername(config.user());
                hc.setPassword(config.password());
            }
            hc.setMaximumPoolSize(config.poolSize());
            hc.setPoolName("telemetry-db");
            hc.setConnectionTimeout(5_000);
            // fail fast at start when the database is not there, instead of serving without it
            hc.setInitializationFailTimeout(30_000);
            hc.addDataSourceProperty("ApplicationName", "telemetry-gateway");
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
            // a connection whose packets vanish (a black-holed link, a peer gone without a reset)
            // fails its statement after this long instead of hanging the drainer for the kernel's
            // retransmission timeout (about 15 minutes); no statement here legitimately takes
            // longer. A socketTimeout in DB_URL takes precedence.
            hc.addDataSourceProperty("socketTimeout", "60");
            hc.addDataSourceProperty("tcpKeepAlive", "true");
            pool = new HikariDataSource(hc);

            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("timescale", config.timescale()))
                    .load()
                    .migrate();
            SchemaMaintenance maintenance = new SchemaMaintenance(pool, config);
            StorageMode mode = maintenance.run(Instant.now());
            log.info("database ready: readings stored with {}", mode);
            return new Database(embedded, pool, mode, maintenance);
        } catch (RuntimeException | SQLException e) {
            if (pool != null) {
                pool.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    public StorageMode mode() {
        return mode;
    }

    public SchemaMaintenance maintenance() {
        return maintenance;
    }

    /**
     * A connection of its own, outside the pool, to the same database (for {@link ChangeNotices},
     * which holds it for the life of the process). The caller closes it.
     */
    public Connection dedicatedConnection() throws SQLException {
        Properties p = new Properties();
        if (pool.getUsername() != null) {
            p.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            p.setProperty("password", pool.getPassword());
        }
        p.setProperty("ApplicationName", "telemetry-gateway-notices");
        p.setProperty("connectTimeout", "5");
        p.setProperty(
                "socketTimeout",
                "30"); // the listener pings every few seconds; a dead peer ends the wait
        return DriverManager.getConnection(pool.getJdbcUrl(), p);
    }

    /** True when a connection answers within the timeout. */
    public boolean isReachable(int timeoutSeconds) {
        try (Connection c = pool.getConnection()) {
            return c.isValid(timeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}

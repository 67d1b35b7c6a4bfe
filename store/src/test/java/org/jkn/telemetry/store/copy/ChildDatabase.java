package org.jkn.telemetry.store.copy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.fixtures.TestCrypto;

/**
 * What a child process of the crash tests connects with: its own pool and its own crypto, as
 * another process start has.
 */
final class ChildDatabase {

    private ChildDatabase() {}

    /**
     * A pool whose sessions carry {@code name} as their application name, so the parent can tell
     * them apart in {@code pg_stat_activity} and wait until a killed child's sessions are gone.
     */
    static HikariDataSource pool(String url, String name, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(size);
        hc.setPoolName(name);
        hc.addDataSourceProperty("ApplicationName", name);
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(hc);
    }

    /** The parent's fixed test keys, so both sides seal and open the same data keys. */
    static ReadingCrypto crypto(DataSource pool) throws SQLException {
        return TestCrypto.create(pool, new KekRing(TestCrypto.KEK, List.of()));
    }
}

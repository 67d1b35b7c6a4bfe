package org.jkn.telemetry.store.db;

import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/** {@link TimescaleDbContract} on TimescaleDB's Docker image; skipped without a Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class TimescaleDbContainerTest extends TimescaleDbContract {

    @Container
    private static final PostgreSQLContainer<?> TIMESCALE =
            new PostgreSQLContainer<>(
                    DockerImageName.parse("timescale/timescaledb:2.28.3-pg15")
                            .asCompatibleSubstituteFor("postgres"));

    @Override
    protected Endpoint endpoint() {
        return new Endpoint(
                TIMESCALE.getJdbcUrl(), TIMESCALE.getUsername(), TIMESCALE.getPassword());
    }
}

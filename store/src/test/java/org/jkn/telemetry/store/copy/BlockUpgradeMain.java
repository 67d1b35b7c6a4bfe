package org.jkn.telemetry.store.copy;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Moves the previous version's rows in the database at {@code args[0]} into blocks, {@code args[1]}
 * rows a step, its sessions named {@code args[2]}, as a start-up of the service does; exits 0 once
 * no row is left, unless it is killed first.
 */
public final class BlockUpgradeMain {

    private BlockUpgradeMain() {}

    public static void main(String[] args) throws Exception {
        try (HikariDataSource pool = ChildDatabase.pool(args[0], args[2], 2)) {
            long moved =
                    new BlockUpgrade(pool, ChildDatabase.crypto(pool))
                            .run(Integer.parseInt(args[1]));
            System.out.println("moved " + moved);
        }
    }
}

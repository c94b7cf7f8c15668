package org.uuidmig.testing;

import org.uuidmig.localpg.LocalPostgres;

/**
 * A primary {@link LocalPostgres} of its own with the fixture (scale 1) in database "app", and a hot standby of it
 * made with pg_basebackup -R, for the tests that need a real standby (a read-only server, replica lag). Both servers
 * run in temporary directories on free ports; {@link #close} stops them and removes their data.
 */
public final class StandbyPair implements AutoCloseable {
    public final LocalPostgres primary;
    public final LocalPostgres standby;
    /** Database "app" on the primary, with the fixture. */
    public final TestDb app;
    /** Database "app" on the standby. */
    public final TestDb appOnStandby;

    private StandbyPair(LocalPostgres primary, LocalPostgres standby, TestDb app, TestDb appOnStandby) {
        this.primary = primary;
        this.standby = standby;
        this.app = app;
        this.appOnStandby = appOnStandby;
    }

    /** Starts the primary, loads the fixture, and starts the standby; stops what it started if a step fails. */
    public static StandbyPair start() throws Exception {
        LocalPostgres primary = LocalPostgres.start(LocalPostgres.DEFAULT_VERSION, msg -> { });
        LocalPostgres standby = null;
        try {
            TestDb app = PostgresServer.of(primary.jdbcUrl("postgres"), "primary on port " + primary.port()).createDatabase("app").loadFixture(1);
            standby = primary.startStandby();
            TestDb onStandby = PostgresServer.of(standby.jdbcUrl("postgres"), "standby on port " + standby.port()).database("app");
            return new StandbyPair(primary, standby, app, onStandby);
        } catch (Exception | Error e) {
            if (standby != null) {
                standby.close();
            }
            primary.close();
            throw e;
        }
    }

    @Override
    public void close() {
        standby.close();
        primary.close();
    }
}

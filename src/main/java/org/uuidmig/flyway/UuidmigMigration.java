package org.uuidmig.flyway;

import java.sql.SQLException;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * What uuidmig's two Flyway migrations share: each is a thin adapter around the step runner, given to Flyway as
 * an instance ({@code javaMigrations}), and runs outside Flyway's transaction (the steps commit in short
 * transactions of their own and use CONCURRENTLY), so an interrupted run leaves a failed row that the rerun
 * repairs ({@link FlywayRunner#run}).
 *
 * <p>The work does not use {@link Context#getConnection()}: Flyway sets that session's search_path to the
 * history's schema, uuidmig_history (uuidmig pins {@code pg_catalog, pg_temp}), it has neither uuidmig's lock_timeout nor its
 * application_name, and the step runner needs several sessions (--jobs). The steps keep the connections of
 * {@link org.uuidmig.db.Database}; Flyway's connection only writes its history row.
 */
public abstract class UuidmigMigration extends BaseJavaMigration {
    /** The work Flyway runs: the steps, on uuidmig's own connections. */
    @FunctionalInterface
    public interface Work {
        void run() throws SQLException;
    }

    private final Work work;
    private Exception failure;

    protected UuidmigMigration(Work work) {
        this.work = work;
    }

    /** Whether Flyway may apply this migration below a version it has already recorded. */
    abstract boolean outOfOrder();

    /** What an interrupted run of this migration is called in the log ("run", "rollback"). */
    abstract String runName();

    /** Logs, just before Flyway applies it, what this migration records. */
    void announce() {
    }

    /** Runs the work without Flyway (its row is recorded already). */
    void runWork() throws SQLException {
        work.run();
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public final void migrate(Context context) throws SQLException {
        try {
            work.run();
        } catch (SQLException | RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * What the work threw when Flyway ran it, or null. Flyway need not end with an exception that carries it: when
     * the server went away, Flyway fails afterwards on its own ("Unable to restore connection to its original
     * state"), and the caller must still see the lost connection (exit 4, rerun), not Flyway's error (exit 3).
     */
    Exception failure() {
        return failure;
    }
}

package org.uuidmig.engine;

import java.sql.Connection;
import java.util.List;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.db.Database;
import org.uuidmig.db.LockRetry;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.RunProgress;

/**
 * What a step works with: the connection (auto-commit), the columns as they were before the
 * migration, the users table, the settings, and the lock-retry policy.
 *
 * @param db        connection factory (for extra connections)
 * @param conn      the step runner's connection, auto-commit on
 * @param schema    the application's schema
 * @param users     the users table as it was before the migration
 * @param columns   every planned column, as it was before the migration
 * @param settings  migrate options
 * @param serverVersionNum server_version_num
 * @param progress  the run's progress display, shared by its workers
 * @param control   the run's live control (uuidmig.control): pause, swap hold, and the backfill's knobs as they apply now
 */
public record StepContext(Database db, Connection conn, String schema, UsersTable users, List<PlannedColumn> columns,
                          MigrationSettings settings, int serverVersionNum, RunProgress progress, RunControl control) {

    /** A context whose control is fixed: the options as given, no table read (--dry-run). */
    public StepContext(Database db, Connection conn, String schema, UsersTable users, List<PlannedColumn> columns,
                       MigrationSettings settings, int serverVersionNum, RunProgress progress) {
        this(db, conn, schema, users, columns, settings, serverVersionNum, progress, RunControl.fixed(settings.backfill()));
    }

    /** The same context on another connection (a backfill worker's). */
    public StepContext on(Connection other) {
        return new StepContext(db, other, schema, users, columns, settings, serverVersionNum, progress, control);
    }

    /** The same context with the run's live control. */
    public StepContext withControl(RunControl runControl) {
        return new StepContext(db, conn, schema, users, columns, settings, serverVersionNum, progress, runControl);
    }

    /** Retry policy for statements that make the application wait while they wait (short lock_timeout). */
    public LockRetry blocking() {
        return new LockRetry(settings.lock().lockAttempts(), settings.lock().lockTimeout(), settings.run().command().commandLine());
    }

    public List<PlannedColumn> columnsOf(String table) {
        return columns.stream().filter(c -> c.ref().table().equals(table)).toList();
    }
}

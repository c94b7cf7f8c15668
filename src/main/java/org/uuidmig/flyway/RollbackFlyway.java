package org.uuidmig.flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.db.Sql;

/**
 * Flyway for {@code uuidmig rollback}: the same history table and settings as
 * {@link FlywayRunner}, with the rollback as version {@value #VERSION}. The forward migration
 * (2025.12.04.2215) is not resolvable here, so its applied row is accepted as "missing".
 */
public final class RollbackFlyway {
    public static final String VERSION = "2025.12.04.2216";
    public static final String DESCRIPTION = "rollback user references to integer";
    private static final Logger LOG = LoggerFactory.getLogger(RollbackFlyway.class);

    private RollbackFlyway() {
    }

    public static Flyway flyway(ConnectionSettings s, V2025_12_04_2216__rollback_user_references_to_integer migration) {
        return FlywayRunner.configure(s).javaMigrations(migration).load();
    }

    /**
     * Deletes a failed row of the forward migration (left by a migrate that was killed), which
     * would otherwise stop every later Flyway run; the rollback replaces it with its own row.
     */
    public static int deleteFailedForwardRow(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, Sql.qualified(schema, FlywayRunner.HISTORY_TABLE));
            try (var rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + Sql.qualified(schema, FlywayRunner.HISTORY_TABLE)
            + " WHERE version = ? AND NOT success")) {
            ps.setString(1, FlywayRunner.VERSION);
            return ps.executeUpdate();
        }
    }

    /**
     * The version for this rollback: {@value #VERSION} for the first, {@value #VERSION}.N when N
     * rollbacks are recorded already, so every rollback has its own row (a failed row of an
     * interrupted one does not count: the rerun repairs and reuses its version).
     */
    public static String nextVersion(Connection c, String schema) throws SQLException {
        if (!historyExists(c, schema)) {
            return VERSION;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + Sql.qualified(schema, FlywayRunner.HISTORY_TABLE)
            + " WHERE description = ? AND success")) {
            ps.setString(1, DESCRIPTION);
            try (var rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                return n == 0 ? VERSION : VERSION + "." + n;
            }
        }
    }

    /**
     * Whether a successful rollback row was written after the migration state was created: the
     * rollback was recorded, and only the drop of schema uuidmig was missing when it stopped.
     */
    public static boolean recordedSince(Connection c, String schema, java.time.OffsetDateTime since) throws SQLException {
        if (since == null || !historyExists(c, schema)) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + Sql.qualified(schema, FlywayRunner.HISTORY_TABLE)
            + " WHERE description = ? AND success AND installed_on >= ?")) {
            ps.setString(1, DESCRIPTION);
            ps.setObject(2, since);
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean historyExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, Sql.qualified(schema, FlywayRunner.HISTORY_TABLE));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Repairs a failed row of the rollback itself (an interrupted rollback), then migrates. */
    public static void migrate(Flyway flyway) {
        for (MigrationInfo info : flyway.info().all()) {
            if (info.getVersion() != null && DESCRIPTION.equals(info.getDescription())
                && info.getState() == MigrationState.FAILED) {
                LOG.info("Flyway history has a failed row for {} from an interrupted rollback: repairing it, then resuming", VERSION);
                flyway.repair();
                break;
            }
        }
        flyway.migrate();
    }

    /** Whether the history records a successful rollback row. */
    public static boolean applied(Flyway flyway) {
        for (MigrationInfo info : flyway.info().applied()) {
            if (info.getVersion() != null && info.getVersion().equals(MigrationVersion.fromVersion(VERSION))
                && info.getState().isApplied() && !info.getState().isFailed()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the history has a failed rollback row (the rollback was killed after its last step). */
    public static boolean failed(Flyway flyway) {
        for (MigrationInfo info : flyway.info().all()) {
            if (info.getVersion() != null && DESCRIPTION.equals(info.getDescription())
                && info.getState() == MigrationState.FAILED) {
                return true;
            }
        }
        return false;
    }
}

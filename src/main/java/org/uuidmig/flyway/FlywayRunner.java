package org.uuidmig.flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ConnectionSettings;

/**
 * uuidmig's one Flyway adapter, for migrate and rollback: Flyway configured for a database Flyway has never seen
 * and that another tool (Alembic) manages: its own history table out of the application's schema
 * ({@link HistoryTable}: {@code uuidmig_history.<app schema>}), baselineOnMigrate, no transactional lock
 * (CONCURRENTLY needs that), and a failed row from an interrupted run repaired before retrying. migrate is
 * version {@value #VERSION}; rollback is {@value #ROLLBACK_VERSION} (.N for later rollbacks), and the forward
 * migration is not resolvable there, so its applied row is accepted as "missing".
 */
public final class FlywayRunner {
    public static final String VERSION = "2025.12.04.2215";
    public static final String ROLLBACK_VERSION = "2025.12.04.2216";
    public static final String ROLLBACK_DESCRIPTION = "rollback user references to integer";
    private static final Logger LOG = LoggerFactory.getLogger(FlywayRunner.class);

    private FlywayRunner() {
    }

    /** Whether a migration's row is recorded already, so that only its work is left to run. */
    @FunctionalInterface
    public interface Recorded {
        boolean test(Flyway flyway) throws SQLException;
    }

    /** Flyway with migration as its one Java migration, recording it in the history's current place. */
    public static Flyway flyway(ConnectionSettings s, UuidmigMigration migration) {
        return configure(s, HistoryTable.of(s.schema())).outOfOrder(migration.outOfOrder()).javaMigrations(migration).load();
    }

    /** Flyway without migrations, for reading the history where it is ({@link HistoryTable#find}). */
    public static Flyway history(ConnectionSettings s, HistoryTable table) {
        return configure(s, table).load();
    }

    /**
     * The configuration migrate and rollback share: the tool's own history table ({@code table}: schema
     * {@value HistoryTable#SCHEMA}, which the caller has created, and the application's schema as the table's name;
     * or the old place for reading), Flyway's schemas and default schema set to the table's schema (so Flyway
     * neither looks at nor creates anything in the application's schema), baselineOnMigrate for a schema with other
     * schemas' history tables in it, no SQL locations, rows of the other command's
     * versions accepted ("*:missing"; "*:future" is Flyway's default, which setting the patterns would drop),
     * and postgresql.transactional.lock=false: a session advisory lock, which CONCURRENTLY statements need.
     */
    static FluentConfiguration configure(ConnectionSettings s, HistoryTable table) {
        java.util.List<String> params = new java.util.ArrayList<>();
        // the settings every uuidmig session has pinned (Database.SESSION_OPTIONS); Flyway sets its own
        // search_path to the history table's schema (its default schema) on top, and qualifies the history table's name
        params.add("options=" + java.net.URLEncoder.encode(org.uuidmig.db.Database.SESSION_OPTIONS,
            java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        if (s.sslMode() != null) {
            params.add("sslmode=" + s.sslMode());
        }
        if (s.password() == null) {
            // as in Database.connect: pgjdbc must not read a password file uuidmig ignored
            params.add(org.uuidmig.db.NoPasswordPlugin.PROPERTY + "=" + org.uuidmig.db.NoPasswordPlugin.class.getName());
        }
        String url = s.jdbcUrl() + "?" + String.join("&", params);
        FluentConfiguration config = Flyway.configure()
            .dataSource(url, s.user(), s.password())
            .schemas(table.schema())
            .defaultSchema(table.schema())
            .createSchemas(false)
            .table(table.table())
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .baselineDescription("uuidmig baseline")
            .locations("classpath:org/uuidmig/flyway/none")
            .failOnMissingLocations(false)
            .ignoreMigrationPatterns("*:missing", "*:future");
        config.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        return config;
    }

    /**
     * Runs migration through Flyway: only its work when {@code recorded} says its row is there already (e.g. the
     * clean-up was interrupted after Flyway recorded it), else Flyway applies it, after repairing a failed row of
     * it left by an interrupted run. The work's own error comes out as it was thrown (an SQLException for the
     * caller to explain), whatever Flyway threw after it; Flyway's own failure as exit 3.
     */
    public static void run(ConnectionSettings s, UuidmigMigration migration, Recorded recorded) throws SQLException {
        Flyway flyway = flyway(s, migration);
        try {
            if (recorded.test(flyway)) {
                migration.runWork();
                return;
            }
            migration.announce();
            repairFailedRow(flyway, migration);
            flyway.migrate();
        } catch (FlywayException e) {
            Exception work = migration.failure();
            if (work instanceof UuidmigException u) {
                throw u;
            }
            if (work instanceof SQLException sql) {
                throw sql;
            }
            throw new UuidmigException(ExitCode.UNEXPECTED, "Flyway: " + e.getMessage(), e);
        }
    }

    /** Repairs a failed row of this migration (left by an interrupted non-transactional run). */
    private static void repairFailedRow(Flyway flyway, UuidmigMigration migration) {
        for (MigrationInfo info : flyway.info().all()) {
            // FAILED (not "Failed (Missing)"): a failed row of the one migration this Flyway resolves
            if (migration.getVersion().equals(info.getVersion()) && info.getState() == MigrationState.FAILED) {
                LOG.info("Flyway history has a failed row for {} from an interrupted {}: repairing it, then resuming",
                    info.getVersion(), migration.runName());
                flyway.repair();
                return;
            }
        }
    }

    /** Whether the history of the database's schema records the migration ({@value #VERSION}) as successful. */
    public static boolean applied(Connection c, ConnectionSettings s) throws SQLException {
        HistoryTable table = HistoryTable.find(c, s.schema());
        return table.exists(c) && applied(history(s, table));
    }

    /** Whether the history records the migration ({@value #VERSION}) as successful. */
    public static boolean applied(Flyway flyway) {
        for (MigrationInfo info : flyway.info().applied()) {
            if (MigrationVersion.fromVersion(VERSION).equals(info.getVersion()) && info.getState().isApplied()
                && !info.getState().isFailed()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the history has a failed row of the first rollback ({@value #ROLLBACK_VERSION}). */
    public static boolean rollbackFailed(Connection c, ConnectionSettings s) throws SQLException {
        HistoryTable table = HistoryTable.find(c, s.schema());
        if (!table.exists(c)) {
            return false;
        }
        for (MigrationInfo info : history(s, table).info().all()) {
            if (MigrationVersion.fromVersion(ROLLBACK_VERSION).equals(info.getVersion())
                && ROLLBACK_DESCRIPTION.equals(info.getDescription()) && info.getState().isFailed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes a failed row of the forward migration (left by a migrate that was killed), which
     * would otherwise stop every later Flyway run; the rollback replaces it with its own row.
     */
    public static int deleteFailedForwardRow(Connection c, String schema) throws SQLException {
        HistoryTable table = HistoryTable.find(c, schema);
        if (!table.exists(c)) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.qualified()
            + " WHERE version = ? AND NOT success")) {
            ps.setString(1, VERSION);
            return ps.executeUpdate();
        }
    }

    /**
     * The version for this rollback: {@value #ROLLBACK_VERSION} for the first, {@value #ROLLBACK_VERSION}.N when N
     * rollbacks are recorded already, so every rollback has its own row (a failed row of an
     * interrupted one does not count: the rerun repairs and reuses its version).
     */
    public static String nextRollbackVersion(Connection c, String schema) throws SQLException {
        HistoryTable table = HistoryTable.find(c, schema);
        if (!table.exists(c)) {
            return ROLLBACK_VERSION;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table.qualified()
            + " WHERE description = ? AND success")) {
            ps.setString(1, ROLLBACK_DESCRIPTION);
            try (var rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                return n == 0 ? ROLLBACK_VERSION : ROLLBACK_VERSION + "." + n;
            }
        }
    }

    /**
     * Whether a successful rollback row was written after the migration state was created: the
     * rollback was recorded, and only the drop of schema uuidmig was missing when it stopped.
     */
    public static boolean rollbackRecordedSince(Connection c, String schema, java.time.OffsetDateTime since) throws SQLException {
        HistoryTable table = HistoryTable.find(c, schema);
        if (since == null || !table.exists(c)) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table.qualified()
            + " WHERE description = ? AND success AND installed_on >= ?")) {
            ps.setString(1, ROLLBACK_DESCRIPTION);
            ps.setObject(2, since);
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}

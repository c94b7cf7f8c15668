package org.uuidmig.flyway;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.config.ConnectionSettings;

/**
 * Flyway, configured for a database Flyway has never seen and that another tool (Alembic)
 * manages: its own history table, baselineOnMigrate, no transactional lock (CONCURRENTLY needs
 * that), and a failed row from an interrupted run repaired before retrying.
 */
public final class FlywayRunner {
    public static final String HISTORY_TABLE = "uuidmig_schema_history";
    public static final String VERSION = "2025.12.04.2215";
    private static final Logger LOG = LoggerFactory.getLogger(FlywayRunner.class);

    private FlywayRunner() {
    }

    public static Flyway flyway(ConnectionSettings s, V2025_12_04_2215__migrate_user_references_to_uuid migration) {
        // after a rollback (2025.12.04.2216[.N], not resolvable here) migrate may run again: 2215 then goes in out of order
        return configure(s).outOfOrder(true).javaMigrations(migration).load();
    }

    /**
     * The configuration migrate and rollback share: the tool's own history table in the application's schema,
     * baselineOnMigrate for a database Flyway has never seen, no SQL locations, rows of the other command's
     * versions accepted ("*:missing"; "*:future" is Flyway's default, which setting the patterns would drop),
     * and postgresql.transactional.lock=false: a session advisory lock, which CONCURRENTLY statements need.
     */
    static FluentConfiguration configure(ConnectionSettings s) {
        java.util.List<String> params = new java.util.ArrayList<>();
        // the settings every uuidmig session has pinned (Database.SESSION_OPTIONS); Flyway sets its own
        // search_path to the history table's schema on top, and qualifies the history table's name
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
            .schemas(s.schema())
            .createSchemas(false)
            .table(HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .baselineDescription("uuidmig baseline")
            .locations("classpath:org/uuidmig/flyway/none")
            .failOnMissingLocations(false)
            .ignoreMigrationPatterns("*:missing", "*:future");
        config.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        return config;
    }

    /** Repairs a failed row of our version (left by an interrupted non-transactional run), then migrates. */
    public static void migrate(Flyway flyway) {
        for (MigrationInfo info : flyway.info().all()) {
            if (info.getVersion() != null && info.getVersion().equals(MigrationVersion.fromVersion(VERSION))
                && info.getState() == MigrationState.FAILED) {
                LOG.info("Flyway history has a failed row for {} from an interrupted run: repairing it, then resuming", VERSION);
                flyway.repair();
                break;
            }
        }
        flyway.migrate();
    }

    /** Whether the history table of the database records our migration as successful. */
    public static boolean applied(ConnectionSettings s) {
        return applied(flyway(s, new V2025_12_04_2215__migrate_user_references_to_uuid(() -> {
            throw new IllegalStateException("only reading the history");
        })));
    }

    /** Whether the history records our migration as successful. */
    public static boolean applied(Flyway flyway) {
        for (MigrationInfo info : flyway.info().applied()) {
            if (info.getVersion() != null && info.getVersion().equals(MigrationVersion.fromVersion(VERSION))
                && info.getState().isApplied() && !info.getState().isFailed()) {
                return true;
            }
        }
        return false;
    }
}

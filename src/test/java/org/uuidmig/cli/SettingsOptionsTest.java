package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.config.LockPolicy;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.config.RunOptions;

import picocli.CommandLine;

/** migrate's and rollback's options give the named settings they say, and their defaults are the settings' defaults. */
class SettingsOptionsTest {
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine cl = UuidmigCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        cl.parseArgs(args);
        return type.cast(cl.getSubcommands().get(args[0]).getCommand());
    }

    @Test
    void migrateDefaults() {
        assertEquals(MigrationSettings.defaults(), parsed(MigrateCommand.class, "migrate").settings());
    }

    @Test
    void migrateOptions() {
        MigrationSettings s = parsed(MigrateCommand.class, "migrate", "--phase", "expand", "--swap", "per_table",
            "--no-alembic-stamp", "--no-reindex", "--dry-run", "--lock-timeout", "3s", "--wait-timeout", "1m",
            "--lock-attempts", "5", "--swap-lock-wait", "50ms", "--batch-size", "200", "--batch-delay", "10ms",
            "--max-batch-time", "0", "--jobs", "4").settings();
        assertEquals(new LockPolicy(Duration.ofSeconds(3), Duration.ofMinutes(1), 5, Duration.ofMillis(50)), s.lock());
        assertEquals(new BackfillPolicy(200, Duration.ofMillis(10), Duration.ZERO, 4, false), s.backfill());
        assertEquals(RunOptions.migrate().withPhase(Phase.EXPAND).withSwapPerTable(true).withAlembicStamp(false).withDryRun(true),
            s.run());
    }

    @Test
    void rollbackDefaults() {
        assertEquals(new MigrationSettings(LockPolicy.defaults(), BackfillPolicy.defaults().withReindex(false), RunOptions.rollback()),
            parsed(RollbackCommand.class, "rollback").settings());
    }

    @Test
    void rollbackOptions() {
        MigrationSettings s = parsed(RollbackCommand.class, "rollback", "--no-alembic-stamp", "--dry-run", "--jobs", "1").settings();
        assertEquals(RunOptions.rollback().withAlembicStamp(false).withDryRun(true), s.run());
        assertEquals(1, s.backfill().jobs());
    }
}

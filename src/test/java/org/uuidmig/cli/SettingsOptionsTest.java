package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.config.HealthPolicy;
import org.uuidmig.config.LockPolicy;
import org.uuidmig.config.MetricsEndpoint;
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
        assertEquals(MigrationSettings.defaults().withHealth(HealthPolicy.defaults().withThrottle(true)),
            parsed(MigrateCommand.class, "migrate").settings(), "the CLI's defaults are MigrationSettings.defaults(), throttled");
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
        assertEquals(new MigrationSettings(LockPolicy.defaults(), BackfillPolicy.defaults().withReindex(false), RunOptions.rollback())
            .withHealth(HealthPolicy.defaults().withThrottle(true)), parsed(RollbackCommand.class, "rollback").settings());
    }

    @Test
    void rollbackOptions() {
        MigrationSettings s = parsed(RollbackCommand.class, "rollback", "--no-alembic-stamp", "--dry-run", "--jobs", "1").settings();
        assertEquals(RunOptions.rollback().withAlembicStamp(false).withDryRun(true), s.run());
        assertEquals(1, s.backfill().jobs());
    }

    /** The health bounds and the metrics endpoint: defaults as documented, and each option's value, sizes with units. */
    @Test
    void healthAndMetricsOptions() {
        MigrationSettings defaults = parsed(MigrateCommand.class, "migrate").settings();
        assertEquals(new HealthPolicy(3.0, Duration.ofMillis(2), Duration.ofSeconds(10), 1L << 30, Duration.ofMinutes(10), true),
            defaults.health(), "throttled by default");
        assertEquals(HealthPolicy.defaults().withThrottle(true), defaults.health(), "the bounds' constants are the options' defaults");
        assertNull(defaults.metrics(), "no endpoint without --metrics-port");

        MigrationSettings s = parsed(MigrateCommand.class, "migrate", "--max-latency-factor", "2.5", "--latency-floor", "5ms",
            "--max-replica-lag", "2s", "--max-slot-wal", "512MB", "--max-xact-age", "5min", "--metrics-port", "0", "--no-throttle").settings();
        assertEquals(new HealthPolicy(2.5, Duration.ofMillis(5), Duration.ofSeconds(2), 512L << 20, Duration.ofMinutes(5), false), s.health());
        assertTrue(parsed(MigrateCommand.class, "migrate", "--throttle").settings().health().throttle(), "--throttle is still accepted");
        assertTrue(parsed(RollbackCommand.class, "rollback").settings().health().throttle(), "rollback is throttled by default too");
        assertEquals(new MetricsEndpoint("127.0.0.1", 0), s.metrics());

        MigrationSettings r = parsed(RollbackCommand.class, "rollback", "--max-slot-wal", "2GB", "--metrics-port", "9187",
            "--metrics-host", "0.0.0.0").settings();
        assertEquals(2L << 30, r.health().maxSlotWalBytes());
        assertEquals(new MetricsEndpoint("0.0.0.0", 9187), r.metrics());
    }

    /** Values no bound can use are usage errors (exit 2) naming the option, before any connection. */
    @Test
    void badHealthAndMetricsValuesAreUsageErrors() {
        for (String[] bad : new String[][] {
            {"--max-latency-factor", "0.5", "--max-latency-factor must be between 1 and 1000"},
            {"--max-slot-wal", "0", "--max-slot-wal must be at least 1 byte"},
            {"--max-slot-wal", "1XB", "unknown unit XB"},
            {"--max-replica-lag", "0", "--max-replica-lag must be between 1ms and"},
            {"--max-xact-age", "0s", "--max-xact-age must be between 1ms and"},
            {"--metrics-port", "70000", "--metrics-port must be between 0 (any free port) and 65535"},
            {"--metrics-host", "localhost", "--metrics-host needs --metrics-port"}}) {
            TestCli r = TestCli.run("migrate", "--url", "jdbc:postgresql://127.0.0.1:1/nothing", bad[0], bad[1]);
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exit(), bad[0] + " " + bad[1] + ": " + r.err());
            assertTrue(r.err().contains(bad[2]), bad[0] + " " + bad[1] + ": " + r.err());
        }
    }

    private record TestCli(int exit, String err) {
        static TestCli run(String... args) {
            StringWriter err = new StringWriter();
            int code = UuidmigCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true)).execute(args);
            return new TestCli(code, err.toString());
        }
    }
}

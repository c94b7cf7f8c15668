package org.uuidmig.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.StandbyPair;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 15: the controller backs off on replica lag from a real streaming standby in the test harness. A primary
 * {@link LocalPostgres} with the fixture and a standby of it (pg_basebackup -R) that applies each commit only 3 s
 * after it (recovery_min_apply_delay, written to its postgresql.auto.conf and reloaded): every commit on the primary,
 * the health probe's among them, then shows as at least 3 s of replay lag, over --max-replica-lag 1s. As in
 * ThrottleSignalsIT, the run starts paused, the test waits for the decision, takes the delay away and resumes.
 */
// the slow suite's: it starts a primary and a standby of its own
@Tag("slow")
class ThrottleStandbyIT {
    private static StandbyPair servers;
    private static TestDb app;
    private static TestDb onStandby;

    @BeforeAll
    static void startPrimaryAndStandby() throws Exception {
        servers = StandbyPair.start();
        app = servers.app;
        onStandby = servers.appOnStandby;
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void aLaggingStandbyThrottles() throws Exception {
        assertEquals(1, app.queryLong("SELECT count(*) FROM pg_stat_replication"), "the standby streams from the primary");
        assertEquals(0, app.run("pause").exitCode());
        Path conf = servers.standby.dataDir().resolve("postgresql.auto.conf");
        String before = Files.readString(conf, StandardCharsets.UTF_8);
        Files.writeString(conf, "\nrecovery_min_apply_delay = '3s'\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        onStandby.exec("SELECT pg_catalog.pg_reload_conf()");
        CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> app.run("migrate", "--throttle", "--max-replica-lag", "1s"));
        try {
            ControlIT.awaitEvent(app, "applied: throttled (level 3): %replica lag % > 1 s%", run);
        } finally {
            Files.writeString(conf, before, StandardCharsets.UTF_8);
            onStandby.exec("SELECT pg_catalog.pg_reload_conf()");
        }
        assertEquals(0, app.run("resume").exitCode());
        CliResult r = run.get(3, TimeUnit.MINUTES);
        assertEquals(0, r.exitCode(), r.toString());
        CliResult post = app.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }
}

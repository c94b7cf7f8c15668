package org.uuidmig.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Fault: PostgreSQL restarts while migrate is in the middle of a backfill, once cleanly (pg_ctl
 * restart -m fast) and once as a crash (-m immediate, then crash recovery). migrate must stop
 * with exit 4 and say the connection was lost and that rerunning continues; the rerun must
 * finish with exactly the catalog and data of an undisturbed migration. migrate pauses after its first
 * backfill batch ({@code -Duuidmig.fault.pauseAt=batch}) while the server restarts, so the restart lands
 * inside the backfill on any machine. The server is a {@link LocalPostgres} of this class's own: the
 * shared test server must not be restarted.
 */
// the slow suite's: it starts a server of its own to restart; the kill tests resume a run in the default suite
@Tag("slow")
class RestartDuringMigrateIT {
    private static final String[] MIGRATE = {"migrate", "--batch-size", "100", "--max-batch-time", "1ms"};

    private static LocalPostgres pg;
    private static PostgresServer server;
    private static List<String> referenceCatalog;
    private static Map<String, String> referenceData;

    @BeforeAll
    static void startServerAndMigrateReference() throws Exception {
        pg = LocalPostgres.start(LocalPostgres.DEFAULT_VERSION, msg -> { });
        server = PostgresServer.of(pg.jdbcUrl("postgres"), "local PostgreSQL " + pg.version() + " on port " + pg.port());
        TestDb reference = server.createDatabase("reference").loadFixture(1);
        CliResult ref = reference.run(MIGRATE);
        assertEquals(0, ref.exitCode(), ref.toString());
        referenceCatalog = CatalogSnapshot.of(reference, "public");
        referenceData = Fixture.digests(reference);
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    @ParameterizedTest(name = "pg_ctl restart -m {0}")
    @ValueSource(strings = {"fast", "immediate"})
    void restartMidBackfillThenRerun(String mode) throws Exception {
        TestDb db = server.createDatabase("restart_" + mode).loadFixture(1);
        Path dir = TempDirs.create("uuidmig-restart-");
        try {
            Path log = dir.resolve("migrate.log");
            List<String> args = new java.util.ArrayList<>(List.of(MIGRATE));
            args.addAll(List.of("--url", db.url()));
            // no timing: migrate pauses after its first committed backfill batch, the server restarts, then migrate goes on
            Process migrate = Subprocess.start(log, List.of("-Duuidmig.fault.pauseAt=batch"), args.toArray(new String[0]));
            Subprocess.awaitPaused(migrate, log, "batch");
            assertTrue(db.queryLong("SELECT count(*) FROM uuidmig.columns WHERE backfill_rows > 0 AND NOT backfill_done") > 0,
                "a backfill is part-way");
            pg.restart(mode);
            Subprocess.release(migrate);
            if (!migrate.waitFor(2, TimeUnit.MINUTES)) {
                migrate.destroyForcibly();
                fail("migrate did not end within 2 minutes of the restart: " + Files.readString(log));
            }
            String out = Files.readString(log);
            assertEquals(ExitCode.INCOMPLETE, migrate.exitValue(), out);
            assertTrue(out.contains("uuidmig: error: lost the connection to the server")
                && out.contains("rerun uuidmig migrate to continue where it stopped"), out);
        } finally {
            TempDirs.delete(dir);
        }

        CliResult resumed = db.run(MIGRATE);
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("Resuming an interrupted migration") && resumed.out().contains("migration complete"),
            resumed.toString());
        assertEquals(referenceCatalog, CatalogSnapshot.of(db, "public"));
        assertEquals(referenceData, Fixture.digests(db));
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }
}

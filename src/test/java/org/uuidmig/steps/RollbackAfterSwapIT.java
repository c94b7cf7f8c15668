package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.Original;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/** uuidmig rollback after the swap: the integer columns come back online, with the original catalog and data. */
@ExtendWith(PostgresExtension.class)
class RollbackAfterSwapIT {

    /** migrate, then rollback: the catalog (column order aside) and every row are as before migrate. */
    @Test
    void rollbackAfterMigrateRestoresCatalogAndData(TestDb db) throws Exception {
        db.loadFixture(2);
        Original original = Original.of(db);
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());

        CliResult dry = db.run("rollback", "--dry-run");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("ALTER TABLE \"public\".\"chat_messages\" ADD COLUMN IF NOT EXISTS \"_uuidmig_sender_id\" integer;"),
            dry.out());
        assertTrue(dry.out().contains("SET version_num = 'add_uuid_refresh_sessions'"), dry.out());
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'"), "dry run changed nothing");

        CliResult rb = db.run("rollback", "--batch-size", "100", "--max-batch-time", "0ms");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertTrue(rb.out().contains("rollback complete"), rb.toString());

        original.assertRestored(db);
        assertEquals("add_uuid_refresh_sessions", db.queryString("SELECT version_num FROM alembic_version"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
        assertEquals(List.of("2025.12.04.2215 migrate user references to uuid true",
            "2025.12.04.2216 rollback user references to integer true"), RollbackIT.history(db));
    }

    /** migrate, rollback, migrate, rollback: the second rollback gets its own Flyway row, and the end state is the original. */
    // the slow suite's: rollbackAfterMigrateRestoresCatalogAndData rolls back once in the default suite
    @Tag("slow")
    @Test
    void everyRollbackHasItsOwnFlywayRow(TestDb db) throws Exception {
        db.loadFixture(1);
        Original original = Original.of(db);
        Map<String, String> migrated = Fixture.expectedDigests(db);
        for (int i = 0; i < 2; i++) {
            CliResult m = db.run("migrate");
            assertEquals(0, m.exitCode(), m.toString());
            assertEquals(migrated, Fixture.digests(db));
            CliResult rb = db.run("rollback");
            assertEquals(0, rb.exitCode(), rb.toString());
            original.assertRestored(db);
        }
        assertEquals(List.of("2025.12.04.2215 migrate user references to uuid true",
            "2025.12.04.2216 rollback user references to integer true",
            "2025.12.04.2216.1 rollback user references to integer true"), RollbackIT.history(db));
    }

    /**
     * A rollback halted after one of its steps, named by id and target (its reverse expand, backfill and verify before
     * the swap back; the swap back; the schema drop, after the Flyway row) resumes and ends with the original catalog
     * and data.
     */
    // the slow suite's: rollbackAfterMigrateRestoresCatalogAndData rolls back after the swap in the default suite, and KillResumeIT kills a run there
    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0}, then resumed")
    @ValueSource(strings = {RollbackSteps.SWAP})
    void killedRollbackResumes(String step, TestDb db) throws Exception {
        killedRollbackAfter(step, db);
    }

    /** More halt points, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0}, then resumed")
    @ValueSource(strings = {"backfill user_request_assigns.user_id", "rollback_expand service_requests", "verify user_roles",
        RollbackSteps.STATE})
    void killedRollbackResumesMorePoints(String step, TestDb db) throws Exception {
        killedRollbackAfter(step, db);
    }

    private void killedRollbackAfter(String step, TestDb db) throws Exception {
        boolean beforeSwapBack = !step.equals(RollbackSteps.SWAP) && !step.equals(RollbackSteps.STATE);
        killedRollbackThenResume("-Duuidmig.fault.haltAfter=" + step, beforeSwapBack, db);
    }

    /**
     * Halted in the middle of the reverse backfill (batches of 100 rows on any machine: --max-batch-time 0ms never lets
     * the size grow), the rerun continues from the checkpoint. The first batch is the slow suite's.
     */
    // the slow suite's: the default suite kills this rollback at its swap back (killedRollbackResumes)
    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0} backfill batches, then resumed")
    @ValueSource(ints = {7})
    void killedMidBackfillRollbackResumes(int batches, TestDb db) throws Exception {
        killedRollbackThenResume("-Duuidmig.fault.haltAfterBatches=" + batches, true, db);
    }

    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0} backfill batches, then resumed")
    @ValueSource(ints = {1})
    void killedAfterTheFirstBackfillBatchRollbackResumes(int batches, TestDb db) throws Exception {
        killedRollbackThenResume("-Duuidmig.fault.haltAfterBatches=" + batches, true, db);
    }

    private void killedRollbackThenResume(String fault, boolean beforeSwapBack, TestDb db) throws Exception {
        db.loadFixture(1);
        Original original = Original.of(db);
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());

        Subprocess.Result killed = Subprocess.run(List.of(fault), "rollback", "--url", db.url(),
            "--batch-size", "100", "--max-batch-time", "0ms");
        assertEquals(137, killed.exitCode(), "the fault point was not reached: " + killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices
        if (beforeSwapBack) {
            CliResult refused = db.run("migrate");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("a rollback is under way"), refused.toString());
        }

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        original.assertRestored(db);
        assertEquals(List.of("2025.12.04.2215 migrate user references to uuid true",
            "2025.12.04.2216 rollback user references to integer true"), RollbackIT.history(db));
    }
}

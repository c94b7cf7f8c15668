package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.StepPositions;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * Kill and resume: migrate runs in its own JVM and is halted (as by kill -9: no shutdown hook,
 * no rollback sent) after a given number of steps or backfill batches; rerunning migrate must
 * finish and leave exactly the catalog and data of an undisturbed run.
 */
@ExtendWith(PostgresExtension.class)
class KillResumeIT {
    /** One halt point per kind of step boundary on the fixture (see {@link StepPositions}). */
    @ParameterizedTest(name = "halt after {0} steps")
    @ValueSource(ints = {StepPositions.PREPARE, StepPositions.FIRST_COUNT + 1, StepPositions.FIRST_BACKFILL + 1,
        StepPositions.FIRST_REINDEX + 1, StepPositions.FIRST_INDEX + 4, StepPositions.FIRST_FK + 1, StepPositions.FIRST_VERIFY + 2,
        StepPositions.SWAP, StepPositions.CLEANUP})
    void haltAtStepBoundaryThenResume(int steps, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterSteps=" + steps);
    }

    /** Every step boundary, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "halt after {0} steps")
    @MethodSource("everyOtherStep")
    void haltAtEveryOtherStepBoundaryThenResume(int steps, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterSteps=" + steps);
    }

    static java.util.stream.IntStream everyOtherStep() {
        java.util.Set<Integer> fast = java.util.Set.of(StepPositions.PREPARE, StepPositions.FIRST_COUNT + 1, StepPositions.FIRST_BACKFILL + 1,
            StepPositions.FIRST_REINDEX + 1, StepPositions.FIRST_INDEX + 4, StepPositions.FIRST_FK + 1, StepPositions.FIRST_VERIFY + 2,
            StepPositions.SWAP, StepPositions.CLEANUP);
        return java.util.stream.IntStream.range(StepPositions.PREPARE, StepPositions.SWAP).filter(n -> !fast.contains(n));
    }

    /**
     * Halted in the middle of a backfill, the rerun continues from the checkpoint. --max-batch-time 0ms: no batch is ever
     * under the target, so the size never grows and every batch has 100 rows on any machine (55 batches on the fixture);
     * with a 1 ms target a fast server grew the batches and the 40th might never come.
     */
    @ParameterizedTest(name = "halt after {0} batches")
    @ValueSource(ints = {1, 7, 40})
    void haltMidBackfillThenResume(int batches, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterBatches=" + batches);
    }

    /** Halted inside the swap transaction before COMMIT: the server rolls it back, the rerun swaps. */
    @Test
    void haltMidSwapThenResume(TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltInSwap=true");
    }

    /**
     * Halted right after the swap committed, before the ledger totals (summed outside the lock window) were recorded:
     * the rerun's clean-up records them, and validate-post's exact counts pass.
     */
    @Test
    void haltAfterSwapCommitThenResume(TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterSwapCommit=true");
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.tables WHERE end_rows IS NULL"));
    }

    /** A killed run leaves a failed Flyway row; the rerun repairs it and ends with exactly one successful row. */
    @Test
    void flywayFailedRowIsRepaired(TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterSteps=" + StepPositions.CLEANUP);
        assertEquals(List.of("2025.12.04.2215 true"), db.queryStrings(
            "SELECT version || ' ' || success FROM uuidmig_history.public WHERE version IS NOT NULL AND version <> '0' ORDER BY installed_rank"));
    }

    /** Catalog and data of an undisturbed run, computed once (the fixture is deterministic). */
    private static List<String> referenceCatalog;
    private static Map<String, String> referenceData;

    private static synchronized void reference(TestDb reference) throws Exception {
        if (referenceCatalog != null) {
            return;
        }
        reference.loadFixture(1);
        CliResult ref = reference.run("migrate", "--batch-size", "100", "--max-batch-time", "0ms");
        assertEquals(0, ref.exitCode(), ref.toString());
        referenceCatalog = CatalogSnapshot.of(reference, "public");
        referenceData = Fixture.digests(reference);
    }

    private void haltThenResume(TestDb db, TestDb reference, String fault) throws Exception {
        reference(reference);
        db.loadFixture(1);

        Subprocess.Result killed = Subprocess.run(List.of(fault), "migrate", "--url", db.url(), "--batch-size", "100",
            "--max-batch-time", "0ms");
        assertEquals(137, killed.exitCode(), "the fault point was not reached: " + killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        CliResult resumed = db.run("migrate", "--batch-size", "100", "--max-batch-time", "0ms");
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("migration complete"), resumed.toString());

        assertEquals(referenceCatalog, CatalogSnapshot.of(db, "public"));
        assertEquals(referenceData, Fixture.digests(db));
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }
}

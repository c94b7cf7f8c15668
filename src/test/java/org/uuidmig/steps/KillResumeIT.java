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
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestNames;
import org.uuidmig.engine.StepPlan;

/**
 * Kill and resume: migrate runs in its own JVM and is halted (as by kill -9: no shutdown hook,
 * no rollback sent) after a named step ({@code -Duuidmig.fault.haltAfter="STEP TARGET"}) or a number of backfill
 * batches; rerunning migrate must finish and leave exactly the catalog and data of an undisturbed run.
 */
@ExtendWith(PostgresExtension.class)
class KillResumeIT {
    /**
     * One halt point per kind of step on the fixture, named by step id and target as the log names them. The default
     * suite halts at the first (a backfill: the step whose resume does most); the swap and the clean-up, whose resume
     * differs most besides, it halts in and right after the swap's commit, and after the clean-up, in the tests below.
     * The slow suite halts at the others and at every other step of the plan.
     */
    static final List<String> FAST = List.of("backfill message_read_states.user_id", "swap", "cleanup", "prepare",
        "count message_read_states", "reindex chat_messages", "index chat_read_monitors.user_id ix_chat_read_monitors_request_id_incl",
        "foreign_key message_read_states.user_id", "verify chat_read_monitors");

    // the slow suite's: the default suite halts mid-backfill (haltMidBackfillThenResume), which resumes more than a step boundary does
    @Tag("slow")
    @ParameterizedTest(name = "halt after {0}")
    @MethodSource("defaultPoints")
    void haltAtStepBoundaryThenResume(String step, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfter=" + step);
    }

    /** The other points of {@link #FAST}, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "halt after {0}")
    @MethodSource("morePoints")
    void haltAtMoreStepBoundariesThenResume(String step, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfter=" + step);
    }

    static List<String> defaultPoints() {
        return FAST.subList(0, 1);
    }

    static List<String> morePoints() {
        return FAST.subList(1, FAST.size());
    }

    /** After every other step of the plan, for the slow suite: a step added to the plan gets its kill point here. */
    @Tag("slow")
    @ParameterizedTest(name = "halt after {0}")
    @MethodSource("everyOtherStep")
    void haltAtEveryOtherStepBoundaryThenResume(String step, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfter=" + step);
    }

    /**
     * Every step of migrate's plan on the fixture but those above, named as {@link StepPlan#names()} names them, read
     * from the plan itself on a database of its own (dropped again).
     */
    static List<String> everyOtherStep() throws Exception {
        List<String> names = planNames();
        assertTrue(names.containsAll(FAST.stream().filter(n -> n.contains(" ")).toList()), "a fast point names no step of " + names);
        return names.stream().filter(n -> !FAST.contains(n) && !FAST.contains(n.split(" ")[0])).toList();
    }

    private static List<String> planNames() throws Exception {
        String name = "uuidmig_t_" + TestNames.RUN + "_killplan";
        TestDb db = PostgresServer.get().createDatabase(name).loadFixture(1);
        try (java.sql.Connection c = new org.uuidmig.db.Database(db.settings(null)).connect("plan")) {
            org.uuidmig.plan.Plan plan = org.uuidmig.service.PlanService.read(c, org.uuidmig.config.PlanSettings.defaults("public"));
            return Steps.forPlan(plan.toConvert(), java.util.Set.of(), org.uuidmig.config.MigrationSettings.Phase.ALL, false, true).names();
        } finally {
            try (java.sql.Connection admin = PostgresServer.admin(); java.sql.Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + org.uuidmig.db.Sql.ident(name));
            }
        }
    }

    /**
     * Halted in the middle of a backfill, the rerun continues from the checkpoint. --max-batch-time 0ms: no batch is ever
     * under the target, so the size never grows and every batch has 100 rows on any machine (55 batches on the fixture);
     * with a 1 ms target a fast server grew the batches and the 40th might never come.
     */
    @ParameterizedTest(name = "halt after {0} batches")
    @ValueSource(ints = {7})
    void haltMidBackfillThenResume(int batches, TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterBatches=" + batches);
    }

    /** The first batch and one deep into the backfill, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "halt after {0} batches")
    @ValueSource(ints = {1, 40})
    void haltMidBackfillMorePointsThenResume(int batches, TestDb db, TestDb reference) throws Exception {
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
    // the slow suite's: the default suite halts inside the swap (haltMidSwapThenResume)
    @Tag("slow")
    @Test
    void haltAfterSwapCommitThenResume(TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfterSwapCommit=true");
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.tables WHERE end_rows IS NULL"));
    }

    /**
     * Halted after the clean-up, a killed run leaves a failed Flyway row; the rerun repairs it and ends with exactly one
     * successful row.
     */
    // the slow suite's: every halt leaves the failed Flyway row; StatusIT and HistoryLocationIT read it in the default suite
    @Tag("slow")
    @Test
    void flywayFailedRowIsRepaired(TestDb db, TestDb reference) throws Exception {
        haltThenResume(db, reference, "-Duuidmig.fault.haltAfter=cleanup");
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

package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.DryRun;
import org.uuidmig.report.RunProgress;
import org.uuidmig.service.PlanService;
import org.uuidmig.engine.MigrationStep.PlannedStatement;
import org.uuidmig.engine.MigrationStep.Sent;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.SqlRecorder;
import org.uuidmig.testing.SqlStatements;
import org.uuidmig.testing.TestDb;
import org.uuidmig.engine.RollbackMarker;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;

/**
 * What each step sends is what its --dry-run prints. Every step of the forward plan (expand phase with the
 * blue-green window, then contract) and of both rollback plans (before the swap, and after it, with the final drop of
 * the state) runs on the servicecatalog fixture; just before it runs, its statements are listed as --dry-run lists
 * them (on a connection of their own), then it runs on a connection that records every statement sent through it
 * ({@link SqlRecorder}, a proxy around the connection the step's context holds). The two must agree:
 * <ul>
 * <li>a statement printed as sent once ({@link Sent#ONCE}) is sent exactly once, in its place;</li>
 * <li>one printed as sent only when a run-time condition holds ({@link Sent#WHEN}: verify's catch-up when rows
 *     mismatch) is sent at most once, in its place;</li>
 * <li>statements printed as repeated ({@link Sent#REPEATED}: a backfill's batches, the vacuum between them) form a
 *     loop: each is printed once, as the template the run sends any number of times with bound parameters, and the
 *     run sends nothing else inside the loop;</li>
 * <li>nothing else is sent, apart from what {@link #excluded} names: reads of the catalog and of uuidmig's state,
 *     writes to uuidmig's state tables, lock_timeout settings and transaction control.</li>
 * </ul>
 * Both sides are split into single statements and their comments dropped ({@link SqlStatements}), so statements sent
 * in one round trip (the swap) compare with the same statements printed one by one.
 */
@ExtendWith(PostgresExtension.class)
class DryRunEqualsRunIT {
    private static final String SCHEMA = "public";
    /** Fixed batches of 500 rows: several batches on the larger tables (first, middle and last), one on the smaller. */
    private static final BackfillPolicy BATCHES = new BackfillPolicy(500, Duration.ZERO, Duration.ZERO, 1, true);
    /** The step classes the scenarios ran, checked against every step class there is once both scenarios ran. */
    private static final Set<String> COVERED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicInteger SCENARIOS_PASSED = new java.util.concurrent.atomic.AtomicInteger();
    private static final int SCENARIOS = 2;

    /**
     * Statements the dry run does not print and the comparison leaves out, on both sides. Small and explicit:
     * <ol>
     * <li>reads of the catalog and of uuidmig's state: a SELECT (or WITH ..., SHOW) that names no relation of the
     *     application's schema; they decide what to send, and change nothing;</li>
     * <li>writes to uuidmig's own state tables (INSERT INTO, UPDATE, DELETE FROM uuidmig.*): the checkpoints and
     *     records that let a rerun resume;</li>
     * <li>lock_timeout settings and transaction control (SET [LOCAL] lock_timeout, SET TRANSACTION, BEGIN, COMMIT,
     *     ROLLBACK): how a statement waits and what it is committed with, which the lock notes describe.</li>
     * </ol>
     * A read of an application table (the count, the keyset bound, verify's scan) is not excluded.
     */
    static boolean excluded(String sql) {
        String s = sql.strip();
        String head = s.toUpperCase(java.util.Locale.ROOT);
        if ((head.startsWith("SELECT") || head.startsWith("WITH") || head.startsWith("SHOW")) && !s.contains(Sql.APP)) {
            return true;
        }
        if (STATE_WRITE.matcher(s).find()) {
            return true;
        }
        return SESSION.matcher(s).matches();
    }

    private static final Pattern STATE_WRITE = Pattern.compile("^(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+\"?uuidmig\"?\\.",
        Pattern.CASE_INSENSITIVE);
    private static final Pattern SESSION = Pattern.compile(
        "(SET\\s+(LOCAL\\s+)?lock_timeout\\s*=\\s*\\d+|SET\\s+TRANSACTION\\s+.*|BEGIN|COMMIT|ROLLBACK)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /** How the application's schema appears in uuidmig's SQL: always quoted and qualified. */
    private static final class Sql {
        static final String APP = "\"" + SCHEMA + "\".";
    }

    /**
     * Expand phase (with the blue-green window), contract, then rollback after the swap down to the drop of the state.
     * users(uuid) starts nullable and without a unique index, so the users key steps have work to do both ways.
     */
    @Test
    void expandContractThenRollbackAfterSwap(TestDb db) throws Exception {
        try (Session s = Session.open(db)) {
            MigrationSettings expand = s.settings(RunOptions.migrate().withPhase(Phase.EXPAND));
            s.runPlan(Steps.forPlan(s.originals, Set.of(), Phase.EXPAND, false, true), s.context(expand, s.users, s.originals));

            MigrationSettings contract = s.settings(RunOptions.migrate().withPhase(Phase.CONTRACT));
            StepPlan contractPlan = Steps.forPlan(s.originals, Set.of(), Phase.CONTRACT, false, true);
            assertEquals(List.of(StepIds.PREPARE, StepIds.SWAP, StepIds.CLEANUP), contractPlan.steps().stream().map(MigrationStep::id).toList());
            s.runPlan(contractPlan, s.context(contract, s.users, s.originals));
            assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"), "swapped");

            RollbackMarker.begin(s.plain, SCHEMA); // as rollback does before its steps
            MigrationSettings rollback = s.settings(RunOptions.rollback());
            List<PlannedColumn> reverse = Reverse.columns(s.originals, s.users);
            StepContext ctx = s.context(rollback, Reverse.users(s.users), reverse);
            StepPlan plan = RollbackSteps.afterSwap(reverse, Set.of(), s.users);
            s.runPlan(plan, ctx);
            s.dropState(ctx, plan);
            assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"), "swapped back");
        }
        SCENARIOS_PASSED.incrementAndGet();
    }

    /** Expand phase (with the blue-green window), then rollback before the swap down to the drop of the state. */
    @Test
    void expandThenRollbackBeforeSwap(TestDb db) throws Exception {
        try (Session s = Session.open(db)) {
            MigrationSettings expand = s.settings(RunOptions.migrate().withPhase(Phase.EXPAND));
            s.runPlan(Steps.forPlan(s.originals, Set.of(), Phase.EXPAND, false, true), s.context(expand, s.users, s.originals));

            StepContext ctx = s.context(s.settings(RunOptions.rollback()), s.users, s.originals);
            StepPlan plan = RollbackSteps.beforeSwap(SCHEMA, s.originals, s.users);
            s.runPlan(plan, ctx);
            s.dropState(ctx, plan);
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_attribute WHERE attname LIKE '\\_uuidmig\\_%' AND NOT attisdropped"),
                "no shadow column left");
        }
        SCENARIOS_PASSED.incrementAndGet();
    }

    /**
     * The matcher itself: a statement sent that the dry run does not print, or a statement printed as sent once that
     * is not sent, fails; repeated templates may be sent any number of times; exclusions are left out on both sides.
     */
    @Test
    void theComparisonCatchesWhatIsSentButNotPrintedAndTheReverse() {
        List<PlannedStatement> printed = List.of(new PlannedStatement("ALTER TABLE \"public\".\"t\" ADD COLUMN c int", "x"),
            PlannedStatement.repeated("UPDATE \"public\".\"t\" SET c = 1 WHERE id > ?", "x", "per batch"),
            PlannedStatement.repeated("VACUUM \"public\".\"t\"", "x", "now and then"),
            PlannedStatement.when("UPDATE \"public\".\"t\" SET c = 2", "x", "when rows mismatch"),
            new PlannedStatement("COMMIT", "released"));
        List<String> ok = List.of("SET LOCAL lock_timeout = 5;\nALTER TABLE \"public\".\"t\" ADD COLUMN c int",
            "SELECT 1 FROM pg_catalog.pg_class", "UPDATE \"public\".\"t\" SET c = 1 WHERE id > ?", "UPDATE uuidmig.columns SET x = 1",
            "UPDATE \"public\".\"t\" SET c = 1 WHERE id > ?", "VACUUM \"public\".\"t\"", "UPDATE \"public\".\"t\" SET c = 1 WHERE id > ?");
        assertEquals(null, mismatch(printed, ok));
        List<String> unprinted = new ArrayList<>(ok);
        unprinted.add("DROP TABLE \"public\".\"t\"");
        assertTrue(mismatch(printed, unprinted).contains("DROP TABLE"), mismatch(printed, unprinted));
        assertTrue(mismatch(printed, List.of("VACUUM \"public\".\"t\"")) != null, "the ALTER printed once was not sent");
        List<String> twice = List.of("ALTER TABLE \"public\".\"t\" ADD COLUMN c int", "UPDATE \"public\".\"t\" SET c = 2",
            "UPDATE \"public\".\"t\" SET c = 2");
        assertTrue(mismatch(printed, twice) != null, "a conditional statement sent twice");
        assertTrue(mismatch(List.of(new PlannedStatement("SELECT count(*) FROM \"public\".\"t\"", "x")), List.of()) != null,
            "a read of an application table is compared");
    }

    /** Every class implementing MigrationStep ran in this class's scenarios. */
    @AfterAll
    static void everyStepClassWasCovered() throws IOException, URISyntaxException {
        if (SCENARIOS_PASSED.get() < SCENARIOS) {
            return; // a scenario failed (it said why) or was filtered out: the coverage is not the whole class's
        }
        Path dir = Path.of(MigrationStep.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve(Steps.class.getPackageName().replace('.', '/'));
        assertTrue(Files.isDirectory(dir), "the main classes are not in a directory (" + dir + "): cannot list the step classes");
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = Steps.class.getPackageName() + "." + f.getFileName().toString().replaceFirst("\\.class$", "");
                try {
                    Class<?> k = Class.forName(name, false, MigrationStep.class.getClassLoader());
                    if (MigrationStep.class.isAssignableFrom(k) && !k.isInterface() && !java.lang.reflect.Modifier.isAbstract(k.getModifiers())) {
                        all.add(k.getSimpleName());
                    }
                } catch (ClassNotFoundException e) {
                    fail(e);
                }
            }
        }
        assertTrue(all.size() >= 15, "found only " + all + " in " + dir);
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(COVERED);
        assertEquals(Set.of(), missing, "step classes no scenario of DryRunEqualsRunIT runs: add them to a scenario");
    }

    /**
     * Null when the statements sent match the ones printed (see the class comment), else what differs, with both lists.
     */
    static String mismatch(List<PlannedStatement> printed, List<String> sentRaw) {
        Map<String, Character> codes = new LinkedHashMap<>();
        StringBuilder regex = new StringBuilder();
        List<String> printedKept = new ArrayList<>();
        boolean inLoop = false;
        for (PlannedStatement p : printed) {
            for (String sql : SqlStatements.split(p.sql())) {
                if (excluded(sql)) {
                    continue;
                }
                printedKept.add(p.sent() + "  " + sql);
                String code = Pattern.quote(String.valueOf(code(codes, sql)));
                if (p.sent() == Sent.REPEATED) {
                    regex.append(inLoop ? "|" : "(?:").append(code);
                    inLoop = true;
                    continue;
                }
                if (inLoop) {
                    regex.append(")*");
                    inLoop = false;
                }
                regex.append(p.sent() == Sent.WHEN ? "(?:" + code + ")?" : code);
            }
        }
        if (inLoop) {
            regex.append(")*");
        }
        StringBuilder sent = new StringBuilder();
        List<String> sentKept = new ArrayList<>();
        for (String raw : sentRaw) {
            for (String sql : SqlStatements.split(raw)) {
                if (!excluded(sql)) {
                    sentKept.add(sql);
                    sent.append(code(codes, sql));
                }
            }
        }
        if (Pattern.compile(regex.toString()).matcher(sent).matches()) {
            return null;
        }
        // the first statement sent where no way through the printed ones goes on; none: the run stopped short
        Pattern p = Pattern.compile(regex.toString());
        StringBuilder why = new StringBuilder();
        for (int k = 1; k <= sent.length(); k++) {
            java.util.regex.Matcher m = p.matcher(sent.subSequence(0, k));
            if (!m.matches() && !m.hitEnd()) {
                why.append("statement ").append(k).append(" sent is not printed there (or not that often):\n  ")
                    .append(sentKept.get(k - 1)).append("\n");
                break;
            }
        }
        if (why.isEmpty()) {
            why.append("the run sent less than the dry run printed: the statements printed once after the last one sent are missing\n");
        }
        return why + "printed (after the exclusions):\n  " + String.join("\n  ", printedKept)
            + "\nsent (after the exclusions):\n  " + String.join("\n  ", sentKept);
    }

    private static char code(Map<String, Character> codes, String sql) {
        return codes.computeIfAbsent(sql, k -> (char) (0xE000 + codes.size()));
    }

    /** One database: a plain connection for the dry runs and the set-up, and a recorded one the steps run on. */
    private static final class Session implements AutoCloseable {
        final Database database;
        final Connection plain;
        final Connection runConn;
        final SqlRecorder recorder = new SqlRecorder();
        final Connection recorded;
        final int serverVersionNum;
        List<PlannedColumn> originals;
        UsersTable users;

        private Session(TestDb db) {
            database = new Database(db.settings(null));
            plain = database.connect("dry run");
            runConn = database.connect("run");
            recorded = recorder.wrap(runConn);
            try (var st = plain.createStatement(); var rs = st.executeQuery("SHOW server_version_num")) {
                rs.next();
                serverVersionNum = Integer.parseInt(rs.getString(1));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * The fixture with users(uuid) nullable and not unique, and the state migrate records before its first step
         * (the plan's columns and users as they are before the migration).
         */
        static Session open(TestDb db) throws SQLException {
            db.loadFixture(1);
            db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key; ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL");
            Session s = new Session(db);
            Plan plan = PlanService.read(s.plain, PlanSettings.defaults(SCHEMA));
            StateStore.ensure(s.plain);
            StateStore.recordUsers(s.plain, plan.users());
            int pos = 0;
            for (PlannedColumn col : plan.toConvert()) {
                StateStore.recordColumn(s.plain, SCHEMA, col, pos++);
            }
            s.originals = StateStore.columns(s.plain, SCHEMA).stream().map(StateStore.ColumnRow::original).toList();
            s.users = StateStore.users(s.plain, SCHEMA);
            assertEquals(9, s.originals.size());
            return s;
        }

        MigrationSettings settings(RunOptions run) {
            return MigrationSettings.defaults().withRun(run).withBackfill(BATCHES);
        }

        /** The run's context, on the recorded connection; {@link #dry} gives the same on the plain one. */
        StepContext context(MigrationSettings settings, UsersTable u, List<PlannedColumn> columns) {
            return new StepContext(database, recorded, SCHEMA, u, columns, settings, serverVersionNum, RunProgress.off());
        }

        StepContext dry(StepContext run) {
            return run.on(plain);
        }

        /** Each step of the plan, in order: none may be done already; what it sends must be what it prints. */
        void runPlan(StepPlan plan, StepContext ctx) throws SQLException {
            for (MigrationStep step : plan.steps()) {
                String name = step.id() + (step.target().isEmpty() ? "" : " " + step.target());
                assertFalse(step.isDone(dry(ctx)), name + " is done before it ran: the scenario does not exercise it");
                List<PlannedStatement> printed = step.statements(dry(ctx));
                recorder.clear();
                step.run(ctx);
                List<String> sent = recorder.sent();
                // prepare is never done (it always runs: IF NOT EXISTS / OR REPLACE)
                assertTrue(step instanceof PrepareStateStep || step.isDone(dry(ctx)), name + " is not done after it ran");
                String mismatch = mismatch(printed, sent);
                if (mismatch != null) {
                    fail("step " + name + ": what it sent is not what its dry run printed.\n" + mismatch);
                }
                COVERED.add(step.getClass().getSimpleName());
            }
        }

        /** The rollback's last statement, which the dry run prints as its own step, after the plan's steps. */
        void dropState(StepContext ctx, StepPlan plan) throws SQLException {
            List<DryRun.Step> dry = RollbackSteps.dryRun(dry(ctx), plan);
            DryRun.Step last = dry.get(dry.size() - 1);
            assertEquals(RollbackSteps.STATE, last.id());
            List<PlannedStatement> printed = last.statements().stream().map(st -> new PlannedStatement(st.sql(), st.lock())).toList();
            recorder.clear();
            RollbackSteps.dropState(ctx);
            String mismatch = mismatch(printed, recorder.sent());
            if (mismatch != null) {
                fail("step " + RollbackSteps.STATE + ": what it sent is not what its dry run printed.\n" + mismatch);
            }
        }

        @Override
        public void close() throws SQLException {
            try (plain; runConn) {
                // both closed
            }
        }
    }
}

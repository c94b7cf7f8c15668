package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.MigratedFixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** Issue 16 item 6: uuidmig cleanup removes its state and history after a finished migration, and only then. */
@ExtendWith(PostgresExtension.class)
class CleanupIT {
    /** Schemas uuidmig and uuidmig_history, and any table named as an older uuidmig named its history. */
    private static long leftovers(TestDb db) throws Exception {
        return db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname IN ('uuidmig', 'uuidmig_history')")
            + db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'uuidmig_schema_history'");
    }

    @Test
    void afterAFinishedMigrationItRemovesStateAndHistory(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("migrate").exitCode());
        assertEquals(0, db.run("validate-post").exitCode());
        assertEquals(2, leftovers(db));
        CliResult r = db.run("cleanup", "--yes");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Removed: schema uuidmig") && r.out().contains("table \"uuidmig_history\".\"public\"")
            && r.out().contains("schema uuidmig_history (then empty)"), r.out());
        assertEquals(0, leftovers(db), "schemas uuidmig and uuidmig_history are gone");
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'"), "the migration itself stays");
        CliResult again = db.run("cleanup", "--yes");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("Nothing to clean up"), again.out());
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());
        assertEquals(0, leftovers(db), "a migrate after cleanup finds nothing to do and creates no state or history");
    }

    @Test
    void anUnfinishedMigrationIsRefusedAndNothingChanges(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("migrate", "--phase", "expand").exitCode());
        CliResult r = db.run("cleanup", "--yes");
        assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("not finished") && r.err().contains("uuidmig rollback"), r.toString());
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
        assertEquals(9, db.queryLong("SELECT count(*) FROM pg_views WHERE schemaname = 'public_uuid'"), "the window stays open");
    }

    @Test
    void withoutATerminalItNeedsYes(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("migrate").exitCode());
        Subprocess.Result r = Subprocess.run(List.of(), "cleanup", "--url", db.url());
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.output());
        assertTrue(r.output().contains("add --yes"), r.output());
        assertEquals(2, leftovers(db), "nothing removed");
    }

    /**
     * The history table where an older uuidmig kept it (public.uuidmig_schema_history) goes too, and schema
     * uuidmig_history stays while it holds another schema's history.
     */
    @Test
    void removesAnOlderUuidmigsHistoryAndKeepsAnotherSchemasHistory(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        db.exec("CREATE TABLE public.uuidmig_schema_history (LIKE uuidmig_history.public INCLUDING ALL)");
        db.exec("CREATE TABLE uuidmig_history.other_app (LIKE uuidmig_history.public INCLUDING ALL)");
        CliResult r = db.run("cleanup", "--yes");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("table \"public\".\"uuidmig_schema_history\"") && !r.out().contains("schema uuidmig_history"),
            r.out());
        assertEquals(List.of("other_app"), db.queryStrings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = 'uuidmig_history' AND c.relkind = 'r'"), "only the other schema's history is left");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'uuidmig_schema_history'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }
}

package org.uuidmig.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.SQLException;

/** Waits for PostgreSQL's table statistics, which lag the rows, instead of assuming they have caught up. */
public final class Statistics {
    private Statistics() {
    }

    /**
     * Waits (up to 60 s) until, for every table uuidmig recorded at the swap, the inserts and deletes the statistics have
     * counted since the swap cover the change in its row count: the event validate-post's record_counts check needs to
     * explain writes made after the migration (docs/validation-post.md: the statistics lag).
     */
    public static void awaitWritesSinceSwapCounted(TestDb db) throws SQLException, InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        String lagging;
        while ((lagging = lagging(db)) != null) {
            if (System.nanoTime() > until) {
                fail("the statistics did not count the writes made since the swap within 60 s: " + lagging);
            }
            Thread.sleep(50);
        }
    }

    /** The first table whose row count moved further since the swap than its statistics say, or null. */
    private static String lagging(TestDb db) throws SQLException {
        for (String t : db.queryStrings("SELECT format('%I.%I', table_schema, table_name) FROM uuidmig.tables WHERE end_rows IS NOT NULL")) {
            long diff = db.queryLong("SELECT count(*) FROM " + t) - db.queryLong(
                "SELECT end_rows FROM uuidmig.tables WHERE format('%I.%I', table_schema, table_name) = ?", t);
            long ins = db.queryLong("SELECT s.n_tup_ins - t.stat_ins_at_end FROM uuidmig.tables t JOIN pg_catalog.pg_stat_user_tables s "
                + "ON s.relid = to_regclass(?) WHERE format('%I.%I', t.table_schema, t.table_name) = ?", t, t);
            long del = db.queryLong("SELECT s.n_tup_del - t.stat_del_at_end FROM uuidmig.tables t JOIN pg_catalog.pg_stat_user_tables s "
                + "ON s.relid = to_regclass(?) WHERE format('%I.%I', t.table_schema, t.table_name) = ?", t, t);
            if (diff > ins || -diff > del) {
                return t + ": " + diff + " rows since the swap, the statistics count +" + ins + "/-" + del;
            }
        }
        return null;
    }
}

package org.uuidmig.bluegreen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 13: the integer application (blue) and the uuid application (green) both work through the whole migration,
 * on the guide's nine tables. Stages: blue alone while {@code migrate --phase expand} runs; blue and green writing,
 * updating, deleting and joining side by side in the window; blue retired, green alone while
 * {@code migrate --phase contract} runs and after it. Neither may have a failed transaction, and every row either
 * wrote must reference the right users.uuid afterwards.
 */
@ExtendWith(PostgresExtension.class)
class BlueGreenIT {
    static final int USERS = 40;

    /** Every recorded row references users.uuid of the user it was written for; returns the rows checked. */
    static long assertRowsRight(TestDb db, List<BlueGreenApp.Written> rows) throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Connection c = db.connect()) {
            for (BlueGreenApp.Written w : rows) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM public." + w.table() + " x JOIN public.users u ON u.uuid = x."
                    + w.column() + " WHERE x." + w.where() + " = ? AND u.id = ?")) {
                    ps.setLong(1, w.key());
                    ps.setLong(2, w.user());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) != 1) {
                            wrong.add(w.toString());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(wrong.size(), 10)), wrong.size() + " rows reference the wrong user");
        return rows.size();
    }

    @Test
    void blueAndGreenWorkThroughTheWholeMigration(TestDb db) throws Exception {
        db.loadFixture(1);
        BlueGreenApp blue = new BlueGreenApp(db, false, USERS, Long.MAX_VALUE).start();
        blue.awaitIterations(3);
        CliResult expand = db.run("migrate", "--phase", "expand", "--max-batch-time", "0", "--batch-size", "500");
        assertEquals(0, expand.exitCode(), expand.toString());
        assertEquals(9, db.queryLong("SELECT count(*) FROM pg_views WHERE schemaname = 'public_uuid'"), "a view per table");
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public_uuid' AND c.relname = 'chat_messages' AND a.attname = 'sender_id'"));

        BlueGreenApp green = new BlueGreenApp(db, true, USERS, Long.MAX_VALUE).start();
        blue.awaitIterations(20);
        green.awaitIterations(20);
        blue.stopAndJoin();
        assertEquals(List.of(), List.copyOf(blue.errors), "blue's transactions");
        CliResult status = db.run("status");
        assertTrue(status.out().contains("blue-green window open"), status.toString());

        CompletableFuture<CliResult> contract = CompletableFuture.supplyAsync(() -> db.run("migrate", "--phase", "contract", "--blue-quiet", "1ms"));
        CliResult c = contract.get(5, TimeUnit.MINUTES);
        assertEquals(0, c.exitCode(), c.toString());
        green.awaitIterations(5); // after the swap: green's names resolve to the tables, now uuid
        green.stopAndJoin();
        assertEquals(List.of(), List.copyOf(green.errors), "green's transactions");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_uuid'"), "contract dropped the view schema");

        List<BlueGreenApp.Written> all = new ArrayList<>(blue.written);
        all.addAll(green.written);
        assertTrue(blue.written.size() > 100 && green.written.size() > 100, "both sides wrote: " + blue.written.size() + ", " + green.written.size());
        assertRowsRight(db, all);
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    @Test
    void contractRefusesWhileBlueWritesAndForceOverrides(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        BlueGreenApp blue = new BlueGreenApp(db, false, USERS, 3).start();
        blue.join();
        assertEquals(List.of(), List.copyOf(blue.errors));
        CliResult refused = db.run("migrate", "--phase", "contract");
        assertEquals(ExitCode.CHECKS_FAILED, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("chat_messages") && refused.err().contains("app-blue") && refused.err().contains("--force"),
            refused.toString());
        assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"), "nothing swapped");
        CliResult forced = db.run("migrate", "--phase", "contract", "--force");
        assertEquals(0, forced.exitCode(), forced.toString());
        assertRowsRight(db, List.copyOf(blue.written));
    }

    @Test
    void rollbackDuringTheWindowDropsTheViews(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        BlueGreenApp green = new BlueGreenApp(db, true, USERS, 3).start();
        green.join();
        assertEquals(List.of(), List.copyOf(green.errors));
        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_uuid'"));
        // green's rows keep their integers, derived from the uuids it wrote
        assertEquals(0, db.queryLong("SELECT count(*) FROM chat_messages m LEFT JOIN users u ON u.id = m.sender_id "
            + "WHERE m.content = 'hello' AND u.id IS NULL"));
        assertEquals(3, db.queryLong("SELECT count(*) FROM chat_messages WHERE content = 'hello'"));
    }

    /** Column names and types of a result, as "name:type, ...". */
    static String shape(ResultSet rs) throws java.sql.SQLException {
        var md = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i));
        }
        return String.join(", ", out);
    }

    /**
     * Green's server-side prepared statements (pgjdbc prepareThreshold=1), made in the window, run again after contract
     * on the same connection: PostgreSQL re-plans them against the tables, and a SELECT * returns the same columns in
     * the same order, because each view already has the shape the table has after the swap.
     */
    @Test
    void greenPreparedStatementsKeepWorkingAcrossContract(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        BlueGreenApp green = new BlueGreenApp(db, true, USERS, 0);
        String uuid7 = db.queryString("SELECT uuid::text FROM users WHERE id = 7");
        try (Connection c = green.connect();
             PreparedStatement one = c.prepareStatement("SELECT sender_id FROM chat_messages WHERE id = ?");
             PreparedStatement star = c.prepareStatement("SELECT * FROM chat_messages WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO chat_messages (request_id, sender_id, content) "
                 + "VALUES ((SELECT min(id) FROM service_requests), ?::uuid, 'prepared') RETURNING id")) {
            String before = null;
            long id = 0;
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    CliResult contract = db.run("migrate", "--phase", "contract");
                    assertEquals(0, contract.exitCode(), contract.toString());
                }
                insert.setString(1, uuid7);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
                one.setLong(1, id);
                try (ResultSet rs = one.executeQuery()) {
                    rs.next();
                    assertEquals(uuid7, rs.getString(1), "round " + round);
                    assertEquals("uuid", rs.getMetaData().getColumnTypeName(1));
                }
                star.setLong(1, id);
                try (ResultSet rs = star.executeQuery()) {
                    rs.next();
                    String shape = shape(rs);
                    if (before == null) {
                        before = shape;
                    }
                    assertEquals(before, shape, "SELECT * returns the same columns after contract");
                    assertEquals(uuid7, rs.getString("sender_id"));
                }
            }
            assertTrue(before.endsWith("sender_id:uuid"), before);
        }
        assertEquals(2, db.queryLong("SELECT count(*) FROM chat_messages m JOIN users u ON u.uuid = m.sender_id WHERE m.content = 'prepared' AND u.id = 7"));
    }

    /**
     * Blue's server-side prepared SELECT * made before expand, run again after it: expand added a column, and
     * PostgreSQL answers "cached plan must not change result type" inside a transaction (pgjdbc re-prepares by itself
     * in autocommit mode); pgjdbc with autosave=conservative re-prepares the statement and goes on. This is what docs/blue-green.md tells a team about.
     */
    @Test
    void bluePreparedSelectStarAcrossExpandNeedsAutosave(TestDb db) throws Exception {
        db.loadFixture(1);
        java.util.Properties plain = new java.util.Properties();
        plain.setProperty("prepareThreshold", "1");
        java.util.Properties autosave = new java.util.Properties();
        autosave.putAll(plain);
        autosave.setProperty("autosave", "conservative");
        try (Connection p = java.sql.DriverManager.getConnection(db.url(), plain);
             Connection a = java.sql.DriverManager.getConnection(db.url(), autosave);
             PreparedStatement ps = p.prepareStatement("SELECT * FROM chat_messages WHERE id = ?");
             PreparedStatement as = a.prepareStatement("SELECT * FROM chat_messages WHERE id = ?")) {
            // inside transactions: in autocommit mode pgjdbc re-prepares such a statement by itself
            p.setAutoCommit(false);
            a.setAutoCommit(false);
            for (PreparedStatement s : List.of(ps, as)) {
                s.setLong(1, 1);
                s.executeQuery().close();
                s.executeQuery().close();
            }
            p.commit();
            a.commit();
            CliResult expand = db.run("migrate", "--phase", "expand");
            assertEquals(0, expand.exitCode(), expand.toString());
            java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> ps.executeQuery().close());
            assertTrue(e.getMessage().contains("cached plan must not change result type"), e.getMessage());
            try (ResultSet rs = as.executeQuery()) {
                assertTrue(shape(rs).contains("_uuidmig_sender_id"), "autosave=conservative re-prepared and sees the new column");
            }
        }
    }

    /** A schema public_uuid that uuidmig did not create: expand refuses before changing anything, naming --view-schema. */
    @Test
    void aForeignViewSchemaIsRefusedBeforeAnythingChanges(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("CREATE SCHEMA public_uuid; CREATE TABLE public_uuid.keep_me (x int)");
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(ExitCode.CHECKS_FAILED, expand.exitCode(), expand.toString());
        assertTrue(expand.err().contains("public_uuid") && expand.err().contains("--view-schema"), expand.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_attribute WHERE attname LIKE '\\_uuidmig\\_%'"), "no shadow column");
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public_uuid'"));
        CliResult other = db.run("migrate", "--phase", "expand", "--view-schema", "green_views");
        assertEquals(0, other.exitCode(), other.toString());
        assertEquals(9, db.queryLong("SELECT count(*) FROM pg_views WHERE schemaname = 'green_views'"));
    }
}

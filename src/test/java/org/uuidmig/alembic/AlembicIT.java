package org.uuidmig.alembic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.flyway.HistoryTable;
import org.uuidmig.testing.MigratedFixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 16 item 6, with a real Alembic (Debian 12's python3-alembic 1.8.1 and python3-psycopg2, run by /usr/bin/python3)
 * on a stand-in for the application's repository (src/test/resources/alembic-app: alembic.ini, env.py with the hooks
 * of docs/alembic.md, models.py of the fixture after the migration, the base revision) and the revision uuidmig ships,
 * alembic/versions/2025_12_04_2215-ed06a1b6d932_migrate_user_references_to_uuid.py, read from where it ships.
 * {@code alembic check} arrived in Alembic 1.9: the app's check.py runs 1.9's command.check steps on 1.8.
 */
@ExtendWith(PostgresExtension.class)
class AlembicIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path APP = Path.of("src/test/resources/alembic-app").toAbsolutePath();
    private static final Path REVISION = Path.of("alembic/versions/2025_12_04_2215-ed06a1b6d932_migrate_user_references_to_uuid.py")
        .toAbsolutePath();
    private static final String NO_DIFFERENCES = "No new upgrade operations detected.";

    /** What a python run printed, and how it ended. */
    record Py(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    @BeforeAll
    static void alembicIsInstalled() throws Exception {
        assertTrue(Files.isRegularFile(APP.resolve("alembic.ini")), "run from the project's directory: no " + APP);
        assertTrue(Files.isRegularFile(REVISION), "the shipped revision is missing: " + REVISION);
        Py v;
        try {
            v = python(Map.of(), "-c", "import alembic, psycopg2, sqlalchemy; print(alembic.__version__)");
        } catch (IOException e) {
            v = new Py(-1, "", e.toString());
        }
        if (v.exitCode() != 0) {
            fail("Alembic is not installed for " + PYTHON + ": install python3-alembic python3-psycopg2 "
                + "(apt-get install -y python3-alembic python3-psycopg2)\n" + v);
        }
    }

    /** After uuidmig (which stamps alembic_version): current, upgrade head and check work, and downgrade points to rollback. */
    @Test
    void afterUuidmigAlembicSeesNothingToDo(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        assertEquals("ed06a1b6d932", version(db));

        Py current = alembic(db, "current");
        assertEquals(0, current.exitCode(), current.toString());
        assertTrue(current.out().contains("ed06a1b6d932 (head)"), current.toString());

        Py upgrade = alembic(db, "upgrade", "head");
        assertEquals(0, upgrade.exitCode(), upgrade.toString());
        assertFalse(upgrade.all().contains("Running upgrade"), "nothing to run: " + upgrade);
        assertEquals("ed06a1b6d932", version(db));

        // env.py compares every schema (include_schemas=True) with types; the hooks keep uuidmig's schemas out
        Py check = check(db, "on");
        assertEquals(0, check.exitCode(), check.toString());
        assertTrue(check.out().contains(NO_DIFFERENCES), check.toString());
        // an env.py as `alembic init` writes it (the default schema only, no hooks) sees nothing of uuidmig's either:
        // uuidmig keeps nothing in the application's schema
        Py plain = check(db, "none");
        assertEquals(0, plain.exitCode(), plain.toString());
        assertTrue(plain.out().contains(NO_DIFFERENCES), plain.toString());
        // without the hooks, every schema compared: autogenerate would drop uuidmig's state and Flyway's history
        Py unhooked = check(db, "off");
        assertNotEquals(0, unhooked.exitCode(), unhooked.toString());
        assertTrue(unhooked.err().contains("remove_table") && unhooked.err().contains("schema='uuidmig_history'")
            && unhooked.err().contains("schema='uuidmig'"), unhooked.toString());

        Py downgrade = alembic(db, "downgrade", "add_uuid_refresh_sessions");
        assertNotEquals(0, downgrade.exitCode(), downgrade.toString());
        assertTrue(downgrade.out().contains("FAILED: Revision ed06a1b6d932 (user references to uuid) is undone by uuidmig")
            && downgrade.out().contains("uuidmig rollback --host " + db.server().host() + " --port " + db.server().port()
                + " --dbname " + db.name()), downgrade.toString());
        assertEquals("ed06a1b6d932", version(db), "the downgrade changed nothing");
    }

    /** uuidmig migrate --no-alembic-stamp: upgrade() runs, finds uuidmig done, changes nothing, and Alembic records it. */
    @Test
    void withoutUuidmigsStampTheRevisionChecksAndIsRecorded(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult m = db.run("migrate", "--no-alembic-stamp");
        assertEquals(0, m.exitCode(), m.toString());
        assertEquals("add_uuid_refresh_sessions", version(db));
        List<String> catalog = columnTypes(db);

        Py upgrade = alembic(db, "upgrade", "head");
        assertEquals(0, upgrade.exitCode(), upgrade.toString());
        assertTrue(upgrade.err().contains("Running upgrade add_uuid_refresh_sessions -> ed06a1b6d932"), upgrade.toString());
        assertEquals("ed06a1b6d932", version(db));
        assertEquals(catalog, columnTypes(db), "the revision changed nothing");
        Py check = check(db, "on");
        assertEquals(0, check.exitCode(), check.toString());
    }

    /**
     * Before uuidmig, and halfway (after migrate --phase expand), upgrade fails with what is not done and the exact uuidmig
     * command, and changes nothing; a database stamped to head by hand anyway fails check on the column types.
     */
    @Test
    void beforeUuidmigUpgradeFailsWithTheCommandToRun(TestDb db) throws Exception {
        db.loadFixture(1);
        String command = "uuidmig migrate --host " + db.server().host() + " --port " + db.server().port() + " --dbname " + db.name()
            + " --username " + user(db) + " --schema public";

        Py before = alembic(db, "upgrade", "head");
        assertNotEquals(0, before.exitCode(), before.toString());
        assertTrue(before.out().contains("FAILED: uuidmig has not finished migrating the user references of schema \"public\"")
            && before.out().contains("no uuidmig history: uuidmig has not run on this schema")
            && before.out().contains("chat_messages.sender_id is integer, not uuid")
            && before.out().contains("\n    " + command + "\n"), before.toString());
        assertFalse(before.all().contains("Traceback"), "Alembic's CommandError: one message, no traceback: " + before);
        assertEquals("add_uuid_refresh_sessions", version(db));

        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        Py halfway = alembic(db, "upgrade", "head");
        assertNotEquals(0, halfway.exitCode(), halfway.toString());
        assertTrue(halfway.out().contains("uuidmig's state has chat_messages.sender_id at step verify")
            && halfway.out().contains(command), halfway.toString());
        assertEquals("add_uuid_refresh_sessions", version(db));

        // stamped without the migration: the models (uuid) and the database (integer) differ, and check says so
        CliResult rollback = db.run("rollback");
        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertEquals(0, alembic(db, "stamp", "head").exitCode());
        Py check = check(db, "on");
        assertNotEquals(0, check.exitCode(), check.toString());
        assertTrue(check.err().contains("modify_type") && check.err().contains("'chat_messages', 'sender_id'"), check.toString());
    }

    /**
     * The hooks env.py uses are the snippet of docs/alembic.md, word for word; the revision's columns are uuidmig's default
     * plan; and its history table name is uuidmig's (HistoryTable.tableFor).
     */
    @Test
    void theShippedPiecesAgreeWithUuidmig() throws Exception {
        String docs = Files.readString(Path.of("docs/alembic.md"));
        int start = docs.indexOf("def include_name(");
        int end = docs.indexOf("\n\n\ncontext.configure(", start);
        assertTrue(start > 0 && end > start, "docs/alembic.md has the include_name / include_object snippet");
        String snippet = docs.substring(start, end);
        assertTrue(Files.readString(APP.resolve("migrations/env.py")).contains("# --- from uuidmig's docs/alembic.md ---\n" + snippet
            + "\n# --- end ---"), "env.py's hooks are the snippet of docs/alembic.md:\n" + snippet);
        assertTrue(docs.contains(REVISION.getFileName().toString()), "docs/alembic.md names the shipped revision");

        String revision = Files.readString(REVISION);
        assertTrue(revision.contains("revision = \"ed06a1b6d932\"") && revision.contains("down_revision = \"add_uuid_refresh_sessions\""));
        for (ColumnRef c : PlanSettings.DEFAULT_COLUMNS) {
            assertTrue(revision.contains("(\"" + c.table() + "\", \"" + c.column() + "\")"), c + " in USER_COLUMNS");
        }
        List<String> names = List.of("public", "Odd \"Schema\"", "#public", "é".repeat(28) + "x", "é".repeat(29), "app schema.v2");
        List<String> args = new ArrayList<>(List.of("-c", """
            import importlib.util, sys
            spec = importlib.util.spec_from_file_location("revision", sys.argv[1])
            m = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(m)
            for name in sys.argv[2:]:
                print(m._history_table(name))
            """, REVISION.toString()));
        args.addAll(names);
        Py py = python(Map.of(), args.toArray(new String[0]));
        assertEquals(0, py.exitCode(), py.toString());
        assertEquals(names.stream().map(HistoryTable::tableFor).toList(), py.out().lines().toList());
    }

    private static String version(TestDb db) throws Exception {
        return db.queryString("SELECT string_agg(version_num, ',') FROM alembic_version");
    }

    private static List<String> columnTypes(TestDb db) throws Exception {
        return db.queryStrings("SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' ORDER BY 1");
    }

    private static String user(TestDb db) {
        return org.postgresql.Driver.parseURL(db.url(), null).getProperty("user");
    }

    /** The database as a SQLAlchemy URL for psycopg2. */
    private static String sqlalchemyUrl(TestDb db) {
        Properties p = org.postgresql.Driver.parseURL(db.url(), null);
        String password = p.getProperty("password");
        return "postgresql+psycopg2://" + enc(p.getProperty("user")) + (password == null ? "" : ":" + enc(password)) + "@"
            + p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/" + enc(db.name());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Py alembic(TestDb db, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-m", "alembic", "-c", APP.resolve("alembic.ini").toString()));
        all.addAll(List.of(args));
        return python(Map.of("DATABASE_URL", sqlalchemyUrl(db)), all.toArray(new String[0]));
    }

    /** The app's check.py (`alembic check`), with env.py's hooks on, off (every schema compared) or none (default schema). */
    private static Py check(TestDb db, String hooks) throws Exception {
        return python(Map.of("DATABASE_URL", sqlalchemyUrl(db), "UUIDMIG_ALEMBIC_HOOKS", hooks),
            APP.resolve("check.py").toString(), APP.resolve("alembic.ini").toString());
    }

    /** Runs /usr/bin/python3 in the app's directory, writing no .pyc next to the sources; at most 60 s. */
    private static Py python(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(APP.toFile());
        Map<String, String> e = new HashMap<>(env);
        e.put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().remove("PYTHONPATH");
        pb.environment().remove("PYTHONHOME");
        pb.environment().putAll(e);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("python did not finish within 60 s: " + cmd);
        }
        return new Py(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package org.uuidmig.service;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.db.Sql;
import org.uuidmig.db.SqlState;
import org.uuidmig.demo.ApplicationLoad;
import org.uuidmig.demo.ServiceCatalogFixture;
import org.uuidmig.engine.StateStore;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.localpg.PgBinaries;
import org.uuidmig.report.CheckReport;
import org.uuidmig.report.Progress;
import org.uuidmig.report.ReportWriter;
import org.uuidmig.report.RunProgress;
import org.uuidmig.steps.BlueGreenWindow;

/**
 * demo: the main job on a throwaway database, for a newcomer, deployed blue-green as docs/blue-green.md tells a team
 * to. Creates {@code uuidmig_demo_<random>} from the maintenance database it is given, loads the servicecatalog
 * fixture and runs validate-pre. Then: blue (an {@link ApplicationLoad} of the integer application) runs from the
 * start; {@code migrate --phase expand} opens the window; green (the uuid application, through the window's views)
 * joins and both run side by side; blue retires; {@code migrate --phase contract} swaps while green keeps going;
 * green stops. Then validate-post, a summary with each application's statements and failures (any failure fails the
 * demo), and the database is dropped unless asked to keep it. Where no server is reachable (and the policy allows
 * it) it runs on a throwaway {@link LocalPostgres} instead, and always stops it.
 */
public final class DemoService {
    /** When demo may start a throwaway server of its own. */
    public enum LocalServer {
        /** Always: the connection options are not used at all (--local-server). */
        ALWAYS,
        /** When the server of the connection options cannot be reached (no option named a server). */
        IF_UNREACHABLE,
        /** Never: a server named by a connection option (--url, -h, -p, -d, -U, -W) is what the user wants, reachable or not. */
        NOT_WITH_EXPLICIT_OPTIONS,
        /** Never (--no-local-server). */
        NEVER
    }

    /** application_name of the simulated applications' sessions: status and contract's refusal name them. */
    static final String BLUE_APP = "demo app blue";
    static final String GREEN_APP = "demo app green";
    /** Pause of each application thread between its transactions: about 40 transactions/s each. */
    static final Duration APP_PAUSE = Duration.ofMillis(25);
    /**
     * How long blue and green run side by side in the window; longer (up to {@link #APP_WAIT_MAX}) until each has
     * written a message in it.
     */
    static final Duration SIDE_BY_SIDE = Duration.ofSeconds(2);
    /**
     * How long green keeps running after contract, to show it working on the swapped tables; longer (up to
     * {@link #APP_WAIT_MAX}) until it has written a message after the swap.
     */
    static final Duration GREEN_AFTER = Duration.ofSeconds(1);
    static final Duration APP_WAIT_MAX = Duration.ofSeconds(30);
    /**
     * contract's --blue-quiet in the demo. The default (60 s) guards against a blue instance someone forgot: contract
     * refuses while blue wrote less than that long ago. Here the demo has stopped blue itself (its threads joined, its
     * sessions closed) before contract, so no blue write can come any more, and waiting a minute would only make
     * the demo longer. The check still runs; with 1 ms it refuses only a blue write made after contract began.
     */
    static final Duration BLUE_QUIET = Duration.ofMillis(1);

    private ConnectionSettings maintenance;
    /** How the summary describes the server, after its version and address. */
    private String serverNote = "";
    private final LocalServer localServer;
    private final String localVersion;
    private final int scale;
    private final boolean keep;
    private final PrintWriter out;
    private final PrintWriter err;
    private final RunProgress.Mode progress;

    public DemoService(ConnectionSettings maintenance, LocalServer localServer, String localVersion, int scale, boolean keep,
                       PrintWriter out, PrintWriter err, RunProgress.Mode progress) {
        this.maintenance = maintenance;
        this.localServer = localServer;
        this.localVersion = localVersion;
        this.scale = scale;
        this.keep = keep;
        this.out = out;
        this.err = err;
        this.progress = progress;
    }

    public int run() {
        if (localServer == LocalServer.ALWAYS) {
            return runOnLocalServer("--local-server was given");
        }
        Connection ac;
        try {
            ac = new Database(maintenance).connect("demo");
        } catch (UuidmigException e) {
            if (!unreachable(e)) {
                throw e;
            }
            if (localServer == LocalServer.IF_UNREACHABLE) {
                return runOnLocalServer("no PostgreSQL server reachable at " + maintenance.host() + ":" + maintenance.port());
            }
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "no PostgreSQL server to run the demo on: " + e.getMessage()
                + ". Start PostgreSQL, or point -h and -p (or --url, or PGHOST and PGPORT) at a server where you may create a database, or run "
                + "`uuidmig demo" + (localServer == LocalServer.NEVER ? "` without --no-local-server" : " --local-server` without connection options")
                + " to let it start a throwaway PostgreSQL from Maven Central binaries", e);
        }
        return runOn(ac);
    }

    /** Starts a throwaway server, runs the demo on it, and stops and removes it whatever happens. */
    private int runOnLocalServer(String why) {
        out.println("uuidmig demo: " + why + "; starting a throwaway PostgreSQL " + localVersion + " from Maven Central binaries ("
            + PgBinaries.coordinates(localVersion) + ", " + whereBinaries() + ")");
        out.flush();
        // a signal during migrate must leave the server's shutdown hook time to stop and remove it (RunLock halts otherwise)
        org.uuidmig.db.RunLock.doNotHaltOnInterrupt();
        try (LocalPostgres pg = LocalPostgres.start(localVersion, msg -> {
            out.println("  " + msg);
            out.flush();
        })) {
            maintenance = new ConnectionSettings(pg.host(), pg.port(), "postgres", LocalPostgres.SUPERUSER, null,
                null, "public", null);
            serverNote = " (throwaway server from Maven Central binaries " + PgBinaries.coordinates(localVersion) + ", removed at the end)";
            int code = runOn(new Database(maintenance).connect("demo"));
            pg.close();
            out.println("uuidmig demo: stopped the throwaway PostgreSQL server and removed its data directory");
            out.flush();
            return code;
        }
    }

    private String whereBinaries() {
        String cache = PgBinaries.cacheDir().resolve(localVersion).toString();
        if (PgBinaries.cached(localVersion)) {
            return "cached in " + cache;
        }
        return (java.nio.file.Files.isRegularFile(PgBinaries.localJar(localVersion)) ? "the jar from " + PgBinaries.localJar(localVersion)
            : "downloading the jar (about 15 MB) once into " + PgBinaries.localJar(localVersion).getParent()) + ", unpacked once into " + cache;
    }

    private static boolean unreachable(UuidmigException e) {
        return e.getCause() instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08");
    }

    private int runOn(Connection adminConnection) {
        long t0 = System.nanoTime();
        try (Connection ac = adminConnection) {
            String version = queryString(ac, "SELECT current_setting('server_version')");
            String name = "uuidmig_demo_" + HexFormat.of().formatHex(randomBytes());
            createDatabase(ac, name);
            Outcome o;
            try {
                Database db = new Database(maintenance.withDatabase(name), MigrationSettings.defaults().lock().lockTimeout());
                // the line every command starts with, naming the throwaway database (on stderr, as the others)
                err.println(db.target().line("demo"));
                err.flush();
                o = runIn(db);
            } finally {
                if (!keep) {
                    dropDatabase(ac, name);
                }
            }
            summary(o, name, version, (System.nanoTime() - t0) / 1_000_000);
            return o.code;
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "demo failed: " + e.getMessage()
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e);
        }
    }

    /** What happened in the demo database. */
    private static final class Outcome {
        int code = ExitCode.OK;
        String result = "";
        long loadMs;
        long preMs;
        long expandMs;
        long sideBySideMs;
        long contractMs;
        long postMs;
        long rows;
        int columns;
        int tables;
        String viewSchema;
        ApplicationLoad.Stats blue;
        ApplicationLoad.Stats green;
    }

    private Outcome runIn(Database db) throws SQLException {
        Outcome o = new Outcome();
        PlanSettings plan = PlanSettings.defaults("public");
        long t = System.nanoTime();
        out.println("loading the servicecatalog fixture at scale " + scale + " (" + String.format("%,d", ServiceCatalogFixture.rows(scale))
            + " rows)...");
        out.flush();
        try (Connection c = db.connect("demo fixture")) {
            ServiceCatalogFixture.load(c, scale);
        }
        o.loadMs = ms(t);

        section("validate-pre");
        t = System.nanoTime();
        CheckReport pre = ValidationService.pre(db, plan, progress == RunProgress.Mode.OFF ? Progress.silent() : Progress.lines(err));
        ReportWriter.text(pre, out, false);
        o.preMs = ms(t);
        if (pre.hasFailures()) {
            o.code = pre.exitCode(false);
            o.result = "FAILED: validate-pre found problems (listed above)";
            return o;
        }

        runDeploy(db, plan, o);
        if (o.code != ExitCode.OK) {
            return o;
        }
        try (Connection c = db.connect("demo")) {
            var tables = StateStore.tables(c, "public");
            o.tables = tables.size();
            o.columns = StateStore.columns(c, "public").size();
            o.rows = tables.values().stream().mapToLong(r -> r.endRows() == null ? 0 : r.endRows()).sum();
            waitForApplicationSessions(c);
        }

        section("validate-post");
        t = System.nanoTime();
        CheckReport post = ValidationService.post(db, plan);
        ReportWriter.text(post, out, false);
        o.postMs = ms(t);
        o.code = post.exitCode(false);
        long failed = o.blue.failed() + o.green.failed();
        if (post.hasFailures()) {
            o.result = "FAILED: validate-post found problems (listed above)";
        } else if (failed > 0) {
            // the point of the window: neither application may fail at any stage
            o.code = ExitCode.CHECKS_FAILED;
            o.result = "FAILED: " + failed + " statements of the applications failed (blue " + o.blue.failed() + ", green "
                + o.green.failed() + "; the app error lines say why)";
        } else {
            o.result = "OK: validate-pre, migrate --phase expand and contract, and validate-post succeeded; neither application failed";
        }
        return o;
    }

    /**
     * The blue-green deploy under load: blue from the start, expand, green joins, blue retires, contract while green
     * keeps going, green stops. Prints a line at each stage; sets the outcome's code and both applications' stats.
     */
    private void runDeploy(Database db, PlanSettings plan, Outcome o) throws SQLException {
        RunOptions.Window window = new RunOptions.Window(null, BLUE_QUIET, false);
        o.viewSchema = window.viewSchemaFor("public");
        section("migrate --phase expand, while blue (the integer application) writes and reads");
        long t = System.nanoTime();
        ApplicationLoad blue = ApplicationLoad.blue(db, BLUE_APP, APP_PAUSE);
        ApplicationLoad green = null;
        stage("blue running: the integer application (one writer, one reader), integer user ids, the default search_path");
        try {
            o.code = migrate(db, plan, RunOptions.migrate().withPhase(Phase.EXPAND).withWindow(window));
            o.expandMs = ms(t);
            if (o.code != ExitCode.OK) {
                o.result = "FAILED: migrate --phase expand exited with " + o.code + " (see above)";
                return;
            }
            stage("expand done: window open in " + o.viewSchema + " (one view per table, the user columns as uuid)");

            section("blue and green side by side in the window");
            t = System.nanoTime();
            long blueBefore = blue.messages();
            green = ApplicationLoad.green(db, o.viewSchema, "public", GREEN_APP, APP_PAUSE);
            stage("green joined: the uuid application (one writer, one reader), uuid user ids, search_path " + o.viewSchema
                + ", public; blue keeps running beside it");
            pause(SIDE_BY_SIDE);
            // a slow machine: each writes at least once in the window, so the summary shows both working side by side
            blue.awaitMessages(blueBefore + 1, APP_WAIT_MAX.minus(SIDE_BY_SIDE));
            green.awaitMessages(1, APP_WAIT_MAX.minus(SIDE_BY_SIDE));
            o.blue = blue.stop();
            o.sideBySideMs = ms(t);
            long[] writes;
            try (Connection c = db.connect("demo")) {
                writes = BlueGreenWindow.writes(c, "public");
            }
            stage(String.format("blue retired: stopped after %,d messages with integer user ids; the window counted %,d writes "
                + "through the integer columns (blue) and %,d through the views (green)", o.blue.messages(), writes[0], writes[1]));

            section("migrate --phase contract, while green writes and reads");
            t = System.nanoTime();
            o.code = migrate(db, plan, RunOptions.migrate().withPhase(Phase.CONTRACT).withWindow(window));
            o.contractMs = ms(t);
            if (o.code != ExitCode.OK) {
                o.result = "FAILED: migrate --phase contract exited with " + o.code + " (see above)";
                return;
            }
            stage("contract done: the columns are uuid and " + o.viewSchema + " is gone; green's names resolve to the tables in public");
            long greenBefore = green.messages();
            pause(GREEN_AFTER);
            green.awaitMessages(greenBefore + 1, APP_WAIT_MAX.minus(GREEN_AFTER)); // a slow machine: green writes after the swap
            o.green = green.stop();
            stage(String.format("green stopped after %,d messages with uuid user ids", o.green.messages()));
        } finally {
            if (o.blue == null) {
                o.blue = blue.stop();
            }
            if (green != null && o.green == null) {
                o.green = green.stop();
            }
        }
    }

    /** Runs migrate with those run options (printing what it prints); returns its exit code. */
    private int migrate(Database db, PlanSettings plan, RunOptions run) {
        try {
            return new MigrationService(db, plan, MigrationSettings.defaults().withRun(run), out, err, progress).run().printText(out, err);
        } catch (UuidmigException e) {
            err.println("uuidmig: error: " + e.getMessage());
            return e.exitCode();
        }
    }

    private void summary(Outcome o, String name, String version, long totalMs) {
        out.println();
        out.println("== uuidmig demo summary ==");
        line("server", "PostgreSQL " + version + " at " + maintenance.host() + ":" + maintenance.port() + serverNote + ", fixture scale " + scale);
        line("time", String.format("%.1f s in all: fixture %.1f s, validate-pre %.1f s, expand %.1f s, side by side %.1f s, "
            + "contract %.1f s, validate-post %.1f s", totalMs / 1000.0, o.loadMs / 1000.0, o.preMs / 1000.0, o.expandMs / 1000.0,
            o.sideBySideMs / 1000.0, o.contractMs / 1000.0, o.postMs / 1000.0));
        if (o.columns > 0) {
            line("rows", String.format("%,d rows in %d columns of %d tables now reference users(uuid)", o.rows, o.columns, o.tables));
        }
        if (o.blue != null) {
            line("blue", String.format("%,d statements, %d failed; the integer application, from the start until it retired after "
                + "expand: %,d messages with integer user ids", o.blue.statements(), o.blue.failed(), o.blue.messages()));
        }
        if (o.green != null) {
            line("green", String.format("%,d statements, %d failed; the uuid application (search_path %s, public), from the window "
                + "until after contract: %,d messages with uuid user ids", o.green.statements(), o.green.failed(), o.viewSchema,
                o.green.messages()));
        }
        if (o.blue != null) {
            line("longest stall", "blue " + stall(o.blue) + (o.green == null ? "" : "; green " + stall(o.green)));
        }
        for (ApplicationLoad.Stats a : new ApplicationLoad.Stats[] {o.blue, o.green}) {
            if (a != null) {
                for (String e : a.errors()) {
                    line("app error", (a == o.blue ? "blue " : "green ") + e);
                }
            }
        }
        line("result", o.result);
        line("database", keep && !serverNote.isEmpty() ? name + " goes with the throwaway server (--keep keeps it only on a server of your own)"
            : keep ? name + " kept: connect with --url " + maintenance.withDatabase(name).jdbcUrl()
            + ", drop it with DROP DATABASE " + Sql.ident(name) : name + " dropped (--keep keeps it)");
        out.flush();
    }

    private static String stall(ApplicationLoad.Stats a) {
        return a.longestMillis() + " ms (" + (a.longestStatement().isEmpty() ? "none" : a.longestStatement()) + ")";
    }

    /** A stage of the deploy, on a line of its own, so a viewer sees the sequence among migrate's output. */
    private void stage(String text) {
        out.println(">> " + text);
        out.flush();
    }

    private void line(String label, String text) {
        out.println(String.format("  %-14s %s", label, text));
    }

    private void section(String title) {
        out.println();
        out.println("== " + title + " ==");
        out.flush();
    }

    private static void createDatabase(Connection ac, String name) {
        try (Statement st = ac.createStatement()) {
            st.execute("CREATE DATABASE " + Sql.ident(name) + " TEMPLATE template0");
        } catch (SQLException e) {
            if (SqlState.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "the demo needs to create a database, and this role may not ("
                    + e.getMessage() + "): use --user with a role that has CREATEDB", e);
            }
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot create the demo database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Ends any session left in the database (PostgreSQL 12 has no DROP DATABASE ... WITH (FORCE)), then drops it. */
    private static void dropDatabase(Connection ac, String name) throws SQLException {
        try (PreparedStatement ps = ac.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, name);
            ps.execute();
        }
        try (Statement st = ac.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Sql.ident(name));
        }
    }

    /**
     * Waits (up to 10 s) until the applications' sessions have ended, then a second more: a session
     * hands its row counts to the statistics only as it exits, and validate-post explains rows
     * written after the swap with those statistics.
     */
    private static void waitForApplicationSessions(Connection c) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND application_name IN (?, ?)")) {
                ps.setString(1, BLUE_APP);
                ps.setString(2, GREEN_APP);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
            }
            pause(Duration.ofMillis(100));
        }
        pause(Duration.ofSeconds(1));
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

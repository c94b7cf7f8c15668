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
import org.uuidmig.report.CheckReport;
import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.db.Sql;
import org.uuidmig.db.SqlState;
import org.uuidmig.demo.ApplicationLoad;
import org.uuidmig.demo.ServiceCatalogFixture;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.localpg.PgBinaries;
import org.uuidmig.report.Progress;
import org.uuidmig.report.RunProgress;
import org.uuidmig.report.ReportWriter;
import org.uuidmig.step.StateStore;

/**
 * demo: the main job on a throwaway database, for a newcomer. Creates {@code uuidmig_demo_<random>}
 * from the maintenance database it is given, loads the servicecatalog fixture, runs validate-pre,
 * migrate (while {@link ApplicationLoad} plays a small application) and validate-post, prints a
 * summary, and drops the database unless asked to keep it. Where no server is reachable (and the
 * policy allows it) it runs on a throwaway {@link LocalPostgres} instead, and always stops it.
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

    /** Application name of the simulated application's sessions (see {@link Database#connect}). */
    static final String APP_NAME = "uuidmig demo app";
    /** Pause of each application thread between its transactions: about 40 transactions/s each. */
    static final Duration APP_PAUSE = Duration.ofMillis(25);
    /**
     * How long the application keeps running after migrate, to show it working on the uuid columns; longer (up to
     * {@link #APP_AFTER_MAX}) until it has written with a uuid.
     */
    static final Duration APP_AFTER = Duration.ofSeconds(1);
    static final Duration APP_AFTER_MAX = Duration.ofSeconds(30);

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
        long migrateMs;
        long postMs;
        long rows;
        int columns;
        int tables;
        ApplicationLoad.Stats app;
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

        section("migrate, while a simulated application writes and reads (one writer, one reader)");
        t = System.nanoTime();
        ApplicationLoad load = ApplicationLoad.start(db, "public", APP_PAUSE);
        try {
            o.code = new MigrationService(db, plan, MigrationSettings.defaults(), out, err, progress).migrate().printText(out, err);
        } catch (UuidmigException e) {
            err.println("uuidmig: error: " + e.getMessage());
            o.code = e.exitCode();
        } finally {
            o.migrateMs = ms(t);
            if (o.code == ExitCode.OK) {
                pause(APP_AFTER);
                load.awaitUuidWrite(APP_AFTER_MAX.minus(APP_AFTER)); // a slow machine: the summary shows it writing uuids
            }
            o.app = load.stop();
        }
        if (o.code != ExitCode.OK) {
            o.result = "FAILED: migrate exited with " + o.code + " (see above)";
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
        o.result = post.hasFailures() ? "FAILED: validate-post found problems (listed above)"
            : "OK: validate-pre, migrate and validate-post succeeded";
        return o;
    }

    private void summary(Outcome o, String name, String version, long totalMs) {
        out.println();
        out.println("== uuidmig demo summary ==");
        line("server", "PostgreSQL " + version + " at " + maintenance.host() + ":" + maintenance.port() + serverNote + ", fixture scale " + scale);
        line("time", String.format("%.1f s in all: fixture %.1f s, validate-pre %.1f s, migrate %.1f s, validate-post %.1f s",
            totalMs / 1000.0, o.loadMs / 1000.0, o.preMs / 1000.0, o.migrateMs / 1000.0, o.postMs / 1000.0));
        if (o.columns > 0) {
            line("rows", String.format("%,d rows in %d columns of %d tables now reference users(uuid)", o.rows, o.columns, o.tables));
        }
        if (o.app != null) {
            ApplicationLoad.Stats a = o.app;
            line("application", String.format("%,d statements during migrate and a second after, %d failed; it wrote %,d messages with integer "
                + "user ids, then %,d with uuids", a.statements(), a.failed(), a.integerWrites(), a.uuidWrites()));
            line("longest stall", a.longestMillis() + " ms (" + (a.longestStatement().isEmpty() ? "none" : a.longestStatement()) + ")");
            for (String e : a.errors()) {
                line("app error", e);
            }
        }
        line("result", o.result);
        line("database", keep && !serverNote.isEmpty() ? name + " goes with the throwaway server (--keep keeps it only on a server of your own)"
            : keep ? name + " kept: connect with --url " + maintenance.withDatabase(name).jdbcUrl()
            + ", drop it with DROP DATABASE " + Sql.ident(name) : name + " dropped (--keep keeps it)");
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
     * Waits (up to 10 s) until the application's sessions have ended, then a second more: a session
     * hands its row counts to the statistics only as it exits, and validate-post explains rows
     * written after the swap with those statistics.
     */
    private static void waitForApplicationSessions(Connection c) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
                ps.setString(1, APP_NAME);
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

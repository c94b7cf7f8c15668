package org.uuidmig.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.Main;
import org.uuidmig.demo.ServiceCatalogFixture;

/** A fresh database for one test, with small helpers to set it up and to run the CLI against it. */
public final class TestDb {
    private final PostgresServer server;
    private final String name;
    /**
     * Whether anything may have used this database yet: its name, URL or server has been handed out. Until then it is
     * the empty database it was created as, and {@link #loadFixture} may replace it with a copy of a template.
     */
    private boolean used;
    /** Whether the database exists on the server: false until first use for one {@link #lazy} made. */
    private boolean created;

    TestDb(PostgresServer server, String name) {
        this(server, name, true);
    }

    private TestDb(PostgresServer server, String name, boolean created) {
        this.server = server;
        this.name = name;
        this.created = created;
    }

    /**
     * A database of this name that is created (from template0) when something first uses it, or as a copy of a
     * template when that first use is {@link #loadFixture}: most tests load the fixture first, and creating an empty
     * database only to drop it again cost them half a second each.
     */
    static TestDb lazy(PostgresServer server, String name) {
        return new TestDb(server, name, false);
    }

    /** Marks the database used, creating it first if it does not exist yet. */
    private void use() {
        used = true;
        if (!created) {
            created = true;
            try {
                server.create(name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create test database " + name + " on " + server.description(), e);
            }
        }
    }

    public String name() {
        use();
        return name;
    }

    /** The name, without creating the database: for {@link Templates}, which creates it as a copy. */
    String nameUnused() {
        return name;
    }

    /** {@link Templates} has made the database, a copy of a template. */
    void copied() {
        used = true;
        created = true;
    }

    public PostgresServer server() {
        use();
        return server;
    }

    /** JDBC URL with credentials, as a user would pass to --url. */
    public String url() {
        use();
        return server.urlFor(name);
    }

    /**
     * uuidmig's connection settings for this database (schema public), as the server's user, or as {@code role} when it is
     * not null (trust authentication, no password): for tests that use uuidmig's classes directly.
     */
    public org.uuidmig.config.ConnectionSettings settings(String role) {
        java.util.Properties p = org.postgresql.Driver.parseURL(url(), null);
        String user = role != null ? role : p.getProperty("user");
        return new org.uuidmig.config.ConnectionSettings(p.getProperty("PGHOST"), Integer.parseInt(p.getProperty("PGPORT")), name,
            user, role != null ? null : p.getProperty("password"), null, "public", role != null || p.getProperty("password") == null
            ? null : "the test URL");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    public void exec(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public long queryLong(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public String queryString(String sql, Object... params) throws SQLException {
        List<String> rows = queryStrings(sql, params);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** First column of every row, as text. */
    public List<String> queryStrings(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /**
     * Waits until no uuidmig session is left in this database. A run killed like kill -9 leaves its server sessions
     * (and the run lock one of them holds) until the server notices the closed socket, which under load can come
     * after the next run starts: a test that reruns waits for that event first. Fails after 60 s.
     */
    public void awaitNoUuidmigSessions() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            + " AND application_name LIKE 'uuidmig%'") > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("uuidmig sessions still open in " + name + " 60 s after the run ended: "
                    + queryStrings("SELECT application_name || ' pid ' || pid || ' ' || state FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name LIKE 'uuidmig%'"));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Loads the servicecatalog fixture (src/main/resources/fixture, the copy the jar ships for demo) at the given scale,
     * then ANALYZE. A database nothing has used yet on the shared server becomes a copy of a template loaded once per JVM
     * and scale ({@link Templates}): the same catalog, data and planner statistics, in less time.
     */
    public TestDb loadFixture(int scale) throws SQLException {
        if (!used && server == PostgresServer.get()) {
            Templates.copyInto(this, "fixture_" + scale, t -> t.loadFixtureHere(scale));
            return this;
        }
        return loadFixtureHere(scale);
    }

    private TestDb loadFixtureHere(int scale) throws SQLException {
        try (Connection c = connect()) {
            ServiceCatalogFixture.load(c, scale);
        }
        return this;
    }

    /** Runs the uuidmig CLI in-process against this database (--url is added unless args has it; see {@link #atOptionsSpeed}). */
    public CliResult run(String... args) {
        List<String> all = atOptionsSpeed(args);
        if (!all.isEmpty() && !all.contains("--url") && !all.get(0).startsWith("-")) {
            all.add(1, "--url");
            all.add(2, url());
        }
        return CliResult.run(all.toArray(new String[0]));
    }

    /**
     * The arguments of a test's run, with {@code --no-throttle} added to a migrate or rollback that says neither it nor
     * {@code --throttle}. The throttle (on by default) starts a run slowly and slows it down whenever the probe is slow,
     * which on a test machine running two test JVMs and their servers is often: the tests of what the steps do would
     * take minutes and their timings would follow the machine's load. The throttle's own tests say {@code --throttle}
     * (ThrottleIT), and DefaultThrottleIT runs a migrate with nothing added.
     */
    public static List<String> atOptionsSpeed(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        boolean steps = !all.isEmpty() && (all.get(0).equals("migrate") || all.get(0).equals("rollback"));
        if (steps && !all.contains("--throttle") && !all.contains("--no-throttle") && !all.contains("--help")) {
            all.add(1, "--no-throttle");
        }
        return all;
    }

    /** The outcome of one CLI run. */
    public record CliResult(int exitCode, String out, String err) {
        public static CliResult run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
            return new CliResult(code, out.toString(), err.toString());
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }
}

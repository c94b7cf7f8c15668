package org.uuidmig.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.db.Database;
import org.uuidmig.db.Sql;

/**
 * A small simulated application on the servicecatalog fixture, for {@code uuidmig demo}: a writer posts chat messages
 * and marks them read, a reader lists a request's messages with their senders. A load is one version of the
 * application for its whole life (docs/blue-green.md): {@link Version#BLUE}, the integer application, binds integer
 * user ids and joins users on id with the server's default search_path; {@link Version#GREEN}, the uuid application,
 * binds the user's uuid and joins users on uuid, connecting with {@code search_path = <schema>_uuid, <schema>}. Both
 * name their tables unqualified, as applications do, and connect as applications do (none of uuidmig's session
 * settings), so the blue-green window counts their writes. Each transaction first reads the session's user (so, like
 * the swap, it locks users before the tables that reference it). Sessions have no lock_timeout, like most
 * applications: a statement that waits for a lock shows up as latency, not as a failure. Counts statements,
 * failures, messages written and the longest statement.
 */
public final class ApplicationLoad {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationLoad.class);
    private static final int MAX_ERRORS_KEPT = 5;

    /** Which version of the application a load is. */
    public enum Version {
        /** the integer application: integer user ids, the default search_path */
        BLUE,
        /** the uuid application: uuid user ids, search_path = the window's view schema, then the application schema */
        GREEN;

        /** "blue" or "green". */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the application saw. */
    public record Stats(long statements, long failed, long longestMillis, String longestStatement, long messages,
                        List<String> errors) {
    }

    private final Database db;
    private final Version version;
    private final List<String> searchPath;
    private final String applicationName;
    private final Duration pause;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private long longestNanos;
    private String longestStatement = "";
    private final List<String> errors = new ArrayList<>();

    private ApplicationLoad(Database db, Version version, List<String> searchPath, String applicationName, Duration pause) {
        this.db = db;
        this.version = version;
        this.searchPath = searchPath;
        this.applicationName = applicationName;
        this.pause = pause;
    }

    /**
     * Starts blue, the integer application (default search_path): one writer and one reader, each pausing
     * {@code pause} between transactions, their sessions named {@code applicationName}.
     */
    public static ApplicationLoad blue(Database db, String applicationName, Duration pause) {
        return new ApplicationLoad(db, Version.BLUE, List.of(), applicationName, pause).startThreads();
    }

    /**
     * Starts green, the uuid application, with {@code search_path = viewSchema, schema} (the blue-green window's views
     * first; the application schema's tables once contract has dropped them): one writer and one reader, as blue.
     */
    public static ApplicationLoad green(Database db, String viewSchema, String schema, String applicationName, Duration pause) {
        return new ApplicationLoad(db, Version.GREEN, List.of(viewSchema, schema), applicationName, pause).startThreads();
    }

    private ApplicationLoad startThreads() {
        startThread("uuidmig-demo-" + version.label() + "-writer", true, version == Version.BLUE ? 1 : 3);
        startThread("uuidmig-demo-" + version.label() + "-reader", false, version == Version.BLUE ? 2 : 4);
        return this;
    }

    private void startThread(String name, boolean writer, long seed) {
        Thread t = new Thread(() -> loop(writer, new Random(seed)), name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** The messages the writer has committed so far. */
    public long messages() {
        return messages.get();
    }

    /**
     * Waits until the writer has committed at least {@code count} messages in all, at most the timeout; returns at
     * once if the threads have stopped.
     */
    public void awaitMessages(long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages.get() < count && running && threads.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the threads, waits for their last transaction and closes their connections. */
    public Stats stop() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(Duration.ofMinutes(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                fail("stop", new IllegalStateException(t.getName() + " did not finish its transaction within a minute"));
            }
        }
        synchronized (this) {
            return new Stats(statements.get(), failed.get(), longestNanos / 1_000_000, longestStatement, messages.get(),
                List.copyOf(errors));
        }
    }

    private void loop(boolean writer, Random random) {
        try (Connection c = db.connectAsApplication(applicationName, searchPath)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = 0");
            }
            c.setAutoCommit(false);
            long users = maxId(c, "users");
            long requests = maxId(c, "service_requests");
            c.commit();
            while (running) {
                long user = 1 + random.nextInt((int) Math.max(1, users));
                long request = 1 + random.nextInt((int) Math.max(1, requests));
                try {
                    if (writer) {
                        write(c, user, request);
                        c.commit();
                        messages.incrementAndGet();
                    } else {
                        read(c, user, request);
                        c.commit();
                    }
                } catch (SQLException e) {
                    fail(writer ? "writer" : "reader", e);
                    try {
                        c.rollback();
                    } catch (SQLException r) {
                        fail("rollback", r);
                        return;
                    }
                }
                sleep();
            }
        } catch (SQLException | RuntimeException e) {
            fail(writer ? "writer" : "reader", e);
        }
    }

    private boolean green() {
        return version == Version.GREEN;
    }

    /**
     * Reads the session's user, as the application's code would: blue only checks that it exists; green reads its
     * uuid (its users are known by uuid).
     */
    private Object user(Connection c, long user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + (green() ? "uuid" : "id") + " FROM users WHERE id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = timed("SELECT users", ps::executeQuery)) {
                if (!rs.next()) {
                    throw new SQLException("no user with id " + user);
                }
                return green() ? rs.getObject(1, java.util.UUID.class) : (Object) rs.getLong(1);
            }
        }
    }

    /** Posts a message and marks it read by its sender: blue binds the user's integer id, green its uuid. */
    private void write(Connection c, long user, long request) throws SQLException {
        Object sender = user(c, user);
        long message;
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO chat_messages (request_id, sender_id, content) VALUES (?, ?, ?) RETURNING id")) {
            ps.setLong(1, request);
            ps.setObject(2, sender);
            ps.setString(3, "demo message from " + version.label() + " user " + user);
            try (ResultSet rs = timed("INSERT INTO chat_messages", ps::executeQuery)) {
                rs.next();
                message = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO message_read_states (message_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, message);
            ps.setObject(2, sender);
            timed("INSERT INTO message_read_states", ps::executeUpdate);
        }
    }

    /** Lists a request's latest messages with their senders: blue joins users on id, green on uuid. */
    private void read(Connection c, long user, long request) throws SQLException {
        user(c, user);
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.content, u.email FROM chat_messages m LEFT JOIN users u ON u."
            + (green() ? "uuid" : "id") + " = m.sender_id WHERE m.request_id = ? ORDER BY m.created_at DESC LIMIT 20")) {
            ps.setLong(1, request);
            try (ResultSet rs = timed("SELECT chat_messages JOIN users", ps::executeQuery)) {
                while (rs.next()) {
                    rs.getString(3);
                }
            }
        }
    }

    private long maxId(Connection c, String t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(id), 1) FROM " + Sql.ident(t));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A statement to time. */
    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T timed(String what, Work<T> work) throws SQLException {
        long t0 = System.nanoTime();
        try {
            return work.run();
        } finally {
            long ns = System.nanoTime() - t0;
            statements.incrementAndGet();
            synchronized (this) {
                if (ns > longestNanos) {
                    longestNanos = ns;
                    longestStatement = what;
                }
            }
        }
    }

    private synchronized void fail(String who, Exception e) {
        failed.incrementAndGet();
        String msg = who + ": " + e.getMessage() + (e instanceof SQLException s && s.getSQLState() != null
            ? " [SQLSTATE " + s.getSQLState() + "]" : "");
        LOG.debug("demo application {} {}", version.label(), msg, e);
        if (errors.size() < MAX_ERRORS_KEPT) {
            errors.add(msg);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}

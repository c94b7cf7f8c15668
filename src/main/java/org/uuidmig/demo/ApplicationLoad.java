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
 * A small simulated application on the servicecatalog fixture, for {@code uuidmig demo}: a
 * writer posts chat messages and marks them read, a reader lists a request's messages with
 * their senders. Each transaction first reads the session's user (so, like the swap, it locks
 * users before the tables that reference it), then looks at the column types and binds an
 * integer user id or the user's uuid accordingly: the application switches at the moment of
 * the swap, as a blue-green deploy would. Sessions have no lock_timeout, like most
 * applications: a statement that waits for a lock shows up as latency, not as a failure.
 * Counts statements, failures and the longest statement.
 */
public final class ApplicationLoad {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationLoad.class);
    private static final int MAX_ERRORS_KEPT = 5;

    /** What the application saw. */
    public record Stats(long statements, long failed, long longestMillis, String longestStatement, long integerWrites,
                        long uuidWrites, List<String> errors) {
    }

    private final Database db;
    private final String schema;
    private final Duration pause;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong integerWrites = new AtomicLong();
    private final AtomicLong uuidWrites = new AtomicLong();
    private long longestNanos;
    private String longestStatement = "";
    private final List<String> errors = new ArrayList<>();

    private ApplicationLoad(Database db, String schema, Duration pause) {
        this.db = db;
        this.schema = schema;
        this.pause = pause;
    }

    /** Starts one writer and one reader, each pausing {@code pause} between transactions. */
    public static ApplicationLoad start(Database db, String schema, Duration pause) {
        ApplicationLoad load = new ApplicationLoad(db, schema, pause);
        load.startThread("uuidmig-demo-writer", true, 1);
        load.startThread("uuidmig-demo-reader", false, 2);
        return load;
    }

    private void startThread(String name, boolean writer, long seed) {
        Thread t = new Thread(() -> loop(writer, new Random(seed)), name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /**
     * Waits until the writer has written a message with a uuid user id (it has seen the swap), at most the timeout;
     * returns at once if the writer has stopped.
     */
    public void awaitUuidWrite(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (uuidWrites.get() == 0 && running && threads.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
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
            return new Stats(statements.get(), failed.get(), longestNanos / 1_000_000, longestStatement, integerWrites.get(),
                uuidWrites.get(), List.copyOf(errors));
        }
    }

    private void loop(boolean writer, Random random) {
        try (Connection c = db.connect("demo app")) {
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
                        boolean uuid = write(c, user, request);
                        c.commit();
                        (uuid ? uuidWrites : integerWrites).incrementAndGet();
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

    /** Posts a message and marks it read by its sender; returns whether it bound uuids. */
    private boolean write(Connection c, long user, long request) throws SQLException {
        String userUuid = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT uuid::text FROM " + table("users") + " WHERE id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = timed("SELECT users", ps::executeQuery)) {
                if (rs.next()) {
                    userUuid = rs.getString(1);
                }
            }
        }
        boolean[] uuid = uuidColumns(c);
        long message;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("chat_messages")
            + " (request_id, sender_id, content) VALUES (?, ?, ?) RETURNING id")) {
            ps.setLong(1, request);
            bindUser(ps, 2, uuid[0], user, userUuid);
            ps.setString(3, "demo message from user " + user);
            try (ResultSet rs = timed("INSERT INTO chat_messages", ps::executeQuery)) {
                rs.next();
                message = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table("message_read_states")
            + " (message_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, message);
            bindUser(ps, 2, uuid[1], user, userUuid);
            timed("INSERT INTO message_read_states", ps::executeUpdate);
        }
        return uuid[0];
    }

    private void read(Connection c, long user, long request) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table("users") + " WHERE id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = timed("SELECT users", ps::executeQuery)) {
                rs.next();
            }
        }
        boolean[] uuid = uuidColumns(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.content, u.email FROM " + table("chat_messages") + " m LEFT JOIN "
            + table("users") + " u ON u." + (uuid[0] ? "uuid" : "id") + " = m.sender_id WHERE m.request_id = ? ORDER BY m.created_at DESC LIMIT 20")) {
            ps.setLong(1, request);
            try (ResultSet rs = timed("SELECT chat_messages JOIN users", ps::executeQuery)) {
                while (rs.next()) {
                    rs.getString(3);
                }
            }
        }
    }

    /** Whether chat_messages.sender_id and message_read_states.user_id are uuid now. */
    private boolean[] uuidColumns(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT (SELECT a.atttypid = 'pg_catalog.uuid'::pg_catalog.regtype FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = to_regclass(?) AND a.attname = 'sender_id' AND NOT a.attisdropped),
                   (SELECT a.atttypid = 'pg_catalog.uuid'::pg_catalog.regtype FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = to_regclass(?) AND a.attname = 'user_id' AND NOT a.attisdropped)""")) {
            ps.setString(1, table("chat_messages"));
            ps.setString(2, table("message_read_states"));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new boolean[] {rs.getBoolean(1), rs.getBoolean(2)};
            }
        }
    }

    private static void bindUser(PreparedStatement ps, int index, boolean uuid, long user, String userUuid) throws SQLException {
        if (uuid) {
            ps.setObject(index, userUuid == null ? null : java.util.UUID.fromString(userUuid));
        } else {
            ps.setLong(index, user);
        }
    }

    private long maxId(Connection c, String t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(id), 1) FROM " + table(t));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String table(String name) {
        return Sql.qualified(schema, name);
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
        LOG.debug("demo application {}", msg, e);
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

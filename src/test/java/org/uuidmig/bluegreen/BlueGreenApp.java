package org.uuidmig.bluegreen;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.uuidmig.testing.TestDb;

/**
 * A small application on the servicecatalog fixture for the blue-green tests, writing to all nine migrated tables.
 * Blue binds integer user ids and uses the default search_path; green binds uuids and connects with
 * {@code search_path = public_uuid, public}, as docs/blue-green.md tells a team to. Each iteration is one transaction:
 * a service request and, for it, a message (then re-assigned to another user), its read state, a read monitor, a
 * session (and the deletion of the previous one), a role (upsert), an assignment, a region assignment (ON CONFLICT
 * through the view for green), and a note; then a join of the message to users through the side's own key. Every
 * row it writes is recorded with the user it must point at, so the test can check each one after contract. Runs on
 * its own thread until stopped or a given number of iterations; failures are collected, never thrown.
 */
final class BlueGreenApp implements Runnable {
    /** A row the application wrote, and the user it must reference: {@code SELECT ... FROM table WHERE where = key}. */
    record Written(String table, String column, String where, long key, long user) {
    }

    static final long PACE_MS = 15;
    private final TestDb db;
    private final boolean green;
    private final String name;
    private final int users;
    private final long maxIterations;
    final AtomicLong iterations = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Written> written = new ConcurrentLinkedQueue<>();
    private Thread thread;

    BlueGreenApp(TestDb db, boolean green, int users, long maxIterations) {
        this.db = db;
        this.green = green;
        this.name = green ? "green" : "blue";
        this.users = users;
        this.maxIterations = maxIterations;
    }

    BlueGreenApp start() {
        thread = new Thread(this, "bluegreen-" + name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops after the current iteration and waits for the thread. */
    void stopAndJoin() throws InterruptedException {
        stop.set(true);
        thread.join(120_000);
    }

    void join() throws InterruptedException {
        thread.join(300_000);
    }

    /** Waits until at least n more iterations than now have been done, or the thread ended. */
    void awaitIterations(long n) throws InterruptedException {
        long target = iterations.get() + n;
        while (iterations.get() < target && thread.isAlive()) {
            Thread.sleep(5);
        }
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("ApplicationName", "app-" + name);
        if (green) {
            p.setProperty("options", "-c search_path=public_uuid,public");
        }
        p.setProperty("prepareThreshold", "1"); // server-side prepared statements from the first use
        return DriverManager.getConnection(db.url(), p);
    }

    @Override
    public void run() {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            long previousSession = -1;
            for (long i = 0; !stop.get() && i < maxIterations; i++) {
                try {
                    previousSession = iteration(c, i, previousSession);
                    c.commit();
                    iterations.incrementAndGet();
                    // pacing, as a real application's requests come with gaps: without it this one connection is inside a
                    // transaction on all nine tables at every moment, and no swap (with a window or without) gets its locks
                    Thread.sleep(PACE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (SQLException e) {
                    errors.add(name + " iteration " + i + ": " + e.getMessage());
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is gone: the error above says why
                    }
                    if (errors.size() > 20) {
                        return;
                    }
                }
            }
        } catch (SQLException e) {
            errors.add(name + " connect: " + e.getMessage());
        }
    }

    private final List<Written> pending = new ArrayList<>();

    private long iteration(Connection c, long i, long previousSession) throws SQLException {
        pending.clear();
        int u = 1 + (int) ((i * 7 + (green ? 3 : 0)) % users);
        int v = 1 + (int) ((i * 11 + 5) % users);
        String uid = userParam(c, u);
        String vid = userParam(c, v);
        String bind = green ? "?::uuid" : "?::integer";
        long request = insertReturning(c, "INSERT INTO service_requests (requester_id, title) VALUES (" + bind + ", 'bg') RETURNING id", uid);
        pending.add(new Written("service_requests", "requester_id", "id", request, u));
        long message = insertReturning(c, "INSERT INTO chat_messages (request_id, sender_id, content) VALUES (" + request + ", " + bind
            + ", 'hello') RETURNING id", uid);
        exec(c, "UPDATE chat_messages SET sender_id = " + bind + " WHERE id = " + message, vid);
        pending.add(new Written("chat_messages", "sender_id", "id", message, v));
        exec(c, "INSERT INTO message_read_states (message_id, user_id) VALUES (" + message + ", " + bind + ")", uid);
        pending.add(new Written("message_read_states", "user_id", "message_id", message, u));
        exec(c, "INSERT INTO chat_read_monitors (request_id, user_id, last_read_at) VALUES (" + request + ", " + bind + ", now())", uid);
        pending.add(new Written("chat_read_monitors", "user_id", "request_id", request, u));
        long session = insertReturning(c, "INSERT INTO user_sessions (user_id, token, is_active) VALUES (" + bind + ", '" + name + "-" + i
            + "-' || md5(random()::text || clock_timestamp()::text), true) RETURNING id", uid);
        pending.add(new Written("user_sessions", "user_id", "id", session, u));
        if (previousSession > 0) {
            exec(c, "DELETE FROM user_sessions WHERE id = " + previousSession);
            written.removeIf(w -> w.table().equals("user_sessions") && w.key() == previousSession);
        }
        exec(c, "INSERT INTO user_roles (user_id, role_id) VALUES (" + bind + ", 1) ON CONFLICT (user_id, role_id) DO NOTHING", uid);
        long assign = insertReturning(c, "INSERT INTO user_request_assigns (request_id, user_id) VALUES (" + request + ", " + bind
            + ") RETURNING id", uid);
        pending.add(new Written("user_request_assigns", "user_id", "id", assign, u));
        exec(c, "INSERT INTO region_user_assigns (user_id, region_id) VALUES (" + bind + ", 1) "
            + "ON CONFLICT (user_id, region_id) DO UPDATE SET is_primary = NOT region_user_assigns.is_primary", uid);
        long note = insertReturning(c, "INSERT INTO service_request_notes (request_id, created_by, body) VALUES (" + request + ", " + bind
            + ", 'note') RETURNING id", uid);
        pending.add(new Written("service_request_notes", "created_by", "id", note, u));
        long joined = insertReturning(c, "SELECT count(*) FROM chat_messages m JOIN users x ON x." + (green ? "uuid" : "id")
            + " = m.sender_id WHERE m.id = " + message + " AND x.id = " + v);
        if (joined != 1) {
            throw new SQLException("join of message " + message + " to user " + v + " found " + joined + " rows");
        }
        written.addAll(pending);
        return session;
    }

    /** The user as this side binds it: its id, or its uuid (read from users, as green's code would have it). */
    private String userParam(Connection c, int id) throws SQLException {
        if (!green) {
            return Integer.toString(id);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT uuid::text FROM users WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long insertReturning(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 0; k < params.length; k++) {
                ps.setString(k + 1, params[k]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no row from: " + sql);
                }
                return rs.getLong(1);
            }
        }
    }

    private static void exec(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 0; k < params.length; k++) {
                ps.setString(k + 1, params[k]);
            }
            ps.executeUpdate();
        }
    }
}

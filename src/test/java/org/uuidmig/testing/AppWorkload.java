package org.uuidmig.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application running beside the migration: threads that insert, update, delete and read
 * rows of chat_messages and user_roles through JDBC, referencing users by integer while the
 * columns are integers and by uuid once they are uuids (a statement that hits the swap's type
 * change is retried once with the new type, as an application deployed alongside the swap
 * would). It records what every row it wrote must reference, and every statement's latency.
 */
public final class AppWorkload implements AutoCloseable {
    private final TestDb db;
    private final int userCount;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /** chat_messages id -> users.id it must reference now (null: deleted). */
    public final Map<Long, Integer> messages = new ConcurrentHashMap<>();
    public final AtomicLong statements = new AtomicLong();
    public final AtomicLong failures = new AtomicLong();
    public final AtomicLong typeSwitchRetries = new AtomicLong();
    public final AtomicLong maxLatencyNanos = new AtomicLong();
    public final List<String> failureMessages = java.util.Collections.synchronizedList(new ArrayList<>());

    public AppWorkload(TestDb db) throws SQLException {
        this.db = db;
        this.userCount = (int) db.queryLong("SELECT max(id) FROM users");
    }

    public AppWorkload start(int threadCount, long pauseMillis) {
        for (int i = 0; i < threadCount; i++) {
            int seed = i;
            Thread t = new Thread(() -> loop(seed, pauseMillis), "app-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void loop(int seed, long pauseMillis) {
        Random rnd = new Random(seed);
        try (Connection c = db.connect()) {
            boolean uuid = isUuid(c);
            List<Long> mine = new ArrayList<>();
            while (!stop) {
                int user = 1 + rnd.nextInt(userCount);
                int op = rnd.nextInt(10);
                for (int attempt = 0; attempt < 2; attempt++) {
                    long t0 = System.nanoTime();
                    try {
                        if (op < 5 || mine.isEmpty()) {
                            mine.add(insert(c, user, uuid));
                        } else if (op < 7) {
                            long id = mine.get(rnd.nextInt(mine.size()));
                            update(c, id, user, uuid);
                        } else if (op < 8) {
                            long id = mine.remove(rnd.nextInt(mine.size()));
                            delete(c, id);
                        } else {
                            read(c, user, uuid);
                        }
                        statements.incrementAndGet();
                        maxLatencyNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        break;
                    } catch (SQLException e) {
                        boolean typeChange = "42804".equals(e.getSQLState()) || "42883".equals(e.getSQLState())
                            || "0A000".equals(e.getSQLState()) || "22P02".equals(e.getSQLState());
                        boolean nowUuid = isUuid(c);
                        if (attempt == 0 && typeChange && nowUuid != uuid) {
                            uuid = nowUuid;
                            typeSwitchRetries.incrementAndGet();
                            continue;
                        }
                        failures.incrementAndGet();
                        failureMessages.add(e.getSQLState() + " " + e.getMessage());
                        break;
                    }
                }
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
        } catch (Exception e) {
            failures.incrementAndGet();
            failureMessages.add("thread died: " + e);
        }
    }

    private static boolean isUuid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
            "SELECT atttypid = 'uuid'::regtype FROM pg_attribute WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String userExpr(boolean uuid) {
        return uuid ? "(SELECT uuid FROM users WHERE id = ?)" : "?";
    }

    private long insert(Connection c, int user, boolean uuid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat_messages (request_id, sender_id, content) VALUES "
            + "((SELECT min(id) FROM service_requests), " + userExpr(uuid) + ", 'app') RETURNING id")) {
            ps.setInt(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                messages.put(id, user);
                return id;
            }
        }
    }

    private void update(Connection c, long id, int user, boolean uuid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE chat_messages SET sender_id = " + userExpr(uuid) + ", content = 'app updated' WHERE id = ?")) {
            ps.setInt(1, user);
            ps.setLong(2, id);
            ps.executeUpdate();
            messages.put(id, user);
        }
    }

    private void delete(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM chat_messages WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
            messages.remove(id);
        }
    }

    private void read(Connection c, int user, boolean uuid) throws SQLException {
        String join = uuid ? "u.uuid" : "u.id";
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM chat_messages m JOIN users u ON " + join
            + " = m.sender_id WHERE u.id = ?")) {
            ps.setInt(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    /**
     * Rows this workload wrote whose sender is not the user it wrote (or that are missing):
     * users.uuid of it while the column is uuid, the integer itself once it is integer again
     * (after a rollback).
     */
    public long wrongOrLostRows() throws SQLException {
        long bad = 0;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(isUuid(c)
            ? "SELECT (SELECT uuid FROM users WHERE id = ?) IS NOT DISTINCT FROM (SELECT sender_id FROM chat_messages WHERE id = ?)"
            : "SELECT ?::integer IS NOT DISTINCT FROM (SELECT sender_id FROM chat_messages WHERE id = ?)")) {
            for (var e : messages.entrySet()) {
                ps.setInt(1, e.getValue());
                ps.setLong(2, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        bad++;
                    }
                }
            }
        }
        return bad;
    }

    /**
     * Waits until the workload has run n more statements than when called (a wait for an event, with a generous
     * deadline); fails naming the workload's failures if it does not.
     */
    public void awaitMoreStatements(long n, String when) throws InterruptedException {
        long target = statements.get() + n;
        long until = System.nanoTime() + 120_000_000_000L;
        while (statements.get() < target && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        if (statements.get() < target) {
            throw new AssertionError("the workload did not run " + n + " statements " + when + " within 120 s; failures: "
                + failureMessages);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}

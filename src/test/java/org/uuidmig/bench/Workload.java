package org.uuidmig.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's transactions, one worker connection each. Writes bind the user as an
 * integer while the column is integer and as a uuid once it is uuid; reads join users on id
 * or uuid accordingly. Every committed write is recorded (table, key, the user it must
 * reference, or "deleted"), so the rows can be checked afterwards.
 *
 * <p>Mix per 100 transactions: 25 post a message (+ its read state), 10 edit (re-assign the
 * sender of a pre-existing message and the requester of a pre-existing request), 15 log in
 * (new session; every third also deletes one of its own sessions and deactivates an old one),
 * 8 open a request (request + assignee + note + read monitor), 5 grant (role + region,
 * ON CONFLICT DO NOTHING), 37 read (4 queries joining users).
 */
final class Workload {
    enum Kind { POST, EDIT, LOGIN, REQUEST, GRANT, READ }

    /** Tables each kind touches with a user value, to tell a designed type switch from a failure. */
    static final Map<Kind, List<String>> TABLES = Map.of(
        Kind.POST, List.of("chat_messages", "message_read_states"),
        Kind.EDIT, List.of("chat_messages", "service_requests"),
        Kind.LOGIN, List.of("user_sessions"),
        Kind.REQUEST, List.of("service_requests", "user_request_assigns", "service_request_notes", "chat_read_monitors"),
        Kind.GRANT, List.of("user_roles", "region_user_assigns"),
        Kind.READ, List.of("chat_messages", "user_roles", "user_sessions"));

    /** The fixed facts of the database the workload runs on, read once at start. */
    record Universe(UUID[] users, long maxMessage, long maxRequest, long maxSession) {
        int userCount() {
            return users.length - 1;
        }

        static Universe load(Connection c) throws SQLException {
            int max;
            try (PreparedStatement ps = c.prepareStatement("SELECT max(id) FROM public.users"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                max = rs.getInt(1);
            }
            UUID[] users = new UUID[max + 1];
            try (PreparedStatement ps = c.prepareStatement("SELECT id, uuid FROM public.users"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users[rs.getInt(1)] = (UUID) rs.getObject(2);
                }
            }
            for (int i = 1; i <= max; i++) {
                if (users[i] == null) {
                    throw new SQLException("users.id " + i + " is missing: the workload expects ids 1.." + max);
                }
            }
            return new Universe(users, maxId(c, "chat_messages"), maxId(c, "service_requests"), maxId(c, "user_sessions"));
        }

        private static long maxId(Connection c, String table) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(id), 0) FROM public." + table);
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** One committed write: the row (table, key) must reference user uid (null = NULL), or be gone. */
    record Written(String table, long key, Integer uid, boolean deleted) {
    }

    private final Connection conn;
    private final Universe u;
    private final int worker;
    private final int workers;
    private final AtomicLong markers;
    private final List<Written> pending = new ArrayList<>();
    private final ArrayDeque<Long> ownSessions = new ArrayDeque<>();
    private Map<String, Boolean> mode;
    private SplittableRandom rnd;
    private int logins;

    Workload(Connection conn, Universe u, int worker, int workers, AtomicLong markers) {
        this.conn = conn;
        this.u = u;
        this.worker = worker;
        this.workers = workers;
        this.markers = markers;
    }

    static Kind pick(int r) {
        if (r < 25) {
            return Kind.POST;
        } else if (r < 35) {
            return Kind.EDIT;
        } else if (r < 50) {
            return Kind.LOGIN;
        } else if (r < 58) {
            return Kind.REQUEST;
        } else if (r < 63) {
            return Kind.GRANT;
        }
        return Kind.READ;
    }

    /**
     * Runs one transaction of the kind with the given column types; commits, or rolls back
     * and throws. The writes it recorded are returned only after the commit succeeded.
     */
    List<Written> run(Kind kind, Map<String, Boolean> types, long seed) throws SQLException {
        this.mode = types;
        this.rnd = new SplittableRandom(seed);
        pending.clear();
        int sessionsBefore = ownSessions.size();
        Long removedSession = null;
        try {
            switch (kind) {
                case POST -> post();
                case EDIT -> edit();
                case LOGIN -> removedSession = login();
                case REQUEST -> request();
                case GRANT -> grant();
                case READ -> read();
                default -> throw new IllegalStateException();
            }
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the connection may be gone; the original error is what matters
            }
            // undo the bookkeeping of sessions this transaction added or removed
            while (ownSessions.size() > sessionsBefore) {
                ownSessions.pollLast();
            }
            if (removedSession != null) {
                ownSessions.addFirst(removedSession);
            }
            throw e;
        }
        return List.copyOf(pending);
    }

    private int user() {
        return 1 + rnd.nextInt(u.userCount());
    }

    /** A pre-existing id in 1..max that only this worker ever updates. */
    private long ownExisting(long max) {
        long slots = Math.max(1, (max - worker + workers - 1) / workers);
        long id = 1 + worker + workers * rnd.nextLong(slots);
        return Math.min(id, max);
    }

    private void bindUser(PreparedStatement ps, int idx, String table, Integer uid) throws SQLException {
        if (mode.get(table)) {
            if (uid == null) {
                ps.setNull(idx, Types.OTHER);
            } else {
                ps.setObject(idx, u.users()[uid]);
            }
        } else if (uid == null) {
            ps.setNull(idx, Types.INTEGER);
        } else {
            ps.setInt(idx, uid);
        }
    }

    private long insertReturning(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private void post() throws SQLException {
        Integer sender = rnd.nextInt(20) == 0 ? null : user();
        long request = 1 + rnd.nextLong(u.maxRequest());
        long id;
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.chat_messages (request_id, sender_id, content) VALUES (?, ?, ?) RETURNING id")) {
            ps.setLong(1, request);
            bindUser(ps, 2, "chat_messages", sender);
            ps.setString(3, "load message " + rnd.nextLong());
            id = insertReturning(ps);
        }
        pending.add(new Written("chat_messages", id, sender, false));
        int reader = user();
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.message_read_states (message_id, user_id) VALUES (?, ?)")) {
            ps.setLong(1, id);
            bindUser(ps, 2, "message_read_states", reader);
            ps.executeUpdate();
        }
        pending.add(new Written("message_read_states", id, reader, false));
    }

    private void edit() throws SQLException {
        long msg = ownExisting(u.maxMessage());
        int sender = user();
        try (PreparedStatement ps = conn.prepareStatement("UPDATE public.chat_messages SET sender_id = ? WHERE id = ?")) {
            bindUser(ps, 1, "chat_messages", sender);
            ps.setLong(2, msg);
            if (ps.executeUpdate() == 1) {
                pending.add(new Written("chat_messages", msg, sender, false));
            }
        }
        long req = ownExisting(u.maxRequest());
        int requester = user();
        try (PreparedStatement ps = conn.prepareStatement(
            "UPDATE public.service_requests SET requester_id = ?, status = 'in_progress' WHERE id = ?")) {
            bindUser(ps, 1, "service_requests", requester);
            ps.setLong(2, req);
            if (ps.executeUpdate() == 1) {
                pending.add(new Written("service_requests", req, requester, false));
            }
        }
    }

    /** Returns the session id it deleted, if any, so a rollback can put it back in the list. */
    private Long login() throws SQLException {
        int user = user();
        long id;
        try (PreparedStatement ps = conn.prepareStatement("""
            INSERT INTO public.user_sessions (user_id, token, is_active, expires_at)
            VALUES (?, ?, true, now() + interval '1 day') RETURNING id""")) {
            bindUser(ps, 1, "user_sessions", user);
            ps.setString(2, "load_" + UUID.randomUUID());
            id = insertReturning(ps);
        }
        pending.add(new Written("user_sessions", id, user, false));
        ownSessions.addLast(id);
        Long removed = null;
        if (++logins % 3 == 0) {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE public.user_sessions SET is_active = false WHERE id = ?")) {
                ps.setLong(1, 1 + rnd.nextLong(u.maxSession()));
                ps.executeUpdate();
            }
            if (ownSessions.size() > 1) {
                removed = ownSessions.pollFirst();
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM public.user_sessions WHERE id = ?")) {
                    ps.setLong(1, removed);
                    ps.executeUpdate();
                }
                pending.add(new Written("user_sessions", removed, null, true));
            }
        }
        return removed;
    }

    private void request() throws SQLException {
        int requester = user();
        long req;
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.service_requests (requester_id, title) VALUES (?, ?) RETURNING id")) {
            bindUser(ps, 1, "service_requests", requester);
            ps.setString(2, "load request " + rnd.nextInt(1_000_000));
            req = insertReturning(ps);
        }
        pending.add(new Written("service_requests", req, requester, false));
        int assignee = user();
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.user_request_assigns (request_id, user_id) VALUES (?, ?) RETURNING id")) {
            ps.setLong(1, req);
            bindUser(ps, 2, "user_request_assigns", assignee);
            pending.add(new Written("user_request_assigns", insertReturning(ps), assignee, false));
        }
        Integer author = rnd.nextInt(20) == 0 ? null : user();
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.service_request_notes (request_id, created_by, body) VALUES (?, ?, ?) RETURNING id")) {
            ps.setLong(1, req);
            bindUser(ps, 2, "service_request_notes", author);
            ps.setString(3, "load note");
            pending.add(new Written("service_request_notes", insertReturning(ps), author, false));
        }
        int watcher = user();
        long marker = markers.incrementAndGet();
        try (PreparedStatement ps = conn.prepareStatement("""
            INSERT INTO public.chat_read_monitors (request_id, user_id, last_read_at)
            VALUES (?, ?, timestamptz 'epoch' + ? * interval '1 microsecond')""")) {
            ps.setLong(1, req);
            bindUser(ps, 2, "chat_read_monitors", watcher);
            ps.setLong(3, marker);
            ps.executeUpdate();
        }
        pending.add(new Written("chat_read_monitors", marker, watcher, false));
    }

    private void grant() throws SQLException {
        int user = user();
        try (PreparedStatement ps = conn.prepareStatement(
            "INSERT INTO public.user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id")) {
            bindUser(ps, 1, "user_roles", user);
            ps.setInt(2, 1 + rnd.nextInt(10));
            long id = insertReturning(ps);
            if (id >= 0) {
                pending.add(new Written("user_roles", id, user, false));
            }
        }
        long marker = markers.incrementAndGet();
        int other = user();
        try (PreparedStatement ps = conn.prepareStatement("""
            INSERT INTO public.region_user_assigns (user_id, region_id, assigned_at)
            VALUES (?, ?, timestamptz 'epoch' + ? * interval '1 microsecond') ON CONFLICT DO NOTHING RETURNING region_id""")) {
            bindUser(ps, 1, "region_user_assigns", other);
            ps.setInt(2, 1 + rnd.nextInt(20));
            ps.setLong(3, marker);
            if (insertReturning(ps) >= 0) {
                pending.add(new Written("region_user_assigns", marker, other, false));
            }
        }
    }

    private void read() throws SQLException {
        String key = mode.get("chat_messages") ? "uuid" : "id";
        try (PreparedStatement ps = conn.prepareStatement("SELECT m.id, m.content, u.email FROM public.chat_messages m "
            + "LEFT JOIN public.users u ON u." + key + " = m.sender_id WHERE m.request_id = ? ORDER BY m.created_at DESC LIMIT 20")) {
            ps.setLong(1, 1 + rnd.nextLong(u.maxRequest()));
            drain(ps);
        }
        try (PreparedStatement ps = conn.prepareStatement(
            "SELECT r.name FROM public.user_roles ur JOIN public.roles r ON r.id = ur.role_id WHERE ur.user_id = ?")) {
            bindUser(ps, 1, "user_roles", user());
            drain(ps);
        }
        try (PreparedStatement ps = conn.prepareStatement(
            "SELECT count(*) FROM public.user_sessions WHERE user_id = ? AND is_active")) {
            bindUser(ps, 1, "user_sessions", user());
            drain(ps);
        }
        try (PreparedStatement ps = conn.prepareStatement(
            "SELECT m.id, m.created_at FROM public.chat_messages m WHERE m.sender_id = ? ORDER BY m.created_at DESC LIMIT 10")) {
            bindUser(ps, 1, "chat_messages", user());
            drain(ps);
        }
    }

    private static void drain(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getObject(1);
            }
        }
    }
}

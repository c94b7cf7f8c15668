package org.uuidmig.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * One mutating run per database: {@code migrate} (any phase) and {@code rollback} take this
 * session advisory lock, on a connection of its own held for the whole run, before they change
 * anything. Advisory locks belong to one database, so the key only needs to be uuidmig's:
 * the two-int form, classid {@value #CLASS_ID} ("uuid" in ASCII), objid {@value #OBJ_ID}. A second
 * run does not wait: it exits 1 naming the holder (application_name, client address, since when),
 * from pg_locks joined with pg_stat_activity. The lock is released when the run closes it, and by
 * the server when the process dies in any way (kill -9 included), since the session ends.
 * <p>
 * While the lock is held, a JVM shutdown hook handles SIGINT/SIGTERM (Ctrl-C, kill): it ends
 * every server session of this process (pg_terminate_backend, so no statement of an interrupted
 * step goes on running on the server), closes the lock connection (releasing the lock), prints one
 * line naming the step and saying "rerun to continue" (and hands it to the run's report, if it has one: the JSON
 * error object of {@code --format json}), and halts the JVM with exit code 4 ({@link ExitCode#INCOMPLETE}). Every step is idempotent, so the rerun continues where it stopped.
 */
public final class RunLock implements AutoCloseable {
    /** "uuid" in ASCII: the classid of uuidmig's advisory locks. */
    public static final int CLASS_ID = 0x75756964;
    /** The objid of the run lock. */
    public static final int OBJ_ID = 1;
    private static final long CLEANUP_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
    private static volatile boolean interrupted;
    private static volatile boolean halt = true;

    private final Connection conn;
    private final String command;
    private final Supplier<String> where;
    private final Consumer<String> report;
    private final Thread hook;

    /** Another run holds the lock: exit 1; the message names the holder exactly as the server reports it. */
    /** Run before the interruption's line is printed: Main makes it remove the progress display (set once, at start). */
    private static volatile Runnable beforeInterruptLine = () -> { };

    /** What to do before the one "interrupted" line: Main stops the live progress display there. */
    public static void beforeInterruptLine(Runnable r) {
        beforeInterruptLine = r;
    }

    public static final class Busy extends UuidmigException {
        Busy(String message) {
            super(ExitCode.CHECKS_FAILED, message);
        }
    }

    private RunLock(Connection conn, String command, Supplier<String> where, Consumer<String> report) {
        this.conn = conn;
        this.command = command;
        this.where = where;
        this.report = report;
        this.hook = new Thread(this::interrupt, "uuidmig-interrupt");
    }

    /**
     * Leaves the exit code of an interrupted run to the JVM (130 for SIGINT, 143 for SIGTERM) instead of halting with 4:
     * for {@code uuidmig demo} on a throwaway server, whose own shutdown hook must get to stop and remove that server,
     * which Runtime.halt would cut short. The sessions are still ended and the line still printed.
     */
    public static void doNotHaltOnInterrupt() {
        halt = false;
    }

    /** Whether a signal interrupted the run: the launcher then prints nothing more (the hook printed the one line). */
    public static boolean interrupted() {
        return interrupted;
    }

    /**
     * Takes the run lock for {@code command} ("migrate" or "rollback") or throws exit 1 naming the holder.
     *
     * @param where what the run is doing now, for the interruption line (e.g. "step backfill (t.c)"), or null between steps
     */
    public static RunLock acquire(Database db, String command, Supplier<String> where) {
        return acquire(db, command, where, null);
    }

    /**
     * As {@link #acquire(Database, String, Supplier)}; an interruption also hands its line to {@code report} (when not
     * null) after printing it, before the JVM halts.
     */
    public static RunLock acquire(Database db, String command, Supplier<String> where, Consumer<String> report) {
        Connection c = db.connect(command);
        try {
            // the lock's session is idle for the whole run: a server-wide idle_session_timeout (PG 14+) must not end it
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config('idle_session_timeout', '0', false) "
                + "WHERE pg_catalog.current_setting('server_version_num')::int >= 140000")) {
                ps.executeQuery().close();
            }
            boolean got;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_try_advisory_lock(?, ?)")) {
                ps.setInt(1, CLASS_ID);
                ps.setInt(2, OBJ_ID);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    got = rs.getBoolean(1);
                }
            }
            if (!got) {
                String holder = holder(c);
                String database = db.settings().database();
                Database.closeQuietly(c);
                throw new Busy("another uuidmig run is already running on database \""
                    + database + "\" (" + holder + "); only one migrate or rollback at a time: wait for it to finish, or stop "
                    + "it, then rerun uuidmig " + command + ". If that run was killed, its session ends as soon as the server notices "
                    + "the closed connection (SELECT pg_catalog.pg_terminate_backend(pid) ends it at once). Nothing was changed");
            }
            RunLock lock = new RunLock(c, command, where, report);
            Runtime.getRuntime().addShutdownHook(lock.hook);
            return lock;
        } catch (SQLException e) {
            Database.closeQuietly(c);
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot take uuidmig's run lock: " + e.getMessage(), e);
        }
    }

    /**
     * The run holding the lock on the connected database ("application_name \"uuidmig migrate\" from client ..., pid ...,
     * user ..., running since ..."), or null when no migrate or rollback is running there: the live-control commands say
     * with it whether a run will apply what they set.
     */
    public static String activeRun(Connection c) throws SQLException {
        String holder = holderOrNull(c, false);
        return holder == null ? null : holder.substring("held by ".length());
    }

    /** Who holds the run lock: application_name, client address, pid, user and since when (its session's start). */
    static String holder(Connection c) throws SQLException {
        String holder = holderOrNull(c, true);
        return holder == null ? "its holder has just ended; rerun" : holder;
    }

    /** As {@link #holder}, null when nobody holds it; {@code withState}: with the lock session's state ("idle since ..."). */
    private static String holderOrNull(Connection c, boolean withState) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT a.application_name, coalesce(pg_catalog.host(a.client_addr), 'local socket'), a.pid, a.usename,
                   pg_catalog.to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), a.state,
                   pg_catalog.to_char(a.state_change, 'YYYY-MM-DD HH24:MI:SS TZ')
              FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 2
               AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())""")) {
            ps.setLong(1, CLASS_ID);
            ps.setLong(2, OBJ_ID);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return "held by application_name \"" + rs.getString(1) + "\" from client " + rs.getString(2) + ", pid "
                    + rs.getInt(3) + ", user " + rs.getString(4) + ", running since " + rs.getString(5)
                    + (rs.getString(6) == null || !withState ? "" : ", " + rs.getString(6) + " since " + rs.getString(7));
            }
        }
    }

    /** Releases the lock (closing its session) and removes the interruption handler. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook does the rest
            return;
        }
        Database.closeQuietly(conn);
    }

    /** The shutdown hook: see the class comment. Bounded: the clean-up gets {@value #CLEANUP_MILLIS} ms. */
    private void interrupt() {
        interrupted = true;
        String at;
        try {
            at = where == null ? null : where.get();
        } catch (RuntimeException e) {
            at = null;
        }
        Thread cleanup = new Thread(this::endSessions, "uuidmig-interrupt-cleanup");
        cleanup.setDaemon(true);
        cleanup.start();
        try {
            cleanup.join(CLEANUP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String line = interruptedLine(command, at);
        beforeInterruptLine.run(); // the progress display goes, and is not drawn again below this line
        System.err.println(line);
        System.err.flush();
        if (report != null) {
            try {
                report.accept(line);
            } catch (RuntimeException e) {
                LOG.debug("reporting the interruption: {}", e.toString());
            }
        }
        if (halt) {
            Runtime.getRuntime().halt(ExitCode.INCOMPLETE);
        }
    }

    /** The one line an interrupted run prints. */
    public static String interruptedLine(String command, String at) {
        return "uuidmig " + command + ": interrupted " + (at == null || at.isEmpty() ? "between steps" : "during " + at)
            + "; rerun uuidmig " + command + " to continue";
    }

    private void endSessions() {
        List<Integer> pids = Sessions.backendPids(conn);
        try {
            conn.setNetworkTimeout(Runnable::run, (int) CLEANUP_MILLIS);
            if (!pids.isEmpty()) {
                try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT pg_catalog.pg_terminate_backend(p) FROM pg_catalog.unnest(?::int[]) AS p")) {
                    ps.setArray(1, conn.createArrayOf("int4", pids.toArray()));
                    ps.executeQuery().close();
                }
            }
        } catch (SQLException e) {
            LOG.debug("ending the sessions of the interrupted run: {}", e.getMessage());
        } finally {
            Database.closeQuietly(conn);
        }
    }
}

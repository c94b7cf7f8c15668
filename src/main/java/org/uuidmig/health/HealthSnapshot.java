package org.uuidmig.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample of the database's health, as {@link HealthMonitor#latest()} gives it: each signal with its bound and
 * whether it is over it ({@link #signals}), and what the signals were computed from.
 *
 * @param sampledAt    when the sample was taken
 * @param baseline     the probe's baseline: the median of the probes before the steps started (null: none could be measured)
 * @param probe        the last probe's latency, its write and commit (null: it could not run)
 * @param standbys     the walsenders of pg_stat_replication (physical standbys and logical subscribers)
 * @param slots        the replication slots that retain WAL, most demanding first
 * @param wraparound   autovacuums to prevent wraparound running on a migrated table
 * @param transactions the oldest transactions, other than uuidmig's own, that hold back the cleanup of dead rows in the
 *                     database (at most {@value HealthMonitor#TRANSACTIONS_SHOWN}, oldest first)
 * @param signals      one per {@link SignalKind}, in its order
 * @param busySessions the server's client sessions, other than this process's, busy now or within the last
 *                     {@value HealthQueries#BUSY_SECONDS} s (any database: they share the WAL and the CPU); a session
 *                     whose state this role may not see (without pg_read_all_stats) counts as busy; null when the count
 *                     could not be read
 */
public record HealthSnapshot(Instant sampledAt, Duration baseline, Duration probe, List<Standby> standbys, List<Slot> slots,
                             List<Vacuum> wraparound, List<Transaction> transactions, List<Signal> signals, Integer busySessions) {
    /** Whether no other session is known to be busy: no application traffic whose latency the run could hurt. */
    public boolean quiet() {
        return noneBusy(busySessions);
    }

    /** Whether a count of busy sessions (null: not known, taken as some) says none is busy. */
    static boolean noneBusy(Integer busySessions) {
        return busySessions != null && busySessions == 0;
    }

    public HealthSnapshot {
        standbys = List.copyOf(standbys);
        slots = List.copyOf(slots);
        wraparound = List.copyOf(wraparound);
        transactions = List.copyOf(transactions);
        signals = List.copyOf(signals);
    }

    /**
     * A walsender.
     *
     * @param name      its application_name (a standby's cluster_name or primary_conninfo's application_name)
     * @param client    its client address, or null (local socket, or not visible)
     * @param state     streaming, catchup, startup, backup or stopping
     * @param physical  a physical standby (a logical subscriber's walsender is connected to a database)
     * @param replayLag pg_stat_replication.replay_lag; null when the server has not measured it (for a streaming standby:
     *                  it has replayed everything and no WAL has come since)
     */
    public record Standby(String name, String client, String state, boolean physical, Duration replayLag) {
    }

    /**
     * A replication slot.
     *
     * @param name     slot_name
     * @param type     physical or logical
     * @param active   whether a receiver is connected to it
     * @param retained bytes of WAL it keeps: pg_current_wal_lsn() - restart_lsn
     */
    public record Slot(String name, String type, boolean active, long retained) {
    }

    /**
     * An autovacuum worker vacuuming a migrated table to prevent wraparound.
     *
     * @param table schema.table
     * @param pid   the worker's pid
     */
    public record Vacuum(String table, int pid) {
    }

    /**
     * A transaction that holds back the cleanup of dead rows (it has a snapshot or a transaction id).
     *
     * @param pid             its backend's pid; null for a prepared transaction, which no session holds
     * @param age             how long it has been open
     * @param applicationName its session's application_name (null for a prepared transaction)
     * @param user            the role it runs as (for a prepared transaction: its owner)
     * @param state           its session's state ("idle in transaction", "active"), or "prepared 'gid'"
     */
    public record Transaction(Integer pid, Duration age, String applicationName, String user, String state) {
        /** "pid 4242, psql, user app, idle in transaction", "prepared 'gid', user app". */
        public String about() {
            List<String> parts = new ArrayList<>();
            parts.add(pid == null ? state : "pid " + pid);
            if (applicationName != null && !applicationName.isEmpty()) {
                parts.add(applicationName);
            }
            if (user != null) {
                parts.add("user " + user);
            }
            if (pid != null && state != null) {
                parts.add(state);
            }
            return String.join(", ", parts);
        }

        /** "pid 4242, psql, user app, idle in transaction, open 12 min 3 s". */
        public String describe() {
            return about() + ", open " + Signal.seconds(age.toNanos() / 1e9);
        }
    }

    /** The signal of that kind. */
    public Signal signal(SignalKind kind) {
        for (Signal s : signals) {
            if (s.kind() == kind) {
                return s;
            }
        }
        throw new IllegalArgumentException("no signal " + kind);
    }

    /** The signals over their bound, in {@link SignalKind} order. */
    public List<Signal> over() {
        return signals.stream().filter(Signal::over).toList();
    }

    /** Whether any signal is over its bound. */
    public boolean anyOver() {
        return signals.stream().anyMatch(Signal::over);
    }

    /** "none", or the signals over their bound: "replica lag 12 s > 10 s; long transaction 12 min > 10 min (pid 4242, ...)". */
    public String overReason() {
        List<Signal> over = over();
        return over.isEmpty() ? "none" : String.join("; ", over.stream().map(Signal::describe).toList());
    }

    /** The latency factor (the signal's value), or null. */
    public Double latencyFactor() {
        return signal(SignalKind.LATENCY).value();
    }

    /**
     * The sample as the run records it in uuidmig.health and status reads it back: plain names, numbers and text
     * (docs/json.md, status).
     */
    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("sampledAt", sampledAt.toString());
        doc.put("baselineMillis", baseline == null ? null : baseline.toNanos() / 1e6);
        doc.put("probeMillis", probe == null ? null : probe.toNanos() / 1e6);
        doc.put("overBound", overReason());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Signal s : signals) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signal", s.kind().id());
            m.put("over", s.over());
            m.put("value", s.value());
            m.put("bound", s.bound());
            m.put("detail", s.detail());
            m.put("unavailable", s.unavailable());
            m.put("text", s.text());
            list.add(m);
        }
        doc.put("signals", list);
        return doc;
    }
}

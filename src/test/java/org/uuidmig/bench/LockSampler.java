package org.uuidmig.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every 100 ms, records which workload sessions wait for a lock, for how long so far, and who
 * blocks them (application_name and query of pg_blocking_pids), so a stall can be attributed:
 * a backfill batch's row locks, the swap's lock queue, an index build, another app session.
 */
final class LockSampler implements Runnable {
    static final String CSV_HEADER = "sample_epoch_ms,waiter_pid,waiter_query,waited_ms,lock_type,blocker_app,blocker_state,blocker_query";

    private final Connection conn;
    private final List<String> rows = new ArrayList<>();
    private volatile boolean stop;

    LockSampler(Connection conn) {
        this.conn = conn;
    }

    void stop() {
        stop = true;
    }

    void close() {
        try {
            conn.close();
        } catch (SQLException ignored) {
            // at exit
        }
    }

    @Override
    public void run() {
        String sql = """
            SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, w.pid, left(regexp_replace(w.query, '\\s+', ' ', 'g'), 60),
                   (extract(epoch FROM clock_timestamp() - w.state_change) * 1000)::bigint, w.wait_event,
                   b.application_name, b.state, left(regexp_replace(b.query, '\\s+', ' ', 'g'), 100)
              FROM pg_catalog.pg_stat_activity w
              CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
              JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid
             WHERE w.datname = current_database() AND w.application_name LIKE 'loadgen%' AND w.wait_event_type = 'Lock'""";
        while (!stop) {
            long t0 = System.nanoTime();
            try (PreparedStatement ps = conn.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= 8; i++) {
                        if (i > 1) {
                            sb.append(',');
                        }
                        String v = rs.getString(i);
                        sb.append(v == null ? "" : csvField(v));
                    }
                    synchronized (rows) {
                        rows.add(sb.toString());
                    }
                }
            } catch (SQLException e) {
                if (stop) {
                    return;
                }
            }
            long sleep = 100 - (System.nanoTime() - t0) / 1_000_000;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    static String csvField(String v) {
        return v.replace(',', ';').replace('\n', ' ');
    }

    void write(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        out.add(CSV_HEADER);
        synchronized (rows) {
            out.addAll(rows);
        }
        Files.write(file, out);
    }

    /** Longest observed wait per blocker (application + query prefix), in the window, longest first. */
    static String summary(Path file, long fromMs, long toMs, int top) throws IOException {
        record Agg(String blocker, long samples, long maxWaitMs) {
        }
        Map<String, long[]> by = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("sample_") || line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            long at = Long.parseLong(f[0]);
            if (at < fromMs || at > toMs) {
                continue;
            }
            String q = f[7].length() > 70 ? f[7].substring(0, 70) : f[7];
            String key = f[5] + " [" + f[6] + "] " + q + " | waiter: " + (f[2].length() > 40 ? f[2].substring(0, 40) : f[2]);
            long[] a = by.computeIfAbsent(key, k -> new long[2]);
            a[0]++;
            a[1] = Math.max(a[1], f[3].isEmpty() ? 0 : Long.parseLong(f[3]));
        }
        List<Agg> aggs = new ArrayList<>();
        by.forEach((k, v) -> aggs.add(new Agg(k, v[0], v[1])));
        aggs.sort(Comparator.comparingLong(Agg::maxWaitMs).reversed());
        StringBuilder sb = new StringBuilder("  lock waits of the workload (sampled every 100 ms), by blocker, longest first:\n");
        if (aggs.isEmpty()) {
            sb.append("    none observed\n");
        }
        for (Agg a : aggs.subList(0, Math.min(top, aggs.size()))) {
            sb.append(String.format(Locale.ROOT, "    max %6d ms  %4d samples  %s%n", a.maxWaitMs(), a.samples(), a.blocker()));
        }
        return sb.toString();
    }
}

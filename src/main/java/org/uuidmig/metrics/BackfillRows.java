package org.uuidmig.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.uuidmig.health.HealthMonitor;
import org.uuidmig.health.HealthSnapshot;

/**
 * The backfill's progress per column as uuidmig.columns and uuidmig.tables record it (what {@code uuidmig status} shows),
 * read on the health monitor's connection after each of its samples, about once a second; and the rows per second over
 * the last {@value #RATE_WINDOW_SECONDS} seconds.
 */
final class BackfillRows implements HealthMonitor.SampleListener {
    static final int RATE_WINDOW_SECONDS = 10;

    /**
     * One column.
     *
     * @param table    its table
     * @param column   its name
     * @param done     rows its backfill has written (uuidmig.columns.backfill_rows)
     * @param expected the table's rows counted before the backfill (uuidmig.tables.base_rows), or null before the count
     * @param finished whether its backfill is done
     */
    record Column(String table, String column, long done, Long expected, boolean finished) {
    }

    /** What one reading gave: the columns, and the rate up to it. */
    private record Reading(List<Column> columns, double rate) {
    }

    private final String schema;
    private volatile Reading last = new Reading(List.of(), Double.NaN);
    /** (nanoTime, rows done in all) of the recent readings, oldest first. */
    private final Deque<long[]> readings = new ArrayDeque<>();

    BackfillRows(String schema) {
        this.schema = schema;
    }

    @Override
    public void sampled(Connection c, HealthSnapshot snapshot) throws SQLException {
        List<Column> read = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT c.table_name, c.column_name, c.backfill_rows, t.base_rows, c.backfill_done
              FROM uuidmig.columns c LEFT JOIN uuidmig.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = ? ORDER BY c.position""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    read.add(new Column(rs.getString(1), rs.getString(2), rs.getLong(3), (Long) rs.getObject(4), rs.getBoolean(5)));
                }
            }
        }
        long now = System.nanoTime();
        long sum = read.stream().mapToLong(Column::done).sum();
        double rate;
        synchronized (readings) {
            readings.addLast(new long[] {now, sum});
            while (readings.size() > 2 && now - readings.peekFirst()[0] > RATE_WINDOW_SECONDS * 1_000_000_000L) {
                readings.removeFirst();
            }
            long[] first = readings.peekFirst();
            // a rollback resets the counts: a drop is a new start, not a negative speed
            rate = now - first[0] < 500_000_000L || sum < first[1] ? Double.NaN : (sum - first[1]) / ((now - first[0]) / 1e9);
            if (sum < first[1]) {
                readings.clear();
                readings.addLast(new long[] {now, sum});
            }
        }
        last = new Reading(List.copyOf(read), rate);
    }

    List<Column> columns() {
        return last.columns();
    }

    /** Rows per second over the last ten seconds; NaN until there are two readings half a second apart. */
    double rate() {
        return last.rate();
    }
}

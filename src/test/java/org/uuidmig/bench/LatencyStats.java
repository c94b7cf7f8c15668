package org.uuidmig.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latency statistics over a set of transactions: exact nearest-rank percentiles (the runs are
 * small enough to keep every latency), counts over thresholds, failures and type-switch retries.
 */
record LatencyStats(long count, long failed, long switched, long p50Us, long p90Us, long p99Us, long p999Us, long maxUs,
                    long over200ms, long over1s) {

    /** One transaction: when it was due (epoch ms), how long it took from then (µs), what happened. */
    record Tx(long dueMs, long latencyUs, String kind, Outcome outcome, int worker, String sqlState) {
        String csv() {
            return dueMs + "," + latencyUs + "," + kind + "," + outcome.name().toLowerCase(Locale.ROOT) + "," + worker + ","
                + (sqlState == null ? "" : sqlState);
        }

        static Tx parse(String line) {
            String[] f = line.split(",", -1);
            return new Tx(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], Outcome.valueOf(f[3].toUpperCase(Locale.ROOT)),
                Integer.parseInt(f[4]), f[5].isEmpty() ? null : f[5]);
        }
    }

    /** ok; ok after the designed integer -> uuid switch (one retry); failed. */
    enum Outcome { OK, SWITCHED, FAILED }

    static final String CSV_HEADER = "due_epoch_ms,latency_us,kind,outcome,worker,sqlstate";

    static LatencyStats of(List<Tx> txs) {
        long[] lat = new long[txs.size()];
        long failed = 0;
        long switched = 0;
        long over200 = 0;
        long over1s = 0;
        for (int i = 0; i < lat.length; i++) {
            Tx t = txs.get(i);
            lat[i] = t.latencyUs();
            if (t.outcome() == Outcome.FAILED) {
                failed++;
            } else if (t.outcome() == Outcome.SWITCHED) {
                switched++;
            }
            if (lat[i] > 200_000) {
                over200++;
            }
            if (lat[i] > 1_000_000) {
                over1s++;
            }
        }
        Arrays.sort(lat);
        return new LatencyStats(lat.length, failed, switched, pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 99.9),
            lat.length == 0 ? 0 : lat[lat.length - 1], over200, over1s);
    }

    /** Nearest-rank percentile of sorted values. */
    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static List<Tx> window(List<Tx> txs, long fromMs, long toMs) {
        List<Tx> out = new ArrayList<>();
        for (Tx t : txs) {
            if (t.dueMs() >= fromMs && t.dueMs() <= toMs) {
                out.add(t);
            }
        }
        return out;
    }

    static List<Tx> read(Path csv) throws IOException {
        List<Tx> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            if (!line.isBlank() && !line.startsWith("due_")) {
                out.add(Tx.parse(line));
            }
        }
        return out;
    }

    static String ms(long us) {
        return String.format(Locale.ROOT, "%.1f", us / 1000.0);
    }

    /** Human-readable block. */
    String text(String label, double seconds) {
        return String.format(Locale.ROOT, """
            %s
              transactions      %d in %.1f s (%.1f/s)
              latency p50       %s ms
              latency p90       %s ms
              latency p99       %s ms
              latency p99.9     %s ms
              latency max       %s ms   (longest stall)
              over 200 ms       %d
              over 1 s          %d
              failed            %d
              type-switch retry %d   (designed: integer -> uuid switch, retried once, not a failure)
            """, label, count, seconds, seconds > 0 ? count / seconds : 0.0, ms(p50Us), ms(p90Us), ms(p99Us), ms(p999Us),
            ms(maxUs), over200ms, over1s, failed, switched);
    }

    /** KEY=value lines (milliseconds), for shell scripts: PREFIX_P99_MS=12.3 ... */
    String env(String prefix) {
        return prefix + "_COUNT=" + count + "\n" + prefix + "_P50_MS=" + ms(p50Us) + "\n" + prefix + "_P90_MS=" + ms(p90Us) + "\n"
            + prefix + "_P99_MS=" + ms(p99Us) + "\n" + prefix + "_P999_MS=" + ms(p999Us) + "\n" + prefix + "_MAX_MS=" + ms(maxUs) + "\n"
            + prefix + "_OVER200MS=" + over200ms + "\n" + prefix + "_OVER1S=" + over1s + "\n" + prefix + "_FAILED=" + failed + "\n"
            + prefix + "_SWITCHED=" + switched + "\n";
    }

    String json() {
        return String.format(Locale.ROOT, "{\"count\":%d,\"p50_ms\":%s,\"p90_ms\":%s,\"p99_ms\":%s,\"p999_ms\":%s,\"max_ms\":%s,"
            + "\"over_200ms\":%d,\"over_1s\":%d,\"failed\":%d,\"type_switch_retries\":%d}", count, ms(p50Us), ms(p90Us), ms(p99Us),
            ms(p999Us), ms(maxUs), over200ms, over1s, failed, switched);
    }
}

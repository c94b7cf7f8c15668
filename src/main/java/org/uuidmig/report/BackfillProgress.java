package org.uuidmig.report;

import java.io.PrintWriter;
import java.time.Duration;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one table's backfill: a progress bar with rows/s and ETA on a terminal, plain
 * lines every few seconds otherwise (CI logs, pipes).
 */
public abstract class BackfillProgress implements AutoCloseable {
    public abstract void update(long done);

    @Override
    public abstract void close();

    public static BackfillProgress open(String name, long total, long done, PrintWriter err, boolean terminal) {
        if (terminal) {
            ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("backfill " + name)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" rows", 1)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500)
                .startsFrom(done, Duration.ZERO)
                .build();
            return new BackfillProgress() {
                @Override
                public void update(long d) {
                    if (d > bar.getMax()) {
                        bar.maxHint(d);
                    }
                    bar.stepTo(d);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        }
        return new Lines(name, total, done, err);
    }

    /** Plain lines, at most one every five seconds, plus a last one. */
    static final class Lines extends BackfillProgress {
        private final String name;
        private final long total;
        private final long start;
        private final long startDone;
        private final PrintWriter err;
        private long lastPrint;
        private long done;

        Lines(String name, long total, long done, PrintWriter err) {
            this.name = name;
            this.total = total;
            this.startDone = done;
            this.done = done;
            this.err = err;
            this.start = System.nanoTime();
            this.lastPrint = start;
        }

        @Override
        public void update(long d) {
            done = d;
            long now = System.nanoTime();
            if (now - lastPrint >= 5_000_000_000L) {
                lastPrint = now;
                print(false);
            }
        }

        private void print(boolean last) {
            double secs = Math.max((System.nanoTime() - start) / 1e9, 0.001);
            double rate = (done - startDone) / secs;
            long pct = total == 0 ? 100 : Math.min(100, done * 100 / total);
            String eta = last || rate <= 0 ? "" : ", ETA " + Math.max(0, (long) ((total - done) / rate)) + " s";
            err.println(String.format("  backfill %s: %,d/%,d rows (%d%%), %,.0f rows/s%s%s", name, done, total, pct, rate, eta,
                last ? String.format(", done in %.1f s", secs) : ""));
            err.flush();
        }

        @Override
        public void close() {
            print(true);
        }
    }
}

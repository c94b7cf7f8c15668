package org.uuidmig.report;

import java.io.PrintWriter;

/**
 * Progress of long work (scans of large tables), on stderr so that stdout stays a clean report.
 */
public interface Progress {
    /** Work on about estimatedRows rows starts; lines are shown only for large tables. */
    void start(String what, long estimatedRows);

    void done(String what, long millis);

    static Progress silent() {
        return new Progress() {
            @Override
            public void start(String what, long estimatedRows) {
            }

            @Override
            public void done(String what, long millis) {
            }
        };
    }

    static Progress lines(PrintWriter err) {
        return new Progress() {
            @Override
            public void start(String what, long estimatedRows) {
                if (estimatedRows >= 100_000) {
                    err.println("  " + what + " (about " + String.format("%,d", estimatedRows) + " rows)...");
                    err.flush();
                }
            }

            @Override
            public void done(String what, long millis) {
                if (millis >= 500) {
                    err.println("  " + what + ": done in " + millis + " ms");
                    err.flush();
                }
            }
        };
    }
}

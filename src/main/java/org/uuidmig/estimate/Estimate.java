package org.uuidmig.estimate;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.uuidmig.db.Sql;
import org.uuidmig.report.Bytes;
import org.uuidmig.report.ProgressText;

/**
 * What {@code uuidmig plan --estimate} tells before a migration starts: its time, its extra disk and its WAL, each with
 * the assumptions behind it, and the figures per column. Printed as SQL comments after the plan ({@link #printText}), or
 * as the plan document's {@code estimate} ({@link #document}); sizes are human in the text and bytes in JSON.
 *
 * @param time    how long
 * @param disk    how much more disk
 * @param wal     how much WAL
 * @param columns per planned column
 * @param sampleDeadRows  rows the samples rewrote: dead row versions until the next vacuum
 * @param sampleDeadBytes what they take, with their index entries
 */
public record Estimate(Time time, Disk disk, Wal wal, List<Column> columns, long sampleDeadRows, long sampleDeadBytes) {

    /** The first line: what was done to get here (the samples, rolled back). */
    public static final String HEADLINE = "estimate: one sample batch per column ran on this server and was ROLLED BACK; nothing was changed";

    /**
     * The time.
     *
     * @param seconds         in all, or null when no column could be sampled
     * @param fixedSeconds    start, validate-pre, Flyway, expand, FKs' ADDs, swap
     * @param countSeconds    counting the rows
     * @param backfillSeconds the backfill block: backfills on --jobs workers, with the reindex and index copies
     * @param indexSeconds    the index builds in it (one at a time)
     * @param checkSeconds    NOT NULL checks, FK validation, verify
     * @param assumptions     what it assumes
     */
    public record Time(Double seconds, double fixedSeconds, double countSeconds, Double backfillSeconds, double indexSeconds,
                       double checkSeconds, List<String> assumptions) {
    }

    /**
     * The extra disk.
     *
     * @param peakBytes        at most, while migrating
     * @param afterBytes       what stays after the swap and a VACUUM
     * @param newColumnBytes   the new columns in the heap
     * @param deadRowBytes     dead row versions between the backfill's vacuums
     * @param indexBloatBytes  second index entries written by the backfill
     * @param indexCopyBytes   the indexes built on the new columns
     * @param reindexBytes     the largest index rebuilt by the reindex (its new copy exists beside the old one)
     * @param droppedIndexBytes the old indexes on the planned columns, dropped at the swap
     * @param assumptions      what it assumes
     */
    public record Disk(long peakBytes, long afterBytes, long newColumnBytes, long deadRowBytes, long indexBloatBytes,
                       long indexCopyBytes, long reindexBytes, long droppedIndexBytes, List<String> assumptions) {
    }

    /**
     * The WAL.
     *
     * @param bytes           in all
     * @param rowBytes        row images, index entries and the vacuums' records of the backfill
     * @param fullPageBytes   full-page images during the backfill
     * @param indexBuildBytes the index builds
     * @param hintBytes       hint-bit full-page images (data_checksums or wal_log_hints)
     * @param server          the settings it assumes
     * @param assumptions     what it assumes
     */
    public record Wal(long bytes, long rowBytes, long fullPageBytes, long indexBuildBytes, long hintBytes, ServerFacts server,
                      List<String> assumptions) {
    }

    /**
     * One planned column.
     *
     * @param column          table.column
     * @param rows            its table's rows
     * @param rowsCounted     they were counted (no statistics)
     * @param rowsRewritten   rows its backfill rewrites (those with a user)
     * @param sample          its sample batch
     * @param backfillSeconds its backfill, or null when unknown
     * @param batches         backfill batches
     * @param vacuums         VACUUMs during its backfill
     * @param walBytes        WAL of its backfill
     */
    public record Column(String column, long rows, boolean rowsCounted, long rowsRewritten, Sample sample, Double backfillSeconds,
                         long batches, long vacuums, long walBytes) {
    }

    /** Prints the estimate as SQL comments (the plan's text is SQL). */
    public void printText(PrintWriter out) {
        out.println("-- " + HEADLINE);
        out.println("--   " + leftover());
        out.println("--   time: " + (time.seconds() == null ? "unknown"
            : "about " + ProgressText.duration(time.seconds()) + ": " + ProgressText.elapsed(time.fixedSeconds()) + " start, checks and swap, "
            + ProgressText.elapsed(time.countSeconds()) + " counting rows, " + ProgressText.elapsed(time.backfillSeconds())
            + " backfill with index builds (" + ProgressText.elapsed(time.indexSeconds()) + " of builds), "
            + ProgressText.elapsed(time.checkSeconds()) + " NOT NULL, FK and verify scans"));
        assumptions(out, time.assumptions());
        out.println("--   extra disk: peak about " + Bytes.human(disk.peakBytes()) + "; after the swap and a VACUUM about "
            + Bytes.human(disk.afterBytes()) + " more than now");
        out.println("--     new columns " + Bytes.human(disk.newColumnBytes()) + ", dead row versions " + Bytes.human(disk.deadRowBytes())
            + ", index bloat " + Bytes.human(disk.indexBloatBytes()) + ", index copies " + Bytes.human(disk.indexCopyBytes())
            + ", largest reindex " + Bytes.human(disk.reindexBytes()) + "; the old indexes dropped at the swap: "
            + Bytes.human(disk.droppedIndexBytes()));
        assumptions(out, disk.assumptions());
        out.println("--   WAL: about " + Bytes.human(wal.bytes()) + ": rows and index entries " + Bytes.human(wal.rowBytes())
            + ", full-page images " + Bytes.human(wal.fullPageBytes()) + ", index builds " + Bytes.human(wal.indexBuildBytes())
            + (wal.hintBytes() > 0 ? ", hint bits " + Bytes.human(wal.hintBytes()) : ""));
        assumptions(out, wal.assumptions());
        out.println("--   per column:");
        for (Column c : columns) {
            out.println("--     " + Sql.commentText(line(c)));
        }
        out.flush();
    }

    /** What the rolled-back samples leave, as any rolled-back UPDATE does. */
    String leftover() {
        return "the samples left " + ProgressText.count(sampleDeadRows) + " dead row versions (about " + Bytes.human(sampleDeadBytes)
            + " with their index entries) until the next vacuum, as any rolled-back UPDATE does";
    }

    private static void assumptions(PrintWriter out, List<String> lines) {
        for (String a : lines) {
            out.println("--     " + (a.startsWith("WARNING") ? "" : "assumes ") + Sql.commentText(a));
        }
    }

    /** One column's line: rows, its sample, its backfill. */
    static String line(Column c) {
        Sample s = c.sample();
        StringBuilder sb = new StringBuilder(c.column()).append(": ").append(ProgressText.count(c.rows())).append(" rows")
            .append(c.rowsCounted() ? " (counted: no statistics)" : "").append("; ");
        if (s.sampled()) {
            sb.append("sample ").append(ProgressText.count(s.coveredRows())).append(" rows (").append(ProgressText.count(s.updatedRows()))
                .append(" rewritten, SET ").append(s.setColumn()).append(" to itself) in ").append(millis(s.updateNanos() + s.boundNanos()))
                .append(", rolled back");
            if (!s.locks().isEmpty()) {
                sb.append("; held ").append(String.join(", ", s.locks())).append(" and the rows' locks");
            }
            if (!s.triggers().isEmpty()) {
                sb.append("; fired triggers ").append(String.join(", ", s.triggers()));
            }
        } else {
            sb.append("not sampled: ").append(s.why());
        }
        if (c.backfillSeconds() != null) {
            sb.append("; backfill about ").append(ProgressText.elapsed(c.backfillSeconds())).append(" in ")
                .append(ProgressText.count(c.batches())).append(" batches");
        }
        sb.append("; WAL ").append(Bytes.human(c.walBytes()));
        return sb.toString();
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** The estimate as the plan document's {@code estimate} (docs/json.md): raw numbers (bytes, seconds) with human text beside. */
    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("rolledBack", true);
        doc.put("message", HEADLINE);
        doc.put("sampleDeadRows", sampleDeadRows);
        doc.put("sampleDeadBytes", sampleDeadBytes);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("seconds", time.seconds());
        t.put("text", time.seconds() == null ? "unknown" : ProgressText.duration(time.seconds()));
        t.put("fixedSeconds", time.fixedSeconds());
        t.put("countSeconds", time.countSeconds());
        t.put("backfillSeconds", time.backfillSeconds());
        t.put("indexBuildSeconds", time.indexSeconds());
        t.put("checkSeconds", time.checkSeconds());
        t.put("assumptions", time.assumptions());
        doc.put("time", t);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("peakBytes", disk.peakBytes());
        d.put("peak", Bytes.human(disk.peakBytes()));
        d.put("afterBytes", disk.afterBytes());
        d.put("after", Bytes.human(disk.afterBytes()));
        d.put("newColumnBytes", disk.newColumnBytes());
        d.put("deadRowBytes", disk.deadRowBytes());
        d.put("indexBloatBytes", disk.indexBloatBytes());
        d.put("indexCopyBytes", disk.indexCopyBytes());
        d.put("reindexBytes", disk.reindexBytes());
        d.put("droppedIndexBytes", disk.droppedIndexBytes());
        d.put("assumptions", disk.assumptions());
        doc.put("disk", d);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("bytes", wal.bytes());
        w.put("text", Bytes.human(wal.bytes()));
        w.put("rowBytes", wal.rowBytes());
        w.put("fullPageImageBytes", wal.fullPageBytes());
        w.put("indexBuildBytes", wal.indexBuildBytes());
        w.put("hintBytes", wal.hintBytes());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("walLevel", wal.server().walLevel());
        settings.put("fullPageWrites", wal.server().fullPageWrites());
        settings.put("walCompression", wal.server().walCompression());
        settings.put("dataChecksums", wal.server().dataChecksums());
        settings.put("walLogHints", wal.server().walLogHints());
        settings.put("maxWalSizeBytes", wal.server().maxWalSizeBytes());
        settings.put("checkpointTimeoutSeconds", wal.server().checkpointTimeoutSeconds());
        settings.put("checkpointCompletionTarget", wal.server().checkpointCompletionTarget());
        w.put("settings", settings);
        w.put("assumptions", wal.assumptions());
        doc.put("wal", w);
        List<Map<String, Object>> cols = new ArrayList<>();
        for (Column c : columns) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("column", c.column());
            m.put("rows", c.rows());
            m.put("rowsCounted", c.rowsCounted());
            m.put("rowsRewritten", c.rowsRewritten());
            Sample s = c.sample();
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("outcome", s.outcome().name().toLowerCase(Locale.ROOT));
            sm.put("why", s.why());
            sm.put("rows", s.coveredRows());
            sm.put("rewritten", s.updatedRows());
            sm.put("updateMillis", s.updateNanos() / 1e6);
            sm.put("boundMillis", s.boundNanos() / 1e6);
            sm.put("readMillis", s.readNanos() / 1e6);
            sm.put("setColumn", s.setColumn());
            sm.put("triggers", s.triggers());
            sm.put("locks", s.locks());
            m.put("sample", sm);
            m.put("backfillSeconds", c.backfillSeconds());
            m.put("batches", c.batches());
            m.put("vacuums", c.vacuums());
            m.put("walBytes", c.walBytes());
            cols.add(m);
        }
        doc.put("columns", cols);
        return doc;
    }
}

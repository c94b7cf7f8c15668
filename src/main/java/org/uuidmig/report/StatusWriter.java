package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.Map;

/** Writes a {@link StatusReport} for people (text) or for scripts (JSON). */
public final class StatusWriter {
    private StatusWriter() {
    }

    public static void text(StatusReport s, PrintWriter out) {
        out.println("uuidmig status of " + s.database() + ", schema " + s.schema());
        out.println("stage: " + StatusReport.Stage.ofJson(s.stage()).text());
        out.println(s.summary());
        out.println();
        int w = Math.max("column".length(), s.columns().stream().mapToInt(c -> (c.table() + "." + c.column()).length()).max().orElse(0));
        String row = "%-" + w + "s %-8s %-12s %27s  %s";
        out.println(String.format(row, "column", "type", "step", "backfilled / rows", "sync trigger"));
        for (StatusReport.Column c : s.columns()) {
            String backfill;
            if (c.backfilledRows() == null) {
                backfill = "-";
            } else if (c.baseRows() == null) {
                backfill = String.format("%,d / ?", c.backfilledRows());
            } else {
                backfill = String.format("%,d / %,d (%3d%%)", c.backfilledRows(), c.baseRows(), c.backfillPercent());
            }
            out.println(String.format(row, c.table() + "." + c.column(), c.type() == null ? "missing" : c.type(),
                c.step(), backfill, c.syncTrigger() ? "yes" : "no"));
        }
        out.println();
        StatusReport.FlywayRow f = s.flyway();
        out.println("Flyway " + f.table() + ", version " + f.version() + ": " + (f.recorded()
            ? (Boolean.TRUE.equals(f.success()) ? "success" : "FAILED (an interrupted run; uuidmig migrate repairs it and continues)")
                + ", installed on " + f.installedOn()
            : "not recorded"));
        out.println("alembic_version: " + (s.alembicVersion() == null ? "no alembic_version table"
            : s.alembicVersion().isEmpty() ? "(no row)" : s.alembicVersion()));
        control(s.control(), s.schema(), out);
        health(s.health(), out);
        if (s.migratedWithoutState()) {
            out.println("note: migrated without uuidmig's state (no uuidmig.columns), so validate-post has nothing to check against");
        }
        out.flush();
    }

    /** The control section: the schema's control, the run active now, and the last control events. */
    public static void control(StatusReport.Control c, String schema, PrintWriter out) {
        out.println("control of schema " + schema + ": " + c.describe()
            + (c.changedAt() == null ? "" : " (changed " + c.changedAt() + " by " + c.changedBy() + ")"));
        out.println("running now: " + (c.activeRun() == null ? "no migrate or rollback on this database" : c.activeRun()));
        if (!c.events().isEmpty()) {
            out.println("last control events:");
            for (StatusReport.Event e : c.events()) {
                out.println("  " + e.at() + "  " + e.message());
            }
        }
    }

    /** The health section, while a run is active and has sampled: its last sample, a line per signal. */
    public static void health(StatusReport.Health h, PrintWriter out) {
        if (h == null) {
            return;
        }
        long over = h.signals().stream().filter(StatusReport.HealthSignal::over).count();
        out.println(String.format(java.util.Locale.ROOT, "health (the running %s's last sample, %.1f s ago): %s", h.command(),
            h.secondsAgo(), over == 0 ? "no signal over its bound" : over + " over its bound: " + h.overBound()));
        for (StatusReport.HealthSignal sig : h.signals()) {
            out.println("  " + sig.text());
        }
    }

    public static void json(StatusReport s, PrintWriter out) {
        Map<String, Object> doc = Json.document("status", org.uuidmig.ExitCode.OK);
        doc.put("database", s.database());
        doc.put("schema", s.schema());
        doc.put("stage", s.stage());
        doc.put("summary", s.summary());
        doc.put("migratedWithoutState", s.migratedWithoutState());
        doc.put("columns", s.columns());
        doc.put("flyway", s.flyway());
        doc.put("alembicVersion", s.alembicVersion());
        doc.put("control", s.control());
        doc.put("health", s.health());
        Json.print(doc, out);
    }
}

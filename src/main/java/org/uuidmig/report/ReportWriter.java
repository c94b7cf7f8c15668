package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/** Writes a {@link CheckReport} for people (text) or for CI (JSON). */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void text(CheckReport report, PrintWriter out, boolean strict) {
        out.println(report.command() + " on " + report.database());
        for (CheckResult r : report.results()) {
            String mark = switch (r.status()) {
                case PASS -> "[PASS]";
                case INFO -> "[INFO]";
                case WARN -> "[WARN]";
                case FAIL -> "[FAIL]";
            };
            out.println(mark + " " + r.name() + (r.count() == null ? "" : ": " + (r.countText() != null ? r.countText() : r.count()))
                + " - " + r.message());
            if (r.status() == CheckStatus.FAIL || r.status() == CheckStatus.WARN) {
                if (r.detailQuery() != null) {
                    out.println("       list them: " + r.detailQuery().replace("\n", "\n                  "));
                }
                if (r.fix() != null) {
                    out.println("       fix: " + r.fix().replace("\n", "\n            "));
                }
            }
        }
        long fail = report.count(CheckStatus.FAIL);
        long warn = report.count(CheckStatus.WARN);
        out.println();
        out.println(report.results().size() + " checks: " + report.count(CheckStatus.PASS) + " passed, "
            + warn + " warnings, " + fail + " failed"
            + (report.exitCode(strict) == 0 ? " - OK" : strict && fail == 0 ? " - FAILED (warnings with --strict)" : " - FAILED"));
        out.flush();
    }

    public static void json(CheckReport report, PrintWriter out, boolean strict) {
        Json.print(document(report, strict), out);
    }

    /**
     * The report as a JSON document (see docs/json.md): command, status, exitCode, then database, ok, summary and the
     * checks; {@code error} says why when the exit code is not 0.
     */
    public static Map<String, Object> document(CheckReport report, boolean strict) {
        int exitCode = report.exitCode(strict);
        Map<String, Object> doc = Json.document(report.command(), exitCode);
        if (exitCode != 0) {
            long fail = report.count(CheckStatus.FAIL);
            long warn = report.count(CheckStatus.WARN);
            doc.put("error", fail > 0 ? fail + " of " + report.results().size() + " checks failed"
                : warn + " warnings count as failures with --strict");
        }
        doc.put("database", report.database());
        doc.put("ok", exitCode == 0);
        Map<String, Long> summary = new LinkedHashMap<>();
        for (CheckStatus s : CheckStatus.values()) {
            summary.put(s.name().toLowerCase(), report.count(s));
        }
        doc.put("summary", summary);
        List<Map<String, Object>> checks = report.results().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("status", r.status().name().toLowerCase());
            m.put("count", r.count());
            m.put("message", r.message());
            m.put("detailQuery", r.detailQuery());
            m.put("fix", r.fix());
            if (r.suggestion() != null) {
                m.put("suggestion", r.suggestion());
            }
            return m;
        }).toList();
        doc.put("checks", checks);
        return doc;
    }
}

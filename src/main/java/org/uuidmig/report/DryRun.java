package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.db.Sql;

/**
 * What {@code --dry-run} (and {@code uuidmig plan}) shows: the plan, then every step's statements in order with the
 * lock each takes, then what Flyway records. Built once; printed as SQL with comments ({@link #printText}) or as
 * JSON ({@link #document}), so the two say the same.
 *
 * @param summary  the first line (what the run would do, with the number of columns)
 * @param columns  the planned columns
 * @param steps    the steps, numbered from 1
 * @param then     what follows the steps (Flyway's record)
 */
public record DryRun(String summary, List<Column> columns, List<Step> steps, String then) {

    /**
     * One planned column.
     *
     * @param column       table.column
     * @param type         its type before the migration
     * @param notNull      whether it is NOT NULL
     * @param foreignKey   the name of its FK to the users table, or null when it has none
     * @param description  the whole line as the text shows it
     */
    public record Column(String column, String type, boolean notNull, String foreignKey, String description) {
    }

    /**
     * One step.
     *
     * @param number      its position, from 1
     * @param id          the step's id
     * @param target      what it works on (table or table.column; empty for global steps)
     * @param statements  its statements, in order
     */
    public record Step(int number, String id, String target, List<Statement> statements) {
    }

    /**
     * One statement of a step.
     *
     * @param lock  the lock it takes, as the text shows it
     * @param sql   the statement exactly as the run sends it, without the final semicolon
     * @param note  when or how often the run sends it, or why (the text prints it as a comment after the statement), or null
     */
    public record Statement(String lock, String sql, String note) {
        public Statement(String lock, String sql) {
            this(lock, sql, null);
        }
    }

    /** Prints the dry run as SQL with comments: the form {@code uuidmig plan} has always printed. */
    public void printText(PrintWriter out) {
        out.println("-- " + summary);
        for (Column c : columns) {
            out.println("--   " + Sql.commentText(c.description()));
        }
        out.println();
        for (Step step : steps) {
            out.println("-- step " + step.number() + ": " + Sql.commentText(step.id() + (step.target().isEmpty() ? "" : " " + step.target())));
            for (Statement s : step.statements()) {
                out.println("--   lock: " + Sql.commentText(s.lock()));
                out.println(s.sql() + ";" + (s.note() == null ? "" : "  -- " + Sql.commentText(s.note())));
            }
            out.println();
        }
        out.println("-- then " + then);
        out.flush();
    }

    /** The dry run as a JSON value (summary, columns, steps, then). */
    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("summary", summary);
        doc.put("columns", columns);
        doc.put("steps", steps);
        doc.put("then", then);
        return doc;
    }
}

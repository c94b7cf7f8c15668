package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.uuidmig.ExitCode;

/**
 * What every {@code --format json} document shares (see docs/json.md): one object on stdout that starts with
 * {@code command}, {@code status} ({@value #OK} exactly when {@code exitCode} is 0, else {@value #ERROR}) and
 * {@code exitCode}; a document whose status is {@value #ERROR} also has {@code error}, one line saying why.
 * Written with Jackson; the documents are maps so that their key order is the documented one.
 */
public final class Json {
    /** {@code status} of a document whose exit code is 0. */
    public static final String OK = "ok";
    /** {@code status} of a document whose exit code is not 0. */
    public static final String ERROR = "error";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** A new document: command, status and exitCode, in that order; the caller adds the rest. */
    public static Map<String, Object> document(String command, int exitCode) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("status", exitCode == ExitCode.OK ? OK : ERROR);
        doc.put("exitCode", exitCode);
        return doc;
    }

    /**
     * The document of a run (migrate, rollback): {@link #document} and then outcome, database, schema and message; the
     * caller adds what is its own, then {@link #endRun}.
     */
    public static Map<String, Object> run(String command, int exitCode, Enum<?> outcome, String database, String schema, String message) {
        Map<String, Object> doc = document(command, exitCode);
        doc.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        doc.put("database", database);
        doc.put("schema", schema);
        doc.put("message", message);
        return doc;
    }

    /** The end of a run's document: seconds, columns, steps and the dry run's plan (null when it ran for real). */
    public static Map<String, Object> endRun(Map<String, Object> doc, double seconds, Object columns, Object steps, DryRun plan) {
        doc.put("seconds", seconds);
        doc.put("columns", columns);
        doc.put("steps", steps);
        doc.put("plan", plan == null ? null : plan.document());
        return doc;
    }

    /** The error object: the command, its exit code (not 0) and why it stopped. */
    public static Map<String, Object> error(String command, int exitCode, String error) {
        Map<String, Object> doc = document(command, exitCode);
        doc.put("error", error);
        return doc;
    }

    /** The object as JSON text (indented, no trailing newline). */
    public static String toJson(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the object as one JSON document and flushes. */
    public static void print(Object o, PrintWriter out) {
        out.println(toJson(o));
        out.flush();
    }
}

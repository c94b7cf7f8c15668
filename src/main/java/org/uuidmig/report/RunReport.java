package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.Map;

/** What a run of migrate or rollback reports: its exit code, as text, and as one JSON document (docs/json.md). */
public interface RunReport {
    int exitCode();

    /** Prints the result for a person; returns {@link #exitCode()}. */
    int printText(PrintWriter out, PrintWriter err);

    /** The JSON document of the run on {@code database} (host:port/dbname), for the application schema {@code schema}. */
    Map<String, Object> document(String database, String schema);
}

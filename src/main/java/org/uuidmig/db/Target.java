package org.uuidmig.db;

import java.util.regex.Pattern;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * What a command is connected to, as the server reports it: address, database, role, server version and the
 * application's schema. Every command that connects prints {@link #line(String)} first (on stderr, so that
 * stdout stays the report or the JSON), so that PG* variables left over from another shell cannot send a
 * migration to a database nobody named on the command line without it being said.
 *
 * @param host          the host connected to, as resolved from the options (not a resolved address)
 * @param port          the port
 * @param database      current_database()
 * @param user          session_user
 * @param serverVersion server_version up to its first space (e.g. 15.4; a distribution's suffix is left out)
 * @param schema        the --schema of the command
 * @param schemaExists  whether that schema exists in the database
 */
public record Target(String host, int port, String database, String user, String serverVersion, String schema,
                     boolean schemaExists) {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.$-]+");

    /** The one line naming the target, e.g. {@code uuidmig migrate: target 127.0.0.1:5432/shop as postgres (PostgreSQL 15.4), schema public}. */
    public String line(String command) {
        String address = host.contains(":") ? "[" + host + "]" : host;
        return "uuidmig " + command + ": target " + address + ":" + port + "/" + name(database) + " as " + name(user)
            + " (PostgreSQL " + serverVersion + "), schema " + name(schema);
    }

    /**
     * Exit 2 unless the schema exists: every command names the application's schema with --schema, and a schema
     * that does not exist is a usage error, not an empty database (status said "done").
     */
    public void requireSchema() {
        requireSchema(null);
    }

    /** As {@link #requireSchema()}, for a schema named by the plan file planFile (null: by --schema). */
    public void requireSchema(String planFile) {
        if (!schemaExists) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "schema \"" + schema + "\" does not exist in database \""
                + database + "\" (" + host + ":" + port + "): " + (planFile == null ? "--schema names" : "the plan file " + planFile
                + " names it as") + " the schema that holds the application's tables" + (planFile == null ? " (default: public)" : "")
                + ". Nothing was changed");
        }
    }

    /** A name as it is when plain, else double-quoted with " doubled and control characters escaped: the line stays one line. */
    static String name(String s) {
        if (PLAIN.matcher(s).matches()) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"') {
                sb.append("\"\"");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

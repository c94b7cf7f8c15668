package org.uuidmig.db;

/** Quoting for identifiers and literals that must be spliced into DDL (values everywhere else are bound). */
public final class Sql {
    private Sql() {
    }

    /** Quotes an identifier: always double-quoted, embedded double quotes doubled. */
    public static String ident(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty identifier");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A schema-qualified name, each part quoted. */
    public static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    /**
     * Quotes a string literal for the few places where DDL cannot take a parameter
     * (COMMENT ON, SET lock_timeout). Uses E'' only when needed; standard_conforming_strings is assumed on (PG 9.1+ default).
     */
    public static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal contains NUL");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}

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
     * Quotes a string literal for the few places where DDL cannot take a parameter (COMMENT ON, the swap's
     * single round trip), and for --dry-run output a DBA may paste into psql. The result means the same text
     * whatever standard_conforming_strings says: without a backslash, a '...' literal with quotes doubled reads
     * the same either way; with one, an E'...' literal with backslashes and quotes doubled (E'' strings always
     * process escapes). Doubling quotes alone is unsafe when standard_conforming_strings is off: a value
     * ending in a backslash would close the literal early.
     */
    public static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal contains NUL");
        }
        String quoted = value.replace("'", "''");
        if (value.indexOf('\\') < 0) {
            return "'" + quoted + "'";
        }
        return "E'" + quoted.replace("\\", "\\\\") + "'";
    }

    /** A regclass literal for a schema-qualified name: {@code '"s"."t"'::pg_catalog.regclass}. */
    public static String regclass(String schema, String name) {
        return literal(qualified(schema, name)) + "::pg_catalog.regclass";
    }

    /**
     * Text for a {@code --} comment line of --dry-run output, which a DBA may paste into psql: a line break (or
     * any other control character) in a name would end the comment and make the rest of the name a statement,
     * so each is written as {@code \xNN}.
     */
    public static String commentText(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                sb.append(String.format("\\x%02x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}

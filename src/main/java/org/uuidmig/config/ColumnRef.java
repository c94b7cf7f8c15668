package org.uuidmig.config;

import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * A {@code table.column} pair as written on the command line. Parts are case-sensitive catalog
 * names; a part may be double-quoted to contain dots ({@code "Order.Items".user_id}), with
 * {@code ""} for an embedded quote. Unquoted parts are taken as written (not folded), because
 * users copy names from the catalog.
 */
public record ColumnRef(String table, String column) {

    public static ColumnRef parse(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        if (quoted || parts.size() != 2 || parts.get(0).isEmpty() || parts.get(1).isEmpty()) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION,
                "invalid column \"" + text + "\": expected table.column (quote a part with \"...\" if it contains a dot)");
        }
        return new ColumnRef(parts.get(0), parts.get(1));
    }

    /** {@code table.column}, quoting a part only where needed to read it back. */
    @Override
    public String toString() {
        return part(table) + "." + part(column);
    }

    private static String part(String s) {
        return s.matches("[a-z_][a-z0-9_$]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
    }
}

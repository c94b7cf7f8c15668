package org.uuidmig.sql;

import java.util.ArrayList;
import java.util.List;

import org.uuidmig.db.Sql;
import org.uuidmig.plan.IndexInfo;

/**
 * Builds the CREATE INDEX CONCURRENTLY statement for the copy of an index on the new column,
 * from the definition PostgreSQL itself prints (pg_get_indexdef): same access method, column
 * order, sort direction, NULLS order, INCLUDE columns, predicate, storage parameters and
 * tablespace. Only the planned column changes: it becomes the new column, with the default
 * uuid operator class.
 */
public final class IndexDefinitions {
    private IndexDefinitions() {
    }

    /**
     * @param idx           the original index
     * @param column        the planned column's name
     * @param newColumn     the new column's name
     * @param newIndexName  name of the copy
     * @param qualifiedTable the table, quoted and schema-qualified
     */
    public static String copyOnNewColumn(IndexInfo idx, String column, String newColumn, String newIndexName,
                                         String qualifiedTable) {
        String def = idx.definition();
        int using = SqlTokens.findTopLevel(def, "USING", 0);
        if (using < 0) {
            throw new IllegalArgumentException("no USING in index definition: " + def);
        }
        int open = def.indexOf('(', using);
        String am = def.substring(using + " USING ".length(), open).trim();
        int close = SqlTokens.matchingParen(def, open);
        List<String> elements = SqlTokens.splitTopLevel(def.substring(open + 1, close));
        List<String> rewritten = new ArrayList<>();
        for (int k = 0; k < elements.size(); k++) {
            String e = elements.get(k);
            if (idx.columnPositions().contains(k)) {
                rewritten.add(Sql.ident(newColumn) + sortOptions(idx, k));
            } else {
                rewritten.add(e);
            }
        }
        String tail = def.substring(close + 1);
        tail = rewriteTail(tail, column, newColumn);
        return "CREATE " + (idx.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY " + Sql.ident(newIndexName) + " ON "
            + qualifiedTable + " USING " + am + " (" + String.join(", ", rewritten) + ")" + tail;
    }

    /** DESC / NULLS FIRST|LAST from indoption (bit 0 = DESC, bit 1 = NULLS FIRST); INCLUDE columns have none. */
    static String sortOptions(IndexInfo idx, int k) {
        if (k >= idx.keyColumnCount() || k >= idx.options().size()) {
            return "";
        }
        int opt = idx.options().get(k);
        boolean desc = (opt & 1) != 0;
        boolean nullsFirst = (opt & 2) != 0;
        if (desc) {
            return nullsFirst ? " DESC" : " DESC NULLS LAST";
        }
        return nullsFirst ? " NULLS FIRST" : "";
    }

    /** INCLUDE list and WHERE predicate of the tail, with the column renamed. */
    private static String rewriteTail(String tail, String column, String newColumn) {
        StringBuilder out = new StringBuilder();
        int include = tail.startsWith(" INCLUDE (") ? 0 : -1;
        int pos = 0;
        if (include == 0) {
            int open = tail.indexOf('(');
            int close = SqlTokens.matchingParen(tail, open);
            List<String> cols = new ArrayList<>();
            for (String e : SqlTokens.splitTopLevel(tail.substring(open + 1, close))) {
                cols.add(column.equals(SqlTokens.leadingIdentifier(e)) && SqlTokens.leadingIdentifierLength(e) == e.length()
                    ? Sql.ident(newColumn) : e);
            }
            out.append(" INCLUDE (").append(String.join(", ", cols)).append(')');
            pos = close + 1;
        }
        int where = SqlTokens.findTopLevel(tail, "WHERE", pos);
        if (where < 0) {
            out.append(tail.substring(pos));
        } else {
            out.append(tail, pos, where + " WHERE ".length());
            out.append(SqlTokens.renameColumn(tail.substring(where + " WHERE ".length()), column, Sql.ident(newColumn)));
        }
        return out.toString();
    }
}

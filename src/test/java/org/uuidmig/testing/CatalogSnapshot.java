package org.uuidmig.testing;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A normalised, sorted text dump of a schema's catalog (columns with type, nullability,
 * default and comment; constraints with their definitions; indexes with definition and
 * validity; triggers; column privileges), for before/after comparisons. Column order and
 * OIDs are left out: they legitimately differ after the swap. Nothing is filtered out: uuidmig keeps its Flyway history
 * in schema uuidmig_history, and a table of its own in the application's schema would show up here.
 */
public final class CatalogSnapshot {
    private CatalogSnapshot() {
    }

    public static List<String> of(TestDb db, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        out.addAll(db.queryStrings("""
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                   || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || coalesce(' COMMENT ' || col_description(c.oid, a.attnum), '')
                   || coalesce(' ACL ' || a.attacl::text, '')
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY 1""", schema));
        out.addAll(db.queryStrings("""
            SELECT 'constraint ' || c.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
                   || CASE WHEN con.convalidated THEN '' ELSE ' (not validated)' END
              FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? ORDER BY 1""", schema));
        out.addAll(db.queryStrings("""
            SELECT 'index ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? ORDER BY 1""", schema));
        out.addAll(db.queryStrings("""
            SELECT 'trigger ' || c.relname || '.' || t.tgname || ' ' || pg_get_triggerdef(t.oid)
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND NOT t.tgisinternal ORDER BY 1""", schema));
        out.addAll(db.queryStrings("""
            SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN (?, 'uuidmig') ORDER BY 1""", schema));
        return out;
    }

    /** md5 of every row of a table as canonical jsonb, order-independent. */
    public static String tableDigest(TestDb db, String qualifiedTable) throws SQLException {
        return db.queryString("SELECT coalesce(md5(string_agg(r, '|' ORDER BY r)), 'empty') FROM (SELECT to_jsonb(t)::text r FROM "
            + qualifiedTable + " t) x");
    }
}

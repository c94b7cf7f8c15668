package org.uuidmig.check;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.TestDb;

/**
 * Everything a read-only command must leave alone, as text to compare before/after with
 * assertEquals (which then shows the difference line by line): {@link CatalogSnapshot} of
 * public, plus every user schema, every relation with its kind, owner and grants, view
 * definitions, and each table's row count and content digest (alembic_version included).
 */
final class DatabaseState {
    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        + "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    private DatabaseState() {
    }

    static String of(TestDb db) throws SQLException {
        List<String> lines = new ArrayList<>(CatalogSnapshot.of(db, "public"));
        lines.addAll(db.queryStrings("""
            SELECT line FROM (
              SELECT 'schema ' || n.nspname AS line FROM pg_catalog.pg_namespace n WHERE %1$s
              UNION ALL
              SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' owner='
                     || pg_catalog.pg_get_userbyid(c.relowner) || ' acl=' || coalesce(c.relacl::text, '-')
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE %1$s
              UNION ALL
              SELECT 'view ' || c.oid::regclass || ' ' || pg_catalog.pg_get_viewdef(c.oid)
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               WHERE %1$s AND c.relkind IN ('v', 'm')
            ) x ORDER BY line""".formatted(USER_SCHEMA)));
        for (String table : db.queryStrings("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE %s AND c.relkind IN ('r', 'p') ORDER BY 1""".formatted(USER_SCHEMA))) {
            lines.add("rows " + table + " = " + db.queryLong("SELECT count(*) FROM " + table) + " digest "
                + CatalogSnapshot.tableDigest(db, table));
        }
        return String.join("\n", lines);
    }
}

package org.uuidmig.check;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.TempNames;

/**
 * Objects of someone else that hold a name uuidmig is about to create (or rename onto). uuidmig
 * cannot tell its own object from another one of the same name by the name alone, so the rule
 * is: before a column's expand step has run (no state, or its step is still before expand),
 * every name uuidmig will create for it must be free: its shadow column, sync trigger, the
 * table's ledger triggers (when no column of the table is past expand), the index copies, the
 * NOT NULL check and the temporary FK. From expand on, those names are uuidmig's (the expand
 * transaction records the step with the column and trigger it adds). The name the new FK takes at
 * the swap must be free until the swap, or held by a constraint on the column being replaced
 * (which the swap's DROP COLUMN removes): it is never uuidmig's before the swap.
 * Read-only; each clash is described with its kind, name and table.
 */
public final class NameClashes {
    private NameClashes() {
    }

    /** A column to check: whether its expand has not run yet, whether it gets a temporary FK, and the FK's final name (or null). */
    public record Target(PlannedColumn column, boolean beforeExpand, boolean temporaryForeignKey, String finalForeignKeyName) {
    }

    /**
     * Whether a column whose state records step (null: no state for it) has not run its expand step yet: only then
     * are the names of its temporary objects required to be free. An unknown step counts as past expand.
     */
    public static boolean beforeExpand(String step) {
        int at = step == null ? -1 : StepIds.ORDER.indexOf(step);
        return step == null || (at >= 0 && at < StepIds.ORDER.indexOf(StepIds.EXPAND));
    }

    /** Every clash, described ("column "public"."t"."_uuidmig_x" already exists"), in plan order. */
    public static List<String> find(Connection c, String schema, List<Target> targets) throws SQLException {
        List<String> out = new ArrayList<>();
        Map<String, Boolean> tableBeforeExpand = new LinkedHashMap<>();
        for (Target t : targets) {
            tableBeforeExpand.merge(t.column().ref().table(), t.beforeExpand(), Boolean::logicalAnd);
        }
        for (Target t : targets) {
            PlannedColumn col = t.column();
            String table = col.ref().table();
            String column = col.ref().column();
            String qt = Sql.qualified(schema, table);
            if (t.beforeExpand()) {
                String shadow = TempNames.shadowColumn(column);
                if (Catalog.columnExists(c, schema, table, shadow)) {
                    out.add("column " + qt + "." + Sql.ident(shadow) + " already exists (uuidmig would fill it with uuids)");
                }
                for (String trigger : List.of(TempNames.syncTrigger(column), TempNames.checkTrigger(column))) {
                    if (Catalog.triggerExists(c, schema, table, trigger)) {
                        out.add("trigger " + Sql.ident(trigger) + " on " + qt + " already exists");
                    }
                }
                // the check trigger is a constraint trigger: its name is also a constraint's
                addConstraint(c, schema, table, TempNames.checkTrigger(column), null, out, "");
                for (IndexInfo idx : col.indexes()) {
                    String copy = TempNames.index(idx.name());
                    String holder = relationHolding(c, schema, copy);
                    if (holder != null) {
                        out.add(holder + " " + Sql.qualified(schema, copy) + " already exists (the name of the copy of index "
                            + Sql.ident(idx.name()) + ")");
                    }
                }
                if (col.notNull()) {
                    addConstraint(c, schema, table, TempNames.notNullCheck(column), null, out, "");
                }
                if (t.temporaryForeignKey()) {
                    addConstraint(c, schema, table, TempNames.foreignKey(column), null, out, "");
                }
            }
            if (t.finalForeignKeyName() != null) {
                addConstraint(c, schema, table, t.finalForeignKeyName(), column, out,
                    " (the name the new foreign key of " + Sql.ident(column) + " takes at the swap)");
            }
        }
        for (Map.Entry<String, Boolean> e : tableBeforeExpand.entrySet()) {
            if (e.getValue()) {
                for (String trigger : List.of(TempNames.ledgerInsertTrigger(), TempNames.ledgerDeleteTrigger())) {
                    if (Catalog.triggerExists(c, schema, e.getKey(), trigger)) {
                        out.add("trigger " + Sql.ident(trigger) + " on " + Sql.qualified(schema, e.getKey()) + " already exists");
                    }
                }
            }
        }
        return out.stream().distinct().toList();
    }

    /** A constraint of the table called name (one on the named column, which the swap drops with the column, does not count). */
    private static void addConstraint(Connection c, String schema, String table, String name, String column, List<String> out,
                                      String why) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT CASE con.contype WHEN 'c' THEN 'CHECK constraint' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique constraint'
                   WHEN 'p' THEN 'primary key' WHEN 'x' THEN 'exclusion constraint' ELSE 'constraint' END
              FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relname = ? AND con.conname = ?
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.oid AND a.attname = ?
                                  AND a.attnum = ANY (con.conkey))""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, name);
            ps.setString(4, column);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + Sql.ident(name) + " on " + Sql.qualified(schema, table) + " already exists" + why);
                }
            }
        }
    }

    /** The kind of the relation of the schema called name ("index", "table", ...), or null. */
    private static String relationHolding(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT CASE r.relkind WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'r' THEN 'table' WHEN 'p' THEN 'table'
                   WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'relation' END
              FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
             WHERE n.nspname = ? AND r.relname = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Whether users has a constraint called name (the helper NOT NULL check's name, when uuidmig has not recorded one). */
    public static String usersConstraint(Connection c, String schema, String table, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        addConstraint(c, schema, table, name, null, out, " (the name of uuidmig's helper NOT NULL check on it)");
        return out.isEmpty() ? null : out.get(0);
    }
}

package org.uuidmig.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.plan.ColumnGrant;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.Dependent;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;
import org.uuidmig.plan.UsersTable;

/**
 * Builds a {@link Plan} from pg_catalog. Read-only; every query is filtered by schema and
 * takes names as bound values.
 */
public final class CatalogReader {
    /** Prefix of every object uuidmig creates in the application's schema. */
    public static final String TEMP_PREFIX = "_uuidmig_";

    private final Connection c;

    public CatalogReader(Connection c) {
        this.c = c;
    }

    public Plan read(PlanSettings s) {
        try {
            int versionNum;
            String version;
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT current_setting('server_version_num')::int, current_setting('server_version')");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                versionNum = rs.getInt(1);
                version = rs.getString(2);
            }
            UsersTable users = readUsers(s);
            List<ColumnRef> refs = new ArrayList<>(s.requestedColumns());
            List<ColumnRef> notPlanned = new ArrayList<>();
            List<ColumnRef> referencing = users.exists() ? userReferences(users) : List.of();
            if (s.discover()) {
                for (ColumnRef r : referencing) {
                    if (!refs.contains(r)) {
                        refs.add(r);
                    }
                }
            }
            refs.removeAll(s.excludes());
            Set<ColumnRef> unique = new LinkedHashSet<>(refs);
            for (ColumnRef r : referencing) {
                if (!unique.contains(r)) {
                    notPlanned.add(r);
                }
            }
            List<PlannedColumn> cols = new ArrayList<>();
            for (ColumnRef r : unique) {
                cols.add(readColumn(s, users, r));
            }
            return new Plan(s, versionNum, version, users, List.copyOf(cols), List.copyOf(notPlanned));
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot read the catalog: " + e.getMessage(), e);
        }
    }

    private UsersTable readUsers(PlanSettings s) throws SQLException {
        long oid = tableOid(s.schema(), s.usersTable());
        if (oid == 0) {
            return new UsersTable(0, s.schema(), s.usersTable(), s.oldKey(), null, s.newKey(), null, false, null, 0);
        }
        Column oldKey = column(oid, s.oldKey());
        Column newKey = column(oid, s.newKey());
        String uniqueIndex = null;
        if (newKey != null) {
            try (PreparedStatement ps = c.prepareStatement("""
                SELECT ic.relname
                  FROM pg_catalog.pg_index i
                  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = ? AND i.indisunique AND i.indisvalid AND i.indpred IS NULL
                   AND i.indexprs IS NULL AND i.indnkeyatts = 1 AND i.indkey[0] = ?
                 ORDER BY i.indisprimary DESC, ic.relname
                 LIMIT 1""")) {
                ps.setLong(1, oid);
                ps.setInt(2, newKey.attnum);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        uniqueIndex = rs.getString(1);
                    }
                }
            }
        }
        long estimate = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_catalog.pg_class WHERE oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                estimate = rs.getLong(1);
            }
        }
        return new UsersTable(oid, s.schema(), s.usersTable(), s.oldKey(), oldKey == null ? null : oldKey.type,
            s.newKey(), newKey == null ? null : newKey.type, newKey != null && newKey.notNull, uniqueIndex, estimate);
    }

    /** Every single-column FK in the schema that references users(old key). */
    private List<ColumnRef> userReferences(UsersTable users) throws SQLException {
        List<ColumnRef> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT t.relname, a.attname
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
              JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
             WHERE con.contype = 'f' AND con.confrelid = ? AND cardinality(con.conkey) = 1
               AND ra.attname = ? AND n.nspname = ?
             ORDER BY t.relname, a.attname""")) {
            ps.setLong(1, users.oid());
            ps.setString(2, users.sourceKey());
            ps.setString(3, users.schema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ColumnRef(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    private PlannedColumn readColumn(PlanSettings s, UsersTable users, ColumnRef ref) throws SQLException {
        TableInfo table = table(s.schema(), ref.table());
        if (table == null) {
            return new PlannedColumn(ref, ColumnState.MISSING_TABLE, null, 0, null, false, null, null, List.of(),
                List.of(), List.of(), List.of());
        }
        Column col = column(table.oid(), ref.column());
        if (col == null) {
            return new PlannedColumn(ref, ColumnState.MISSING_COLUMN, table, 0, null, false, null, null, List.of(),
                List.of(), List.of(), List.of());
        }
        List<ForeignKey> fks = foreignKeys(table.oid(), col.attnum);
        ColumnState state;
        if (col.typname.equals("int2") || col.typname.equals("int4") || col.typname.equals("int8")) {
            state = ColumnState.INTEGER;
        } else if (col.typname.equals("uuid") && fks.stream().anyMatch(users::isTargetKeyReference)) {
            state = ColumnState.ALREADY_UUID;
        } else {
            state = ColumnState.WRONG_TYPE;
        }
        List<IndexInfo> indexes = indexes(table.oid(), col.attnum);
        List<Dependent> dependents = dependents(table, col.attnum);
        return new PlannedColumn(ref, state, table, col.attnum, col.type, col.notNull, col.defaultExpr, col.comment,
            col.grants, fks, indexes, dependents);
    }

    private long tableOid(String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')""")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private TableInfo table(String schema, String name) throws SQLException {
        long oid = tableOid(schema, name);
        if (oid == 0) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT c.relkind, c.relispartition OR c.relkind = 'p' OR c.relhassubclass
                     OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = c.oid),
                   pg_catalog.pg_get_userbyid(c.relowner), c.reltuples::bigint, pg_catalog.pg_table_size(c.oid),
                   (SELECT array_agg(a.attname ORDER BY k.ord)
                      FROM pg_catalog.pg_index i
                      CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     WHERE i.indrelid = c.oid AND i.indisprimary),
                   (SELECT array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY k.ord)
                      FROM pg_catalog.pg_index i
                      CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     WHERE i.indrelid = c.oid AND i.indisprimary)
              FROM pg_catalog.pg_class c WHERE c.oid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new TableInfo(oid, schema, name, rs.getString(1).charAt(0), rs.getBoolean(2), rs.getString(3),
                    strings(rs.getArray(6)), strings(rs.getArray(7)), rs.getLong(4), rs.getLong(5));
            }
        }
    }

    private record Column(int attnum, String type, String typname, boolean notNull, String defaultExpr,
                          String comment, List<ColumnGrant> grants) {
    }

    private static List<ColumnGrant> grants(String text) {
        if (text == null) {
            return List.of();
        }
        List<ColumnGrant> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] p = line.split("/");
            out.add(new ColumnGrant(p[0], p[1], Boolean.parseBoolean(p[2])));
        }
        return List.copyOf(out);
    }

    private Column column(long tableOid, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname, a.attnotnull,
                   pg_catalog.pg_get_expr(d.adbin, d.adrelid), pg_catalog.col_description(a.attrelid, a.attnum),
                   (SELECT string_agg(CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(e.grantee) END
                                      || '/' || e.privilege_type || '/' || e.is_grantable::text, E'\n')
                      FROM pg_catalog.aclexplode(a.attacl) e)
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setLong(1, tableOid);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Column(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                    rs.getString(6), grants(rs.getString(7)));
            }
        }
    }

    /** Foreign keys on this table whose referencing columns include attnum. */
    public List<ForeignKey> foreignKeys(long tableOid, int attnum) throws SQLException {
        List<ForeignKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT con.conname,
                   (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                   rn.nspname, rc.relname,
                   (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum),
                   con.confupdtype, con.confdeltype, con.confmatchtype, con.condeferrable, con.condeferred,
                   con.convalidated
              FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
              JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
             WHERE con.contype = 'f' AND con.conrelid = ? AND ? = ANY (con.conkey)
             ORDER BY con.conname""")) {
            ps.setLong(1, tableOid);
            ps.setInt(2, attnum);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ForeignKey(rs.getString(1), strings(rs.getArray(2)), rs.getString(3), rs.getString(4),
                        strings(rs.getArray(5)), rs.getString(6).charAt(0), rs.getString(7).charAt(0),
                        rs.getString(8).charAt(0), rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11)));
                }
            }
        }
        return out;
    }

    /** Indexes on the table that involve attnum as a key or INCLUDE column, in an expression, or in the predicate. */
    public List<IndexInfo> indexes(long tableOid, int attnum) throws SQLException {
        List<IndexInfo> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, i.indisvalid,
                   con.conname, con.contype, coalesce(con.condeferrable, false), coalesce(con.condeferred, false),
                   i.indnkeyatts, i.indkey::int2[], i.indoption::int2[], i.indexprs::text, i.indpred::text,
                   ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
                           FROM generate_series(1, i.indnatts) k ORDER BY k),
                   pg_catalog.pg_get_expr(i.indpred, i.indrelid), i.indisreplident
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              LEFT JOIN pg_catalog.pg_constraint con
                     ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
             WHERE i.indrelid = ? AND ic.relname NOT LIKE '\\_uuidmig\\_%'
             ORDER BY ic.relname""")) {
            ps.setLong(1, tableOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Integer> keys = ints(rs.getArray(11));
                    List<Integer> positions = new ArrayList<>();
                    for (int k = 0; k < keys.size(); k++) {
                        if (keys.get(k) == attnum) {
                            positions.add(k);
                        }
                    }
                    boolean exprUses = usesColumn(rs.getString(13), attnum);
                    String pred = rs.getString(14);
                    boolean predUses = usesColumn(pred, attnum);
                    if (positions.isEmpty() && !exprUses && !predUses) {
                        continue;
                    }
                    String contype = rs.getString(7);
                    out.add(new IndexInfo(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getBoolean(5), rs.getString(6), contype == null ? '-' : contype.charAt(0), rs.getBoolean(8),
                        rs.getBoolean(9), rs.getInt(10), List.copyOf(positions), exprUses, predUses,
                        predUses && onlyNullTests(pred, attnum), ints(rs.getArray(12)), strings(rs.getArray(15)),
                        rs.getString(16), rs.getBoolean(17)));
                }
            }
        }
        return out;
    }

    private static Pattern varPattern(int attnum) {
        return Pattern.compile("\\{VAR :varno 1 :varattno " + attnum + " ");
    }

    /** Whether a pg_node_tree text refers to column attnum of the indexed table. */
    static boolean usesColumn(String nodeTree, int attnum) {
        return nodeTree != null && varPattern(attnum).matcher(nodeTree).find();
    }

    /** Whether every reference to attnum in the node tree is the direct argument of an IS [NOT] NULL test. */
    static boolean onlyNullTests(String nodeTree, int attnum) {
        Matcher all = varPattern(attnum).matcher(nodeTree);
        int total = 0;
        while (all.find()) {
            total++;
        }
        Matcher inNullTest = Pattern.compile("\\{NULLTEST (?::xpr <> )?:arg \\{VAR :varno 1 :varattno " + attnum + " ")
            .matcher(nodeTree);
        int nullTests = 0;
        while (inNullTest.find()) {
            nullTests++;
        }
        return total == nullTests;
    }

    /**
     * Objects depending on the column that the migration does not carry across. Our own
     * objects (prefix {@value #TEMP_PREFIX}), the FKs and the supported indexes are left out.
     */
    private List<Dependent> dependents(TableInfo table, int attnum) throws SQLException {
        List<Dependent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT d.classid::regclass::text, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
                   CASE WHEN d.classid = 'pg_catalog.pg_constraint'::regclass
                        THEN (SELECT contype::text || CASE WHEN conrelid = ? THEN '' ELSE '*' END
                                FROM pg_catalog.pg_constraint WHERE oid = d.objid) END,
                   CASE WHEN d.classid = 'pg_catalog.pg_class'::regclass
                        THEN (SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = d.objid) END,
                   CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass
                        THEN (SELECT cl.relkind::text || ':' || r.rulename FROM pg_catalog.pg_rewrite r
                                JOIN pg_catalog.pg_class cl ON cl.oid = r.ev_class WHERE r.oid = d.objid) END,
                   CASE WHEN d.classid = 'pg_catalog.pg_trigger'::regclass
                        THEN (SELECT tgname FROM pg_catalog.pg_trigger WHERE oid = d.objid) END,
                   d.objsubid, d.objid,
                   CASE WHEN d.classid = 'pg_catalog.pg_attrdef'::regclass
                        THEN (SELECT adnum FROM pg_catalog.pg_attrdef WHERE oid = d.objid) END
              FROM (SELECT DISTINCT classid, objid, objsubid FROM pg_catalog.pg_depend
                     WHERE refclassid = 'pg_catalog.pg_class'::regclass AND refobjid = ? AND refobjsubid = ?
                       AND deptype IN ('n', 'a')) d
             ORDER BY 2""")) {
            ps.setLong(1, table.oid());
            ps.setLong(2, table.oid());
            ps.setInt(3, attnum);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String catalog = rs.getString(1);
                    String desc = rs.getString(2);
                    String contype = rs.getString(3);
                    String relkind = rs.getString(4);
                    String rewrite = rs.getString(5);
                    String trigger = rs.getString(6);
                    long objid = rs.getLong(8);
                    boolean ownDefault = rs.getInt(9) == attnum;
                    Dependent dep = classify(table, catalog, desc, contype, relkind, rewrite, trigger, rs.getInt(7), objid,
                        ownDefault);
                    if (dep != null) {
                        out.add(dep);
                    }
                }
            }
        }
        return out;
    }

    private Dependent classify(TableInfo table, String catalog, String desc, String contype, String relkind,
                               String rewrite, String trigger, int objsubid, long objid, boolean ownDefault) {
        switch (catalog) {
            case "pg_constraint" -> {
                if (contype == null) {
                    return null;
                }
                if (contype.equals("f*")) {
                    return new Dependent("foreign key from another table", desc,
                        "drop it before the migration and recreate it on the uuid column afterwards");
                }
                return switch (contype) {
                    case "f", "p", "u" -> null; // carried across by the migration
                    case "n" -> null; // PostgreSQL 18 records NOT NULL as a constraint; nullability is carried across
                    case "c" -> desc.contains(TEMP_PREFIX) ? null : new Dependent("check constraint", desc,
                        "drop the check before the migration and recreate it for the uuid column afterwards");
                    case "x" -> new Dependent("exclusion constraint", desc,
                        "drop the exclusion constraint before the migration and recreate it afterwards");
                    default -> new Dependent("constraint", desc, "drop it before the migration and recreate it afterwards");
                };
            }
            case "pg_class" -> {
                if ("i".equals(relkind) || "I".equals(relkind)) {
                    return null; // indexes are checked one by one
                }
                if (objid == table.oid() && objsubid > 0) {
                    return new Dependent("generated column", desc,
                        "drop the generated column before the migration and add it back for the uuid column afterwards");
                }
                if ("S".equals(relkind)) {
                    return new Dependent("sequence owned by the column", desc,
                        "a user reference should not own a sequence: ALTER SEQUENCE ... OWNED BY NONE");
                }
                return new Dependent("relation", desc, "remove the dependency before the migration");
            }
            case "pg_rewrite" -> {
                if (rewrite != null && (rewrite.startsWith("v:") || rewrite.startsWith("m:"))) {
                    return new Dependent(rewrite.startsWith("m:") ? "materialized view" : "view", desc,
                        "drop the view before the migration and recreate it afterwards (it must select the uuid column)");
                }
                return new Dependent("rule", desc, "drop the rule before the migration and recreate it afterwards");
            }
            case "pg_trigger" -> {
                if (trigger != null && trigger.contains(TEMP_PREFIX)) {
                    return null;
                }
                return new Dependent("trigger", desc,
                    "drop the trigger (UPDATE OF or WHEN on the column) before the migration and recreate it afterwards");
            }
            case "pg_policy" -> {
                return new Dependent("row-level security policy", desc,
                    "drop the policy before the migration and recreate it for the uuid column afterwards");
            }
            case "pg_statistic_ext" -> {
                return new Dependent("extended statistics", desc,
                    "DROP STATISTICS before the migration and CREATE STATISTICS on the uuid column afterwards");
            }
            case "pg_attrdef" -> {
                if (ownDefault) {
                    return null; // the column's own default: PreChecks reports it from defaultExpr
                }
                // up to PG 15 a generated column depends on the columns it reads through its pg_attrdef
                return new Dependent("generated column", desc,
                    "drop the generated column before the migration and add it back for the uuid column afterwards");
            }
            default -> {
                return new Dependent(catalog, desc, "remove the dependency before the migration");
            }
        }
    }

    static List<String> strings(Array a) throws SQLException {
        if (a == null) {
            return List.of();
        }
        Object[] arr = (Object[]) a.getArray();
        List<String> out = new ArrayList<>(arr.length);
        for (Object o : arr) {
            out.add((String) o);
        }
        return List.copyOf(out);
    }

    static List<Integer> ints(Array a) throws SQLException {
        if (a == null) {
            return List.of();
        }
        Object[] arr = (Object[]) a.getArray();
        List<Integer> out = new ArrayList<>(arr.length);
        for (Object o : arr) {
            out.add(((Number) o).intValue());
        }
        return List.copyOf(out);
    }
}

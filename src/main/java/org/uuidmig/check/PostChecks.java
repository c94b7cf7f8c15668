package org.uuidmig.check;

import org.uuidmig.report.CheckResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.uuidmig.catalog.CatalogReader;
import org.uuidmig.db.ReadOnly;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepIds;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.TempNames;

/**
 * validate-post: proves the migration did what it promised, against what migrate recorded
 * before it changed anything (uuidmig.columns.original). Read-only.
 */
public final class PostChecks {
    private final Connection c;
    private final Plan plan;
    private final List<CheckResult> out = new ArrayList<>();

    public PostChecks(Connection c, Plan plan) {
        this.c = c;
        this.plan = plan;
    }

    public List<CheckResult> run() {
        ReadOnly.run(c, "validate-post", this::runAll);
        return List.copyOf(out);
    }

    private void runAll() throws SQLException {
        List<StateStore.ColumnRow> state = StateStore.columns(c, plan.schema());
        if (state.isEmpty()) {
            List<String> integer = plan.toConvert().stream().map(col -> col.ref().toString()).toList();
            out.add(CheckResult.fail("migration_state", 0L, integer.isEmpty()
                    ? "no uuidmig migration is recorded in this database (no uuidmig.columns): nothing to validate against"
                    : "never migrated: " + String.join(", ", integer) + " still hold integers",
                null, "run uuidmig validate-pre, then uuidmig migrate"));
            return;
        }
        List<String> unfinished = new ArrayList<>();
        for (StateStore.ColumnRow r : state) {
            if (!r.step().equals(StepIds.DONE)) {
                unfinished.add(r.original().ref() + " at step " + r.step());
            }
        }
        out.add(unfinished.isEmpty()
            ? CheckResult.pass("migration_state", (long) state.size(), "migrate finished for all " + state.size() + " columns")
            : CheckResult.fail("migration_state", (long) unfinished.size(), "the migration is half way: " + String.join("; ", unfinished),
                null, "rerun uuidmig migrate to finish it (or uuidmig status for details)"));

        UsersTable users = StateStore.users(c, plan.schema());
        List<PlannedColumn> cols = state.stream().map(StateStore.ColumnRow::original).toList();
        CatalogReader reader = new CatalogReader(c);
        columnsAreUuid(cols);
        foreignKeys(reader, cols, users);
        recordCounts();
        noNullValues(cols);
        foreignKeyJoins(cols, users);
        indexes(reader, cols);
        comments(cols);
        noLeftovers();
        mappingVerified();
    }

    private String table(PlannedColumn col) {
        return Sql.qualified(plan.schema(), col.ref().table());
    }

    private long tableOid(PlannedColumn col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(to_regclass(?)::oid, 0)")) {
            ps.setString(1, table(col));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** [attnum, typname, attnotnull] of the column now, or null. */
    private Object[] column(PlannedColumn col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT a.attnum, t.typname, a.attnotnull FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setString(1, table(col));
            ps.setString(2, col.ref().column());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Object[] {rs.getInt(1), rs.getString(2), rs.getBoolean(3)} : null;
            }
        }
    }

    private void columnsAreUuid(List<PlannedColumn> cols) throws SQLException {
        List<String> bad = new ArrayList<>();
        for (PlannedColumn col : cols) {
            Object[] now = column(col);
            if (now == null) {
                bad.add(col.ref() + " is missing");
            } else if (!"uuid".equals(now[1])) {
                bad.add(col.ref() + " is " + now[1]);
            }
        }
        out.add(bad.isEmpty() ? CheckResult.pass("columns_are_uuid", (long) cols.size(), "all " + cols.size() + " columns are uuid")
            : CheckResult.fail("columns_are_uuid", (long) bad.size(), String.join("; ", bad), null,
                "rerun uuidmig migrate to finish the migration"));
    }

    private void foreignKeys(CatalogReader reader, List<PlannedColumn> cols, UsersTable users) throws SQLException {
        List<String> bad = new ArrayList<>();
        for (PlannedColumn col : cols) {
            Object[] now = column(col);
            if (now == null) {
                continue;
            }
            List<ForeignKey> fks = reader.foreignKeys(tableOid(col), (Integer) now[0]);
            List<ForeignKey> toUuid = fks.stream().filter(f -> isRef(f, users, users.targetKey())).toList();
            List<ForeignKey> toId = fks.stream().filter(f -> isRef(f, users, users.sourceKey())).toList();
            ForeignKey before = col.userForeignKey(users);
            if (toUuid.size() != 1) {
                bad.add(col.ref() + " has " + toUuid.size() + " foreign keys to " + users.name() + "(" + users.targetKey() + "), expected 1");
                continue;
            }
            ForeignKey fk = toUuid.get(0);
            if (!toId.isEmpty()) {
                bad.add(col.ref() + " still has a foreign key to " + users.name() + "(" + users.sourceKey() + ")");
            }
            if (!fk.validated()) {
                bad.add(fk.name() + " on " + col.ref() + " is NOT VALID");
            }
            String expected = before == null ? "" : before.actionsSql();
            if (!fk.actionsSql().equals(expected)) {
                bad.add(fk.name() + " on " + col.ref() + " has actions [" + fk.actionsSql() + "], before the migration ["
                    + expected + "]");
            }
            if (before != null && !fk.name().equals(before.name())) {
                bad.add(col.ref() + ": foreign key is named " + fk.name() + ", before the migration " + before.name());
            }
        }
        out.add(bad.isEmpty()
            ? CheckResult.pass("foreign_keys_reference_users_uuid", (long) cols.size(),
                "each column has one validated FK to " + users.name() + "(" + users.targetKey() + ") with its original actions")
            : CheckResult.fail("foreign_keys_reference_users_uuid", (long) bad.size(), String.join("; ", bad),
                "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND confrelid = "
                    + Sql.regclass(users.schema(), users.name()) + ";",
                "recreate the FK with the original actions: ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE"));
    }

    private static boolean isRef(ForeignKey fk, UsersTable users, String key) {
        return fk.refSchema().equals(users.schema()) && fk.refTable().equals(users.name())
            && fk.refColumns().equals(List.of(key)) && fk.columns().size() == 1;
    }

    /**
     * Rows now against the count at the swap (base + inserts - deletes counted by the ledger
     * while the migration ran). A difference after the migration is explained only on a
     * database that was busy during the migration, and only within the inserts and deletes
     * the statistics collector has seen since.
     */
    private void recordCounts() throws SQLException {
        Map<String, StateStore.TableRow> tables = StateStore.tables(c, plan.schema());
        List<String> notes = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (StateStore.TableRow t : tables.values()) {
            if (t.endRows() == null) {
                bad.add(t.table() + ": no count recorded at the swap");
                continue;
            }
            long now;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + Sql.qualified(t.schema(), t.table()));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                now = rs.getLong(1);
            }
            long ins = nz(t.ledgerInserted());
            long del = nz(t.ledgerDeleted());
            String during = ins + del == 0 ? "" : " (" + nz(t.baseRows()) + " at the start, +" + ins + " inserted and -" + del
                + " deleted by the application during the migration)";
            long diff = now - t.endRows();
            if (diff == 0) {
                if (!during.isEmpty()) {
                    notes.add(t.table() + ": " + now + during);
                }
                continue;
            }
            long[] since = statsSince(t);
            boolean busy = ins + del > 0;
            // the statistics lag the rows: up to about a second on 15+, and on 12-14 the collector's file is
            // refreshed at most every 500 ms after the writer reports. Give them a few chances to catch up.
            for (int wait = 0; busy && !(diff >= -since[1] && diff <= since[0]) && wait < STATS_WAITS; wait++) {
                sleep(STATS_WAIT_MS);
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_stat_clear_snapshot()")) {
                    ps.execute();
                }
                now = count("SELECT count(*) FROM " + Sql.qualified(t.schema(), t.table()));
                diff = now - t.endRows();
                since = statsSince(t);
            }
            if (busy && diff >= -since[1] && diff <= since[0]) {
                notes.add(t.table() + ": " + now + " now, " + t.endRows() + " at the swap" + during + "; the " + (diff > 0 ? "+" : "")
                    + diff + " since are within the application's writes after the migration (+" + since[0] + "/-" + since[1] + ")");
            } else {
                bad.add(t.table() + ": " + now + " rows, " + t.endRows() + " at the swap" + during
                    + (diff < 0 ? " - " + (-diff) + " rows missing" : " - " + diff + " rows more than expected")
                    + (busy ? "" : " on a database with no writes during the migration"));
            }
        }
        if (bad.isEmpty()) {
            out.add(CheckResult.pass("record_counts_unchanged", (long) tables.size(), notes.isEmpty()
                ? "every table has the rows it had at the swap"
                : "counts explained: " + String.join("; ", notes)));
        } else {
            out.add(CheckResult.fail("record_counts_unchanged", (long) bad.size(), String.join("; ", bad), null,
                "compare with the backup or the application's logs; if the application wrote after the migration, this may be its work"));
        }
    }

    /** How often and how long validate-post waits for lagging statistics before calling a difference unexplained. */
    private static final int STATS_WAITS = 6;
    private static final long STATS_WAIT_MS = 500;

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {inserts, deletes} the statistics collector has counted since the swap (0 if unknown or reset). */
    private long[] statsSince(StateStore.TableRow t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT n_tup_ins, n_tup_del FROM pg_catalog.pg_stat_user_tables WHERE relid = to_regclass(?)")) {
            ps.setString(1, Sql.qualified(t.schema(), t.table()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || t.statInsAtEnd() == null) {
                    return new long[] {0, 0};
                }
                return new long[] {Math.max(0, rs.getLong(1) - t.statInsAtEnd()), Math.max(0, rs.getLong(2) - t.statDelAtEnd())};
            }
        }
    }

    private static long nz(Long l) {
        return l == null ? 0 : l;
    }

    private void noNullValues(List<PlannedColumn> cols) throws SQLException {
        List<String> bad = new ArrayList<>();
        List<String> nullable = new ArrayList<>();
        for (PlannedColumn col : cols) {
            Object[] now = column(col);
            if (now == null) {
                continue;
            }
            long nulls = count("SELECT count(*) FROM " + table(col) + " WHERE " + Sql.ident(col.ref().column()) + " IS NULL");
            if (col.notNull()) {
                if (!(Boolean) now[2]) {
                    bad.add(col.ref() + " was NOT NULL and is now nullable");
                }
                if (nulls > 0) {
                    bad.add(col.ref() + " has " + nulls + " NULLs");
                }
            } else {
                nullable.add(col.ref() + " " + nulls);
                if ((Boolean) now[2]) {
                    bad.add(col.ref() + " was nullable and is now NOT NULL");
                }
            }
        }
        String note = nullable.isEmpty() ? "" : "; nullable before and after, NULLs kept: " + String.join(", ", nullable);
        out.add(bad.isEmpty() ? CheckResult.pass("no_null_values", 0L, "no NULL in a column that was NOT NULL" + note)
            : CheckResult.fail("no_null_values", (long) bad.size(), String.join("; ", bad), null,
                "ALTER TABLE ... ALTER COLUMN ... SET NOT NULL where it was NOT NULL before"));
    }

    private void foreignKeyJoins(List<PlannedColumn> cols, UsersTable users) throws SQLException {
        List<String> bad = new ArrayList<>();
        List<String> counts = new ArrayList<>();
        String firstQuery = null;
        for (PlannedColumn col : cols) {
            Object[] now = column(col);
            if (now == null || !"uuid".equals(now[1])) {
                bad.add(col.ref() + (now == null ? " is missing" : " is still " + now[1]) + ": no reference to "
                    + users.name() + "(" + users.targetKey() + ") to check");
                continue;
            }
            String where = " WHERE x." + Sql.ident(col.ref().column()) + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                + Sql.qualified(users.schema(), users.name()) + " u WHERE u." + Sql.ident(users.targetKey()) + " = x."
                + Sql.ident(col.ref().column()) + ")";
            long n = count("SELECT count(*) FROM " + table(col) + " x" + where);
            long joined = count("SELECT count(*) FROM " + table(col) + " x JOIN " + Sql.qualified(users.schema(), users.name())
                + " u ON u." + Sql.ident(users.targetKey()) + " = x." + Sql.ident(col.ref().column()));
            counts.add(col.ref().table() + " " + joined);
            if (n > 0) {
                bad.add(n + " rows of " + col.ref() + " join no user");
                if (firstQuery == null) {
                    firstQuery = "SELECT x.* FROM " + table(col) + " x" + where + ";";
                }
            }
        }
        out.add(bad.isEmpty() ? CheckResult.pass("foreign_key_joins", 0L, "every non-NULL reference joins a user (" + String.join(", ", counts) + ")")
            : CheckResult.fail("foreign_key_joins", (long) bad.size(), String.join("; ", bad), firstQuery,
                "rows that join no user violate the FK: was it dropped? A column that is not uuid yet: rerun uuidmig migrate"));
    }

    private void indexes(CatalogReader reader, List<PlannedColumn> cols) throws SQLException {
        List<String> badConstraints = new ArrayList<>();
        List<String> badIndexes = new ArrayList<>();
        int constraints = 0;
        int indexes = 0;
        for (PlannedColumn col : cols) {
            Object[] now = column(col);
            List<IndexInfo> current = now == null ? List.of() : reader.indexes(tableOid(col), (Integer) now[0]);
            for (IndexInfo before : col.indexes()) {
                IndexInfo after = current.stream().filter(i -> i.name().equals(before.name())).findFirst().orElse(null);
                boolean constraint = before.constraintType() == 'p' || before.constraintType() == 'u';
                List<String> sink = constraint ? badConstraints : badIndexes;
                if (constraint) {
                    constraints++;
                } else {
                    indexes++;
                }
                if (after == null) {
                    sink.add((constraint ? (before.constraintType() == 'p' ? "primary key " : "unique constraint ") : "index ")
                        + before.name() + " on " + col.ref().table() + " is missing");
                    continue;
                }
                if (!after.definition().equals(before.definition())) {
                    sink.add(before.name() + " is now \"" + after.definition() + "\", before \"" + before.definition() + "\"");
                }
                if (!after.valid()) {
                    sink.add(before.name() + " is INVALID");
                }
                if (!"uuid".equals(now[1])) {
                    sink.add(before.name() + " is still the index on the " + now[1] + " column " + col.ref() + ", not recreated on uuid");
                }
                if (constraint && (after.constraintType() != before.constraintType() || !before.constraintName().equals(after.constraintName())
                    || after.deferrable() != before.deferrable() || after.deferred() != before.deferred())) {
                    sink.add(before.name() + " no longer backs the " + (before.constraintType() == 'p' ? "primary key " : "unique constraint ")
                        + before.constraintName());
                }
                if (before.replicaIdentity() && !after.replicaIdentity()) {
                    sink.add(before.name() + " on " + col.ref().table() + " is no longer the table's replica identity (it was "
                        + "REPLICA IDENTITY USING INDEX; now " + replicaIdentity(col) + "): UPDATE and DELETE on a published table fail");
                }
            }
        }
        out.add(badConstraints.isEmpty()
            ? CheckResult.pass("unique_constraints_preserved", (long) constraints, constraints + " primary key and unique constraints exist again, same name and definition")
            : CheckResult.fail("unique_constraints_preserved", (long) badConstraints.size(), String.join("; ", badConstraints), null,
                "rebuild it: CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... USING INDEX"));
        out.add(badIndexes.isEmpty()
            ? CheckResult.pass("indexes_recreated", (long) indexes, indexes + " indexes exist again, same name and definition, valid")
            : CheckResult.fail("indexes_recreated", (long) badIndexes.size(), String.join("; ", badIndexes), null,
                "recreate it with the recorded definition (SELECT original FROM uuidmig.columns), CONCURRENTLY"));
    }

    /** The table's REPLICA IDENTITY now, as ALTER TABLE writes it. */
    private String replicaIdentity(PlannedColumn col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT CASE t.relreplident WHEN 'd' THEN 'DEFAULT' WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL'
                   ELSE 'USING INDEX ' || coalesce((SELECT pg_catalog.quote_ident(ic.relname) FROM pg_catalog.pg_index i
                         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = t.oid AND i.indisreplident),
                         'an index that no longer exists') END
              FROM pg_catalog.pg_class t WHERE t.oid = to_regclass(?)""")) {
            ps.setString(1, table(col));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "REPLICA IDENTITY " + rs.getString(1) : "the table is missing";
            }
        }
    }

    private void comments(List<PlannedColumn> cols) throws SQLException {
        List<String> bad = new ArrayList<>();
        for (PlannedColumn col : cols) {
            String now;
            try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_catalog.col_description(a.attrelid, a.attnum) FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped""")) {
                ps.setString(1, table(col));
                ps.setString(2, col.ref().column());
                try (ResultSet rs = ps.executeQuery()) {
                    now = rs.next() ? rs.getString(1) : null;
                }
            }
            if (!java.util.Objects.equals(now, col.comment())) {
                bad.add(col.ref() + " comment is " + (now == null ? "missing" : "\"" + now + "\"") + ", before "
                    + (col.comment() == null ? "none" : "\"" + col.comment() + "\""));
            }
        }
        out.add(bad.isEmpty() ? CheckResult.pass("column_comments_preserved", 0L, "column comments are as before")
            : CheckResult.fail("column_comments_preserved", (long) bad.size(), String.join("; ", bad), null, "COMMENT ON COLUMN ... IS '...'"));
    }

    private void noLeftovers() throws SQLException {
        List<String> left = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT 'column ' || t.relname || '.' || a.attname FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_class t ON t.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relkind IN ('r', 'p') AND a.attname LIKE '%\\_uuidmig\\_%' AND a.attnum > 0
               AND NOT a.attisdropped
            UNION ALL
            SELECT 'trigger ' || g.tgname || ' on ' || t.relname FROM pg_catalog.pg_trigger g
              JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND g.tgname LIKE '%\\_uuidmig\\_%'
            UNION ALL
            SELECT 'constraint ' || con.conname || ' on ' || t.relname FROM pg_catalog.pg_constraint con
              JOIN pg_catalog.pg_class t ON t.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND con.conname LIKE '%\\_uuidmig\\_%'
            UNION ALL
            SELECT 'index ' || ic.relname || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
             WHERE n.nspname = ? AND ic.relname LIKE '%\\_uuidmig\\_%'
            UNION ALL
            SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'uuidmig'
            ORDER BY 1""")) {
            for (int i = 1; i <= 4; i++) {
                ps.setString(i, plan.schema());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    left.add(rs.getString(1));
                }
            }
        }
        String flyway = flywayState();
        if (!"success".equals(flyway)) {
            left.add("Flyway history " + org.uuidmig.flyway.HistoryTable.find(c, plan.schema()).qualified() + " has " + flyway + " for version " + FlywayRunner.VERSION);
        }
        String alembic = alembic();
        if (alembic != null && !alembic.equals(PreChecks.ALEMBIC_AFTER)) {
            left.add("alembic_version is " + alembic + ", expected " + PreChecks.ALEMBIC_AFTER);
        }
        out.add(left.isEmpty()
            ? CheckResult.pass("no_leftovers", 0L, "no temporary column, trigger, constraint, index or function of uuidmig remains; Flyway "
                + FlywayRunner.VERSION + " succeeded" + (alembic == null ? "" : "; alembic_version is " + alembic))
            : CheckResult.fail("no_leftovers", (long) left.size(), String.join("; ", left), null,
                "rerun uuidmig migrate to finish the clean-up; drop anything named " + TempNames.MARK + "* that remains"));
    }

    private String flywayState() throws SQLException {
        org.uuidmig.flyway.HistoryTable history = org.uuidmig.flyway.HistoryTable.find(c, plan.schema());
        if (!history.exists(c)) {
            return "no history table";
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT success FROM " + history.qualified()
            + " WHERE version = ? ORDER BY installed_rank DESC LIMIT 1")) {
            ps.setString(1, FlywayRunner.VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "no row";
                }
                return rs.getBoolean(1) ? "success" : "a failed row";
            }
        }
    }

    private String alembic() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, Sql.qualified(plan.schema(), "alembic_version"));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT string_agg(version_num, ',') FROM " + Sql.qualified(plan.schema(), "alembic_version"));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return String.valueOf(rs.getString(1));
        }
    }

    private void mappingVerified() throws SQLException {
        List<String> bad = new ArrayList<>();
        List<String> ok = new ArrayList<>();
        long rows = 0;
        long rechecked = 0;
        for (StateStore.TableRow t : StateStore.tables(c, plan.schema()).values()) {
            if (t.verifiedAt() == null) {
                bad.add(t.table() + " was never verified");
            } else if (nz(t.mismatches()) != 0) {
                bad.add(t.table() + ": " + t.mismatches() + " mismatches of " + t.verifiedRows() + " at " + t.verifiedAt());
            } else {
                rows += nz(t.verifiedRows());
                rechecked += nz(t.recheckedRows());
                ok.add(t.table() + " " + t.verifiedRows() + " rows at " + t.verifiedAt()
                    + (t.recheckedRows() == null ? "" : ", " + t.recheckedRows() + " re-checked at the swap"));
            }
        }
        // rows the check triggers recorded and no re-check cleared: the swap refuses them, so any left over is a fault
        for (String r : StateStore.recheckPending(c, plan.schema(), null, 20)) {
            bad.add("recorded as wrong and never re-checked: " + r);
        }
        out.add(bad.isEmpty() ? CheckResult.pass("mapping_verified", rows, "pre-swap verification: " + rows
                + " rows checked, 0 mismatches; every row written after it was checked at its commit, and the " + rechecked
                + " rows found wrong then were re-checked (fixed where they could be) under the swap's locks ("
                + String.join("; ", ok) + ")")
            : CheckResult.fail("mapping_verified", (long) bad.size(), String.join("; ", bad), null, "rerun uuidmig migrate"));
    }

    private long count(String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package org.uuidmig.sql;

import java.util.ArrayList;
import java.util.List;

import org.uuidmig.db.Sql;
import org.uuidmig.plan.ColumnGrant;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;

/**
 * Every DDL statement migrate sends, generated from the plan. Pure functions: the dry-run
 * output is built from the same text, and unit tests compare it string for string.
 */
public final class MigrationSql {
    static final String DOLLAR = "$uuidmig$";

    private MigrationSql() {
    }

    public static String table(String schema, PlannedColumn col) {
        return Sql.qualified(schema, col.ref().table());
    }

    /** ACCESS EXCLUSIVE, catalog only. */
    public static String addShadowColumn(String schema, PlannedColumn col) {
        return addShadowColumn(schema, col, "uuid");
    }

    /** The same with the shadow column's type given (rollback: the column's original integer type, from format_type). */
    public static String addShadowColumn(String schema, PlannedColumn col, String type) {
        return "ALTER TABLE " + table(schema, col) + " ADD COLUMN IF NOT EXISTS " + Sql.ident(TempNames.shadowColumn(col.ref().column())) + " " + type;
    }

    /** The row-trigger function that sets the new column from users.uuid of the old value. */
    public static String syncFunction(String schema, PlannedColumn col, UsersTable users) {
        String old = "NEW." + Sql.ident(col.ref().column());
        String shadow = "NEW." + Sql.ident(TempNames.shadowColumn(col.ref().column()));
        String body = "BEGIN\n" + deriveNew(col, users, "    ") + "    RETURN NEW;\nEND";
        return syncFunctionNamed(schema, col, body);
    }

    /**
     * The sync function while the blue-green window is open: each side's write is carried to the other's column.
     * An INSERT that gives the new column (green, through the view; the old column then holds its default, which
     * is ignored) sets the old column from users; any other INSERT (blue) sets the new column as
     * {@link #syncFunction} does. An UPDATE that changes the old column (blue) sets the new one; one that changes
     * only the new column (green) sets the old one. A uuid that names no user gives a NULL integer, which the
     * NOT NULL constraint or the new foreign key then rejects. Each write outside uuidmig's own sessions is counted
     * per side, table and backend in uuidmig.window_writes (an unlogged table; one row per backend, so writers never
     * wait for each other), for status and for contract's check that blue has stopped.
     */
    public static String syncFunctionBothWays(String schema, PlannedColumn col, UsersTable users) {
        String oldName = Sql.ident(col.ref().column());
        String shadowName = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        String usersTable = Sql.qualified(users.schema(), users.name());
        String green = "        IF NEW." + shadowName + " IS NULL THEN\n"
            + "            NEW." + oldName + " := NULL;\n"
            + "        ELSE\n"
            + "            SELECT u." + Sql.ident(users.sourceKey()) + " INTO NEW." + oldName + " FROM " + usersTable + " u WHERE u."
            + Sql.ident(users.targetKey()) + " = NEW." + shadowName + ";\n"
            + "        END IF;\n"
            + "        write_side := 'green';\n";
        String body = "DECLARE write_side text;\nBEGIN\n"
            + "    IF TG_OP = 'INSERT' AND NEW." + shadowName + " IS NOT NULL THEN\n"
            + green
            + "    ELSIF TG_OP = 'INSERT' OR NEW." + oldName + " IS DISTINCT FROM OLD." + oldName + " THEN\n"
            + deriveNew(col, users, "        ")
            + "        write_side := 'blue';\n"
            + "    ELSIF NEW." + shadowName + " IS DISTINCT FROM OLD." + shadowName + " THEN\n"
            + green
            + "    ELSE\n"
            + "        RETURN NEW;\n"
            + "    END IF;\n"
            + "    IF current_setting('" + INTERNAL_SETTING + "', true) IS DISTINCT FROM 'on' THEN\n"
            + "        INSERT INTO uuidmig.window_writes AS w (table_schema, table_name, side, pid, n, first_at, last_at, application_name, client_addr)\n"
            + "        VALUES (" + Sql.literal(schema) + ", " + Sql.literal(col.ref().table()) + ", write_side, pg_backend_pid(), 1, now(), now(),\n"
            + "                current_setting('application_name'), inet_client_addr())\n"
            + "        ON CONFLICT (table_schema, table_name, side, pid) DO UPDATE\n"
            + "            SET n = w.n + 1, last_at = now(), application_name = excluded.application_name, client_addr = excluded.client_addr;\n"
            + "    END IF;\n"
            + "    RETURN NEW;\nEND";
        return syncFunctionNamed(schema, col, body);
    }

    /**
     * A setting every uuidmig session carries (in its startup packet), so the window's counters leave out uuidmig's
     * own writes (the re-check's fixes). A custom setting: any session could set it, which would only hide its writes
     * from the counters.
     */
    public static final String INTERNAL_SETTING = "uuidmig.internal";

    /** Sets the new column from users of the old value (NULL for NULL; the placeholder when no user and NOT NULL). */
    private static String deriveNew(PlannedColumn col, UsersTable users, String indent) {
        String old = "NEW." + Sql.ident(col.ref().column());
        String shadow = "NEW." + Sql.ident(TempNames.shadowColumn(col.ref().column()));
        return indent + "IF " + old + " IS NULL THEN\n"
            + indent + "    " + shadow + " := NULL;\n"
            + indent + "ELSE\n"
            + indent + "    SELECT u." + Sql.ident(users.targetKey()) + " INTO " + shadow + " FROM " + Sql.qualified(users.schema(), users.name())
            + " u WHERE u." + Sql.ident(users.sourceKey()) + " = " + old + ";\n"
            + (col.notNull()
                // no user (yet): a row inserted before its user under a deferred FK. NULL would fail the NOT NULL
                // check at once; the placeholder passes it, and the check trigger completes the row at commit
                ? indent + "    IF NOT FOUND THEN\n" + indent + "        " + shadow + " := " + placeholder(users) + ";\n" + indent + "    END IF;\n"
                : "")
            + indent + "END IF;\n";
    }

    private static String syncFunctionNamed(String schema, PlannedColumn col, String body) {
        if (body.contains(DOLLAR)) {
            throw new IllegalArgumentException("identifier contains " + DOLLAR);
        }
        return "CREATE OR REPLACE FUNCTION " + Sql.qualified("uuidmig", TempNames.syncFunction(schema, col.ref().table(), col.ref().column()))
            + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
            + DOLLAR + "\n" + body + "\n" + DOLLAR;
    }

    /** The sync trigger while the window is open: it also fires when only the new column is updated (green). */
    public static String createSyncTriggerBothWays(String schema, PlannedColumn col) {
        return "CREATE TRIGGER " + Sql.ident(TempNames.syncTrigger(col.ref().column())) + " BEFORE INSERT OR UPDATE OF "
            + Sql.ident(col.ref().column()) + ", " + Sql.ident(TempNames.shadowColumn(col.ref().column())) + " ON " + table(schema, col)
            + " FOR EACH ROW EXECUTE FUNCTION "
            + Sql.qualified("uuidmig", TempNames.syncFunction(schema, col.ref().table(), col.ref().column())) + "()";
    }

    /**
     * What the sync function writes into the new column of a NOT NULL column when no user has the old value (yet):
     * the nil uuid, or 0 when the new column is the integer (rollback). It never stays: the check trigger
     * replaces it at commit once the user exists, or records the row, and the swap refuses a recorded row.
     */
    static String placeholder(UsersTable users) {
        return "uuid".equals(users.targetKeyType()) ? "'00000000-0000-0000-0000-000000000000'::pg_catalog.uuid" : "0";
    }

    /** The SQLSTATE the swap raises when a recorded row is still wrong under its locks (see {@link #requireRechecked}). */
    public static final String ROWS_STILL_WRONG = "UM002";

    /**
     * The function of the check trigger: at the commit of every transaction that wrote a row (the trigger is a
     * DEFERRABLE INITIALLY DEFERRED constraint trigger), it compares the row as it was finally written (after every
     * BEFORE trigger, whatever their names) with users. A match costs one index lookup. A row written before its user
     * (a deferred FK: the new column is NULL or the placeholder, and the user exists now) is completed on the spot;
     * a version replaced since matches no ctid and is left alone. Any other mismatch (an application trigger changed
     * the old value after the sync trigger ran; an integer with no user, written under session_replication_role =
     * replica) is recorded in uuidmig.recheck by ctid, and the swap re-checks those rows under its locks.
     */
    public static String checkFunction(String schema, PlannedColumn col, UsersTable users) {
        String old = "NEW." + Sql.ident(col.ref().column());
        String shadow = "NEW." + Sql.ident(TempNames.shadowColumn(col.ref().column()));
        String usersTable = Sql.qualified(users.schema(), users.name());
        String eq = " OPERATOR(pg_catalog.=) ";
        String body = "DECLARE want " + usersTable + "." + Sql.ident(users.targetKey()) + "%TYPE;\n"
            + "BEGIN\n"
            + "    IF " + old + " IS NOT NULL THEN\n"
            + "        SELECT u." + Sql.ident(users.targetKey()) + " INTO want FROM " + usersTable + " u WHERE u." + Sql.ident(users.sourceKey())
            + eq + old + ";\n"
            + "    END IF;\n"
            + "    IF (" + old + " IS NULL AND " + shadow + " IS NULL)\n"
            + "       OR (" + old + " IS NOT NULL AND want IS NOT NULL AND " + shadow + " IS NOT NULL AND " + shadow + eq + "want) THEN\n"
            + "        RETURN NULL;\n"
            + "    END IF;\n"
            + "    IF want IS NOT NULL AND (" + shadow + " IS NULL OR " + shadow + eq + placeholder(users) + ") THEN\n"
            + "        UPDATE " + table(schema, col) + " x SET " + Sql.ident(TempNames.shadowColumn(col.ref().column()))
            + " = want WHERE x.ctid" + eq + "NEW.ctid;\n"
            + "        RETURN NULL;\n"
            + "    END IF;\n"
            + "    INSERT INTO uuidmig.recheck (table_schema, table_name, column_name, row_ctid) VALUES ("
            + Sql.literal(schema) + ", " + Sql.literal(col.ref().table()) + ", " + Sql.literal(col.ref().column()) + ", NEW.ctid);\n"
            + "    RETURN NULL;\n"
            + "END";
        if (body.contains(DOLLAR)) {
            throw new IllegalArgumentException("identifier contains " + DOLLAR);
        }
        // No SET search_path, unlike every other function of uuidmig: the UPDATE that completes a row fires the
        // application's own triggers, in the application's session, and they must see its search_path. The body
        // therefore names nothing through the search_path: relations and types are schema-qualified, every
        // comparison is OPERATOR(pg_catalog.=), and IS DISTINCT FROM (which looks "=" up by name) is not used.
        return "CREATE OR REPLACE FUNCTION " + Sql.qualified("uuidmig", TempNames.checkFunction(schema, col.ref().table(), col.ref().column()))
            + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS " + DOLLAR + "\n" + body + "\n" + DOLLAR;
    }

    /**
     * The check trigger: AFTER INSERT OR UPDATE, deferred to the commit, so it sees the final row after every BEFORE
     * trigger and after the rest of the transaction (a user inserted later). SHARE ROW EXCLUSIVE, briefly.
     */
    public static String createCheckTrigger(String schema, PlannedColumn col) {
        return "CREATE CONSTRAINT TRIGGER " + Sql.ident(TempNames.checkTrigger(col.ref().column())) + " AFTER INSERT OR UPDATE ON "
            + table(schema, col) + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            + Sql.qualified("uuidmig", TempNames.checkFunction(schema, col.ref().table(), col.ref().column())) + "()";
    }

    /**
     * Re-checks the rows the check trigger recorded for one column, and fixes those that can be: takes the column's
     * entries out of uuidmig.recheck, and for each row still at its ctid whose new value is wrong, sets it from users
     * (an UPDATE, so the application's triggers run as for any write, and the check trigger looks at the result at
     * commit). A row whose old value names no user cannot be fixed: its entry goes back. Adds the number of rows
     * looked at to uuidmig.tables.rechecked_rows. Row locks only; run before the swap and again under its locks.
     */
    public static String recheck(String schema, PlannedColumn col, UsersTable users) {
        String t = table(schema, col);
        String old = Sql.ident(col.ref().column());
        String shadow = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        String usersTable = Sql.qualified(users.schema(), users.name());
        String key = Sql.literal(schema) + ", " + Sql.literal(col.ref().table()) + ", " + Sql.literal(col.ref().column());
        String where = "table_schema = " + Sql.literal(schema) + " AND table_name = " + Sql.literal(col.ref().table())
            + " AND column_name = " + Sql.literal(col.ref().column());
        String body = "DECLARE tids tid[]; r tid; o " + t + "." + old + "%TYPE; s " + t + "." + shadow + "%TYPE; want "
            + usersTable + "." + Sql.ident(users.targetKey()) + "%TYPE; n bigint := 0;\n"
            + "BEGIN\n"
            + "    WITH d AS (DELETE FROM uuidmig.recheck WHERE " + where + " RETURNING row_ctid)\n"
            + "    SELECT pg_catalog.array_agg(DISTINCT row_ctid) INTO tids FROM d;\n"
            + "    FOREACH r IN ARRAY coalesce(tids, '{}') LOOP\n"
            + "        SELECT x." + old + ", x." + shadow + " INTO o, s FROM " + t + " x WHERE x.ctid = r;\n"
            + "        CONTINUE WHEN NOT FOUND;\n"
            + "        n := n + 1;\n"
            + "        want := NULL;\n"
            + "        IF o IS NOT NULL THEN\n"
            + "            SELECT u." + Sql.ident(users.targetKey()) + " INTO want FROM " + usersTable + " u WHERE u." + Sql.ident(users.sourceKey()) + " = o;\n"
            + "        END IF;\n"
            + "        CONTINUE WHEN (o IS NULL) = (s IS NULL) AND s IS NOT DISTINCT FROM want;\n"
            + "        IF o IS NOT NULL AND want IS NULL THEN\n"
            + "            INSERT INTO uuidmig.recheck (table_schema, table_name, column_name, row_ctid) VALUES (" + key + ", r);\n"
            + "        ELSE\n"
            + "            UPDATE " + t + " x SET " + shadow + " = want WHERE x.ctid = r;\n"
            + "        END IF;\n"
            + "    END LOOP;\n"
            + "    UPDATE uuidmig.tables SET rechecked_rows = coalesce(rechecked_rows, 0) + n WHERE table_schema = "
            + Sql.literal(schema) + " AND table_name = " + Sql.literal(col.ref().table()) + ";\n"
            + "END";
        return doBlock(body);
    }

    /** Fires the deferred triggers the swap's own re-check queued, so the tables have no pending events when altered. */
    public static final String FIRE_DEFERRED = "SET CONSTRAINTS ALL IMMEDIATE";

    /**
     * Under the swap's locks, after {@link #recheck} and {@link #FIRE_DEFERRED}: fails with {@link #ROWS_STILL_WRONG}
     * if any row of the tables is still recorded (its old value names no user, or an application trigger changed it
     * again), so the swap never commits a wrong row.
     */
    public static String requireRechecked(String schema, List<String> tables) {
        String body = "DECLARE n bigint;\nBEGIN\n"
            + "    SELECT count(*) INTO n FROM uuidmig.recheck WHERE table_schema = " + Sql.literal(schema)
            + " AND table_name = ANY (ARRAY[" + String.join(", ", tables.stream().map(Sql::literal).toList()) + "]::text[]);\n"
            + "    IF n > 0 THEN\n"
            + "        RAISE EXCEPTION USING ERRCODE = '" + ROWS_STILL_WRONG + "', MESSAGE = pg_catalog.format('%s rows are still wrong', n);\n"
            + "    END IF;\n"
            + "END";
        return doBlock(body);
    }

    private static String doBlock(String body) {
        if (body.contains(DOLLAR)) {
            throw new IllegalArgumentException("identifier contains " + DOLLAR);
        }
        return "DO " + DOLLAR + "\n" + body + "\n" + DOLLAR;
    }

    /** ACCESS EXCLUSIVE would be too strong: CREATE TRIGGER takes SHARE ROW EXCLUSIVE, briefly. */
    public static String createSyncTrigger(String schema, PlannedColumn col) {
        return "CREATE TRIGGER " + Sql.ident(TempNames.syncTrigger(col.ref().column())) + " BEFORE INSERT OR UPDATE OF "
            + Sql.ident(col.ref().column()) + " ON " + table(schema, col) + " FOR EACH ROW EXECUTE FUNCTION "
            + Sql.qualified("uuidmig", TempNames.syncFunction(schema, col.ref().table(), col.ref().column())) + "()";
    }

    /**
     * Makes a trigger fire ALWAYS, also under {@code session_replication_role = replica}, which is what a
     * logical-replication subscriber's apply worker (and pg_restore --disable-triggers style tooling) uses: a plain
     * trigger does not fire there, and such writes would reach neither the new column nor the ledger.
     * SHARE ROW EXCLUSIVE, catalog only.
     */
    public static String enableAlways(String schema, String table, String trigger) {
        return "ALTER TABLE " + Sql.qualified(schema, table) + " ENABLE ALWAYS TRIGGER " + Sql.ident(trigger);
    }

    /**
     * SQLSTATE of the error {@link #requireTriggersFireAlways} raises (a code of uuidmig's own: class "UM"
     * is not used by PostgreSQL).
     */
    public static final String TRIGGERS_NOT_ALWAYS = "UM001";

    /**
     * Sent first in the swap's round trip, after its locks: fails with {@link #TRIGGERS_NOT_ALWAYS}, naming
     * each one, unless every listed trigger exists and fires ALWAYS (pg_trigger.tgenabled = 'A'). A trigger the
     * application disabled (ALTER TABLE ... DISABLE TRIGGER USER/ALL), or one left ORIGIN-only by an older uuidmig,
     * may have let writes through unsynced; while the swap holds ACCESS EXCLUSIVE nobody can change them.
     *
     * @param triggers pairs {table, trigger}, all in {@code schema}
     */
    public static String requireTriggersFireAlways(String schema, List<String[]> triggers) {
        List<String> rows = new ArrayList<>();
        for (String[] t : triggers) {
            rows.add("(" + Sql.literal(t[0]) + ", " + Sql.literal(t[1]) + ")");
        }
        String body = "DECLARE bad text;\nBEGIN\n"
            + "    SELECT string_agg(pg_catalog.format('trigger %s on %s.%s is %s', e.tg, " + Sql.literal(schema) + ", e.tb,\n"
            + "               CASE WHEN g.oid IS NULL THEN 'missing' WHEN g.tgenabled = 'D' THEN 'disabled'\n"
            + "                    ELSE 'not firing ALWAYS (tgenabled ' || g.tgenabled::text || ')' END), '; ')\n"
            + "      INTO bad\n"
            + "      FROM (VALUES " + String.join(", ", rows) + ") e (tb, tg)\n"
            + "      LEFT JOIN pg_catalog.pg_trigger g ON g.tgname = e.tg AND g.tgrelid = (SELECT c.oid FROM pg_catalog.pg_class c\n"
            + "           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = " + Sql.literal(schema)
            + " AND c.relname = e.tb)\n"
            + "     WHERE g.oid IS NULL OR g.tgenabled <> 'A';\n"
            + "    IF bad IS NOT NULL THEN\n"
            + "        RAISE EXCEPTION USING ERRCODE = '" + TRIGGERS_NOT_ALWAYS + "', MESSAGE = bad;\n"
            + "    END IF;\n"
            + "END";
        if (body.contains(DOLLAR)) {
            throw new IllegalArgumentException("identifier contains " + DOLLAR);
        }
        return "DO " + DOLLAR + "\n" + body + "\n" + DOLLAR;
    }

    public static String createLedgerInsertTrigger(String schema, String table) {
        return "CREATE TRIGGER " + Sql.ident(TempNames.ledgerInsertTrigger()) + " AFTER INSERT ON " + Sql.qualified(schema, table)
            + " REFERENCING NEW TABLE AS uuidmig_new_rows FOR EACH STATEMENT EXECUTE FUNCTION uuidmig.ledger_insert()";
    }

    public static String createLedgerDeleteTrigger(String schema, String table) {
        return "CREATE TRIGGER " + Sql.ident(TempNames.ledgerDeleteTrigger()) + " AFTER DELETE ON " + Sql.qualified(schema, table)
            + " REFERENCING OLD TABLE AS uuidmig_old_rows FOR EACH STATEMENT EXECUTE FUNCTION uuidmig.ledger_delete()";
    }

    /** The copy of an index on the new column (SHARE UPDATE EXCLUSIVE, not in a transaction). */
    public static String createIndexCopy(String schema, PlannedColumn col, IndexInfo idx) {
        return IndexDefinitions.copyOnNewColumn(idx, col.ref().column(), TempNames.shadowColumn(col.ref().column()),
            TempNames.index(idx.name()), table(schema, col));
    }

    public static String dropIndexConcurrently(String schema, String index) {
        return "DROP INDEX CONCURRENTLY IF EXISTS " + Sql.qualified(schema, index);
    }

    /** ACCESS EXCLUSIVE, brief; no scan. */
    public static String addNotNullCheck(String schema, PlannedColumn col) {
        return "ALTER TABLE " + table(schema, col) + " ADD CONSTRAINT " + Sql.ident(TempNames.notNullCheck(col.ref().column()))
            + " CHECK (" + Sql.ident(TempNames.shadowColumn(col.ref().column())) + " IS NOT NULL) NOT VALID";
    }

    /** SHARE UPDATE EXCLUSIVE: scans, reads and writes continue. */
    public static String validateConstraint(String schema, String table, String constraint) {
        return "ALTER TABLE " + Sql.qualified(schema, table) + " VALIDATE CONSTRAINT " + Sql.ident(constraint);
    }

    /** SHARE ROW EXCLUSIVE on both tables, brief; no scan. Same actions and deferrability as the old FK. */
    public static String addForeignKey(String schema, PlannedColumn col, ForeignKey oldFk, UsersTable users) {
        String actions = oldFk == null ? "" : oldFk.actionsSql();
        return "ALTER TABLE " + table(schema, col) + " ADD CONSTRAINT " + Sql.ident(TempNames.foreignKey(col.ref().column()))
            + " FOREIGN KEY (" + Sql.ident(TempNames.shadowColumn(col.ref().column())) + ") REFERENCES "
            + Sql.qualified(users.schema(), users.name()) + " (" + Sql.ident(users.targetKey()) + ")"
            + (actions.isEmpty() ? "" : " " + actions) + " NOT VALID";
    }

    /** One keyset batch: the rows with key in (lower, upper]; null bounds are open. */
    public static String backfillKeyset(String schema, PlannedColumn col, UsersTable users, List<String> key,
                                        List<String> keyTypes, boolean hasLower, boolean hasUpper) {
        String shadow = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        List<String> conds = new ArrayList<>();
        if (hasLower) {
            conds.add(row("x.", key) + " > " + params(keyTypes));
        }
        if (hasUpper) {
            conds.add(row("x.", key) + " <= " + params(keyTypes));
        }
        conds.add("u." + Sql.ident(users.sourceKey()) + " = x." + Sql.ident(col.ref().column()));
        conds.add("x." + shadow + " IS DISTINCT FROM u." + Sql.ident(users.targetKey()));
        return "UPDATE " + table(schema, col) + " x SET " + shadow + " = u." + Sql.ident(users.targetKey()) + " FROM "
            + Sql.qualified(users.schema(), users.name()) + " u WHERE " + String.join(" AND ", conds);
    }

    /** The last key of the next batch of n rows after lower (or from the start). */
    public static String nextKeysetBound(String schema, PlannedColumn col, List<String> key, List<String> keyTypes,
                                         boolean hasLower) {
        return nextKeysetBound(schema, col, key, keyTypes, hasLower, false);
    }

    /**
     * The last key of the next batch of n rows after lower (or from the start), at most the cap when there is one (the
     * upper key of a range of a split backfill): parameters lower's, then cap's, then n - 1.
     */
    public static String nextKeysetBound(String schema, PlannedColumn col, List<String> key, List<String> keyTypes,
                                         boolean hasLower, boolean hasCap) {
        List<String> conds = new ArrayList<>();
        if (hasLower) {
            conds.add(row("", key) + " > " + params(keyTypes));
        }
        if (hasCap) {
            conds.add(row("", key) + " <= " + params(keyTypes));
        }
        return "SELECT " + row("", key).replaceAll("^\\(|\\)$", "") + " FROM " + table(schema, col)
            + (conds.isEmpty() ? "" : " WHERE " + String.join(" AND ", conds))
            + " ORDER BY " + String.join(", ", key.stream().map(Sql::ident).toList()) + " OFFSET ? LIMIT 1";
    }

    /**
     * A sample of the key, in key order, to split a large table's backfill into ranges of about equal rows: the rows of
     * a random ? percent of its pages (TABLESAMPLE SYSTEM, the same pages for the same table and percent).
     */
    public static String sampleKeys(String schema, PlannedColumn col, List<String> key) {
        return "SELECT " + row("", key).replaceAll("^\\(|\\)$", "") + " FROM " + table(schema, col)
            + " TABLESAMPLE SYSTEM (?::float8) REPEATABLE (0)"
            + " ORDER BY " + String.join(", ", key.stream().map(Sql::ident).toList());
    }

    /** One batch over a range of heap pages [from, to), for tables without a usable key (TID range scan, PG 14+). */
    public static String backfillCtidRange(String schema, PlannedColumn col, UsersTable users) {
        String shadow = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        return "UPDATE " + table(schema, col) + " x SET " + shadow + " = u." + Sql.ident(users.targetKey()) + " FROM "
            + Sql.qualified(users.schema(), users.name()) + " u WHERE x.ctid >= format('(%s,0)', ?::bigint)::tid"
            + " AND x.ctid < format('(%s,0)', ?::bigint)::tid AND u." + Sql.ident(users.sourceKey()) + " = x." + Sql.ident(col.ref().column())
            + " AND x." + shadow + " IS DISTINCT FROM u." + Sql.ident(users.targetKey());
    }

    /**
     * The same page range for PostgreSQL 12 and 13, which have no TID range scan: an array of
     * every possible tuple id in the pages (291 per 8 kB page), which a TID scan fetches directly.
     */
    public static String backfillCtidList(String schema, PlannedColumn col, UsersTable users) {
        String shadow = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        return "UPDATE " + table(schema, col) + " x SET " + shadow + " = u." + Sql.ident(users.targetKey()) + " FROM "
            + Sql.qualified(users.schema(), users.name()) + " u WHERE x.ctid = ANY (ARRAY(SELECT format('(%s,%s)', p, i)::tid"
            + " FROM generate_series(?::bigint, ?::bigint - 1) p, generate_series(1, 291) i))"
            + " AND u." + Sql.ident(users.sourceKey()) + " = x." + Sql.ident(col.ref().column())
            + " AND x." + shadow + " IS DISTINCT FROM u." + Sql.ident(users.targetKey());
    }

    /**
     * plan --estimate: what one backfill batch does to its rows, without the shadow column (adding it would take ACCESS
     * EXCLUSIVE): the same rows, the same join to the users table, each row rewritten by setting {@code setColumn} (a
     * column in no index, constraint key or trigger column list, as the shadow column is) to itself. Run in a transaction
     * that is rolled back. {@code range} is {@link #sampleKeysetRange} or {@link #sampleCtidRange}, or null for the whole
     * table (smaller than one batch).
     */
    public static String sampleBackfill(String schema, PlannedColumn col, UsersTable users, String setColumn, String range) {
        return "UPDATE " + table(schema, col) + " x SET " + Sql.ident(setColumn) + " = x." + Sql.ident(setColumn) + " FROM "
            + Sql.qualified(users.schema(), users.name()) + " u WHERE " + (range == null ? "" : range + " AND ")
            + "u." + Sql.ident(users.sourceKey()) + " = x." + Sql.ident(col.ref().column());
    }

    /**
     * plan --estimate: one read of the sampled range joined to the users table, as verify and VALIDATE read each row: the
     * rows in the range and those with a user.
     */
    public static String sampleRead(String schema, PlannedColumn col, UsersTable users, String range) {
        return "SELECT count(*), count(u." + Sql.ident(users.sourceKey()) + ") FROM " + table(schema, col) + " x LEFT JOIN "
            + Sql.qualified(users.schema(), users.name()) + " u ON u." + Sql.ident(users.sourceKey()) + " = x." + Sql.ident(col.ref().column())
            + (range == null ? "" : " WHERE " + range);
    }

    /** The sample's range on a key: up to and including the first batch's upper key (from {@link #nextKeysetBound}). */
    public static String sampleKeysetRange(List<String> key, List<String> keyTypes) {
        return row("x.", key) + " <= " + params(keyTypes);
    }

    /** The sample's range without a key: heap pages [?, ?), as the backfill walks such a table. */
    public static String sampleCtidRange(int serverVersionNum) {
        return serverVersionNum >= 140000
            ? "x.ctid >= format('(%s,0)', ?::bigint)::tid AND x.ctid < format('(%s,0)', ?::bigint)::tid"
            : "x.ctid = ANY (ARRAY(SELECT format('(%s,%s)', p, i)::tid FROM generate_series(?::bigint, ?::bigint - 1) p, generate_series(1, 291) i))";
    }

    /**
     * Rows whose new value is wrong or whose NULL-ness differs, and the row count, in one scan
     * of the table, for every planned column of that table.
     */
    public static String verify(String schema, String table, List<PlannedColumn> cols, UsersTable users) {
        StringBuilder sql = new StringBuilder("SELECT count(*), count(*) FILTER (WHERE ");
        List<String> bad = new ArrayList<>();
        StringBuilder joins = new StringBuilder();
        int i = 0;
        for (PlannedColumn col : cols) {
            String u = "u" + i++;
            String old = "x." + Sql.ident(col.ref().column());
            String shadow = "x." + Sql.ident(TempNames.shadowColumn(col.ref().column()));
            joins.append(" LEFT JOIN ").append(Sql.qualified(users.schema(), users.name())).append(' ').append(u)
                .append(" ON ").append(u).append('.').append(Sql.ident(users.sourceKey())).append(" = ").append(old);
            bad.add("(" + old + " IS NULL) <> (" + shadow + " IS NULL) OR " + shadow + " IS DISTINCT FROM " + u + "."
                + Sql.ident(users.targetKey()));
        }
        sql.append(String.join(" OR ", bad)).append(") FROM ").append(Sql.qualified(schema, table)).append(" x").append(joins);
        return sql.toString();
    }

    /** Lists the rows of one column whose new value is wrong (for error messages). */
    public static String mismatchedRows(String schema, PlannedColumn col, UsersTable users) {
        String old = "x." + Sql.ident(col.ref().column());
        String shadow = "x." + Sql.ident(TempNames.shadowColumn(col.ref().column()));
        return "SELECT x.* FROM " + table(schema, col) + " x LEFT JOIN " + Sql.qualified(users.schema(), users.name())
            + " u ON u." + Sql.ident(users.sourceKey()) + " = " + old + " WHERE (" + old + " IS NULL) <> (" + shadow
            + " IS NULL) OR " + shadow + " IS DISTINCT FROM u." + Sql.ident(users.targetKey());
    }

    /** The statements of the swap for one column, after its table is locked. */
    public static List<String> swapColumn(String schema, PlannedColumn col, ForeignKey oldFk) {
        return swapColumn(schema, col, oldFk, true);
    }

    /**
     * The same, with the new foreign key renamed to the column's FK name only when {@code renameForeignKey} (a
     * rollback of a column that had no FK added none).
     */
    public static List<String> swapColumn(String schema, PlannedColumn col, ForeignKey oldFk, boolean renameForeignKey) {
        String t = table(schema, col);
        String column = col.ref().column();
        String shadow = TempNames.shadowColumn(column);
        List<String> out = new ArrayList<>();
        out.add("DROP TRIGGER IF EXISTS " + Sql.ident(TempNames.syncTrigger(column)) + " ON " + t);
        out.add("DROP TRIGGER IF EXISTS " + Sql.ident(TempNames.checkTrigger(column)) + " ON " + t);
        out.add("ALTER TABLE " + t + " DROP COLUMN " + Sql.ident(column));
        out.add("ALTER TABLE " + t + " RENAME COLUMN " + Sql.ident(shadow) + " TO " + Sql.ident(column));
        if (col.notNull()) {
            out.add("ALTER TABLE " + t + " ALTER COLUMN " + Sql.ident(column) + " SET NOT NULL");
            out.add("ALTER TABLE " + t + " DROP CONSTRAINT " + Sql.ident(TempNames.notNullCheck(column)));
        }
        for (IndexInfo idx : col.indexes()) {
            String tmp = TempNames.index(idx.name());
            if (idx.constraintType() == 'p' || idx.constraintType() == 'u') {
                out.add("ALTER TABLE " + t + " ADD CONSTRAINT " + Sql.ident(idx.constraintName())
                    + (idx.constraintType() == 'p' ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + Sql.ident(tmp)
                    + (idx.deferrable() ? " DEFERRABLE INITIALLY " + (idx.deferred() ? "DEFERRED" : "IMMEDIATE") : ""));
            } else {
                out.add("ALTER INDEX " + Sql.qualified(schema, tmp) + " RENAME TO " + Sql.ident(idx.name()));
            }
        }
        for (IndexInfo idx : col.indexes()) {
            if (idx.replicaIdentity()) {
                // the old index went with the dropped column, leaving the table without a replica identity (UPDATE and
                // DELETE on a published table then fail); the copy now has its name (a constraint's index, the constraint's)
                String name = idx.constraintType() == 'p' || idx.constraintType() == 'u' ? idx.constraintName() : idx.name();
                out.add("ALTER TABLE " + t + " REPLICA IDENTITY USING INDEX " + Sql.ident(name));
            }
        }
        if (renameForeignKey) {
            String fkName = oldFk != null ? oldFk.name() : TempNames.defaultForeignKeyName(col.ref().table(), column);
            out.add("ALTER TABLE " + t + " RENAME CONSTRAINT " + Sql.ident(TempNames.foreignKey(column)) + " TO " + Sql.ident(fkName));
        }
        if (col.comment() != null) {
            out.add("COMMENT ON COLUMN " + t + "." + Sql.ident(column) + " IS " + Sql.literal(col.comment()));
        }
        for (ColumnGrant g : col.grants()) {
            out.add("GRANT " + g.privilege() + " (" + Sql.ident(column) + ") ON " + t + " TO "
                + (g.grantee().equals("PUBLIC") ? "PUBLIC" : Sql.ident(g.grantee())) + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        out.add("DROP FUNCTION IF EXISTS " + Sql.qualified("uuidmig", TempNames.syncFunction(schema, col.ref().table(), column)) + "()");
        out.add("DROP FUNCTION IF EXISTS " + Sql.qualified("uuidmig", TempNames.checkFunction(schema, col.ref().table(), column)) + "()");
        return out;
    }

    public static List<String> dropLedgerTriggers(String schema, String table) {
        String t = Sql.qualified(schema, table);
        return List.of("DROP TRIGGER IF EXISTS " + Sql.ident(TempNames.ledgerInsertTrigger()) + " ON " + t,
            "DROP TRIGGER IF EXISTS " + Sql.ident(TempNames.ledgerDeleteTrigger()) + " ON " + t);
    }

    private static String row(String prefix, List<String> key) {
        return "(" + String.join(", ", key.stream().map(k -> prefix + Sql.ident(k)).toList()) + ")";
    }

    private static String params(List<String> types) {
        return "(" + String.join(", ", types.stream().map(t -> "?::" + t).toList()) + ")";
    }
}

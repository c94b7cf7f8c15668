package org.uuidmig.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.plan.ColumnGrant;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;
import org.uuidmig.plan.UsersTable;

/** The statements migrate sends are a user-facing contract (--dry-run prints them): string-equality tests. */
class MigrationSqlTest {
    private static final UsersTable USERS = new UsersTable(1, "public", "users", "id", "integer", "uuid", "uuid", true, "users_uuid_key", 10);
    private static final ForeignKey FK = new ForeignKey("fk_roles_user", List.of("user_id"), "public", "users", List.of("id"),
        'a', 'c', 's', true, true, true);

    private static PlannedColumn roles() {
        TableInfo t = new TableInfo(2, "public", "user_roles", 'r', false, "owner", List.of("id"), List.of("integer"), 100, 8192);
        IndexInfo uq = new IndexInfo("uq_roles", "CREATE UNIQUE INDEX uq_roles ON public.user_roles USING btree (user_id, role_id)",
            true, false, true, "uq_roles", 'u', false, false, 2, List.of(0), false, false, false, List.of(0, 0), List.of("user_id", "role_id"), null, false);
        return new PlannedColumn(new ColumnRef("user_roles", "user_id"), ColumnState.INTEGER, t, 2, "integer", true, null,
            "who has the role", List.of(new ColumnGrant("reporting", "SELECT", false)), List.of(FK), List.of(uq), List.of());
    }

    @Test
    void foreignKeyKeepsActionsAndDeferrability() {
        assertEquals("ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED", FK.actionsSql());
        assertEquals("ALTER TABLE \"public\".\"user_roles\" ADD CONSTRAINT \"_uuidmig_fk_user_id\" FOREIGN KEY (\"_uuidmig_user_id\") "
            + "REFERENCES \"public\".\"users\" (\"uuid\") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID",
            MigrationSql.addForeignKey("public", roles(), FK, USERS));
    }

    @Test
    void swapRestoresNamesConstraintsCommentAndGrants() {
        assertEquals(List.of(
            "DROP TRIGGER IF EXISTS \"zz_uuidmig_sync_user_id\" ON \"public\".\"user_roles\"",
            "DROP TRIGGER IF EXISTS \"0_uuidmig_check_user_id\" ON \"public\".\"user_roles\"",
            "ALTER TABLE \"public\".\"user_roles\" DROP COLUMN \"user_id\"",
            "ALTER TABLE \"public\".\"user_roles\" RENAME COLUMN \"_uuidmig_user_id\" TO \"user_id\"",
            "ALTER TABLE \"public\".\"user_roles\" ALTER COLUMN \"user_id\" SET NOT NULL",
            "ALTER TABLE \"public\".\"user_roles\" DROP CONSTRAINT \"_uuidmig_nn_user_id\"",
            "ALTER TABLE \"public\".\"user_roles\" ADD CONSTRAINT \"uq_roles\" UNIQUE USING INDEX \"_uuidmig_uq_roles\"",
            "ALTER TABLE \"public\".\"user_roles\" RENAME CONSTRAINT \"_uuidmig_fk_user_id\" TO \"fk_roles_user\"",
            "COMMENT ON COLUMN \"public\".\"user_roles\".\"user_id\" IS 'who has the role'",
            "GRANT SELECT (\"user_id\") ON \"public\".\"user_roles\" TO \"reporting\"",
            "DROP FUNCTION IF EXISTS \"uuidmig\".\"sync_8082f022_user_roles_user_id\"()",
            "DROP FUNCTION IF EXISTS \"uuidmig\".\"check_8082f022_user_roles_user_id\"()"),
            MigrationSql.swapColumn("public", roles(), FK));
    }

    @Test
    void keysetBatchIsBoundedAndOnlyTouchesRowsThatDiffer() {
        assertEquals("UPDATE \"public\".\"user_roles\" x SET \"_uuidmig_user_id\" = u.\"uuid\" FROM \"public\".\"users\" u "
            + "WHERE (x.\"id\") > (?::integer) AND (x.\"id\") <= (?::integer) AND u.\"id\" = x.\"user_id\" "
            + "AND x.\"_uuidmig_user_id\" IS DISTINCT FROM u.\"uuid\"",
            MigrationSql.backfillKeyset("public", roles(), USERS, List.of("id"), List.of("integer"), true, true));
        assertEquals("SELECT \"id\" FROM \"public\".\"user_roles\" WHERE (\"id\") > (?::integer) ORDER BY \"id\" OFFSET ? LIMIT 1",
            MigrationSql.nextKeysetBound("public", roles(), List.of("id"), List.of("integer"), true));
    }

    /** An index that was the table's REPLICA IDENTITY: the copy that takes its name is made the identity, after the rename. */
    @Test
    void swapCarriesTheReplicaIdentityIndexOver() {
        PlannedColumn c = roles();
        IndexInfo uq = c.indexes().get(0);
        IndexInfo ident = new IndexInfo(uq.name(), uq.definition(), uq.unique(), uq.primary(), uq.valid(), uq.constraintName(),
            uq.constraintType(), uq.deferrable(), uq.deferred(), uq.keyColumnCount(), uq.columnPositions(), uq.expressionUsesColumn(),
            uq.predicateUsesColumn(), uq.predicateOnlyNullTests(), uq.options(), uq.columnTexts(), uq.predicate(), true);
        PlannedColumn withIdentity = new PlannedColumn(c.ref(), c.state(), c.table(), c.attnum(), c.type(), c.notNull(), c.defaultExpr(),
            c.comment(), c.grants(), c.foreignKeys(), List.of(ident), c.dependents());
        List<String> sql = MigrationSql.swapColumn("public", withIdentity, FK);
        int attach = sql.indexOf("ALTER TABLE \"public\".\"user_roles\" ADD CONSTRAINT \"uq_roles\" UNIQUE USING INDEX \"_uuidmig_uq_roles\"");
        int identity = sql.indexOf("ALTER TABLE \"public\".\"user_roles\" REPLICA IDENTITY USING INDEX \"uq_roles\"");
        org.junit.jupiter.api.Assertions.assertTrue(attach >= 0 && identity > attach, sql.toString());
        org.junit.jupiter.api.Assertions.assertFalse(MigrationSql.swapColumn("public", c, FK).stream().anyMatch(x -> x.contains("REPLICA IDENTITY")));
    }

    /** plan --estimate's sample: the backfill batch's rows and join, the row rewritten by setting another column to itself. */
    @Test
    void sampleRewritesTheBatchRowsWithoutTheShadowColumn() {
        String range = MigrationSql.sampleKeysetRange(List.of("id"), List.of("integer"));
        assertEquals("(x.\"id\") <= (?::integer)", range);
        assertEquals("UPDATE \"public\".\"user_roles\" x SET \"granted_at\" = x.\"granted_at\" FROM \"public\".\"users\" u "
            + "WHERE (x.\"id\") <= (?::integer) AND u.\"id\" = x.\"user_id\"",
            MigrationSql.sampleBackfill("public", roles(), USERS, "granted_at", range));
        assertEquals("UPDATE \"public\".\"user_roles\" x SET \"user_id\" = x.\"user_id\" FROM \"public\".\"users\" u "
            + "WHERE u.\"id\" = x.\"user_id\"", MigrationSql.sampleBackfill("public", roles(), USERS, "user_id", null));
        assertEquals("SELECT count(*), count(u.\"id\") FROM \"public\".\"user_roles\" x LEFT JOIN \"public\".\"users\" u "
            + "ON u.\"id\" = x.\"user_id\" WHERE (x.\"id\") <= (?::integer)", MigrationSql.sampleRead("public", roles(), USERS, range));
        assertEquals("x.ctid >= format('(%s,0)', ?::bigint)::tid AND x.ctid < format('(%s,0)', ?::bigint)::tid",
            MigrationSql.sampleCtidRange(140000));
        assertEquals("x.ctid = ANY (ARRAY(SELECT format('(%s,%s)', p, i)::tid FROM generate_series(?::bigint, ?::bigint - 1) p, "
            + "generate_series(1, 291) i))", MigrationSql.sampleCtidRange(130000));
    }
}

package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.engine.StepContext;
import org.uuidmig.plan.ColumnGrant;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.RunProgress;
import org.uuidmig.sql.MigrationSql;

/** The statements of a rollback after the swap (the forward SQL with users' keys exchanged): string-equality tests. */
class ReverseSqlTest {
    private static final UsersTable USERS = new UsersTable(1, "public", "users", "id", "integer", "uuid", "uuid", true, "users_uuid_key", 10);
    private static final UsersTable REVERSE = Reverse.users(USERS);
    private static final ForeignKey FK = new ForeignKey("fk_assigns_user", List.of("user_id"), "public", "users", List.of("id"),
        'a', 'c', 's', true, true, true);

    /** region_user_assigns-like: the column is part of the primary key, had an FK with ON DELETE CASCADE DEFERRABLE. */
    private static PlannedColumn original(boolean withFk) {
        TableInfo t = new TableInfo(2, "public", "assigns", 'r', false, "owner", List.of("region_id", "user_id"),
            List.of("integer", "integer"), 100, 8192);
        IndexInfo pk = new IndexInfo("assigns_pkey", "CREATE UNIQUE INDEX assigns_pkey ON public.assigns USING btree (region_id, user_id)",
            true, true, true, "assigns_pkey", 'p', false, false, 2, List.of(1), false, false, false, List.of(0, 0),
            List.of("region_id", "user_id"), null, false);
        return new PlannedColumn(new ColumnRef("assigns", "user_id"), ColumnState.INTEGER, t, 2, "integer", true, null,
            "who", List.of(new ColumnGrant("reporting", "SELECT", false)), withFk ? List.of(FK) : List.of(), List.of(pk), List.of());
    }

    private static PlannedColumn reverse(boolean withFk) {
        return Reverse.column(original(withFk), USERS, List.of(original(withFk)));
    }

    @Test
    void shadowColumnHasTheOriginalTypeAndTheTriggerLooksUpUsersId() {
        PlannedColumn c = reverse(true);
        assertEquals("ALTER TABLE \"public\".\"assigns\" ADD COLUMN IF NOT EXISTS \"_uuidmig_user_id\" integer",
            MigrationSql.addShadowColumn("public", c, c.type()));
        assertEquals("CREATE OR REPLACE FUNCTION \"uuidmig\".\"sync_48e43c71_assigns_user_id\"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            + "SET search_path = pg_catalog, pg_temp AS $uuidmig$\nBEGIN\n    IF NEW.\"user_id\" IS NULL THEN\n"
            + "        NEW.\"_uuidmig_user_id\" := NULL;\n    ELSE\n"
            + "        SELECT u.\"id\" INTO NEW.\"_uuidmig_user_id\" FROM \"public\".\"users\" u WHERE u.\"uuid\" = NEW.\"user_id\";\n"
            + "        IF NOT FOUND THEN\n            NEW.\"_uuidmig_user_id\" := 0;\n        END IF;\n"
            + "    END IF;\n    RETURN NEW;\nEND\n$uuidmig$", MigrationSql.syncFunction("public", c, REVERSE));
    }

    @Test
    void backfillWalksTheKeyWithTheColumnNowUuid() {
        PlannedColumn c = reverse(true);
        assertEquals(List.of("integer", "uuid"), c.table().keyTypes());
        assertEquals("UPDATE \"public\".\"assigns\" x SET \"_uuidmig_user_id\" = u.\"id\" FROM \"public\".\"users\" u "
            + "WHERE (x.\"region_id\", x.\"user_id\") > (?::integer, ?::uuid) AND (x.\"region_id\", x.\"user_id\") <= (?::integer, ?::uuid) "
            + "AND u.\"uuid\" = x.\"user_id\" AND x.\"_uuidmig_user_id\" IS DISTINCT FROM u.\"id\"",
            MigrationSql.backfillKeyset("public", c, REVERSE, c.table().keyColumns(), c.table().keyTypes(), true, true));
    }

    @Test
    void foreignKeyGoesBackToUsersIdWithTheOriginalActions() {
        PlannedColumn c = reverse(true);
        assertEquals("ALTER TABLE \"public\".\"assigns\" ADD CONSTRAINT \"_uuidmig_fk_user_id\" FOREIGN KEY (\"_uuidmig_user_id\") "
            + "REFERENCES \"public\".\"users\" (\"id\") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID",
            MigrationSql.addForeignKey("public", c, c.userForeignKey(REVERSE), REVERSE));
    }

    @Test
    void swapBackRestoresNamesAndAddsNoForeignKeyWhereThereWasNone() {
        StepContext ctx = new StepContext(null, null, "public", REVERSE, List.of(reverse(true)), MigrationSettings.defaults(), 150000,
            RunProgress.off());
        List<String> withFk = new SwapStep(Direction.BACKWARD, List.of("assigns")).swapColumn(ctx, reverse(true));
        assertEquals(List.of(
            "DROP TRIGGER IF EXISTS \"zz_uuidmig_sync_user_id\" ON \"public\".\"assigns\"",
            "DROP TRIGGER IF EXISTS \"0_uuidmig_check_user_id\" ON \"public\".\"assigns\"",
            "ALTER TABLE \"public\".\"assigns\" DROP COLUMN \"user_id\"",
            "ALTER TABLE \"public\".\"assigns\" RENAME COLUMN \"_uuidmig_user_id\" TO \"user_id\"",
            "ALTER TABLE \"public\".\"assigns\" ALTER COLUMN \"user_id\" SET NOT NULL",
            "ALTER TABLE \"public\".\"assigns\" DROP CONSTRAINT \"_uuidmig_nn_user_id\"",
            "ALTER TABLE \"public\".\"assigns\" ADD CONSTRAINT \"assigns_pkey\" PRIMARY KEY USING INDEX \"_uuidmig_assigns_pkey\"",
            "ALTER TABLE \"public\".\"assigns\" RENAME CONSTRAINT \"_uuidmig_fk_user_id\" TO \"fk_assigns_user\"",
            "COMMENT ON COLUMN \"public\".\"assigns\".\"user_id\" IS 'who'",
            "GRANT SELECT (\"user_id\") ON \"public\".\"assigns\" TO \"reporting\"",
            "DROP FUNCTION IF EXISTS \"uuidmig\".\"sync_48e43c71_assigns_user_id\"()",
            "DROP FUNCTION IF EXISTS \"uuidmig\".\"check_48e43c71_assigns_user_id\"()"), withFk);
        List<String> withoutFk = new SwapStep(Direction.BACKWARD, List.of("assigns")).swapColumn(ctx, reverse(false));
        List<String> expected = new java.util.ArrayList<>(withFk);
        expected.remove(7); // the FK rename
        assertEquals(expected, withoutFk);
        assertEquals("UPDATE \"public\".\"alembic_version\" SET version_num = 'add_uuid_refresh_sessions' WHERE version_num = 'ed06a1b6d932'",
            new SwapStep(Direction.BACKWARD, List.of("assigns")).alembicStamp(ctx));
    }
}

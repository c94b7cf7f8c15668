package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.check.Reports.Check;
import org.uuidmig.db.Sql;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * validate-pre fails, naming the cause, where migrate would otherwise stop halfway with exit 3:
 * a role or database with default_transaction_read_only, no CREATE on the database for uuidmig's schemas, a
 * schema uuidmig_history of another role; and migrate refuses (exit 1) before changing anything. It warns about
 * logical replication around the planned tables.
 */
@ExtendWith(PostgresExtension.class)
class ValidatePreSafetyIT {

    private static String uniqueRole(String what) {
        return "uuidmig_" + what + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    }

    private static String urlAs(TestDb db, String role) {
        return "jdbc:postgresql://" + db.server().host() + ":" + db.server().port() + "/" + db.name() + "?user=" + role;
    }

    private static void dropRole(TestDb db, String role) throws Exception {
        db.exec("REASSIGN OWNED BY " + Sql.ident(role) + " TO CURRENT_USER");
        db.exec("DROP OWNED BY " + Sql.ident(role));
        db.exec("DROP ROLE " + Sql.ident(role));
    }

    /** validate-pre exits 1 with check name FAILed, its message containing every fragment; returns the check. */
    private static Check assertFails(CliResult r, String name, String... fragments) {
        assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
        Check c = Reports.byName(Reports.json(r.out())).get(name);
        assertNotNull(c, r.toString());
        assertEquals("FAIL", c.status(), c.toString());
        for (String f : fragments) {
            assertTrue(c.message().contains(f), "expected '" + f + "' in " + c);
        }
        return c;
    }

    /** migrate with url refuses with exit 1 and changes nothing: same catalog, same data, no uuidmig schema. */
    private static void assertMigrateRefused(TestDb db, String url) throws Exception {
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        CliResult m = CliResult.run("migrate", "--url", url);
        assertEquals(ExitCode.CHECKS_FAILED, m.exitCode(), m.toString());
        assertTrue(m.err().contains("migration refused") && m.err().contains("Nothing was changed"), m.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    @Test
    void roleWithDefaultTransactionReadOnly(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("ro");
        db.exec("CREATE ROLE " + Sql.ident(role) + " LOGIN SUPERUSER");
        try {
            db.exec("ALTER ROLE " + Sql.ident(role) + " SET default_transaction_read_only = on");
            CliResult r = CliResult.run("validate-pre", "--format", "json", "--url", urlAs(db, role));
            assertFails(r, "default_transaction_read_only", "for role \"" + role + "\"");
            assertMigrateRefused(db, urlAs(db, role));
        } finally {
            dropRole(db, role);
        }
    }

    @Test
    void databaseWithDefaultTransactionReadOnly(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER DATABASE " + Sql.ident(db.name()) + " SET default_transaction_read_only = on");
        CliResult r = db.run("validate-pre", "--format", "json");
        assertFails(r, "default_transaction_read_only", "for database \"" + db.name() + "\"");
        assertMigrateRefused(db, db.url());
    }

    /**
     * PostgreSQL 15's default: only the owner of schema public may create in it, and migrate's index copies need CREATE
     * there (CREATE INDEX does). Flyway's history table does not any more: it goes into schema uuidmig_history.
     */
    @Test
    void noCreateOnTheApplicationSchema(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("owner");
        db.exec("CREATE ROLE " + Sql.ident(role) + " LOGIN");
        try {
            db.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            // the role owns every table and may create uuidmig's schemas: only CREATE on public is missing
            db.exec("GRANT CREATE ON DATABASE " + Sql.ident(db.name()) + " TO " + Sql.ident(role));
            ownEveryTable(db, role);
            CliResult r = CliResult.run("validate-pre", "--format", "json", "--url", urlAs(db, role));
            Check c = assertFails(r, "privileges", "cannot create the copies of the planned columns' indexes in schema \"public\"",
                "CREATE INDEX needs CREATE on the schema");
            assertTrue(!c.message().contains("cannot ALTER") && !c.message().contains("uuidmig_history"), c.toString());
            CliResult text = CliResult.run("validate-pre", "--url", urlAs(db, role));
            assertTrue(text.out().contains("GRANT CREATE ON SCHEMA \"public\" TO \"" + role + "\""), text.toString());
            assertMigrateRefused(db, urlAs(db, role));

            // with the GRANT the check prints, the same role migrates, and Flyway's history is its own, out of public
            db.exec("GRANT CREATE ON SCHEMA public TO " + Sql.ident(role));
            CliResult m = CliResult.run("migrate", "--url", urlAs(db, role));
            assertEquals(ExitCode.OK, m.exitCode(), m.toString());
            assertEquals(role, db.queryString("SELECT tableowner FROM pg_tables WHERE schemaname = 'uuidmig_history' AND tablename = 'public'"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%uuidmig%'"));
        } finally {
            dropRole(db, role);
        }
    }

    /** Without CREATE on the database the role can create neither of uuidmig's schemas: one problem names both. */
    @Test
    void noCreateOnTheDatabase(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("owner");
        db.exec("CREATE ROLE " + Sql.ident(role) + " LOGIN");
        try {
            ownEveryTable(db, role);
            db.exec("GRANT CREATE ON SCHEMA public TO " + Sql.ident(role)); // the index copies' need, not the one tested
            CliResult r = CliResult.run("validate-pre", "--format", "json", "--url", urlAs(db, role));
            Check c = assertFails(r, "privileges", "cannot create schemas \"uuidmig\" and \"uuidmig_history\"",
                "needs CREATE on the database");
            assertEquals(1L, c.count(), c.toString());
            assertMigrateRefused(db, urlAs(db, role));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig_history'"));
        } finally {
            dropRole(db, role);
        }
    }

    /**
     * A schema uuidmig_history that another role made: Flyway would write there with this role's rights (a trigger of
     * theirs would run as this role), so state_schema fails naming its owner, and migrate refuses.
     */
    @Test
    void aHistorySchemaOfAnotherRoleIsRefused(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("owner");
        db.exec("CREATE ROLE " + Sql.ident(role) + " LOGIN");
        try {
            db.exec("GRANT CREATE ON DATABASE " + Sql.ident(db.name()) + " TO " + Sql.ident(role));
            ownEveryTable(db, role);
            db.exec("CREATE SCHEMA uuidmig_history");
            db.exec("GRANT ALL ON SCHEMA uuidmig_history TO " + Sql.ident(role));
            CliResult r = CliResult.run("validate-pre", "--format", "json", "--url", urlAs(db, role));
            assertFails(r, "state_schema", "schema uuidmig_history (Flyway's history of uuidmig)", "is owned by");
            assertMigrateRefused(db, urlAs(db, role));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relnamespace = 'uuidmig_history'::regnamespace"));
        } finally {
            dropRole(db, role);
        }
    }

    private static void ownEveryTable(TestDb db, String role) throws Exception {
        db.exec("DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP "
            + "EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t, '" + role + "'); END LOOP; END $$");
    }

    /** Publications of planned tables, and a replica identity index holding a planned column, are a warning naming them. */
    @Test
    void replicationIsReportedByName(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult clean = db.run("validate-pre", "--format", "json");
        assertEquals("PASS", Reports.byName(Reports.json(clean.out())).get("replication").status(), clean.toString());

        db.exec("CREATE PUBLICATION pub_chat FOR TABLE chat_messages, users");
        db.exec("CREATE PUBLICATION pub_other FOR TABLE roles");
        String identity = db.queryString("""
            SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
             WHERE i.indrelid = 'user_roles'::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
               AND (SELECT attnum FROM pg_attribute WHERE attrelid = 'user_roles'::regclass AND attname = 'user_id') = ANY (i.indkey)
             ORDER BY 1 LIMIT 1""");
        db.exec("ALTER TABLE user_roles REPLICA IDENTITY USING INDEX " + Sql.ident(identity));

        CliResult r = db.run("validate-pre", "--format", "json");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        Check c = Reports.byName(Reports.json(r.out())).get("replication");
        assertEquals("WARN", c.status(), c.toString());
        assertEquals(2L, c.count(), c.toString());
        assertTrue(c.message().contains("publication pub_chat publishes chat_messages, users"), c.toString());
        assertTrue(c.message().contains("table user_roles has REPLICA IDENTITY USING INDEX " + identity + " on planned column user_id"),
            c.toString());
        assertTrue(!c.message().contains("pub_other"), c.toString());
    }
}

package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** Bad input is a clear exit 2 before anything changes: durations PostgreSQL cannot take, a schema that does not exist. */
@ExtendWith(PostgresExtension.class)
class BadInputIT {

    /**
     * --lock-timeout 0 would disable the timeout (the application stalled 21.6 s behind a reader);
     * 99999999999999h ran expand and part of the backfill before failing with exit 3.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "migrate, --lock-timeout, 0",
        "migrate, --lock-timeout, 0.5ms",
        "migrate, --lock-timeout, 2147483648ms",
        "migrate, --wait-timeout, 99999999999999h",
        "migrate, --wait-timeout, 0",
        "migrate, --swap-lock-wait, 0",
        "migrate, --max-batch-time, 2h",
        "migrate, --batch-delay, 2h",
        "rollback, --lock-timeout, 0",
        "rollback, --wait-timeout, 2147483648ms"})
    void durationOutOfRangeIsExitTwoBeforeAnythingChanges(String command, String option, String value, TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);

        CliResult r = db.run(command, option, value);
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains(option) && r.err().contains(value) && r.err().contains("must be between")
            || r.err().contains("'" + value + "' is longer than any duration"), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /** A --schema that does not exist is exit 2 naming it, for every command (status used to say "done"). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"validate-pre", "plan", "migrate", "validate-post", "status", "rollback"})
    void missingSchemaIsExitTwoForEveryCommand(String command, TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        List<String> schemas = db.queryStrings("SELECT nspname FROM pg_namespace ORDER BY 1");

        List<String> args = new ArrayList<>(List.of(command, "--schema", "no_such_schema"));
        CliResult r = db.run(args.toArray(new String[0]));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("schema \"no_such_schema\" does not exist"), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(schemas, db.queryStrings("SELECT nspname FROM pg_namespace ORDER BY 1"));
    }
}

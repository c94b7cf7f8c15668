package org.uuidmig.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The database as it was before migrate, for a rollback test to compare with: the normalised catalog of schema public
 * ({@link CatalogSnapshot}, column order aside) and every fixture table's content digest.
 */
public record Original(List<String> catalog, Map<String, String> data) {
    public static Original of(TestDb db) throws SQLException {
        return new Original(CatalogSnapshot.of(db, "public"), Fixture.digests(db));
    }

    /** Asserts that the catalog and every table's rows are as they were. */
    public void assertRestored(TestDb db) throws SQLException {
        assertEquals(catalog, CatalogSnapshot.of(db, "public"), "the catalog of schema public");
        assertEquals(data, Fixture.digests(db), "the tables' contents");
    }
}

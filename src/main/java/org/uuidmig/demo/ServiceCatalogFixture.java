package org.uuidmig.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The servicecatalog fixture (resources {@code /fixture}, described in its README there): the
 * schema before the migration and a deterministic data generator. Shipped in the jar for
 * {@code uuidmig demo}; the integration tests load the same copy.
 */
public final class ServiceCatalogFixture {
    /** Rows the generator writes per unit of scale, plus the fixed rows (roles, regions, alembic_version). */
    public static final long ROWS_PER_SCALE = 4_550;
    public static final long FIXED_ROWS = 31;

    private ServiceCatalogFixture() {
    }

    /**
     * Creates the schema in {@code public} of an empty database, generates the data at the given
     * scale and runs ANALYZE. Uses the one connection throughout: the generator is a
     * {@code pg_temp} function.
     */
    public static void load(Connection c, int scale) throws SQLException {
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1, got " + scale);
        }
        try (Statement st = c.createStatement()) {
            st.execute(resource("/fixture/schema.sql"));
            st.execute(resource("/fixture/data.sql"));
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_temp.uuidmig_fixture_generate(?)")) {
                ps.setInt(1, scale);
                ps.execute();
            }
            st.execute("ANALYZE");
        }
    }

    /** Rows the fixture has at this scale. */
    public static long rows(int scale) {
        return ROWS_PER_SCALE * scale + FIXED_ROWS;
    }

    static String resource(String path) {
        try (InputStream in = ServiceCatalogFixture.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing from the class path (a broken build?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
    }
}

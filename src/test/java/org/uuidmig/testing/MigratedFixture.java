package org.uuidmig.testing;

/**
 * The servicecatalog fixture after a plain {@code uuidmig migrate}, built once per JVM and scale, then copied into a
 * test's database ({@link Templates}). For tests that damage a migrated database by hand.
 */
public final class MigratedFixture {
    private MigratedFixture() {
    }

    /** Replaces db (fresh and empty) with a copy of the fixture at this scale, migrated. */
    public static void copyInto(TestDb db, int scale) throws Exception {
        Templates.copyInto(db, "migrated_" + scale, t -> {
            t.loadFixture(scale);
            TestDb.CliResult r = t.run("migrate");
            if (r.exitCode() != 0) {
                throw new IllegalStateException("migrating the template " + t.name() + " failed: " + r);
            }
        });
    }
}

package org.uuidmig.flyway;

import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flyway migration of {@code uuidmig rollback}: version 2025.12.04.2216, "rollback user references to
 * integer". Each rollback gets its own row: the first 2025.12.04.2216, later ones (after a migrate, rollback,
 * migrate) 2025.12.04.2216.1, .2, ... ({@link FlywayRunner#nextRollbackVersion}).
 */
public class V2025_12_04_2216__rollback_user_references_to_integer extends UuidmigMigration {
    private static final Logger LOG = LoggerFactory.getLogger(V2025_12_04_2216__rollback_user_references_to_integer.class);

    private final String version;

    /** With the version this rollback gets: 2025.12.04.2216 for the first, 2025.12.04.2216.N for the N+1-th. */
    public V2025_12_04_2216__rollback_user_references_to_integer(String version, Work work) {
        super(work);
        this.version = version;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(version);
    }

    @Override
    public String getDescription() {
        return FlywayRunner.ROLLBACK_DESCRIPTION;
    }

    @Override
    boolean outOfOrder() {
        return false;
    }

    @Override
    String runName() {
        return "rollback";
    }

    @Override
    void announce() {
        LOG.info("Flyway records this rollback as version {}", version);
    }
}

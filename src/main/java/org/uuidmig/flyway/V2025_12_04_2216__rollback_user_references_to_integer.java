package org.uuidmig.flyway;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The Flyway migration of {@code uuidmig rollback}: version 2025.12.04.2216, "rollback user
 * references to integer". Like the forward migration it is a thin adapter around the step
 * runner and must not run inside Flyway's transaction. Each rollback gets its own row: the
 * first 2025.12.04.2216, later ones (after a migrate, rollback, migrate) 2025.12.04.2216.1, .2, ...
 */
public class V2025_12_04_2216__rollback_user_references_to_integer extends BaseJavaMigration {
    private final V2025_12_04_2215__migrate_user_references_to_uuid.Work work;
    private final String version;

    public V2025_12_04_2216__rollback_user_references_to_integer(V2025_12_04_2215__migrate_user_references_to_uuid.Work work) {
        this(RollbackFlyway.VERSION, work);
    }

    /** With the version this rollback gets: 2025.12.04.2216 for the first, 2025.12.04.2216.N for the N+1-th (see RollbackFlyway). */
    public V2025_12_04_2216__rollback_user_references_to_integer(String version,
                                                                V2025_12_04_2215__migrate_user_references_to_uuid.Work work) {
        this.version = version;
        this.work = work;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(version);
    }

    @Override
    public String getDescription() {
        return RollbackFlyway.DESCRIPTION;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        work.run();
    }
}

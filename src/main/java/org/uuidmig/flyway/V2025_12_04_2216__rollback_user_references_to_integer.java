package org.uuidmig.flyway;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The Flyway migration of {@code uuidmig rollback}: version 2025.12.04.2216, "rollback user
 * references to integer". Like the forward migration it is a thin adapter around the step
 * runner and must not run inside Flyway's transaction.
 */
public class V2025_12_04_2216__rollback_user_references_to_integer extends BaseJavaMigration {
    private final V2025_12_04_2215__migrate_user_references_to_uuid.Work work;

    public V2025_12_04_2216__rollback_user_references_to_integer(V2025_12_04_2215__migrate_user_references_to_uuid.Work work) {
        this.work = work;
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

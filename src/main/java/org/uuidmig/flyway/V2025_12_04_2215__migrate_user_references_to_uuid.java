package org.uuidmig.flyway;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The Flyway migration: version 2025.12.04.2215, "migrate user references to uuid". A thin
 * adapter: the work is the step runner's, which uses its own connections and short
 * transactions, so this migration must not run inside Flyway's transaction.
 */
public class V2025_12_04_2215__migrate_user_references_to_uuid extends BaseJavaMigration {
    /** The work Flyway runs. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final Work work;

    public V2025_12_04_2215__migrate_user_references_to_uuid(Work work) {
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

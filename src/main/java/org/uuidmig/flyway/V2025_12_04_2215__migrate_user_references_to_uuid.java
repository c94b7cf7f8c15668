package org.uuidmig.flyway;

/**
 * The Flyway migration of {@code uuidmig migrate}: version 2025.12.04.2215, "migrate user references to uuid".
 * After a rollback before the swap (2025.12.04.2216[.N], not resolvable here) migrate may run again: 2215 then
 * goes in out of order.
 */
public class V2025_12_04_2215__migrate_user_references_to_uuid extends UuidmigMigration {
    public V2025_12_04_2215__migrate_user_references_to_uuid(Work work) {
        super(work);
    }

    @Override
    boolean outOfOrder() {
        return true;
    }

    @Override
    String runName() {
        return "run";
    }
}

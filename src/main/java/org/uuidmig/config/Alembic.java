package org.uuidmig.config;

/** The application's alembic revisions around this migration (the guide's), which the swap stamps. */
public final class Alembic {
    /** The alembic revision the guide expects before the migration. */
    public static final String BEFORE = "add_uuid_refresh_sessions";
    /** The alembic revision of the migration itself. */
    public static final String AFTER = "ed06a1b6d932";

    private Alembic() {
    }
}

package org.uuidmig.cli;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanFile;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.service.StepsService;
import org.uuidmig.service.RollbackService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** uuidmig rollback. */
@Command(name = "rollback", header = "Undo migrate, online and without losing writes; rerun to resume.",
    description = {"Undo migrate, online and without losing writes; rerun to resume.",
        "Before the swap: removes everything migrate added (triggers, shadow columns, index copies, checks, FKs,",
        "what it added to users(uuid), the Flyway failed row, schema uuidmig). After the swap: rebuilds the",
        "integer columns online (shadow column, sync trigger, backfill, indexes, NOT NULL, FK, verify) and swaps",
        "them back in one short transaction. Recorded in Flyway as 2025.12.04.2216 (.1, .2 ... for later",
        "rollbacks). See docs/rollback.md."})
public class RollbackCommand extends StepsCommand {
    @Option(names = "--no-alembic-stamp", description = "Do not set alembic_version back to add_uuid_refresh_sessions.")
    boolean noAlembicStamp;

    @Mixin
    PlanFileOption planFileOption;

    @Override
    PlanFile planFile() {
        return planFileOption.planFile();
    }

    @Override
    MigrationSettings settings() {
        // --no-reindex is migrate's: the rollback's step lists have no reindex step
        return runSettings(RunOptions.rollback().withAlembicStamp(!noAlembicStamp), false);
    }

    @Override
    StepsService service(Database db, ConnectionSettings conn, MigrationSettings settings) {
        return new RollbackService(db, conn.schema(), settings, announcements(), err(), progressMode());
    }
}

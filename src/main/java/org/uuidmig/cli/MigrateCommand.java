package org.uuidmig.cli;

import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanFile;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.service.StepsService;
import org.uuidmig.service.MigrationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** uuidmig migrate. */
@Command(name = "migrate", header = "Convert the planned columns to uuid references online; rerun to resume.",
    description = {"Convert the planned columns to uuid references online; rerun to resume.",
        "validate-pre, then expand (new column + sync trigger), backfill in short batches, build indexes",
        "concurrently, add NOT NULL and FK as NOT VALID and validate them, verify, then swap everything in one",
        "short transaction. Resumable: rerun after any interruption and it continues where it stopped."})
public class MigrateCommand extends StepsCommand {
    /** How the swap is split. */
    enum SwapMode { all, per_table }

    @Mixin
    PlanOptions plan;

    @Override
    PlanFile planFile() {
        return plan.planFile();
    }

    @Option(names = "--phase", paramLabel = "PHASE", description = "expand (everything up to and including verification; the sync "
        + "trigger stays) or contract (swap and clean-up only). Default: both.")
    Phase phase;

    @Option(names = "--swap", paramLabel = "MODE", defaultValue = "all",
        description = "all: swap every table in one transaction; per_table: one transaction per table (default: ${DEFAULT-VALUE}).")
    SwapMode swap;

    @Option(names = "--no-alembic-stamp", description = "Do not set alembic_version to ed06a1b6d932 in the swap transaction.")
    boolean noAlembicStamp;

    @Option(names = "--no-reindex", description = "Do not rebuild (REINDEX CONCURRENTLY) the indexes each table's backfill bloated; "
        + "saves their build time, and the indexes stay about twice their size until you rebuild them.")
    boolean noReindex;

    @Option(names = "--view-schema", paramLabel = "SCHEMA",
        description = "With --phase expand: the schema of the blue-green window's views, which the uuid application (green) puts "
            + "first on its search_path (default: <schema>_uuid). See docs/blue-green.md.")
    String viewSchema;

    @Option(names = "--blue-quiet", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
        description = "With the blue-green window open, contract refuses while the integer application wrote through the "
            + "integer columns less than this long ago (default: ${DEFAULT-VALUE}).")
    java.time.Duration blueQuiet;

    @Option(names = "--force", description = "Contract even though the integer application wrote recently (its writes will fail "
        + "after the swap).")
    boolean force;

    @Override
    MigrationSettings settings() {
        RunOptions run = RunOptions.migrate().withPhase(phase == null ? Phase.ALL : phase)
            .withSwapPerTable(swap == SwapMode.per_table).withAlembicStamp(!noAlembicStamp)
            .withWindow(new RunOptions.Window(viewSchema, blueQuiet, force));
        return runSettings(run, !noReindex);
    }

    @Override
    StepsService service(Database db, ConnectionSettings conn, MigrationSettings settings) {
        return new MigrationService(db, plan.settings(conn.schema()), settings, announcements(), err(), progressMode());
    }
}

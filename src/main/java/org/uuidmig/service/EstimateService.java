package org.uuidmig.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.engine.RollbackMarker;
import org.uuidmig.engine.StateStore;
import org.uuidmig.estimate.Estimate;
import org.uuidmig.estimate.EstimateFacts;
import org.uuidmig.estimate.EstimateModel;
import org.uuidmig.estimate.SampleBatch;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;

/**
 * plan --estimate: reads the sizes and the server's settings, runs one rolled-back sample batch per planned column
 * ({@link SampleBatch}), and works out the time, extra disk and WAL of the migration ({@link EstimateModel}). Changes
 * nothing.
 */
public final class EstimateService {
    private EstimateService() {
    }

    /**
     * The estimate, or why there is none.
     *
     * @param estimate the estimate, or null
     * @param skipped  why there is none, or null
     */
    public record Result(Estimate estimate, String skipped) {
    }

    public static Result estimate(Database db, PlanSettings planSettings, MigrationSettings settings) {
        try (Connection c = db.connectToPrimary("plan --estimate")) {
            List<String> underWay = StateStore.describeProgress(c, planSettings.schema());
            if (!underWay.isEmpty() || org.uuidmig.engine.RollbackMarker.startedFor(c, planSettings.schema())) {
                return new Result(null, "a migration or rollback of schema " + planSettings.schema() + " is under way"
                    + (underWay.isEmpty() ? "" : " (" + String.join("; ", underWay) + ")") + ": uuidmig status shows how far it is");
            }
            Plan plan = PlanService.read(c, planSettings);
            if (plan.toConvert().isEmpty()) {
                return new Result(null, "no column to convert");
            }
            List<EstimateModel.ColumnInput> inputs = new ArrayList<>();
            for (PlannedColumn col : plan.toConvert()) {
                inputs.add(new EstimateModel.ColumnInput(col.ref().toString(), col.ref().table(), col.notNull(),
                    SampleBatch.run(c, plan.schema(), plan.users(), col, settings.backfill(), plan.serverVersionNum())));
            }
            return new Result(EstimateModel.estimate(EstimateFacts.server(c), EstimateFacts.tables(c, plan), inputs,
                settings.backfill()), null);
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "plan --estimate failed: " + e.getMessage()
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]") + ". Nothing was changed (the samples are rolled back)", e);
        }
    }
}

package org.uuidmig.service;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.PlanFile;

import org.uuidmig.catalog.CatalogReader;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;

/** Builds the plan from the catalog: the one way every command gets its Plan. */
public final class PlanService {
    private PlanService() {
    }

    public static Plan read(Connection c, PlanSettings settings) {
        return new CatalogReader(c).read(settings);
    }

    /**
     * The plan as a plan file at path: its schema, users table and keys, and the columns as resolved (after --discover
     * and --exclude), in the plan's order; reading it back gives the same plan.
     */
    public static PlanFile planFile(Plan plan, Path path) {
        return PlanFile.of(path, plan.schema(), plan.users().name(), plan.users().sourceKey(), plan.users().targetKey(),
            plan.columns().stream().map(PlannedColumn::ref).toList());
    }

    /** Reads the plan of these settings from the catalog and writes it to path as a plan file; returns what it wrote. */
    public static PlanFile writePlanFile(Database db, PlanSettings settings, Path path) {
        Plan plan;
        try (Connection c = db.connect("plan --write-plan")) {
            plan = read(c, settings);
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot read the catalog: " + e.getMessage(), e);
        }
        PlanFile file = planFile(plan, path);
        file.write();
        return file;
    }
}

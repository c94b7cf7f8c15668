package org.uuidmig.service;

import java.sql.Connection;

import org.uuidmig.catalog.CatalogReader;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.plan.Plan;

/** Builds the plan from the catalog: the one way every command gets its Plan. */
public final class PlanService {
    private PlanService() {
    }

    public static Plan read(Connection c, PlanSettings settings) {
        return new CatalogReader(c).read(settings);
    }
}

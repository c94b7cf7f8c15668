package org.uuidmig.service;

import java.sql.Connection;

import org.uuidmig.report.CheckReport;
import org.uuidmig.check.PreChecks;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.plan.Plan;
import org.uuidmig.report.Progress;

/** Runs validate-pre. */
public final class ValidationService {
    private ValidationService() {
    }

    public static CheckReport pre(Database db, PlanSettings planSettings, Progress progress) {
        try (Connection c = db.connectToPrimary("validate-pre")) {
            Plan plan = PlanService.read(c, planSettings);
            return pre(c, plan, db, progress);
        } catch (java.sql.SQLException e) {
            throw new org.uuidmig.UuidmigException(org.uuidmig.ExitCode.UNEXPECTED, e.getMessage(), e);
        }
    }

    public static CheckReport pre(Connection c, Plan plan, Database db, Progress progress) {
        return new CheckReport("validate-pre", where(db), new PreChecks(c, plan, progress).run());
    }

    public static CheckReport post(Database db, PlanSettings planSettings) {
        try (Connection c = db.connect("validate-post")) {
            Plan plan = PlanService.read(c, planSettings);
            return new CheckReport("validate-post", where(db), new org.uuidmig.check.PostChecks(c, plan).run());
        } catch (java.sql.SQLException e) {
            throw new org.uuidmig.UuidmigException(org.uuidmig.ExitCode.UNEXPECTED, e.getMessage(), e);
        }
    }

    public static String where(Database db) {
        return db.settings().host() + ":" + db.settings().port() + "/" + db.settings().database();
    }
}

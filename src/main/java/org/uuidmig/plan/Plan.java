package org.uuidmig.plan;

import java.util.List;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanSettings;

/**
 * The columns to convert, read from the catalog, with everything attached to them.
 *
 * @param settings        what was asked for
 * @param serverVersionNum server_version_num, e.g. 150012
 * @param serverVersion   server_version text
 * @param users           the users table
 * @param columns         planned columns, in the order they will be processed
 * @param notPlannedUserReferences columns outside the plan with a single-column FK to users(old key)
 */
public record Plan(PlanSettings settings, int serverVersionNum, String serverVersion, UsersTable users,
                   List<PlannedColumn> columns, List<ColumnRef> notPlannedUserReferences) {

    public String schema() {
        return settings.schema();
    }

    /** Columns that still hold integers. */
    public List<PlannedColumn> toConvert() {
        return columns.stream().filter(c -> c.state() == ColumnState.INTEGER).toList();
    }
}

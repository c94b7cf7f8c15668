package org.uuidmig.steps;

import java.util.List;

import org.uuidmig.engine.MigrationStep;
import org.uuidmig.plan.PlannedColumn;

/** A step that works on one table's planned columns at once; its target is the table. */
abstract class TableStep implements MigrationStep {
    private final String id;
    final String table;
    final List<PlannedColumn> columns;

    TableStep(String id, String table, List<PlannedColumn> columns) {
        this.id = id;
        this.table = table;
        this.columns = List.copyOf(columns);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String target() {
        return table;
    }
}

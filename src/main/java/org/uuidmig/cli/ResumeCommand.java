package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.engine.ControlTable;

import picocli.CommandLine.Command;

/** uuidmig resume. */
@Command(name = "resume", header = "Resume a paused migrate or rollback.",
    description = "Resume the paused migrate or rollback of --schema (within about a second); with no run active, the "
        + "next one does not start paused. Writes uuidmig.control (docs/control.md).")
public class ResumeCommand extends ControlCommand {
    @Override
    Map<ControlTable.Field, Object> change() {
        return Map.of(ControlTable.Field.PAUSED, false);
    }

    @Override
    String effect() {
        return "A paused run goes on with its next backfill batch or step.";
    }
}

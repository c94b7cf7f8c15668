package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.engine.ControlTable;

import picocli.CommandLine.Command;

/** uuidmig pause. */
@Command(name = "pause", header = "Pause a running migrate or rollback.",
    description = "Pause the migrate or rollback of --schema: within about a second it starts no new backfill batch or "
        + "step (the one under way finishes) and waits, printing \"paused by operator\", until uuidmig resume. "
        + "With no run active, the next one starts paused. Writes uuidmig.control (docs/control.md).")
public class PauseCommand extends ControlCommand {
    @Override
    Map<ControlTable.Field, Object> change() {
        return Map.of(ControlTable.Field.PAUSED, true);
    }

    @Override
    String effect() {
        return "A run starts no new backfill batch or step until uuidmig resume; the batch or step under way finishes. "
            + "It holds no lock and no transaction while paused; Ctrl-C still stops it (exit 4).";
    }
}

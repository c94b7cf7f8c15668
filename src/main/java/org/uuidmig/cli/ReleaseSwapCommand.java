package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.engine.ControlTable;

import picocli.CommandLine.Command;

/** uuidmig release-swap. */
@Command(name = "release-swap", header = "Let a run held before its swap go on.",
    description = "Let the migrate (or rollback) of --schema that waits before its swap go on with it (within about a "
        + "second); with no run active, the next one does not wait. Writes uuidmig.control (docs/control.md).")
public class ReleaseSwapCommand extends ControlCommand {
    @Override
    Map<ControlTable.Field, Object> change() {
        return Map.of(ControlTable.Field.HOLD_SWAP, false);
    }

    @Override
    String effect() {
        return "A run waiting before the swap goes on with it (unless it is also paused).";
    }
}

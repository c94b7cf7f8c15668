package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.engine.ControlTable;

import picocli.CommandLine.Command;

/** uuidmig hold-swap. */
@Command(name = "hold-swap", header = "Keep a run waiting before its swap until release-swap.",
    description = "Keep the migrate (or rollback) of --schema waiting before its swap, after the expand, backfill and "
        + "verification, until uuidmig release-swap (gh-ost's postponed cut-over). The waiting run holds no "
        + "lock on any table. Also before a run starts. Writes uuidmig.control (docs/control.md).")
public class HoldSwapCommand extends ControlCommand {
    @Override
    Map<ControlTable.Field, Object> change() {
        return Map.of(ControlTable.Field.HOLD_SWAP, true);
    }

    @Override
    String effect() {
        return "A run that reaches the swap (or a rollback's swap back) waits there, holding no lock, until uuidmig release-swap; "
            + "a swap already under way is not stopped. Rows written meanwhile are kept in sync and checked as always.";
    }
}

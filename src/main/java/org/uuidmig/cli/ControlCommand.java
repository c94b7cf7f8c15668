package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.config.PlanFile;
import org.uuidmig.engine.ControlTable;
import org.uuidmig.report.Json;
import org.uuidmig.report.StatusWriter;
import org.uuidmig.service.ControlService;

import picocli.CommandLine.Mixin;

/**
 * What pause, resume, set, hold-swap and release-swap share: they check what they are asked (exit 2 before connecting),
 * write the schema's row of uuidmig.control, and print what changed, whether a run is active to apply it, and the
 * control as it is now (docs/control.md).
 */
abstract class ControlCommand extends BaseCommand {
    @Mixin
    FormatOption format;

    @Mixin
    PlanFileOption planFileOption;

    @Override
    PlanFile planFile() {
        return planFileOption.planFile();
    }

    /** The fields to set (a null value clears an override); a usage error (ParameterException) when the arguments are bad. */
    abstract Map<ControlTable.Field, Object> change();

    /** What the change does to a run, one sentence, for the text output. */
    abstract String effect();

    @Override
    public Integer call() {
        Map<ControlTable.Field, Object> change = change();
        var db = database();
        ControlService.Outcome o = ControlService.change(db, spec.name(), change);
        if (json()) {
            Map<String, Object> doc = Json.document(spec.name(), ExitCode.OK);
            doc.put("database", o.database());
            doc.put("schema", o.schema());
            doc.put("changes", o.changes());
            doc.put("control", o.control());
            printJson(doc);
            return ExitCode.OK;
        }
        var out = out();
        String prefix = "uuidmig " + spec.name() + ": ";
        if (o.changes().isEmpty()) {
            out.println(prefix + "nothing changed: the control of schema " + o.schema() + " already was as asked");
        } else {
            for (String line : o.changes()) {
                out.println(prefix + "schema " + o.schema() + ": " + line);
            }
            out.println(effect());
            out.println(o.control().activeRun() == null
                ? "No migrate or rollback is running on this database now: the next one on schema " + o.schema()
                    + " applies this from its start."
                : "Running now: " + o.control().activeRun() + ". A run of schema " + o.schema() + " applies this within about "
                    + "a second; uuidmig status shows when (\"applied: ...\").");
        }
        StatusWriter.control(o.control(), o.schema(), out);
        out.flush();
        return ExitCode.OK;
    }
}

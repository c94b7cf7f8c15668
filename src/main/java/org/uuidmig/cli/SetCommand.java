package org.uuidmig.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.engine.ControlTable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** uuidmig set jobs=N max-batch-time=DURATION batch-delay=DURATION. */
@Command(name = "set", header = "Change a running backfill: jobs, max-batch-time, batch-delay.",
    description = "Change the backfill of the running migrate or rollback of --schema, from its next batch on (within "
        + "about a second): jobs=N (1 to 16), max-batch-time=DURATION (0 to 1h), batch-delay=DURATION (0 to "
        + "1h), the ranges of --jobs, --max-batch-time and --batch-delay; NAME=default gives the run's own "
        + "option back. With no run active, the next one uses them instead of its options. A lower jobs lets "
        + "the workers beyond it finish their current batch and wait; a higher one starts the next table's "
        + "backfill. Writes uuidmig.control (docs/control.md).")
public class SetCommand extends ControlCommand {
    @Parameters(arity = "1..*", paramLabel = "NAME=VALUE",
        description = "jobs=N, max-batch-time=DURATION or batch-delay=DURATION (e.g. 250ms, 2s), or NAME=default.")
    List<String> assignments = new ArrayList<>();

    @Override
    Map<ControlTable.Field, Object> change() {
        Map<ControlTable.Field, Object> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq).strip();
            ControlTable.Field field = switch (name) {
                case "jobs" -> ControlTable.Field.JOBS;
                case "max-batch-time" -> ControlTable.Field.MAX_BATCH_TIME;
                case "batch-delay" -> ControlTable.Field.BATCH_DELAY;
                default -> throw usage("'" + a + "' is not a setting uuidmig set takes: jobs=N, max-batch-time=DURATION, "
                    + "batch-delay=DURATION (or NAME=default)");
            };
            if (eq < 0) {
                throw usage("'" + a + "' has no value: " + name + "=VALUE (or " + name + "=default)");
            }
            if (out.containsKey(field)) {
                throw usage(name + " is given twice");
            }
            String value = a.substring(eq + 1).strip();
            out.put(field, value.equals("default") ? null : parse(field, name, value));
        }
        return out;
    }

    /** The value, under the rules of the option it overrides: what the option refuses is refused here too (exit 2). */
    private Object parse(ControlTable.Field field, String name, String value) {
        String problem;
        Object parsed;
        if (field == ControlTable.Field.JOBS) {
            int jobs;
            try {
                jobs = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw usage("jobs must be a whole number between " + BackfillPolicy.MIN_JOBS + " and " + BackfillPolicy.MAX_JOBS
                    + ", not '" + value + "'");
            }
            problem = TuningOptions.jobsProblem("jobs", jobs);
            parsed = jobs;
        } else {
            Duration d;
            try {
                d = new DurationConverter().convert(value);
            } catch (TypeConversionException e) {
                throw usage(name + ": " + e.getMessage());
            }
            problem = TuningOptions.backfillDurationProblem(name, d);
            if (problem == null && d.toNanos() % 1000 != 0) {
                problem = name + " must be a whole number of microseconds (uuidmig.control holds it as an interval), not " + value;
            }
            parsed = d;
        }
        if (problem != null) {
            throw usage(problem);
        }
        return parsed;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    String effect() {
        return "From the next backfill batch on: max-batch-time sets the target the batch size adapts to (0 keeps the size "
            + "it has reached), batch-delay the pause after each batch; jobs the number of tables backfilled (and indexed, "
            + "verified) at once: a lower value lets the workers beyond it finish their current batch and wait, a higher "
            + "one starts the next table within about a second.";
    }
}

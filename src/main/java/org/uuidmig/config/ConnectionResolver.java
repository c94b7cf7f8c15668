package org.uuidmig.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * Resolves {@link ConnectionSettings} the way libpq does. For every setting the first source
 * that has it wins:
 * <ol>
 *   <li>the explicit option: {@code -h/--host}, {@code -p/--port}, {@code -d/--dbname} (a database name),
 *       {@code -U/--username}, {@code -W/--password};</li>
 *   <li>the connection string: {@code --url}, or {@code -d} when it holds one (a libpq URI, a libpq
 *       keyword/value string or a JDBC URL, see {@link ConnectionString});</li>
 *   <li>the service it names with {@code service=}, else the one {@code PGSERVICE} names (see {@link ServiceFile});</li>
 *   <li>the PG* environment variables ({@code PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE});</li>
 *   <li>for the password, the password file: {@code passfile=}, {@code PGPASSFILE} or {@code ~/.pgpass};</li>
 *   <li>the defaults: localhost, 5432, database = user, user = the operating-system user.</li>
 * </ol>
 * psql differs in one corner: there a connection string in {@code -d} overrides {@code -h}, {@code -p} and
 * {@code -U}; here an explicit option always wins.
 */
public final class ConnectionResolver {
    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    private final Consumer<String> warn;

    /**
     * What the command line gave: a connection string ({@code --url}) and the single options, each null when
     * not given. {@code dbname} is {@code -d}'s value, a database name or a connection string.
     */
    public record Request(String url, String host, String port, String dbname, String user, String password, String schema) {
        /** Whether any option names the server, the database or the credentials (the demo then uses no server of its own). */
        public boolean namesAServer() {
            return url != null || host != null || port != null || dbname != null || user != null || password != null;
        }
    }

    public ConnectionResolver(Map<String, String> env, Path home, String osUser, Consumer<String> warn) {
        this.env = env;
        this.home = home;
        this.osUser = osUser;
        this.warn = warn;
    }

    /** A resolver reading the real environment of this process. */
    public static ConnectionResolver system(Consumer<String> warn) {
        return new ConnectionResolver(System.getenv(), Path.of(System.getProperty("user.home")),
            System.getProperty("user.name"), warn);
    }

    public ConnectionSettings resolve(String url, String user, String password, String schema) {
        return resolve(url, user, password, schema, null);
    }

    /**
     * As {@link #resolve(String, String, String, String)}, but a database named neither by the
     * URL nor by PGDATABASE is {@code defaultDatabase} instead of the user name (when not null):
     * {@code uuidmig demo} connects to the maintenance database {@code postgres} that way.
     */
    public ConnectionSettings resolve(String url, String user, String password, String schema, String defaultDatabase) {
        return resolve(new Request(url, null, null, null, user, password, schema), defaultDatabase);
    }

    /**
     * The settings for these options; a database named by no source is {@code defaultDatabase} when not null,
     * else the user name (libpq's default).
     */
    public ConnectionSettings resolve(Request r, String defaultDatabase) {
        String connectionString = blankToNull(r.url());
        String origin = "--url";
        String dbname = blankToNull(r.dbname());
        if (dbname != null && ConnectionString.isConnectionString(dbname)) {
            if (connectionString != null) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "-d/--dbname holds a connection string and --url gives one "
                    + "too: give one of them (or give -d just a database name)");
            }
            connectionString = dbname;
            origin = "-d/--dbname";
            dbname = null;
        }
        Map<String, String> cs = connectionString == null ? Map.of() : ConnectionString.parse(connectionString.trim(), origin);
        String serviceName = cs.containsKey("service") ? cs.get("service") : blankToNull(env.get("PGSERVICE"));
        ServiceFile.Service service = serviceName == null ? null : ServiceFile.lookup(serviceName, ServiceFile.locations(env, home));
        Layers layers = new Layers(cs, origin, service, env);

        Pick host = layers.pick(r.host(), "-h/--host", "host", "PGHOST").or("localhost");
        if (host.value().startsWith("/")) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "host " + host.value() + " (from " + host.source()
                + ") is a Unix socket directory; uuidmig connects over TCP: name a host such as localhost");
        }
        if (host.value().contains(",")) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "host \"" + host.value() + "\" (from " + host.source()
                + "): several hosts are not supported; name one server");
        }
        Pick portText = layers.pick(r.port(), "-p/--port", "port", "PGPORT").or("5432");
        int port;
        try {
            port = Integer.parseInt(portText.value());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid port \"" + portText.value() + "\" (from "
                + portText.source() + ")");
        }
        String user = layers.pick(r.user(), "-U/--username", "user", "PGUSER").or(osUser).value();
        String database = layers.pick(dbname, "-d/--dbname", "dbname", "PGDATABASE")
            .or(defaultDatabase != null ? defaultDatabase : user).value();
        Pick sslMode = layers.pick(null, null, "sslmode", "PGSSLMODE");
        if (sslMode.value() != null && !ConnectionString.SSL_MODES.contains(sslMode.value())) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid sslmode \"" + sslMode.value() + "\" (from "
                + sslMode.source() + "): one of " + String.join(", ", ConnectionString.SSL_MODES));
        }

        // a password given as an option counts even when empty (an empty answer to the -W prompt), as in psql
        Pick password = r.password() != null ? new Pick(r.password(), "--password") : layers.pick(null, null, "password", "PGPASSWORD");
        if (password.value() == null) {
            String passFileName = layers.pick(null, null, "passfile", "PGPASSFILE").value();
            Path passFile = passFileName != null ? Path.of(passFileName) : home.resolve(".pgpass");
            var found = PgPass.load(passFile, warn).find(host.value(), port, database, user);
            if (found.isPresent()) {
                password = new Pick(found.get(), passFile.toString());
            }
        }
        return new ConnectionSettings(host.value(), port, database, user, password.value(), sslMode.value(),
            r.schema() == null || r.schema().isBlank() ? "public" : r.schema(), password.source());
    }

    /** A setting's value and where it came from (for messages), or both null. */
    private record Pick(String value, String source) {
        Pick or(String fallback) {
            return value != null ? this : new Pick(fallback, "the default");
        }
    }

    /** The sources below the explicit option, highest first: the connection string, the service, the environment. */
    private record Layers(Map<String, String> connectionString, String origin, ServiceFile.Service service, Map<String, String> env) {
        Pick pick(String option, String optionName, String keyword, String variable) {
            if (option != null && !option.isEmpty()) {
                return new Pick(option, optionName);
            }
            String v = connectionString.get(keyword);
            if (v != null && !v.isEmpty()) {
                return new Pick(v, origin);
            }
            v = service == null ? null : service.values().get(keyword);
            if (v != null && !v.isEmpty()) {
                return new Pick(v, "service \"" + service.name() + "\" in " + service.file());
            }
            v = env.get(variable);
            if (v != null && !v.isEmpty()) {
                return new Pick(v, variable);
            }
            return new Pick(null, null);
        }
    }

    /** The URL or connection string with any password replaced by ***, for messages. */
    public static String redact(String url) {
        return ConnectionString.redact(url);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

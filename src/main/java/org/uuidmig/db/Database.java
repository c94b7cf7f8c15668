package org.uuidmig.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ConnectionSettings;

/**
 * The one place that opens connections. Every session is tagged with {@code application_name}
 * and gets a bounded {@code lock_timeout}, so no statement uuidmig sends can queue the
 * application behind it for longer than that.
 */
public final class Database {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Settings pinned in the startup packet (pgjdbc's {@code options}), so they hold before the first statement
     * and override whatever the database's or role's owner set with ALTER DATABASE/ROLE ... SET:
     * standard_conforming_strings on (a backslash in a literal is just a backslash); row_security off (a query
     * that a row-level security policy would filter raises an error instead of silently missing rows); and a
     * search_path with nothing anyone else can create objects in, so every name uuidmig sends is
     * schema-qualified and no planted function or operator is resolved. Flyway's connections get the same
     * (see FlywayRunner).
     */
    public static final String SESSION_OPTIONS =
        "-c standard_conforming_strings=on -c row_security=off -c search_path=pg_catalog,pg_temp -c uuidmig.internal=on";

    private final ConnectionSettings settings;
    private final Duration lockTimeout;

    public Database(ConnectionSettings settings) {
        this(settings, DEFAULT_LOCK_TIMEOUT);
    }

    public Database(ConnectionSettings settings, Duration lockTimeout) {
        this.settings = settings;
        this.lockTimeout = lockTimeout;
    }

    public ConnectionSettings settings() {
        return settings;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** Opens a connection in auto-commit mode with lock_timeout set; connection failures become one clear line. */
    public Connection connect(String purpose) {
        Connection c = open("uuidmig" + (purpose == null ? "" : " " + purpose), SESSION_OPTIONS);
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = " + lockTimeout.toMillis());
            st.execute("SET statement_timeout = 0");
            st.execute("SET idle_in_transaction_session_timeout = 0");
        } catch (SQLException e) {
            closeQuietly(c);
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot configure session: " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * Opens a connection as an application opens one, for the demo's simulated applications: none of uuidmig's
     * session settings ({@link #SESSION_OPTIONS}), so the server's defaults apply and the blue-green window counts its
     * writes as an application's. With {@code searchPath} (schema names, first first) it sets search_path in the
     * startup packet, as green does ({@code options=-c search_path=public_uuid,public}, docs/blue-green.md);
     * without, the server's default search_path applies, as for blue.
     */
    public Connection connectAsApplication(String applicationName, java.util.List<String> searchPath) {
        String options = null;
        if (searchPath != null && !searchPath.isEmpty()) {
            // the value is a list of quoted identifiers; in the options string a space or backslash is escaped by a backslash
            String value = String.join(",", searchPath.stream().map(Sql::ident).toList());
            options = "-c search_path=" + value.replace("\\", "\\\\").replace(" ", "\\ ");
        }
        return open(applicationName, options);
    }

    private Connection open(String applicationName, String options) {
        if (RunLock.interrupted()) {
            // SIGINT/SIGTERM: the shutdown hook is ending this run's sessions; start no new one
            throw new UuidmigException(ExitCode.INCOMPLETE, "interrupted");
        }
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        } else {
            // else pgjdbc would read ~/.pgpass / PGPASSFILE itself, ignoring the permissions libpq insists on
            props.setProperty(NoPasswordPlugin.PROPERTY, NoPasswordPlugin.class.getName());
        }
        if (settings.sslMode() != null) {
            props.setProperty("sslmode", settings.sslMode());
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("connectTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        if (options != null) {
            props.setProperty("options", options);
        }
        Connection c;
        try {
            c = DriverManager.getConnection(settings.jdbcUrl(), props);
        } catch (SQLException e) {
            throw connectionError(settings, e);
        }
        Sessions.opened(c); // so that an interrupted run can end its sessions (RunLock)
        return c;
    }

    /**
     * As {@link #connect}, for a command that writes (or judges whether writing is safe, or reports
     * the progress of writing): a server in recovery, i.e. a read-only hot standby, is refused with
     * exit 2 and a message naming the command to run against the primary instead.
     */
    public Connection connectToPrimary(String command) {
        Connection c = connect(command);
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
            rs.next();
            if (rs.getBoolean(1)) {
                closeQuietly(c);
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "the server at " + settings.host() + ":" + settings.port()
                    + " (database \"" + settings.database() + "\") is a read-only hot standby: it is in recovery, replaying the "
                    + "primary's WAL, and accepts no writes: run uuidmig " + command + " against the primary (point -h or --url at it). "
                    + "Nothing was changed");
            }
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot ask the server whether it is a standby: " + e.getMessage(), e);
        }
    }

    /**
     * The backend pids of every session this process has open through {@link #connect}: the run's own, which the health
     * monitor leaves out of the long transactions it reports.
     */
    public static java.util.List<Integer> ownBackendPids() {
        return Sessions.backendPids(null);
    }

    private static final String NO_PASSWORD = " (no password was given: use --password, PGPASSWORD, or ~/.pgpass or PGPASSFILE "
        + "readable only by you, chmod 0600)";

    /**
     * What this connects to, as the server reports it (one SELECT, on a connection of its own): the line every
     * command starts with, and whether the settings' schema exists ({@link Target#requireSchema()}).
     */
    public Target target() {
        Connection c = connect("check target");
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_database(), session_user, "
            + "pg_catalog.current_setting('server_version'), "
            + "EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?)")) {
            ps.setString(1, settings.schema());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                String version = rs.getString(3);
                int space = version.indexOf(' ');
                return new Target(settings.host(), settings.port(), rs.getString(1), rs.getString(2),
                    space < 0 ? version : version.substring(0, space), settings.schema(), rs.getBoolean(4));
            }
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot read the server version and schema \"" + settings.schema() + "\": "
                + e.getMessage(), e);
        } finally {
            closeQuietly(c);
        }
    }

    /** Maps a failed connection attempt to one line that names host, port, database and user. */
    public static UuidmigException connectionError(ConnectionSettings s, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String why;
        switch (state) {
            case SqlState.INVALID_PASSWORD -> why = "password authentication failed"
                + (s.password() == null ? NO_PASSWORD : " (password from " + s.passwordSource() + ")");
            case SqlState.INVALID_AUTHORIZATION -> why = "not authorized: " + firstLine(e.getMessage());
            case SqlState.INVALID_CATALOG_NAME -> why = "database \"" + s.database() + "\" does not exist";
            default -> {
                if (state.startsWith("08") && String.valueOf(e.getMessage()).contains("no password was provided")) {
                    // pgjdbc's own words when the server asks for a password and it has none
                    why = "password authentication failed" + (s.password() == null ? NO_PASSWORD : "");
                } else if (state.startsWith("08")) {
                    why = "server unreachable (" + firstLine(rootMessage(e)) + ")";
                } else {
                    why = firstLine(e.getMessage());
                }
            }
        }
        return new UuidmigException(ExitCode.USAGE_OR_CONNECTION,
            "cannot connect to PostgreSQL at " + s.host() + ":" + s.port() + ", database \"" + s.database()
                + "\", user \"" + s.user() + "\": " + why, e);
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return m == null ? r.getClass().getSimpleName() : m;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure; the original error is what matters
            }
        }
    }
}

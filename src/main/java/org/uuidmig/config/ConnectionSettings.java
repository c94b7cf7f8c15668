package org.uuidmig.config;

import java.util.Objects;

/**
 * Where and how to connect, fully resolved from options, URL, PG* variables and ~/.pgpass.
 * The password is never part of {@link #toString()} or {@link #describe()}.
 *
 * @param host      server host name or address
 * @param port      server port
 * @param database  database name
 * @param user      role to connect as
 * @param password  password, or null when none was found (trust, peer or certificate authentication)
 * @param sslMode   libpq-style sslmode, or null for the driver default
 * @param schema    schema holding the application's tables
 * @param passwordSource where the password came from, for diagnostics (never the password itself)
 */
public record ConnectionSettings(String host, int port, String database, String user, String password,
                                 String sslMode, String schema, String passwordSource) {

    public ConnectionSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(schema, "schema");
    }

    /** The JDBC URL without credentials; credentials travel as connection properties. */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + urlEncode(database);
    }

    /** A human description naming host, port, database and user, safe to print. */
    public String describe() {
        return "host " + host + ", port " + port + ", database \"" + database + "\", user \"" + user + "\"";
    }

    public ConnectionSettings withDatabase(String otherDatabase) {
        return new ConnectionSettings(host, port, otherDatabase, user, password, sslMode, schema, passwordSource);
    }

    @Override
    public String toString() {
        return "ConnectionSettings[" + describe() + ", schema \"" + schema + "\", password "
            + (password == null ? "none" : "from " + passwordSource) + "]";
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package org.uuidmig.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server the integration tests run against, chosen once per JVM:
 * {@code UUIDMIG_TEST_URL} when set (a JDBC URL of a server where the tests may create
 * databases), else a Testcontainers PostgreSQL where Docker is available, else a loud failure.
 * There is no skipping: a test that cannot reach a server fails.
 */
public final class PostgresServer {
    public static final String ENV = "UUIDMIG_TEST_URL";

    private static PostgresServer instance;

    private final String adminUrl;
    private final Properties adminProps;
    private final String host;
    private final int port;
    private final String description;

    private PostgresServer(String adminUrl, Properties adminProps, String description) {
        this.adminUrl = adminUrl;
        this.adminProps = adminProps;
        this.description = description;
        Properties parsed = org.postgresql.Driver.parseURL(adminUrl, new Properties());
        if (parsed == null) {
            throw new IllegalStateException(ENV + " is not a PostgreSQL JDBC URL: " + adminUrl);
        }
        this.host = parsed.getProperty("PGHOST");
        this.port = Integer.parseInt(parsed.getProperty("PGPORT"));
    }

    /**
     * A server of a test's own (not the shared one {@link #get()} chooses), e.g. a
     * {@link org.uuidmig.localpg.LocalPostgres} a test may restart; adminUrl carries the credentials.
     */
    public static PostgresServer of(String adminUrl, String description) {
        return new PostgresServer(adminUrl, new Properties(), description);
    }

    /** Creates a fresh database on this server (dropping one of that name first) and returns it. */
    public TestDb createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, adminProps); java.sql.Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + org.uuidmig.db.Sql.ident(name));
        }
        create(name);
        return new TestDb(this, name);
    }

    /** Creates a database of this name from template0, without dropping one first: a name in use fails. */
    void create(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, adminProps); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + org.uuidmig.db.Sql.ident(name) + " TEMPLATE template0");
        }
    }

    /** A database on this server that exists already (e.g. on a standby, where it cannot be created). */
    public TestDb database(String name) {
        return new TestDb(this, name);
    }

    public static synchronized PostgresServer get() {
        if (instance != null) {
            return instance;
        }
        String url = System.getenv(ENV);
        if (url != null && !url.isBlank()) {
            instance = new PostgresServer(url, new Properties(), ENV + "=" + url);
        } else if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            Properties p = new Properties();
            p.setProperty("user", container.getUsername());
            p.setProperty("password", container.getPassword());
            instance = new PostgresServer(container.getJdbcUrl(), p, "Testcontainers " + container.getDockerImageName());
        } else {
            throw new IllegalStateException("No PostgreSQL server for the integration tests. Set " + ENV
                + " to a JDBC URL of a server where the tests may create databases, e.g. "
                + "export " + ENV + "='jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres' "
                + "(.ci/run does this), or make a Docker engine available for Testcontainers.");
        }
        try (Connection c = admin()) {
            c.isValid(5);
        } catch (SQLException e) {
            IllegalStateException ise = new IllegalStateException("Cannot connect to the test server (" + instance.description
                + "): " + e.getMessage() + ". Is PostgreSQL running?", e);
            instance = null;
            throw ise;
        }
        return instance;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    /** A connection to the maintenance database given by the URL. */
    public static Connection admin() throws SQLException {
        return DriverManager.getConnection(instance.adminUrl, instance.adminProps);
    }

    /** JDBC URL for another database on the same server, with the admin credentials in the query string. */
    public String urlFor(String database) {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
            .append(database);
        Properties all = org.postgresql.Driver.parseURL(adminUrl, new Properties());
        String user = adminProps.getProperty("user", all.getProperty("user"));
        String password = adminProps.getProperty("password", all.getProperty("password"));
        sb.append("?user=").append(encode(user));
        if (password != null) {
            sb.append("&password=").append(encode(password));
        }
        return sb.toString();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        Properties all = org.postgresql.Driver.parseURL(adminUrl, new Properties());
        return adminProps.getProperty("user", all.getProperty("user"));
    }

    public String password() {
        Properties all = org.postgresql.Driver.parseURL(adminUrl, new Properties());
        return adminProps.getProperty("password", all.getProperty("password"));
    }

    public String description() {
        return description;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}

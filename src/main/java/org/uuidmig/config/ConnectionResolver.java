package org.uuidmig.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * Resolves {@link ConnectionSettings} the way libpq does. For every setting the first source
 * that has it wins: the explicit option ({@code --user}, {@code --password}), then the URL
 * ({@code --url}, a JDBC URL or a libpq URI), then the PG* environment variables
 * ({@code PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE}), then {@code ~/.pgpass}
 * (or {@code PGPASSFILE}) for the password, then the defaults: localhost, 5432, database =
 * user, user = the operating-system user.
 */
public final class ConnectionResolver {
    /** A value no URL holds (it contains a NUL), standing for "the URL has no password". */
    private static final String NO_PASSWORD_IN_URL = "\u0000uuidmig: no password in the URL";
    private final Map<String, String> env;
    private final Path home;
    private final String osUser;
    private final Consumer<String> warn;

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
        Map<String, String> fromUrl = url == null || url.isBlank() ? Map.of() : parseUrl(url.trim());

        String host = first(fromUrl.get("host"), env.get("PGHOST"), "localhost");
        if (host.startsWith("/")) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION,
                "PGHOST=" + host + " is a Unix socket directory; uuidmig connects over TCP: set PGHOST to a host name such as localhost");
        }
        String portText = first(fromUrl.get("port"), env.get("PGPORT"), "5432");
        int port;
        try {
            port = Integer.parseInt(portText);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid port \"" + portText + "\"");
        }
        String resolvedUser = first(user, fromUrl.get("user"), env.get("PGUSER"), osUser);
        String database = first(fromUrl.get("database"), env.get("PGDATABASE"), defaultDatabase, resolvedUser);
        String sslMode = first(fromUrl.get("sslmode"), env.get("PGSSLMODE"), null);

        String source = null;
        String resolvedPassword = null;
        if (password != null) {
            resolvedPassword = password;
            source = "--password";
        } else if (fromUrl.get("password") != null) {
            resolvedPassword = fromUrl.get("password");
            source = "the URL";
        } else if (env.get("PGPASSWORD") != null) {
            resolvedPassword = env.get("PGPASSWORD");
            source = "PGPASSWORD";
        } else {
            Path passFile = env.get("PGPASSFILE") != null ? Path.of(env.get("PGPASSFILE")) : home.resolve(".pgpass");
            var found = PgPass.load(passFile, warn).find(host, port, database, resolvedUser);
            if (found.isPresent()) {
                resolvedPassword = found.get();
                source = passFile.toString();
            }
        }
        return new ConnectionSettings(host, port, database, resolvedUser, resolvedPassword, sslMode,
            schema == null || schema.isBlank() ? "public" : schema, source);
    }

    /**
     * Splits a JDBC URL ({@code jdbc:postgresql://host:port/db?user=..}) or a libpq URI
     * ({@code postgresql://user:pw@host:port/db?sslmode=..}) into host, port, database, user,
     * password and sslmode. Absent parts are absent from the map.
     */
    static Map<String, String> parseUrl(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        if (url.startsWith("jdbc:postgresql:")) {
            // pgjdbc's parseURL fills in a password from ~/.pgpass or PGPASSFILE when the URL has none, and
            // does not look at the file's permissions: a placeholder keeps it from doing so, so that the
            // password file is read only by PgPass, libpq's way, and "the URL" means the URL
            Properties defaults = new Properties();
            defaults.setProperty("password", NO_PASSWORD_IN_URL);
            Properties p = org.postgresql.Driver.parseURL(url, defaults);
            if (p == null) {
                throw badUrl(url, "not a valid PostgreSQL JDBC URL");
            }
            String hosts = p.getProperty("PGHOST");
            if (hosts != null && hosts.contains(",")) {
                throw badUrl(url, "several hosts are not supported; name one server");
            }
            putIfSet(out, "host", hosts);
            putIfSet(out, "port", p.getProperty("PGPORT"));
            putIfSet(out, "database", p.getProperty("PGDBNAME"));
            putIfSet(out, "user", p.getProperty("user"));
            String pw = p.getProperty("password");
            if (pw != null && !pw.equals(NO_PASSWORD_IN_URL)) {
                putIfSet(out, "password", pw);
            }
            putIfSet(out, "sslmode", p.getProperty("sslmode"));
            // pgjdbc fills in localhost/5432 when absent; that is our default too, so it does no harm
            return out;
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            refuseUnencodedUserInfo(url);
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw badUrl(url, e.getReason());
            }
            String userInfo = uri.getRawUserInfo();
            String host = uri.getHost();
            int port = uri.getPort();
            if (host == null && uri.getRawAuthority() != null && !uri.getRawAuthority().contains(",")) {
                // java.net.URI reads a name it does not accept as a host name (e.g. db_primary, with an
                // underscore) as a "registry" authority: split it here, or it would silently be localhost
                String authority = uri.getRawAuthority();
                int at = authority.lastIndexOf('@');
                userInfo = at < 0 ? null : authority.substring(0, at);
                String hostPort = authority.substring(at + 1);
                int colon = hostPort.startsWith("[") ? hostPort.indexOf(':', Math.max(0, hostPort.indexOf(']'))) : hostPort.lastIndexOf(':');
                host = decode(colon < 0 ? hostPort : hostPort.substring(0, colon));
                if (colon >= 0) {
                    try {
                        port = Integer.parseInt(hostPort.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw badUrl(url, "invalid port \"" + hostPort.substring(colon + 1) + "\"");
                    }
                }
            }
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                putIfSet(out, "user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
                if (colon >= 0) {
                    putIfSet(out, "password", decode(userInfo.substring(colon + 1)));
                }
            }
            if (uri.getHost() == null && uri.getRawAuthority() != null && uri.getRawAuthority().contains(",")) {
                throw badUrl(url, "several hosts are not supported; name one server");
            }
            if (host != null && host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            putIfSet(out, "host", host);
            if (port > 0) {
                out.put("port", Integer.toString(port));
            }
            String path = uri.getRawPath();
            if (path != null && path.length() > 1) {
                out.put("database", decode(path.substring(1)));
            }
            String query = uri.getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String key = decode(pair.substring(0, eq));
                    String value = decode(pair.substring(eq + 1));
                    switch (key) {
                        case "user" -> out.put("user", value);
                        case "password" -> out.put("password", value);
                        case "dbname" -> out.put("database", value);
                        case "host" -> out.put("host", value);
                        case "port" -> out.put("port", value);
                        case "sslmode" -> out.put("sslmode", value);
                        default -> { }
                    }
                }
            }
            return out;
        }
        throw badUrl(url, "expected jdbc:postgresql://host:port/database or postgresql://user@host:port/database");
    }

    /**
     * In a libpq URI, user name and password end at the first '/' and may hold no '@': libpq and
     * java.net.URI would read {@code postgresql://u:p@ss@db/app} or {@code postgresql://u:p/ss@db/app}
     * as another host, another database, or (before this check) no host at all, i.e. localhost
     * as the operating-system user. Such a URL is refused with a hint to percent-encode; the
     * message shows neither the password nor the part that could be one.
     */
    private static void refuseUnencodedUserInfo(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        int q = rest.indexOf('?');
        String beforeQuery = q < 0 ? rest : rest.substring(0, q);
        int lastAt = beforeQuery.lastIndexOf('@');
        if (lastAt < 0) {
            return;
        }
        String userInfo = beforeQuery.substring(0, lastAt);
        if (userInfo.indexOf('@') < 0 && userInfo.indexOf('/') < 0) {
            return;
        }
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        String shown = url.substring(0, url.indexOf("://") + 3)
            + (colon > 0 && user.indexOf('@') < 0 && user.indexOf('/') < 0 ? user + ":***" : "***")
            + beforeQuery.substring(lastAt) + (q < 0 ? "" : redact(rest.substring(q)));
        throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid --url \"" + shown + "\": the user name or password "
            + "holds an '@' or '/' that is not percent-encoded, so the host and database cannot be told apart from it: "
            + "write @ as %40, / as %2F (and : in a user name as %3A; an @ in a database name as %40 too), or pass the password "
            + "with --password or PGPASSWORD");
    }

    private static UuidmigException badUrl(String url, String why) {
        return new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid --url \"" + redact(url) + "\": " + why);
    }

    /** The URL with any password replaced by ***, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void putIfSet(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isEmpty()) {
                return c;
            }
        }
        return null;
    }
}

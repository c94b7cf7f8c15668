package org.uuidmig.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * A connection string as libpq and psql take it, split into libpq keywords ({@code host port dbname user
 * password sslmode service passfile}): a libpq URI ({@code postgresql://user:pw@host:port/db?sslmode=..}),
 * a libpq keyword/value string ({@code host=db port=5433 dbname='my db'}, with libpq's quoting: single
 * quotes around a value with spaces, a backslash escaping the next character), or a pgjdbc URL
 * ({@code jdbc:postgresql://host:port/db?user=..}).
 *
 * <p>A parameter uuidmig does not take is an error (exit 2, naming it), never silently dropped: a misspelt
 * {@code sslmdoe=verify-full}, or an {@code sslrootcert} uuidmig would not pass on, would otherwise connect
 * with less security than asked for. Those are libpq's own rules too ("invalid connection option",
 * "invalid URI query parameter").
 */
public final class ConnectionString {
    /** The libpq keywords uuidmig takes from a connection string or a service file. */
    public static final List<String> SUPPORTED = List.of("host", "port", "dbname", "user", "password", "sslmode", "service", "passfile");

    /** The other keywords libpq knows (PostgreSQL 18): an error that says uuidmig does not support it, rather than "unknown". */
    static final Set<String> LIBPQ_UNSUPPORTED = Set.of("hostaddr", "connect_timeout", "client_encoding", "options",
        "application_name", "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "requiressl", "sslcompression", "sslcert", "sslkey",
        "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "sslnegotiation", "requirepeer",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "min_protocol_version", "max_protocol_version", "krbsrvname",
        "gsslib", "gssdelegation", "target_session_attrs", "load_balance_hosts", "channel_binding", "require_auth",
        "scram_client_key", "scram_server_key", "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope");

    /** The pgjdbc URL parameters uuidmig takes (pgjdbc's names). */
    static final List<String> JDBC_SUPPORTED = List.of("user", "password", "sslmode", "ssl", "service");

    /** The values libpq accepts for sslmode. */
    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** A value no URL holds (it contains a NUL), standing for "the URL has no password". */
    private static final String NO_PASSWORD_IN_URL = "\u0000uuidmig: no password in the URL";

    private ConnectionString() {
    }

    /**
     * Whether {@code s} is a connection string rather than a plain database name, by libpq's rule for psql's
     * {@code -d}: a URI ({@code postgresql://}, {@code postgres://}), or anything holding an {@code =}. A pgjdbc URL
     * counts too.
     */
    public static boolean isConnectionString(String s) {
        return s.startsWith("postgresql://") || s.startsWith("postgres://") || s.startsWith("jdbc:postgresql:") || s.indexOf('=') >= 0;
    }

    /**
     * The keywords of a connection string; {@code origin} names the option it came from ({@code --url},
     * {@code -d/--dbname}), for messages. Absent or empty parts are absent from the map.
     */
    public static Map<String, String> parse(String s, String origin) {
        Map<String, String> out;
        if (s.startsWith("jdbc:postgresql:")) {
            out = parseJdbc(s, origin);
        } else if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            out = parseUri(s, origin);
        } else if (s.indexOf('=') >= 0) {
            out = parseKeywordValue(s, origin);
        } else {
            throw bad(origin, s, "expected a connection string: postgresql://user@host:port/database, "
                + "host=... port=... dbname=... user=... (libpq keyword/value), or jdbc:postgresql://host:port/database");
        }
        String host = out.get("host");
        if (host != null && host.contains(",")) {
            throw bad(origin, s, "several hosts are not supported; name one server");
        }
        out.values().removeIf(String::isEmpty);
        return out;
    }

    /**
     * libpq's keyword/value form: {@code keyword = value} pairs separated by white space; a value in single
     * quotes may hold spaces; a backslash escapes the next character, inside quotes or not. As in libpq, a later
     * keyword replaces an earlier one.
     */
    static Map<String, String> parseKeywordValue(String s, String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String keyword = s.substring(start, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw bad(origin, s, "missing \"=\" after \"" + keyword + "\"");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw bad(origin, s, "unterminated quoted string (the value of \"" + keyword + "\")");
                    }
                    char c = s.charAt(i++);
                    if (c == '\\') {
                        if (i < n) {
                            value.append(s.charAt(i++));
                        }
                    } else if (c == '\'') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\') {
                        if (i < n) {
                            value.append(s.charAt(i++));
                        }
                    } else {
                        value.append(c);
                    }
                }
            }
            requireKnown(keyword, origin, s);
            out.put(keyword, value.toString());
        }
    }

    /** A libpq URI: user and password, host, port, database, and keywords in the query string. */
    static Map<String, String> parseUri(String url, String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        refuseUnencodedUserInfo(url, origin);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad(origin, url, e.getReason());
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
                    throw bad(origin, url, "invalid port \"" + hostPort.substring(colon + 1) + "\"");
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
            throw bad(origin, url, "several hosts are not supported; name one server");
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
            out.put("dbname", decode(path.substring(1)));
        }
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw bad(origin, url, "missing \"=\" in the query parameter \"" + decode(pair) + "\"");
                }
                String key = decode(pair.substring(0, eq));
                String value = decode(pair.substring(eq + 1));
                if (key.equals("ssl")) {
                    // libpq's rule for JDBC compatibility: ssl=true is sslmode=require
                    if (!value.equals("true")) {
                        throw bad(origin, url, "invalid value \"" + value + "\" for the query parameter \"ssl\" (only ssl=true, "
                            + "which means sslmode=require; or use sslmode=...)");
                    }
                    out.put("sslmode", "require");
                    continue;
                }
                requireKnown(key, origin, url);
                out.put(key, value);
            }
        }
        return out;
    }

    /**
     * A pgjdbc URL, parsed by pgjdbc (host, port, database; pgjdbc fills in localhost and 5432 when they are
     * absent), with uuidmig's own check of the query parameters: user, password, sslmode, service, and ssl=true
     * (which pgjdbc reads as sslmode=verify-full when no sslmode is given).
     */
    static Map<String, String> parseJdbc(String url, String origin) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        StringBuilder kept = new StringBuilder();
        String service = null;
        String ssl = null;
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!JDBC_SUPPORTED.contains(key)) {
                    throw bad(origin, url, "unsupported parameter \"" + key + "\" (uuidmig takes " + String.join(", ", JDBC_SUPPORTED)
                        + " from a JDBC URL)");
                }
                if (key.equals("service")) {
                    // the service file is read by uuidmig, libpq's way, not by pgjdbc's parser
                    service = value;
                } else if (key.equals("ssl")) {
                    ssl = value;
                } else {
                    kept.append(kept.length() == 0 ? "?" : "&").append(pair);
                }
            }
        }
        // pgjdbc's parseURL fills in a password from ~/.pgpass or PGPASSFILE when the URL has none, and
        // does not look at the file's permissions: a placeholder keeps it from doing so, so that the
        // password file is read only by PgPass, libpq's way, and "the URL" means the URL
        Properties defaults = new Properties();
        defaults.setProperty("password", NO_PASSWORD_IN_URL);
        Properties p = org.postgresql.Driver.parseURL(base + kept, defaults);
        if (p == null) {
            throw bad(origin, url, "not a valid PostgreSQL JDBC URL");
        }
        String hosts = p.getProperty("PGHOST");
        if (hosts != null && hosts.contains(",")) {
            throw bad(origin, url, "several hosts are not supported; name one server");
        }
        putIfSet(out, "host", hosts);
        putIfSet(out, "port", p.getProperty("PGPORT"));
        putIfSet(out, "dbname", p.getProperty("PGDBNAME"));
        putIfSet(out, "user", p.getProperty("user"));
        String pw = p.getProperty("password");
        if (pw != null && !pw.equals(NO_PASSWORD_IN_URL)) {
            putIfSet(out, "password", pw);
        }
        putIfSet(out, "sslmode", p.getProperty("sslmode"));
        if (ssl != null) {
            if (!ssl.equals("true")) {
                throw bad(origin, url, "invalid value \"" + ssl + "\" for the parameter \"ssl\" (only ssl=true, which pgjdbc reads as "
                    + "sslmode=verify-full; or use sslmode=...)");
            }
            out.putIfAbsent("sslmode", "verify-full");
        }
        putIfSet(out, "service", service);
        return out;
    }

    /** Exit 2 naming a keyword uuidmig does not take; {@code where} says where it was found. */
    static void requireKnown(String keyword, String origin, String s) {
        if (SUPPORTED.contains(keyword)) {
            return;
        }
        throw bad(origin, s, unknownKeyword(keyword));
    }

    /** Why {@code keyword} is refused: libpq's keyword that uuidmig does not support, or no libpq keyword at all. */
    static String unknownKeyword(String keyword) {
        return (LIBPQ_UNSUPPORTED.contains(keyword)
            ? "the libpq parameter \"" + keyword + "\" is not supported by uuidmig"
            : "unknown parameter \"" + keyword + "\"")
            + " (uuidmig takes " + String.join(", ", SUPPORTED) + ")";
    }

    /**
     * In a libpq URI, user name and password end at the first '/' and may hold no '@': libpq and
     * java.net.URI would read {@code postgresql://u:p@ss@db/app} or {@code postgresql://u:p/ss@db/app}
     * as another host, another database, or (before this check) no host at all, i.e. localhost
     * as the operating-system user. Such a URL is refused with a hint to percent-encode; the
     * message shows neither the password nor the part that could be one.
     */
    private static void refuseUnencodedUserInfo(String url, String origin) {
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
        throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid " + origin + " \"" + shown + "\": the user name or password "
            + "holds an '@' or '/' that is not percent-encoded, so the host and database cannot be told apart from it: "
            + "write @ as %40, / as %2F (and : in a user name as %3A; an @ in a database name as %40 too), or pass the password "
            + "with --password or PGPASSWORD");
    }

    private static UuidmigException bad(String origin, String s, String why) {
        return new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "invalid " + origin + " \"" + redact(s) + "\": " + why);
    }

    /** The connection string with any password replaced by ***, for messages. */
    public static String redact(String s) {
        if (s.startsWith("jdbc:") || s.contains("://")) {
            return s.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@");
        }
        return s.replaceAll("(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|'.*|(?:[^\\s\\\\]|\\\\.)+)", "$1***");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void putIfSet(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }
}

package org.uuidmig.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * libpq's connection service file ({@code PGSERVICE} or {@code service=} names a service): the user's file
 * ({@code PGSERVICEFILE}, else {@code ~/.pg_service.conf}) is read first, and the system file
 * ({@code PGSYSCONFDIR/pg_service.conf}) only when the user's file does not define the service. A missing file
 * is skipped; a service defined in neither is an error.
 *
 * <p>The format is libpq's: {@code [name]} starts a service, {@code keyword=value} lines follow, {@code #}
 * starts a comment, white space at the start and end of a line is ignored. As in libpq, the value is taken
 * as it stands (no quotes, no escapes), and only the lines of the service asked for are read: there an
 * unknown keyword, a line without {@code =} or a nested {@code service=} is an error naming the file and line.
 *
 * <p>pgjdbc has a parser of its own ({@code PgServiceConfParser}), but it reads the process environment
 * itself, stops at the first file found (never falls back to the system file), drops a service with an unknown
 * keyword with a log line instead of an error, and gives pgjdbc's property names: uuidmig reads the file here,
 * libpq's way, beside {@link PgPass}.
 */
public final class ServiceFile {
    /**
     * The system file's directory when {@code PGSYSCONFDIR} is not set: that of Debian's and Ubuntu's libpq
     * ({@code pg_config --sysconfdir} shows another libpq's; set PGSYSCONFDIR to it).
     */
    public static final String DEFAULT_SYSCONFDIR = "/etc/postgresql-common";

    /** A service as found: its name, the file that defines it, and its keywords in file order. */
    public record Service(String name, Path file, Map<String, String> values) {
    }

    private ServiceFile() {
    }

    /** The service file locations libpq uses under this environment and home directory: the user's, then the system's. */
    public static List<Path> locations(Map<String, String> env, Path home) {
        String userFile = env.get("PGSERVICEFILE");
        String sysconf = env.get("PGSYSCONFDIR");
        return List.of(userFile != null && !userFile.isEmpty() ? Path.of(userFile) : home.resolve(".pg_service.conf"),
            Path.of(sysconf != null && !sysconf.isEmpty() ? sysconf : DEFAULT_SYSCONFDIR).resolve("pg_service.conf"));
    }

    /** The service {@code name} from the first of {@code files} that defines it; exit 2 when none does. */
    public static Service lookup(String name, List<Path> files) {
        List<String> looked = new ArrayList<>();
        for (Path file : files) {
            looked.add(file.toString());
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "cannot read service file " + file + ": " + e.getMessage(), e);
            }
            Map<String, String> values = parse(lines, name, file);
            if (values != null) {
                return new Service(name, file, values);
            }
        }
        throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "definition of service \"" + name + "\" not found (looked in "
            + String.join(" and ", looked) + "; PGSERVICEFILE and PGSYSCONFDIR name other files)");
    }

    /** The keywords of service {@code name} in these lines, or null when they do not define it. */
    static Map<String, String> parse(List<String> lines, String name, Path file) {
        Map<String, String> values = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (values != null) {
                    return values; // the end of the service asked for
                }
                // libpq's test: the name, then ']' (what follows the ']' is not looked at)
                if (line.startsWith("[" + name + "]")) {
                    values = new LinkedHashMap<>();
                }
                continue;
            }
            if (values == null) {
                continue; // another service's line: libpq does not read it
            }
            int eq = line.indexOf('=');
            String where = "service file " + file + ", line " + (i + 1) + " (service \"" + name + "\"): ";
            if (eq < 0) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, where + "syntax error: expected keyword=value");
            }
            String keyword = line.substring(0, eq);
            if (keyword.equals("service")) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, where + "nested service specifications are not supported");
            }
            if (!ConnectionString.SUPPORTED.contains(keyword)) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, where + ConnectionString.unknownKeyword(keyword)
                    + (keyword.strip().equals(keyword) ? "" : "; libpq allows no space around '='"));
            }
            // as libpq: the first setting of a keyword wins within a service
            values.putIfAbsent(keyword, line.substring(eq + 1));
        }
        return values;
    }
}

package org.uuidmig.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The libpq password file ({@code ~/.pgpass} or {@code PGPASSFILE}): lines of
 * {@code hostname:port:database:username:password}, {@code *} matching anything,
 * {@code \:} and {@code \\} escaping. As in libpq, the first matching line wins and a file
 * readable by group or others is ignored.
 */
public final class PgPass {
    private final List<String[]> entries;

    private PgPass(List<String[]> entries) {
        this.entries = entries;
    }

    /** Reads the file; a missing file or one with unsafe permissions yields an empty PgPass. */
    public static PgPass load(Path file, java.util.function.Consumer<String> warn) {
        if (file == null || !Files.isRegularFile(file)) {
            return new PgPass(List.of());
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                warn.accept("password file " + file + " has group or world access; ignoring it (chmod 0600 " + file + ")");
                return new PgPass(List.of());
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: read it as libpq does on Windows
        }
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            warn.accept("cannot read password file " + file + ": " + e.getMessage());
            return new PgPass(List.of());
        }
    }

    static PgPass parse(List<String> lines) {
        List<String[]> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == ':' && fields.size() < 4) {
                    fields.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            fields.add(cur.toString());
            if (fields.size() == 5) {
                out.add(fields.toArray(new String[0]));
            }
        }
        return new PgPass(out);
    }

    /** The password of the first line matching all four fields, as libpq looks it up. */
    public Optional<String> find(String host, int port, String database, String user) {
        String portText = Integer.toString(port);
        for (String[] e : entries) {
            if (matches(e[0], host) && matches(e[1], portText) && matches(e[2], database) && matches(e[3], user)) {
                return Optional.of(e[4]);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }
}

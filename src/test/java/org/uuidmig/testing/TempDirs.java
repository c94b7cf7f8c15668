package org.uuidmig.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory of a test's own, so that a test reads and deletes nothing but what it made: other copies of
 * the suite use the same system temporary directory at the same time.
 */
public final class TempDirs {
    private TempDirs() {
    }

    /**
     * A new directory under the system temporary directory, mode 0755: a PostgreSQL server a test starts as root runs
     * as the user postgres, which must be able to reach its data directory inside it (JUnit's @TempDir is 0700).
     */
    public static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** rm -rf of a directory this test made. */
    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

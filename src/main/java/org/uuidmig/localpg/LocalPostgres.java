package org.uuidmig.localpg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * A throwaway PostgreSQL server on 127.0.0.1, run from the Maven Central binaries of
 * {@link PgBinaries}: initdb (trust authentication, superuser postgres, UTF8) into a fresh
 * temporary directory, then pg_ctl start on a free port, with the Unix socket in that directory.
 * PostgreSQL refuses to run as root, so as root every binary runs as the user {@value #SERVER_USER}
 * through {@code runuser}. {@link #close()} stops the server and deletes its directory, also after
 * a failure, and also from a shutdown hook when the JVM is ended (Ctrl-C).
 *
 * <p>The server's log (and initdb's and pg_ctl's output) goes to one file, {@link #logFile()},
 * named in every error; it is deleted by {@link #close()} unless something failed.
 */
public final class LocalPostgres implements AutoCloseable {
    /** The zonky artifact version started by default (PostgreSQL 17; see docs/compatibility.md for the others). */
    public static final String DEFAULT_VERSION = "17.11.0";
    /** The OS user the server runs as when uuidmig runs as root. */
    public static final String SERVER_USER = "postgres";
    /** The superuser initdb creates; trust authentication, no password. */
    public static final String SUPERUSER = "postgres";
    public static final String HOST = "127.0.0.1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);

    private final String version;
    private final Path home;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final UserPrincipal runAs;
    private int port;
    private boolean running;
    private boolean failed;
    private boolean closed;
    private final Thread hook;

    private LocalPostgres(String version, Path home) {
        this.version = version;
        this.home = home;
        this.runAs = runningAsRoot() ? serverUser() : null;
        try {
            this.dir = Files.createTempDirectory("uuidmig-pg" + version.replaceAll("\\..*", "") + "-");
            this.data = dir.resolve("data");
            this.log = Files.createTempFile("uuidmig-postgres-", ".log");
            if (runAs != null) {
                Files.setOwner(dir, runAs);
                Files.setOwner(log, runAs);
            }
        } catch (IOException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot create a temporary directory for PostgreSQL: " + e.getMessage(), e);
        }
        this.hook = new Thread(this::close, "stop-local-postgres");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Obtains the binaries of this zonky version (see {@link PgBinaries#obtain}), runs initdb and starts the server. */
    public static LocalPostgres start(String version, Consumer<String> progress) {
        Path home = PgBinaries.obtain(version, progress);
        LocalPostgres pg = new LocalPostgres(version, home);
        try {
            pg.run(INITDB_TIMEOUT, "initdb", "-D", pg.data.toString(), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale=C",
                "--no-sync");
            pg.startOnFreePort();
            return pg;
        } catch (RuntimeException e) {
            pg.failed = true;
            pg.close();
            throw e;
        }
    }

    /**
     * A hot standby of this server, streaming from it, started on another port. The binaries have
     * no pg_basebackup, so this server is stopped for a moment and its data directory copied (a
     * consistent cold copy); the copy gets standby.signal and primary_conninfo. Close it before this one.
     */
    public synchronized LocalPostgres startStandby() {
        LocalPostgres s = new LocalPostgres(version, home);
        try {
            appendConf("wal_keep_size = '256MB'"); // the WAL the standby starts from stays until it has streamed it
            stop();
            try {
                copyTree(data, s.data);
            } finally {
                start();
            }
            s.appendConf("primary_conninfo = 'host=" + HOST + " port=" + port + " user=" + SUPERUSER + " application_name=standby'",
                "hot_standby = on");
            Files.createFile(s.data.resolve("standby.signal"));
            s.startOnFreePort();
            return s;
        } catch (IOException e) {
            s.failed = true;
            s.close();
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot copy " + data + " for a standby: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            s.failed = true;
            s.close();
            throw e;
        }
    }

    /** cp -a: files keep their mode and (as root) their owner, the server user. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (p.getFileName().toString().equals("postmaster.pid")) {
                    continue;
                }
                Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    public String version() {
        return version;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return data;
    }

    public Path logFile() {
        return log;
    }

    /** The directory holding bin/ lib/ share/. */
    public Path binaries() {
        return home;
    }

    /** A JDBC URL for a database on this server, as the superuser (trust: no password). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database + "?user=" + SUPERUSER;
    }

    public synchronized boolean isRunning() {
        return running;
    }

    /** pg_ctl stop -m fast: ends sessions, checkpoints, exits. */
    public synchronized void stop() {
        pgCtl(STOP_TIMEOUT, "stop", "-m", "fast");
        running = false;
    }

    /** pg_ctl stop -m immediate: exits at once, as in a crash; the next start runs crash recovery. */
    public synchronized void stopImmediately() {
        pgCtl(STOP_TIMEOUT, "stop", "-m", "immediate");
        running = false;
    }

    /** Starts the server again after {@link #stop()}, on the same port and data directory. */
    public synchronized void start() {
        refuseIfClosed();
        pgCtl(START_TIMEOUT, "start", "-l", log.toString());
        running = true;
    }

    /** pg_ctl restart with the given shutdown mode: fast (clean) or immediate (a crash, then recovery). */
    public synchronized void restart(String mode) {
        refuseIfClosed();
        pgCtl(START_TIMEOUT, "restart", "-m", mode, "-l", log.toString());
        running = true;
    }

    /** After close (e.g. by the shutdown hook while initdb ran), starting again would leave a server nobody stops. */
    private void refuseIfClosed() {
        if (closed) {
            throw new UuidmigException(ExitCode.INCOMPLETE, "local PostgreSQL " + version + " was closed (is the JVM shutting down?)");
        }
    }

    /** Stops the server (fast, else immediate, else kill) and deletes its directory; the log too unless something failed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (running || Files.exists(data.resolve("postmaster.pid"))) {
            try {
                stop();
            } catch (RuntimeException e) {
                failed = true;
                try {
                    stopImmediately();
                } catch (RuntimeException e2) {
                    killPostmaster();
                }
            }
        }
        PgBinaries.deleteTree(dir);
        if (!failed) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // best effort
            }
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and returns at once)
            }
        }
    }

    /** Writes port, listen address and socket directory into postgresql.conf and starts; another port if the bind loses a race. */
    private void startOnFreePort() {
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            appendConf("port = " + port, "listen_addresses = '" + HOST + "'", "unix_socket_directories = '" + dir + "'",
                "fsync = off", "max_connections = 50");
            try {
                start();
                return;
            } catch (UuidmigException e) {
                if (attempt >= 5 || !tail(log, 30).contains("already in use")) {
                    throw e;
                }
            }
        }
    }

    private void appendConf(String... lines) {
        try {
            Files.writeString(data.resolve("postgresql.conf"), "\n# uuidmig\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot write " + data.resolve("postgresql.conf") + ": " + e.getMessage(), e);
        }
    }

    private void pgCtl(Duration timeout, String action, String... args) {
        List<String> cmd = new ArrayList<>(List.of("pg_ctl", "-D", data.toString(), "-w", "-t", Long.toString(timeout.toSeconds()), action));
        cmd.addAll(List.of(args));
        run(timeout.plusSeconds(10), cmd.toArray(new String[0]));
    }

    /** Runs one of the binaries (as the server user when root), output appended to the log; fails with the log's tail. */
    private void run(Duration timeout, String... cmd) {
        List<String> full = new ArrayList<>();
        if (runAs != null) {
            full.addAll(List.of("runuser", "-u", runAs.getName(), "--"));
        }
        full.add(home.resolve("bin").resolve(cmd[0]).toString());
        full.addAll(List.of(cmd).subList(1, cmd.length));
        String what = cmd[0].equals("pg_ctl") ? "pg_ctl " + action(cmd) : cmd[0];
        try {
            Files.writeString(log, "\n$ " + String.join(" ", full) + "\n", StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C");
            pb.environment().remove("PGDATA");
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw failure(what + " did not finish within " + timeout.toSeconds() + " s", null);
            }
            if (p.exitValue() != 0) {
                throw failure(what + " failed (exit " + p.exitValue() + ")", null);
            }
        } catch (IOException e) {
            throw failure("cannot run " + full.get(0) + " (" + e.getMessage() + ")"
                + (runAs != null ? ": running as root needs runuser (util-linux) to start PostgreSQL as user " + runAs.getName() : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(what + " was interrupted", e);
        }
    }

    private static String action(String[] cmd) {
        return List.of(cmd).stream().filter(c -> c.equals("start") || c.equals("stop") || c.equals("restart")).findFirst().orElse("");
    }

    private UuidmigException failure(String what, Exception cause) {
        failed = true;
        return new UuidmigException(ExitCode.UNEXPECTED, "local PostgreSQL " + version + ": " + what + "; log " + log
            + ", last lines:\n" + tail(log, 10).indent(4).stripTrailing(), cause);
    }

    private void killPostmaster() {
        try {
            String first = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
            ProcessHandle.of(Long.parseLong(first)).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | RuntimeException e) {
            // nothing left to stop
        }
        running = false;
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * A port nothing uses, below the kernel's ephemeral range (32768 and up) so that no client
     * connection's local port can take it while the server restarts.
     */
    private static int freePort() {
        for (int i = 0; i < 200; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(20000, 32000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), candidate));
                return candidate;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new UuidmigException(ExitCode.UNEXPECTED, "no free TCP port found on " + HOST + " for a local PostgreSQL server");
    }

    /** True when this JVM runs as uid 0. */
    public static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static UserPrincipal serverUser() {
        try {
            return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
        } catch (UserPrincipalNotFoundException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "PostgreSQL refuses to run as root, and there is no user \"" + SERVER_USER
                + "\" to run it as: create one (e.g. useradd --system --no-create-home " + SERVER_USER + ") or run uuidmig as a non-root user");
        } catch (IOException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot look up the user \"" + SERVER_USER + "\": " + e.getMessage(), e);
        }
    }
}

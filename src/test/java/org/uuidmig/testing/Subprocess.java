package org.uuidmig.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs uuidmig in a separate JVM (same class path), so a test can kill it or let it halt. */
public final class Subprocess {
    private Subprocess() {
    }

    /** Result of a finished process; output is stdout and stderr together. */
    public record Result(int exitCode, String output) {
    }

    /** Starts uuidmig with output going to the given file. */
    public static Process start(Path log, List<String> jvmArgs, String... args) throws IOException {
        return start(log, java.util.Map.of(), jvmArgs, args);
    }

    /** As {@link #start(Path, List, String...)}, with these environment variables changed (a null value removes one). */
    public static Process start(Path log, java.util.Map<String, String> env, List<String> jvmArgs, String... args) throws IOException {
        ProcessBuilder pb = builder(env, jvmArgs, args).redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** Starts uuidmig with stdout and stderr going to files of their own (for a test that parses stdout). */
    public static Process start(Path stdout, Path stderr, List<String> jvmArgs, String... args) throws IOException {
        return builder(java.util.Map.of(), jvmArgs, args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    private static ProcessBuilder builder(java.util.Map<String, String> env, List<String> jvmArgs, String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(jvmArgs, args));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    /** The command line that runs uuidmig in a JVM of its own, with this test JVM's class path and Maven repository. */
    public static List<String> command(List<String> jvmArgs, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // a run of a few seconds on a 2-core machine: the optimizing compiler and the parallel collector's threads cost
        // more CPU than they save (1.45 s of CPU per validate-pre instead of 2.3 s), and the other test JVM needs it
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        // the local Maven repository this build uses (surefire passes it on), not ~/.m2 (PgBinaries reads it)
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank() && jvmArgs.stream().noneMatch(a -> a.startsWith("-Dmaven.repo.local="))) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.uuidmig.Main");
        cmd.addAll(TestDb.atOptionsSpeed(args)); // --no-throttle unless the test says which
        return cmd;
    }

    public static Result run(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), jvmArgs, args);
    }

    public static Result run(java.util.Map<String, String> env, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        Path dir = TempDirs.create("uuidmig-sub-");
        try {
            Path log = dir.resolve("uuidmig.log");
            Process p = start(log, env, jvmArgs, args);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("uuidmig subprocess did not finish in 5 minutes: " + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            TempDirs.delete(dir);
        }
    }

    /**
     * Waits until the process started with {@code -Duuidmig.fault.pauseAt=POINT} says it is paused there (a wait for an
     * event, with a generous deadline); fails with its output if it ends first.
     */
    public static void awaitPaused(Process p, Path log, String point) throws IOException, InterruptedException {
        String line = "uuidmig: paused at " + point;
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
            if (!p.isAlive()) {
                throw new AssertionError("uuidmig ended (exit " + p.exitValue() + ") before it paused at " + point + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
            }
            if (System.nanoTime() > until) {
                p.destroyForcibly();
                throw new AssertionError("uuidmig did not pause at " + point + " within 2 minutes:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(10);
        }
    }

    /** Lets a process paused by {@code -Duuidmig.fault.pauseAt} go on. */
    public static void release(Process p) throws IOException {
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
    }
}

package org.uuidmig.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether stdout and stderr are terminals, and the terminal's size. Java tells neither: {@code System.console()}
 * is about stdin and stdout together, and says nothing of stderr, where progress goes. On Linux,
 * {@code /proc/self/fd/N} names the device ({@code /dev/pts/3}); elsewhere {@code System.console()} is the guess.
 * {@code TERM=dumb} (Emacs shells, some CI runners) is not a terminal: it cannot move the cursor.
 */
public final class Tty {
    static final int DEFAULT_WIDTH = 80;
    static final int DEFAULT_HEIGHT = 24;

    private Tty() {
    }

    /** Whether file descriptor 1 (stdout) or 2 (stderr) is a terminal that can move the cursor. */
    public static boolean isTerminal(int fd) {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path device = device(fd);
        if (device != null) {
            return isTerminalDevice(device);
        }
        return System.console() != null;
    }

    /** The device behind the file descriptor, or null when /proc does not say (not Linux). */
    static Path device(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link) : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    static boolean isTerminalDevice(Path device) {
        String d = device.toString();
        return d.startsWith("/dev/pts/") || d.startsWith("/dev/tty") || d.startsWith("/dev/console");
    }

    /**
     * {rows, columns} of the terminal behind file descriptor {@code fd}, as {@code stty size} reports it; else the
     * LINES and COLUMNS variables; else 24 x 80.
     */
    static int[] size(int fd) {
        Path device = device(fd);
        if (device != null && isTerminalDevice(device)) {
            int[] s = stty(device);
            if (s != null) {
                return s;
            }
        }
        return new int[] {env("LINES", DEFAULT_HEIGHT), env("COLUMNS", DEFAULT_WIDTH)};
    }

    private static int[] stty(Path device) {
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(device.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return parseSize(out);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** "24 80" as {24, 80}; null for anything else (a terminal of zero size says nothing). */
    static int[] parseSize(String sttySize) {
        String[] p = sttySize.trim().split("\\s+");
        if (p.length != 2) {
            return null;
        }
        try {
            int rows = Integer.parseInt(p[0]);
            int cols = Integer.parseInt(p[1]);
            return rows > 0 && cols > 0 ? new int[] {rows, cols} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int env(String name, int fallback) {
        try {
            int v = Integer.parseInt(System.getenv().getOrDefault(name, ""));
            return v > 0 ? v : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}

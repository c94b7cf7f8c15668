package org.uuidmig.report;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * stderr on a terminal: a few status lines (the progress display) stay at the bottom, and every other line
 * (log lines, messages, and stdout's lines when stdout is the same terminal) is printed above them, never into
 * them. {@link #install} replaces System.err (and System.out) by streams that hand each whole line to this
 * console, which erases the status lines, prints the line, and draws them again below it.
 * <p>
 * Drawing uses three control sequences every terminal since the VT100 knows: carriage return, cursor up
 * ({@code ESC [ n A}) and erase to the end of the screen ({@code ESC [ J}). Each status line is cut to the width
 * less one column, so that no line wraps (a wrapped line would make the cursor-up count wrong). Unlike a scroll
 * region, nothing of this outlives the process: killed at any moment, it leaves at worst one stale frame.
 */
public final class LiveConsole {
    private static final String ERASE_DOWN = "\033[J";
    private static volatile LiveConsole current;

    private final OutputStream term;
    private final Charset charset;
    private volatile boolean sizeStale = true;
    private int width = Tty.DEFAULT_WIDTH;
    private int height = Tty.DEFAULT_HEIGHT;
    /** The status lines on the screen now; the cursor is at the end of the last one. */
    private List<String> shown = List.of();
    /** Whether the last line printed (above the status lines) has ended: status lines start on a line of their own. */
    private boolean atLineStart = true;
    private boolean closed;

    LiveConsole(OutputStream term, Charset charset, int width, int height) {
        this.term = term;
        this.charset = charset;
        this.width = width;
        this.height = height;
        this.sizeStale = false;
    }

    private LiveConsole(OutputStream term, Charset charset) {
        this.term = term;
        this.charset = charset;
    }

    /**
     * Makes stderr such a console when it is a terminal, and routes System.err (and System.out, when it is a
     * terminal too) through it. Returns it, or null when stderr is not a terminal. Call once, before anything prints.
     */
    public static synchronized LiveConsole install() {
        if (current != null) {
            return current;
        }
        if (!Tty.isTerminal(2)) {
            return null;
        }
        Charset cs = stderrCharset();
        LiveConsole console = new LiveConsole(new FileOutputStream(FileDescriptor.err), cs);
        console.watchResize();
        if (Tty.isTerminal(1)) {
            System.setOut(new PrintStream(console.lines(new FileOutputStream(FileDescriptor.out)), true, cs));
        }
        System.setErr(new PrintStream(console.lines(console.term), true, cs));
        current = console;
        return console;
    }

    /** The installed console, or null (stderr is not a terminal, or an in-process test). */
    public static LiveConsole current() {
        return current;
    }

    /** Erases the status lines for good, from whatever thread: an interrupted run prints its last line after this. */
    public static void stopCurrent() {
        LiveConsole c = current;
        if (c != null) {
            c.stop();
        }
    }

    private static Charset stderrCharset() {
        String name = System.getProperty("sun.stderr.encoding", System.getProperty("native.encoding"));
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** SIGWINCH: the size is read again before the next frame. Without the signal (not a POSIX JVM) it is read once. */
    private void watchResize() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> sizeStale = true);
        } catch (RuntimeException | LinkageError e) {
            // no such signal here: the size read at the start stays
        }
    }

    /** The terminal's width in columns. */
    public synchronized int width() {
        refreshSize();
        return width;
    }

    private void refreshSize() {
        if (sizeStale) {
            sizeStale = false;
            int[] s = Tty.size(2);
            height = s[0];
            width = s[1];
        }
    }

    /**
     * Replaces the status lines by these (an empty list erases them). Each line is cut to the width less one
     * column; no more lines than the terminal's height less one are drawn.
     */
    public synchronized void show(List<String> lines) {
        if (closed) {
            return;
        }
        refreshSize();
        List<String> fitted = new ArrayList<>();
        int max = Math.max(1, height - 1);
        for (String l : lines) {
            if (fitted.size() == max) {
                break;
            }
            fitted.add(ProgressText.fit(l, width - 1));
        }
        StringBuilder sb = new StringBuilder(erase());
        draw(sb, fitted);
        write(sb.toString().getBytes(charset));
        shown = fitted;
    }

    /** Erases the status lines; a later {@link #show} draws them again. */
    public synchronized void clear() {
        show(List.of());
    }

    /** Erases the status lines and draws none any more. */
    public synchronized void stop() {
        clear();
        closed = true;
    }

    /** Prints a line above the status lines, on stderr. */
    public synchronized void println(String line) {
        byte[] b = line.getBytes(charset);
        printLine(term, b, b.length);
    }

    /** Prints one line (without its line end) above the status lines, to the given stream (stderr's or stdout's). */
    synchronized void printLine(OutputStream target, byte[] line, int length) {
        try {
            if (!shown.isEmpty()) {
                write(erase().getBytes(charset));
            }
            flushTo(target, line, length, true);
            if (!shown.isEmpty() && !closed) {
                StringBuilder sb = new StringBuilder();
                draw(sb, shown);
                write(sb.toString().getBytes(charset));
            }
        } catch (IOException e) {
            // the terminal is gone: nothing to show it on
        }
    }

    /** Writes a line that has no end yet (a prompt) at once when no status line is in the way; else it waits for its end. */
    synchronized boolean printPartial(OutputStream target, byte[] text, int length) {
        if (!shown.isEmpty()) {
            return false;
        }
        try {
            flushTo(target, text, length, false);
        } catch (IOException e) {
            // the terminal is gone
        }
        return true;
    }

    private void flushTo(OutputStream target, byte[] bytes, int length, boolean newline) throws IOException {
        if (target != term) {
            term.flush();
        }
        target.write(bytes, 0, length);
        if (newline) {
            target.write('\n');
        }
        target.flush();
        atLineStart = newline || (length > 0 ? bytes[length - 1] == '\n' : atLineStart);
    }

    /** Moves to the start of the first status line and erases from there down (nothing when none is shown). */
    private String erase() {
        if (shown.isEmpty()) {
            return "";
        }
        return "\r" + (shown.size() > 1 ? "\033[" + (shown.size() - 1) + "A" : "") + ERASE_DOWN;
    }

    /** Appends the status lines; they start on a line of their own, below a prompt that has no line end. */
    private void draw(StringBuilder sb, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (!atLineStart) {
            sb.append('\n');
            atLineStart = true; // what is printed next goes where the status lines start
        }
        sb.append(String.join("\n", lines));
    }

    private void write(byte[] bytes) {
        try {
            term.write(bytes);
            term.flush();
        } catch (IOException e) {
            // the terminal is gone
        }
    }

    /** A stream that hands each whole line written to it to this console, for the given terminal stream. */
    OutputStream lines(OutputStream target) {
        return new LineStream(target);
    }

    private final class LineStream extends OutputStream {
        private final OutputStream target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        LineStream(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            synchronized (LiveConsole.this) {
                if (b == '\n') {
                    byte[] line = pending.toByteArray();
                    pending.reset();
                    printLine(target, line, line.length);
                } else {
                    pending.write(b);
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (LiveConsole.this) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        }

        @Override
        public void flush() {
            synchronized (LiveConsole.this) {
                if (pending.size() > 0) {
                    byte[] text = pending.toByteArray();
                    if (printPartial(target, text, text.length)) {
                        pending.reset();
                    }
                }
            }
        }
    }
}

package org.uuidmig.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a byte stream written to a terminal leaves on the screen, to check a progress display the way a person sees
 * it: a minimal VT100 of a fixed width, with unlimited scrollback and auto-wrap. It knows carriage return, line feed,
 * cursor up ({@code ESC [ n A}), erase down ({@code ESC [ J}) and erase line ({@code ESC [ K}); any other escape
 * sequence fails, so that a test notices when the program starts writing something it does not check.
 */
public final class TerminalScreen {
    private static final Pattern CSI = Pattern.compile("\033\\[(\\d*)([A-Za-z])");

    private final int width;
    private final List<StringBuilder> rows = new ArrayList<>();
    private int row;
    private int col;
    private final List<String> wrapped = new ArrayList<>();

    private TerminalScreen(int width) {
        this.width = width;
        rows.add(new StringBuilder());
    }

    /** Replays the stream on a screen {@code width} columns wide. */
    public static TerminalScreen replay(String stream, int width) {
        TerminalScreen s = new TerminalScreen(width);
        for (int i = 0; i < stream.length(); i++) {
            char ch = stream.charAt(i);
            if (ch == '\033') {
                Matcher m = CSI.matcher(stream).region(i, stream.length());
                if (!m.lookingAt()) {
                    throw new AssertionError("unknown escape sequence at " + i + ": "
                        + printable(stream.substring(i, Math.min(stream.length(), i + 12))));
                }
                s.control(m.group(2).charAt(0), m.group(1).isEmpty() ? 1 : Integer.parseInt(m.group(1)), m.group());
                i = m.end() - 1;
            } else if (ch == '\r') {
                s.col = 0;
            } else if (ch == '\n') {
                s.down();
            } else if (ch < 0x20 && ch != '\t') {
                throw new AssertionError("unexpected control character " + (int) ch + " at " + i);
            } else {
                s.put(ch);
            }
        }
        return s;
    }

    /** The screen and its scrollback, top to bottom, without trailing blanks; the trailing empty rows removed. */
    public List<String> rows() {
        List<String> out = new ArrayList<>();
        for (StringBuilder r : rows) {
            out.add(r.toString().stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** The rows the terminal had to wrap, as they stood when the text went past the last column. */
    public List<String> wrappedRows() {
        return wrapped;
    }

    /** The text of the stream between line ends, carriage returns and escape sequences: each piece written in one go. */
    public static List<String> segments(String stream) {
        List<String> out = new ArrayList<>();
        for (String s : CSI.matcher(stream).replaceAll("\r").split("[\r\n]+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    static String printable(String s) {
        return s.replace("\033", "ESC").replace("\r", "\\r").replace("\n", "\\n");
    }

    private void control(char command, int n, String seq) {
        switch (command) {
            case 'A' -> row = Math.max(0, row - n);
            case 'J' -> {
                cut(rows.get(row), col);
                while (rows.size() > row + 1) {
                    rows.remove(rows.size() - 1);
                }
            }
            case 'K' -> cut(rows.get(row), col);
            default -> throw new AssertionError("unknown escape sequence " + printable(seq));
        }
    }

    private static void cut(StringBuilder r, int at) {
        if (r.length() > at) {
            r.setLength(at);
        }
    }

    private void down() {
        row++;
        while (rows.size() <= row) {
            rows.add(new StringBuilder());
        }
    }

    private void put(char ch) {
        if (col >= width) {
            wrapped.add(rows.get(row).toString());
            down();
            col = 0;
        }
        StringBuilder r = rows.get(row);
        while (r.length() < col) {
            r.append(' ');
        }
        if (col < r.length()) {
            r.setCharAt(col, ch);
        } else {
            r.append(ch);
        }
        col++;
    }
}

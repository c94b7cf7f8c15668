package org.uuidmig.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words and numbers of the progress display, fitted to a width. Pure functions of their
 * arguments, so that the unit tests pin them: counts with thousands separators ({@code 1,234,567}),
 * speeds as whole rows per second ({@code 71,250 rows/s}), ETAs as {@code 45s}, {@code 2m 05s},
 * {@code 1h 02m}, {@code 3d 04h}, and lines that never exceed the width they are given.
 */
public final class ProgressText {
    /** The narrowest bar drawn, brackets included; narrower than that and a line drops its bar. */
    static final int MIN_BAR = 12;
    /** The widest bar drawn, brackets included: on a wide terminal the numbers stay next to it. */
    static final int MAX_BAR = 42;

    private ProgressText() {
    }

    /** 1234567 as "1,234,567", the same on every locale. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A speed as whole rows per second: "71,250 rows/s". */
    public static String rate(double rowsPerSecond) {
        return count(Math.round(Math.max(0, rowsPerSecond))) + " rows/s";
    }

    /** Whole percent done, rounded down: 100 only when done has reached total (an empty total is done). */
    public static int percent(long done, long total) {
        if (total <= 0 || done >= total) {
            return 100;
        }
        return (int) Math.max(0, Math.min(99, done * 100 / total));
    }

    /** A duration for an ETA or a step's time so far: "0s", "45s", "2m 05s", "1h 02m", "3d 04h" (rounded to whole seconds). */
    public static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", s / 86_400, (s % 86_400) / 3600);
    }

    /** How long something took, for the line that ends it: "0.4s" under a minute, else as {@link #duration}. */
    public static String elapsed(double seconds) {
        return seconds < 59.95 ? String.format(Locale.ROOT, "%.1fs", Math.max(0, seconds)) : duration(seconds);
    }

    /** An ASCII bar of exactly {@code width} columns, brackets included: "[=====>      ]", "[============]" when full. */
    public static String bar(double fraction, int width) {
        int inner = Math.max(0, width - 2);
        double f = Math.max(0, Math.min(1, fraction));
        int full = (int) Math.floor(f * inner);
        StringBuilder sb = new StringBuilder(width).append('[');
        sb.append("=".repeat(full));
        if (full < inner) {
            sb.append('>');
            sb.append(" ".repeat(inner - full - 1));
        }
        return sb.append(']').toString();
    }

    /** The text cut to at most {@code width} columns, ending in "..." when cut. */
    public static String fit(String text, int width) {
        if (width <= 0) {
            return "";
        }
        if (text.length() <= width) {
            return text;
        }
        if (width <= 3) {
            return text.substring(0, width);
        }
        return text.substring(0, width - 3) + "...";
    }

    /**
     * The run's bar line, at most {@code width} columns:
     * {@code backfill  42% [=====>      ] 1,234,567/2,940,000 rows  12,345 rows/s  ETA 2m 18s}.
     * When the width is short it drops, in turn, the speed, the counts and the ETA, then the bar.
     *
     * @param rowsPerSecond the recent speed, or a negative number while it is not known yet (no speed, no ETA)
     */
    public static String overall(long done, long total, double rowsPerSecond, int width) {
        int pct = percent(done, total);
        String head = String.format(Locale.ROOT, "backfill %3d%%", pct);
        String counts = count(Math.min(done, total)) + "/" + count(total) + " rows";
        boolean known = rowsPerSecond > 0;
        String speed = known ? rate(rowsPerSecond) : null;
        String eta = pct == 100 ? null : known ? "ETA " + duration((total - done) / rowsPerSecond) : null;
        return barLine(head, total <= 0 ? 1 : (double) Math.min(done, total) / total, counts, speed, eta, width);
    }

    /**
     * The bar line that stays when every backfill is done, at most {@code width} columns:
     * {@code backfill 100% [============] 89,050/89,050 rows  99,890 rows/s  in 0.9s}.
     */
    public static String overallDone(long total, double seconds, long rowsThisRun, int width) {
        String counts = count(total) + "/" + count(total) + " rows";
        String speed = seconds >= 0.05 && rowsThisRun > 0 ? rate(rowsThisRun / seconds) : null;
        return barLine("backfill 100%", 1, counts, speed, "in " + elapsed(seconds), width);
    }

    /** head, a bar as wide as the rest leaves (within bounds), then what fits of counts, speed and last, in that order of need. */
    private static String barLine(String head, double fraction, String counts, String speed, String last, int width) {
        List<List<String>> choices = new ArrayList<>();
        choices.add(parts(counts, speed, last));
        choices.add(parts(counts, last));
        choices.add(parts(counts));
        choices.add(parts(last));
        choices.add(List.of());
        for (List<String> tail : choices) {
            String t = String.join("  ", tail);
            int room = width - head.length() - 1 - (t.isEmpty() ? 0 : t.length() + 1);
            if (room >= MIN_BAR) {
                return head + " " + bar(fraction, Math.min(MAX_BAR, room)) + (t.isEmpty() ? "" : " " + t);
            }
        }
        return fit(head + " " + counts, width);
    }

    /**
     * An active column's line, at most {@code width} columns: {@code   chat_messages.sender_id  63%  18,900/30,015 rows}.
     *
     * @param nameWidth the names of the lines shown together are padded to this width, so that their numbers line up
     */
    public static String column(String name, int nameWidth, long done, long total, int width) {
        String pct = String.format(Locale.ROOT, "%3d%%", percent(done, total));
        String counts = count(Math.min(done, total)) + "/" + count(total) + " rows";
        String full = "  " + pct + "  " + counts;
        if (2 + Math.min(name.length(), 12) + full.length() <= width) {
            String n = fit(name, width - 2 - full.length());
            int pad = Math.min(nameWidth, width - 2 - full.length()) - n.length();
            return "  " + n + " ".repeat(Math.max(0, pad)) + full;
        }
        return fit("  " + fit(name, Math.max(4, width - 2 - pct.length() - 2)) + "  " + pct, width);
    }

    /** A running step's line, at most {@code width} columns: {@code   index chat_messages.sender_id ix_...  12s}. */
    public static String step(String label, double seconds, int width) {
        String time = seconds >= 1 ? "  " + duration(seconds) : "";
        return fit("  " + fit(label, Math.max(4, width - 2 - time.length())) + time, width);
    }

    /**
     * The plain line (not a terminal): {@code backfill: 1,234,567 of 2,940,000 rows (42%), 12,345 rows/s, ETA 2m 18s;
     * in progress: chat_messages.sender_id 63%, user_sessions.user_id 12%}.
     *
     * @param active the active columns' names and percents, as "name 63%"
     */
    public static String plain(long done, long total, double rowsPerSecond, List<String> active) {
        int pct = percent(done, total);
        StringBuilder sb = new StringBuilder("backfill: ").append(count(Math.min(done, total))).append(" of ").append(count(total))
            .append(" rows (").append(pct).append("%)");
        if (rowsPerSecond > 0) {
            sb.append(", ").append(rate(rowsPerSecond));
            if (pct < 100) {
                sb.append(", ETA ").append(duration((total - done) / rowsPerSecond));
            }
        }
        if (!active.isEmpty()) {
            sb.append("; in progress: ").append(String.join(", ", active));
        }
        return sb.toString();
    }

    /** The plain line that ends the backfills: {@code backfill: 89,050 of 89,050 rows (100%), 9 columns done in 0.9s, 99,890 rows/s}. */
    public static String finished(long rows, int columns, double seconds, long rowsThisRun) {
        return "backfill: " + count(rows) + " of " + count(rows) + " rows (100%), " + columns + (columns == 1 ? " column" : " columns")
            + " done in " + elapsed(seconds) + (seconds >= 0.05 && rowsThisRun > 0 ? ", " + rate(rowsThisRun / seconds) : "");
    }

    /** The line of backfills that stopped before the end (an error or an interruption): where they stood. */
    public static String stopped(long done, long total) {
        return "backfill: stopped at " + percent(done, total) + "% (" + count(Math.min(done, total)) + " of " + count(total)
            + " rows)";
    }

    private static List<String> parts(String... s) {
        List<String> out = new ArrayList<>();
        for (String p : s) {
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }
}

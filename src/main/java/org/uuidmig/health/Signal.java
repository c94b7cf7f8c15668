package org.uuidmig.health;

import java.util.Locale;

import org.uuidmig.config.Sizes;

/**
 * One health signal as last sampled: its value, its bound and whether it is over it. A controller reads {@link #over};
 * people read {@link #describe} (log lines, the reason a run is held back) and {@link #text} (status).
 *
 * @param kind        which signal
 * @param value       in the signal's unit (see {@link SignalKind}: a factor, seconds, bytes or a count); null when there is
 *                    nothing to measure (no standby, no slot, no transaction, no baseline) or it cannot be read
 * @param bound       the bound, in the same unit
 * @param over        whether the value is beyond the bound
 * @param detail      what the value is about, for people ("pid 4242, psql, idle in transaction", "slot 'replica_1'", "no
 *                    standby"), or null
 * @param unavailable why the signal cannot be read (a missing view or column, a privilege), or null when it can
 */
public record Signal(SignalKind kind, Double value, double bound, boolean over, String detail, String unavailable) {

    /** The short form, for log lines and the throttle reason: "replica lag 12 s > 10 s", "slot WAL 12 MB (slot 'x')". */
    public String describe() {
        if (unavailable != null) {
            return kind.words() + ": not available (" + unavailable + ")";
        }
        if (kind == SignalKind.WRAPAROUND_VACUUM) {
            return value == null || value == 0 ? kind.words() + ": none on the migrated tables" : "autovacuum to prevent wraparound on " + detail;
        }
        if (value == null) {
            return kind.words() + ": " + detail;
        }
        // "over" is the comparison, except for a latency within --latency-floor: over its factor, not over its bound
        return kind.words() + " " + show(kind, value) + (over || value > bound ? " > " : " <= ") + show(kind, bound)
            + (kind == SignalKind.LATENCY ? " baseline" : "") + (detail == null ? "" : " (" + detail + ")");
    }

    /** The line status prints: the signal, its value and what it is about, its bound, and OVER when it is over it. */
    public String text() {
        String bounded = kind == SignalKind.WRAPAROUND_VACUUM ? "bound: none on a migrated table" : "bound " + show(kind, bound);
        if (unavailable != null) {
            return kind.words() + ": not available (" + unavailable + "); " + bounded;
        }
        String what;
        if (kind == SignalKind.WRAPAROUND_VACUUM) {
            what = value == null || value == 0 ? "none on the migrated tables" : "running on " + detail;
        } else if (value == null) {
            what = detail;
        } else {
            what = show(kind, value) + (kind == SignalKind.LATENCY ? " the baseline" : "") + (detail == null ? "" : " (" + detail + ")");
        }
        return kind.words() + ": " + what + "; " + bounded + (over ? "; OVER its bound" : "");
    }

    /** A value of this kind of signal for people: "2.1x", "350 ms", "12 s", "4 min 10 s", "1.2 GB", "1". */
    public static String show(SignalKind kind, double v) {
        return switch (kind) {
            case LATENCY -> trim(String.format(Locale.ROOT, "%.1f", v)) + "x";
            case REPLICA_LAG, LONG_TRANSACTION -> seconds(v);
            case SLOT_WAL -> Sizes.describe((long) v);
            case WRAPAROUND_VACUUM -> String.valueOf((long) v);
        };
    }

    /** "0.4 ms", "350 ms", "1.5 s", "12 s", "4 min 10 s", "2 h 5 min". */
    public static String seconds(double s) {
        if (s < 1) {
            double ms = s * 1000;
            return trim(String.format(Locale.ROOT, ms < 10 ? "%.1f" : "%.0f", ms)) + " ms";
        }
        if (s < 60) {
            return trim(String.format(Locale.ROOT, s < 10 ? "%.1f" : "%.0f", s)) + " s";
        }
        long whole = (long) s;
        if (whole < 3600) {
            return whole / 60 + " min" + (whole % 60 == 0 ? "" : " " + whole % 60 + " s");
        }
        return whole / 3600 + " h" + (whole % 3600 / 60 == 0 ? "" : " " + whole % 3600 / 60 + " min");
    }

    private static String trim(String n) {
        return n.endsWith(".0") ? n.substring(0, n.length() - 2) : n;
    }
}

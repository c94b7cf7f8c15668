package org.uuidmig.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/** Durations as a person reads them, for option range messages and the live-control lines alike. */
public final class Durations {
    private Durations() {
    }

    /** "1ms", "0.4ms", "2s", "1h", "2147483647ms (24.9 days)". */
    public static String describe(Duration d) {
        if (d.compareTo(Duration.ofDays(2)) >= 0) {
            return String.format(Locale.ROOT, "%dms (%.1f days)", d.toMillis(), d.toMillis() / 86_400_000.0);
        }
        if (d.toNanos() % 1_000_000 != 0) {
            return BigDecimal.valueOf(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        }
        if (d.toMillis() % 3_600_000 == 0 && !d.isZero()) {
            return d.toHours() + "h";
        }
        if (d.toMillis() % 1000 == 0 && !d.isZero()) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}

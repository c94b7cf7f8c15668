package org.uuidmig.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses 250ms, 2s, 2sec, 1.5s, 5m, 5min, 1h, and ISO-8601 durations such as PT5S or PT1M30S (a bare number is
 * milliseconds, as in PostgreSQL's lock_timeout), exactly: 0.4ms stays 0.4 ms
 * (it is not rounded up to a valid 1 ms, nor down to 0, which PostgreSQL reads as "no timeout").
 * What range an option accepts is up to the option ({@link #outOfRange}); this converter only
 * refuses what no option could use, a duration of more than a year.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern P = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|sec|secs|m|min|mins|h|hour|hours)?");
    /** The longest duration any option takes: a year. */
    public static final Duration MAX = Duration.ofDays(366);
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(MAX.toNanos());
    /** PostgreSQL's limit for lock_timeout and statement_timeout: INT_MAX milliseconds (about 24.9 days). */
    public static final Duration POSTGRES_TIMEOUT_MAX = Duration.ofMillis(Integer.MAX_VALUE);

    @Override
    public Duration convert(String value) {
        String v = value.trim();
        if (v.regionMatches(true, 0, "PT", 0, 2)) {
            try {
                Duration d = Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
                if (d.isNegative() || d.compareTo(Duration.ofDays(366)) > 0) {
                    throw new TypeConversionException("'" + value + "' is not a duration uuidmig accepts (0 to a year)");
                }
                return d;
            } catch (java.time.format.DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 250ms, 2s, 5min, PT5S)");
            }
        }
        Matcher m = P.matcher(v);
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a duration (examples: 250ms, 2s, 5min, PT5S; a bare number "
                + "is milliseconds)");
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        long nanosPerUnit = switch (unit) {
            case "ms" -> 1_000_000L;
            case "s", "sec", "secs" -> 1_000_000_000L;
            case "m", "min", "mins" -> 60_000_000_000L;
            case "h", "hour", "hours" -> 3_600_000_000_000L;
            default -> throw new TypeConversionException("unknown unit " + unit);
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new TypeConversionException("'" + value + "' is longer than any duration uuidmig accepts (more than a year)");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** "1ms", "2.5s", "2147483647ms (24.9 days)": a duration as a person reads it, for range messages. */
    public static String describe(Duration d) {
        return org.uuidmig.config.Durations.describe(d);
    }

    /**
     * Null if value lies in [min, max]; else a message naming the option, the range
     * and the value given (the caller turns it into a usage error: exit 2, before connecting).
     */
    public static String outOfRange(String option, Duration value, Duration min, Duration max, String why) {
        if (value.compareTo(min) >= 0 && value.compareTo(max) <= 0) {
            return null;
        }
        return option + " must be between " + describe(min) + " and " + describe(max) + (why == null ? "" : " (" + why + ")")
            + ", not " + describe(value);
    }
}

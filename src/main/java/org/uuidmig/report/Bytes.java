package org.uuidmig.report;

import java.util.Locale;

/**
 * Sizes as a person reads them, in binary units with one decimal ("68.6 MiB"), the same on every locale. Wherever
 * uuidmig shows a size as text it uses this; JSON keeps the raw number of bytes beside it. (Ten lines: no library
 * on the classpath has it, and commons-io's byteCountToDisplaySize rounds down to whole units, "68 MB".)
 */
public final class Bytes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Bytes() {
    }

    /** "0 B", "512 B", "1.0 KiB", "68.6 MiB", "1.2 GiB"; a negative size keeps its sign ("-3.0 MiB"). */
    public static String human(long bytes) {
        if (bytes == Long.MIN_VALUE) {
            return "-8.0 EiB";
        }
        if (bytes < 0) {
            return "-" + human(-bytes);
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = -1;
        while (v >= 1023.95 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }
}

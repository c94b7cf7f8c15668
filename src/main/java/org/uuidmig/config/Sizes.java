package org.uuidmig.config;

import java.util.Locale;

/** Byte sizes as PostgreSQL writes them (kB, MB, GB and TB are powers of 1024), for the health lines and option messages. */
public final class Sizes {
    private Sizes() {
    }

    /** "512 bytes", "1.5 kB", "12 MB", "1 GB": at most one decimal, the unit that keeps the number under 1024. */
    public static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String n = String.format(Locale.ROOT, "%.1f", v);
        if (n.endsWith(".0")) {
            n = n.substring(0, n.length() - 2);
        }
        return n + " " + units[u];
    }
}

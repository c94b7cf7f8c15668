package org.uuidmig.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a size in bytes as PostgreSQL's memory settings are written: 1GB, 512MB, 64kB, 1.5GB, 1TB, or a bare number of
 * bytes (B, kB, MB, GB and TB, upper or lower case, with KiB, MiB, GiB and TiB as synonyms: each unit is 1024 of the one
 * below, as in PostgreSQL).
 */
public final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern P = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");

    @Override
    public Long convert(String value) {
        Matcher m = P.matcher(value.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size (examples: 1GB, 512MB, 64kB)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 0;
            case "k", "kb", "kib" -> 10;
            case "m", "mb", "mib" -> 20;
            case "g", "gb", "gib" -> 30;
            case "t", "tb", "tib" -> 40;
            default -> throw new TypeConversionException("'" + value + "': unknown unit " + m.group(2) + " (B, kB, MB, GB or TB)");
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new TypeConversionException("'" + value + "' is larger than any size uuidmig accepts");
        }
        return bytes.longValue();
    }
}

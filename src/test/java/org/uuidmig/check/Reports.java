package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.testing.TestDb.CliResult;

/** Reads validate-pre/validate-post reports (text and JSON) and asserts on their checks. */
final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "[FAIL] name: 3 - message", "[INFO] name: 68.6 MiB - message" (a size) or "[PASS] name - message" (no count). */
    private static final Pattern LINE = Pattern.compile(
        "^\\[(PASS|INFO|WARN|FAIL)] ([^\\s:]+)(?:: (-?\\d+|\\d+(?:\\.\\d)? (?:B|KiB|MiB|GiB|TiB|PiB|EiB)))? - (.*)$");

    private Reports() {
    }

    /**
     * One check of a report; status upper case as in the text output, count null when the check has none (or when the text
     * shows it as a size: then sizeText has it, "68.6 MiB").
     */
    record Check(String name, String status, Long count, String message, String sizeText) {
        Check(String name, String status, Long count, String message) {
            this(name, status, count, message, null);
        }
    }

    /** The checks of a text report, in order. */
    static List<Check> text(String out) {
        List<Check> checks = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String count = m.group(3);
                boolean size = count != null && count.contains(" ");
                checks.add(new Check(m.group(2), m.group(1), count == null || size ? null : Long.valueOf(count), m.group(4),
                    size ? count : null));
            }
        }
        return checks;
    }

    /** The parsed JSON document. */
    static JsonNode jsonDoc(String out) {
        try {
            return JSON.readTree(out);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + e.getMessage() + "\n" + out, e);
        }
    }

    /** The checks of a JSON report, in order. */
    static List<Check> json(String out) {
        List<Check> checks = new ArrayList<>();
        for (JsonNode c : jsonDoc(out).get("checks")) {
            checks.add(new Check(c.get("name").asText(), c.get("status").asText().toUpperCase(),
                c.get("count").isNull() ? null : c.get("count").asLong(), c.get("message").asText()));
        }
        return checks;
    }

    static Map<String, Check> byName(List<Check> checks) {
        Map<String, Check> m = new LinkedHashMap<>();
        for (Check c : checks) {
            if (m.put(c.name(), c) != null) {
                fail("check " + c.name() + " appears twice");
            }
        }
        return m;
    }

    /** The named check of a text report; fails when it is absent. */
    static Check check(CliResult r, String name) {
        Check c = byName(text(r.out())).get(name);
        assertNotNull(c, "no check " + name + " in\n" + r);
        return c;
    }

    /** The named check has this status, and its message contains every fragment. */
    static Check assertCheck(CliResult r, String name, String status, String... fragments) {
        Check c = check(r, name);
        assertEquals(status, c.status(), name + " in\n" + r);
        for (String f : fragments) {
            assertTrue(c.message().contains(f), name + ": message does not name " + f + ": " + c.message());
        }
        return c;
    }

    /** Exit 1, and the named check FAILs with a message naming every fragment. */
    static Check assertBlocks(CliResult r, String name, String... fragments) {
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains(" - FAILED"), r.out());
        return assertCheck(r, name, "FAIL", fragments);
    }

    /** Every check that is not PASS, as name -> status. */
    static Map<String, String> notPassing(CliResult r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Check c : text(r.out())) {
            if (!c.status().equals("PASS")) {
                m.put(c.name(), c.status());
            }
        }
        return m;
    }

    /** The planned columns, as the table_column suffixes of the column_* checks, in order. */
    static List<String> plannedColumns(CliResult r) {
        return text(r.out()).stream().map(Check::name).filter(n -> n.startsWith("column_"))
            .map(n -> n.substring("column_".length())).toList();
    }
}

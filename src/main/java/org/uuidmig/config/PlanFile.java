package org.uuidmig.config;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * A plan kept in the application's repository ({@code --plan FILE}, docs/plan-file.md), so that the CI job and the
 * operator run the same plan. JSON, written and read with Jackson:
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "schema": "public",
 *   "usersTable": "users",
 *   "oldKey": "id",
 *   "newKey": "uuid",
 *   "columns": ["chat_messages.sender_id", "request_user_assigns.user_id"]
 * }
 * }</pre>
 *
 * Only {@code columns} is required; {@code schema} absent means {@code --schema} (default public), the users table and
 * keys default to users, id and uuid, and {@code comment} is free text for people. An unknown key, a column listed twice
 * or an empty list is refused (exit 2), so that a typo cannot silently change the plan.
 *
 * @param path       the file, as given
 * @param schema     the schema of the application's tables, or null when the file does not name one
 * @param usersTable the referenced table
 * @param oldKey     its integer key
 * @param newKey     its uuid key
 * @param columns    the columns to convert, in order; never empty
 * @param comment    free text, or null
 */
public record PlanFile(Path path, String schema, String usersTable, String oldKey, String newKey, List<ColumnRef> columns,
                       String comment) {
    /** The format's version; a file with another one is refused. */
    public static final int VERSION = 1;

    /** The keys a plan file may hold, in the order {@link #write} writes them. */
    public static final List<String> KEYS = List.of("version", "comment", "schema", "usersTable", "oldKey", "newKey", "columns");

    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public PlanFile {
        columns = List.copyOf(columns);
    }

    /** The plan of these settings (schema, users table, keys, and the given resolved columns) as a plan file at path. */
    public static PlanFile of(Path path, String schema, String usersTable, String oldKey, String newKey, List<ColumnRef> columns) {
        return new PlanFile(path, schema, usersTable, oldKey, newKey, columns, null);
    }

    /** The settings this file gives: its schema wins over {@code fallbackSchema}. */
    public PlanSettings settings(String fallbackSchema) {
        return new PlanSettings(schema != null ? schema : fallbackSchema, usersTable, oldKey, newKey, columns, List.of(), false,
            path.toString());
    }

    /** Reads and checks a plan file; every problem is exit 2 with a message naming the file and what is wrong. */
    public static PlanFile read(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw error(path, "no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw error(path, "not UTF-8 text");
        } catch (IOException e) {
            throw error(path, "cannot read it: " + e.getMessage());
        }
        return parse(path, text);
    }

    /** Parses the text of a plan file (path only names it in messages). */
    public static PlanFile parse(Path path, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw error(path, "invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                + ": " + e.getOriginalMessage().replaceAll("\\s*\\n.*", ""));
        }
        if (root == null || root.isMissingNode()) {
            throw error(path, "the file is empty; it must hold a JSON object with \"columns\" (docs/plan-file.md)");
        }
        if (!root.isObject()) {
            throw error(path, "expected a JSON object with \"columns\", not " + kind(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                String near = nearest(key, KEYS);
                throw error(path, "unknown key \"" + key + "\"" + (near == null ? "" : " (did you mean \"" + near + "\"?)")
                    + "; a plan file holds " + String.join(", ", KEYS));
            }
        }
        JsonNode version = root.get("version");
        if (version != null && !(version.isIntegralNumber() && version.asInt() == VERSION && version.canConvertToInt())) {
            throw error(path, "\"version\" is " + version + "; this uuidmig reads version " + VERSION);
        }
        String comment = string(path, root, "comment", null);
        String schema = string(path, root, "schema", null);
        String usersTable = string(path, root, "usersTable", "users");
        String oldKey = string(path, root, "oldKey", "id");
        String newKey = string(path, root, "newKey", "uuid");
        if (oldKey.equals(newKey)) {
            throw error(path, "\"oldKey\" and \"newKey\" are both \"" + oldKey + "\"");
        }
        JsonNode cols = root.get("columns");
        if (cols == null) {
            throw error(path, "\"columns\" is missing: list the columns to convert, as \"table.column\"");
        }
        if (!cols.isArray()) {
            throw error(path, "\"columns\" must be an array of \"table.column\" strings, not " + kind(cols));
        }
        if (cols.isEmpty()) {
            throw error(path, "\"columns\" is empty: list at least one \"table.column\" to convert");
        }
        List<ColumnRef> columns = new ArrayList<>();
        Map<ColumnRef, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) {
            JsonNode c = cols.get(i);
            if (!c.isTextual()) {
                throw error(path, "\"columns\" entry " + (i + 1) + " must be a \"table.column\" string, not " + kind(c));
            }
            ColumnRef ref;
            try {
                ref = ColumnRef.parse(c.asText());
            } catch (UuidmigException e) {
                throw error(path, "\"columns\" entry " + (i + 1) + ": " + e.getMessage());
            }
            Integer before = seen.putIfAbsent(ref, i + 1);
            if (before != null) {
                throw error(path, "column " + ref + " is listed twice in \"columns\" (entries " + before + " and " + (i + 1) + ")");
            }
            columns.add(ref);
        }
        return new PlanFile(path, schema, usersTable, oldKey, newKey, columns, comment);
    }

    /** The file's JSON text: two-space indentation, one column per line, so that a change reads well in a diff. */
    public String json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", VERSION);
        if (comment != null) {
            doc.put("comment", comment);
        }
        if (schema != null) {
            doc.put("schema", schema);
        }
        doc.put("usersTable", usersTable);
        doc.put("oldKey", oldKey);
        doc.put("newKey", newKey);
        doc.put("columns", columns.stream().map(ColumnRef::toString).toList());
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return MAPPER.writer(pp).writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the file: to a temporary file beside it, then moved into place, so that a reader never sees half a plan.
     * A file already there is replaced. Exit 2 when the directory cannot be written.
     */
    public void write() {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        try {
            Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try {
                Files.writeString(tmp, json());
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (NoSuchFileException e) {
            throw error(path, "cannot write it: no such directory " + dir);
        } catch (IOException e) {
            throw error(path, "cannot write it: " + e);
        }
    }

    private static String string(Path path, JsonNode root, String key, String absent) {
        JsonNode v = root.get(key);
        if (v == null) {
            return absent;
        }
        if (!v.isTextual()) {
            throw error(path, "\"" + key + "\" must be a string, not " + kind(v));
        }
        if (v.asText().isEmpty() && !key.equals("comment")) {
            throw error(path, "\"" + key + "\" is empty");
        }
        return v.asText();
    }

    private static String kind(JsonNode n) {
        return n.isObject() ? "an object" : n.isArray() ? "an array" : n.isNull() ? "null" : n.isTextual() ? "a string"
            : n.isBoolean() ? "a boolean" : n.isNumber() ? "a number" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static UuidmigException error(Path path, String what) {
        return new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "plan file " + path + ": " + what);
    }

    /** The key within two edits of the unknown one (case ignored), or null. */
    static String nearest(String unknown, List<String> keys) {
        String best = null;
        int bestDistance = 3;
        for (String k : keys) {
            int d = distance(unknown.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

package org.uuidmig.testing;

import java.util.ArrayList;
import java.util.List;

import org.uuidmig.sql.SqlTokens;

/**
 * Splits SQL text into its statements, at each semicolon that is outside string literals, quoted identifiers,
 * dollar-quoted bodies ({@code $$ ... $$}, {@code $tag$ ... $tag$}) and comments, and drops the comments
 * ({@code -- ...} to the end of the line, {@code /* ... *}{@code /}). Statements are trimmed; empty ones are left out.
 * So several statements sent in one round trip and the same statements sent one by one give the same list.
 */
public final class SqlStatements {
    private SqlStatements() {
    }

    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = SqlTokens.skipQuoted(sql, i);
                cur.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length());
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated " + tag + " body in: " + sql);
                }
                cur.append(sql, i, end + tag.length());
                i = end + tag.length();
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == ';') {
                add(out, cur);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        // the comments are gone: trailing blanks they leave at line ends go too, so the text compares as sent
        String s = cur.toString().replaceAll("[ \\t]+\\n", "\n").strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    /** The dollar-quote tag starting at i ({@code $$} or {@code $name$}), or null when none starts there. */
    private static String dollarTag(String s, int i) {
        if (i > 0 && (Character.isLetterOrDigit(s.charAt(i - 1)) || s.charAt(i - 1) == '_')) {
            return null; // part of an identifier or a positional parameter such as $1
        }
        int j = i + 1;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            if (j == i + 1 && Character.isDigit(s.charAt(j))) {
                return null;
            }
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? s.substring(i, j + 1) : null;
    }
}

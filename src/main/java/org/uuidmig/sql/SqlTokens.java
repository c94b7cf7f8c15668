package org.uuidmig.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A small lexer for the SQL that PostgreSQL's deparser prints (pg_get_indexdef, pg_get_expr):
 * enough to find top-level keywords, split lists at top-level commas and rename a column,
 * while never looking inside string literals or quoted identifiers.
 */
public final class SqlTokens {
    private SqlTokens() {
    }

    /** Index of the ')' matching the '(' at open, skipping quoted text. */
    public static int matchingParen(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses in: " + s);
    }

    /** Position of the closing quote of the literal or quoted identifier starting at i. */
    public static int skipQuoted(String s, int i) {
        char q = s.charAt(i);
        for (int j = i + 1; j < s.length(); j++) {
            if (s.charAt(j) == q) {
                if (j + 1 < s.length() && s.charAt(j + 1) == q) {
                    j++;
                } else {
                    return j;
                }
            }
        }
        throw new IllegalArgumentException("unterminated quote in: " + s);
    }

    /** Splits at commas that are outside parentheses and quotes; parts are trimmed. */
    public static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(s.substring(start).trim());
        return out;
    }

    /** Position of a top-level keyword (surrounded by spaces) at or after from, or -1. */
    public static int findTopLevel(String s, String keyword, int from) {
        int depth = 0;
        String needle = " " + keyword + " ";
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && s.startsWith(needle, i)) {
                return i;
            }
        }
        return -1;
    }

    /** The identifier at the start of s (unquoted value), or null. */
    public static String leadingIdentifier(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (s.charAt(0) == '"') {
            int end = skipQuoted(s, 0);
            return s.substring(1, end).replace("\"\"", "\"");
        }
        int i = 0;
        while (i < s.length() && isIdentChar(s.charAt(i), i == 0)) {
            i++;
        }
        return i == 0 ? null : s.substring(0, i);
    }

    /** Length of the identifier token at the start of s. */
    public static int leadingIdentifierLength(String s) {
        if (s.charAt(0) == '"') {
            return skipQuoted(s, 0) + 1;
        }
        int i = 0;
        while (i < s.length() && isIdentChar(s.charAt(i), i == 0)) {
            i++;
        }
        return i;
    }

    /**
     * Replaces every reference to column {@code from} in an expression with the quoted
     * identifier {@code toQuoted}. A bare word matches when it equals the name (the deparser
     * prints lower-case names bare); a quoted identifier matches when its value equals it.
     * Words after '.' or '::' and words followed by '(' (function names) are left alone.
     */
    public static String renameColumn(String expr, String from, String toQuoted) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '\'') {
                int end = skipQuoted(expr, i);
                out.append(expr, i, end + 1);
                i = end + 1;
            } else if (c == '"' || isIdentChar(c, true)) {
                int len = leadingIdentifierLength(expr.substring(i));
                String value = leadingIdentifier(expr.substring(i));
                String prev = out.toString().stripTrailing();
                boolean qualified = prev.endsWith(".") || prev.endsWith("::");
                int after = i + len;
                while (after < expr.length() && expr.charAt(after) == ' ') {
                    after++;
                }
                boolean call = after < expr.length() && expr.charAt(after) == '(';
                if (value != null && value.equals(from) && !qualified && !call) {
                    out.append(toQuoted);
                } else {
                    out.append(expr, i, i + len);
                }
                i += len;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '.')) {
                    j++;
                }
                out.append(expr, i, j);
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isIdentChar(char c, boolean first) {
        return Character.isLetter(c) || c == '_' || (!first && (Character.isDigit(c) || c == '$'));
    }
}

package org.uuidmig.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.uuidmig.config.ColumnRef;

/**
 * The column a planned column that does not exist most likely means (issue 16 item 7): the migration guide says
 * {@code user_request_assigns}, the application's table is {@code request_user_assigns}. A candidate is a user
 * reference (a column with a single-column FK to the users table's old key) that the plan does not cover and the
 * operator did not --exclude; for a missing table, one whose table name has the same words, split on {@code _}, in any
 * order and singular or plural ({@code user_request_assign}, {@code users_requests_assigns}); for a missing column,
 * one in the same table. Candidates with the planned column's name come first.
 */
public final class LikelyColumns {
    private LikelyColumns() {
    }

    /**
     * The candidates for a planned column in state MISSING_TABLE or MISSING_COLUMN, best first; empty when there is
     * none (or for any other state).
     *
     * @param missing   the planned column that does not exist
     * @param state     MISSING_TABLE or MISSING_COLUMN
     * @param unplanned user references outside the plan (see {@link Plan#notPlannedUserReferences()})
     * @param excluded  columns the operator left out on purpose (--exclude): never suggested
     */
    public static List<ColumnRef> candidates(ColumnRef missing, ColumnState state, List<ColumnRef> unplanned, List<ColumnRef> excluded) {
        List<ColumnRef> out = new ArrayList<>();
        for (ColumnRef r : unplanned) {
            if (excluded.contains(r)) {
                continue;
            }
            boolean match = switch (state) {
                case MISSING_TABLE -> sameWords(missing.table(), r.table());
                case MISSING_COLUMN -> r.table().equals(missing.table());
                default -> false;
            };
            if (match) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing((ColumnRef r) -> !r.column().equals(missing.column())).thenComparing(ColumnRef::toString));
        return out;
    }

    /** Planned columns whose table has the same words as the missing table's (with --discover both may be planned). */
    public static List<ColumnRef> plannedWithSameWords(ColumnRef missing, List<PlannedColumn> planned) {
        return planned.stream().filter(c -> c.state() != ColumnState.MISSING_TABLE && !c.ref().equals(missing)
                && c.ref().column().equals(missing.column()) && sameWords(missing.table(), c.ref().table()))
            .map(PlannedColumn::ref).toList();
    }

    /** Whether two table names have the same words, split on underscores, in any order, singular or plural, any case. */
    public static boolean sameWords(String a, String b) {
        return !a.equals(b) && words(a).equals(words(b));
    }

    /** The name's words, each in a singular form, sorted. */
    static List<String> words(String table) {
        return Arrays.stream(table.toLowerCase(Locale.ROOT).split("_+")).filter(w -> !w.isEmpty()).map(LikelyColumns::singular)
            .sorted().toList();
    }

    /** A simple English singular: categories -> category, addresses -> address, boxes -> box, statuses -> status, users -> user, status stays. */
    static String singular(String w) {
        if (w.length() > 3 && w.endsWith("ies")) {
            return w.substring(0, w.length() - 3) + "y";
        }
        for (String s : List.of("sses", "uses", "xes", "ches", "shes", "zzes")) {
            if (w.length() > s.length() && w.endsWith(s)) {
                return w.substring(0, w.length() - 2);
            }
        }
        if (w.length() > 2 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}

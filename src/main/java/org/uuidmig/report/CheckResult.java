package org.uuidmig.report;

/**
 * One line of a validation report.
 *
 * @param name    stable check name (e.g. users_without_uuid, orphaned_chat_messages_sender_id)
 * @param status  outcome
 * @param count   the number the check is about (offending rows, objects...), or null when it has none
 * @param message one-line explanation naming the objects involved
 * @param detailQuery SQL that lists the offending rows or objects, or null
 * @param fix     suggested remedy, or null
 * @param countText how the text report shows the count (a size in human units), or null for the plain number; JSON
 *                always has the number
 * @param suggestion what the fix proposes, for programs (JSON key {@code suggestion}), or null: so far the likely column
 *                a missing planned column means ({@code missing}, {@code likely}, {@code arguments}, {@code planFile})
 */
public record CheckResult(String name, CheckStatus status, Long count, String message, String detailQuery, String fix,
                          String countText, java.util.Map<String, Object> suggestion) {

    public CheckResult(String name, CheckStatus status, Long count, String message, String detailQuery, String fix) {
        this(name, status, count, message, detailQuery, fix, null, null);
    }

    /** This result with a suggestion for programs. */
    public CheckResult withSuggestion(java.util.Map<String, Object> suggestion) {
        return new CheckResult(name, status, count, message, detailQuery, fix, countText, suggestion);
    }

    /** An INFO whose count is a number of bytes: JSON keeps the number, the text shows it in human units. */
    public static CheckResult infoBytes(String name, long bytes, String message) {
        return new CheckResult(name, CheckStatus.INFO, bytes, message, null, null, Bytes.human(bytes), null);
    }

    public static CheckResult pass(String name, Long count, String message) {
        return new CheckResult(name, CheckStatus.PASS, count, message, null, null);
    }

    public static CheckResult info(String name, Long count, String message) {
        return new CheckResult(name, CheckStatus.INFO, count, message, null, null);
    }

    public static CheckResult warn(String name, Long count, String message, String detailQuery, String fix) {
        return new CheckResult(name, CheckStatus.WARN, count, message, detailQuery, fix);
    }

    public static CheckResult fail(String name, Long count, String message, String detailQuery, String fix) {
        return new CheckResult(name, CheckStatus.FAIL, count, message, detailQuery, fix);
    }

    /** PASS when count is 0, else FAIL with the given query and fix. */
    public static CheckResult zero(String name, long count, String okMessage, String failMessage, String detailQuery,
                                   String fix) {
        return count == 0 ? pass(name, count, okMessage) : fail(name, count, failMessage, detailQuery, fix);
    }
}

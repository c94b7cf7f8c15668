package org.uuidmig.plan;

import java.util.List;

/**
 * A foreign key constraint as the catalog has it.
 *
 * @param name          constraint name
 * @param columns       referencing columns, in order
 * @param refSchema     referenced table's schema
 * @param refTable      referenced table
 * @param refColumns    referenced columns, in order
 * @param onUpdate      confupdtype: a = no action, r = restrict, c = cascade, n = set null, d = set default
 * @param onDelete      confdeltype, same letters
 * @param matchType     confmatchtype: s = simple, f = full
 * @param deferrable    DEFERRABLE
 * @param deferred      INITIALLY DEFERRED
 * @param validated     convalidated
 */
public record ForeignKey(String name, List<String> columns, String refSchema, String refTable, List<String> refColumns,
                         char onUpdate, char onDelete, char matchType, boolean deferrable, boolean deferred,
                         boolean validated) {

    /** The action clause as SQL, e.g. {@code ON UPDATE CASCADE ON DELETE SET NULL}; empty for NO ACTION on both. */
    public String actionsSql() {
        StringBuilder sb = new StringBuilder();
        if (matchType == 'f') {
            sb.append(" MATCH FULL");
        }
        if (onUpdate != 'a') {
            sb.append(" ON UPDATE ").append(action(onUpdate));
        }
        if (onDelete != 'a') {
            sb.append(" ON DELETE ").append(action(onDelete));
        }
        if (deferrable) {
            sb.append(" DEFERRABLE INITIALLY ").append(deferred ? "DEFERRED" : "IMMEDIATE");
        }
        return sb.toString().trim();
    }

    /** ON DELETE action in words, e.g. "CASCADE". */
    public String onDeleteText() {
        return action(onDelete);
    }

    public String onUpdateText() {
        return action(onUpdate);
    }

    public static String action(char c) {
        return switch (c) {
            case 'a' -> "NO ACTION";
            case 'r' -> "RESTRICT";
            case 'c' -> "CASCADE";
            case 'n' -> "SET NULL";
            case 'd' -> "SET DEFAULT";
            default -> throw new IllegalArgumentException("unknown foreign key action " + c);
        };
    }
}

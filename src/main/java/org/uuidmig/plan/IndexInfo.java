package org.uuidmig.plan;

import java.util.List;

/**
 * An index on a planned table that involves the planned column (as a key column, an INCLUDE
 * column, or inside its predicate).
 *
 * @param name             index name
 * @param definition       pg_get_indexdef() as recorded before the migration
 * @param unique           indisunique
 * @param primary          indisprimary
 * @param valid            indisvalid
 * @param constraintName   the PRIMARY KEY / UNIQUE / EXCLUDE constraint it backs, or null
 * @param constraintType   'p', 'u', 'x', or '-' when it backs no constraint
 * @param deferrable       the constraint is DEFERRABLE
 * @param deferred         the constraint is INITIALLY DEFERRED
 * @param keyColumnCount   indnkeyatts
 * @param columnPositions  0-based positions in the column list (key columns then INCLUDE columns) that are the planned column
 * @param expressionUsesColumn an index expression refers to the planned column
 * @param predicateUsesColumn  the partial-index predicate refers to the planned column
 * @param predicateOnlyNullTests every such reference in the predicate is a plain IS [NOT] NULL test
 * @param options          indoption per key column (bit 1 = DESC, bit 2 = NULLS FIRST)
 * @param columnTexts      each column (key then INCLUDE) as pg_get_indexdef(index, k, true) prints it: a name or an expression
 * @param predicate        the partial-index predicate as SQL, or null
 * @param replicaIdentity  indisreplident: the table's REPLICA IDENTITY USING INDEX is this index (the swap makes
 *                         the copy that takes its name the identity again; absent in state written by an older
 *                         uuidmig, read as false)
 */
public record IndexInfo(String name, String definition, boolean unique, boolean primary, boolean valid,
                        String constraintName, char constraintType, boolean deferrable, boolean deferred,
                        int keyColumnCount, List<Integer> columnPositions, boolean expressionUsesColumn,
                        boolean predicateUsesColumn, boolean predicateOnlyNullTests, List<Integer> options,
                        List<String> columnTexts, String predicate, boolean replicaIdentity) {

    public boolean backsConstraint() {
        return constraintName != null;
    }
}

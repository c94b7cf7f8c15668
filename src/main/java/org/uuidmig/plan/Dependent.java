package org.uuidmig.plan;

/**
 * Something in the catalog that depends on a planned column and that the migration does not
 * carry across by itself (a view, rule, policy, trigger, generated column, check constraint,
 * extended statistics, default, foreign key from another table, ...).
 *
 * @param kind        short kind, e.g. "view", "trigger", "check constraint"
 * @param description pg_describe_object() text naming it
 * @param advice      what the user can do about it
 */
public record Dependent(String kind, String description, String advice) {
}

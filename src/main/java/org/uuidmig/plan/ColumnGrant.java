package org.uuidmig.plan;

/**
 * A column-level privilege ({@code GRANT SELECT (col) ON t TO role}).
 *
 * @param grantee   role name, or PUBLIC
 * @param privilege SELECT, INSERT, UPDATE or REFERENCES
 * @param grantable WITH GRANT OPTION
 */
public record ColumnGrant(String grantee, String privilege, boolean grantable) {
}

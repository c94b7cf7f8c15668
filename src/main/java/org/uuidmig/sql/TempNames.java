package org.uuidmig.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of everything uuidmig creates. Each contains {@value #MARK}, so validate-post and
 * cleanup can find leftovers; each fits PostgreSQL's 63-byte limit (long names are cut and
 * given a hash suffix, deterministically, so a rerun finds what an earlier run made).
 */
public final class TempNames {
    public static final String MARK = "_uuidmig_";
    private static final int MAX = 63;

    private TempNames() {
    }

    /** The new uuid column beside the old one. */
    public static String shadowColumn(String column) {
        return fit(MARK + column);
    }

    /** Row trigger keeping the new column in sync; "zz" makes it fire after the application's BEFORE triggers. */
    public static String syncTrigger(String column) {
        return fit("zz" + MARK + "sync_" + column);
    }

    /**
     * Its function, in the uuidmig schema, which is shared by every table (and application schema). The name
     * starts with a hash of the exact (schema, table, column) triple, so two columns never share one: plain
     * {@code sync_<table>_<column>} gave {@code a_b.c} and {@code a.b_c} the same function, and the second
     * replaced the first. Deterministic, so a rerun finds what an earlier run made.
     */
    public static String syncFunction(String schema, String table, String column) {
        return fit("sync_" + shortHash(schema + "\u0000" + table + "\u0000" + column) + "_" + table + "_" + column);
    }

    /** The name uuidmig before 2026-11 gave the sync function (not unique across tables); the clean-up drops it if left over. */
    public static String legacySyncFunction(String table, String column) {
        return fit("sync_" + table + "_" + column);
    }

    /**
     * The deferred constraint trigger that checks each written row at its commit ({@code MigrationSql#checkFunction}).
     * It starts with "0" so that, among the AFTER triggers of one row event, it fires before PostgreSQL's own
     * {@code RI_ConstraintTrigger_c_...} (AFTER triggers fire in name order, by byte): it must complete a row inserted
     * before its user (a DEFERRABLE INITIALLY DEFERRED foreign key) before the new foreign key checks that row.
     */
    public static String checkTrigger(String column) {
        return fit("0" + MARK + "check_" + column);
    }

    /** Its function, in schema uuidmig, named like {@link #syncFunction}. */
    public static String checkFunction(String schema, String table, String column) {
        return fit("check_" + shortHash(schema + "\u0000" + table + "\u0000" + column) + "_" + table + "_" + column);
    }

    public static String ledgerInsertTrigger() {
        return "zz" + MARK + "ledger_ins";
    }

    public static String ledgerDeleteTrigger() {
        return "zz" + MARK + "ledger_del";
    }

    /** The copy of an index on the new column. */
    public static String index(String originalIndex) {
        return fit(MARK + originalIndex);
    }

    /** The CHECK (new IS NOT NULL) that makes SET NOT NULL instant. */
    public static String notNullCheck(String column) {
        return fit(MARK + "nn_" + column);
    }

    /** The new foreign key, before it takes the old one's name. */
    public static String foreignKey(String column) {
        return fit(MARK + "fk_" + column);
    }

    /** Unique index built on users(uuid) when it has none. */
    public static String usersUniqueIndex(String table, String column) {
        return usersUniqueIndex(table, column, 0);
    }

    /**
     * The n-th candidate for that index's name: {@code <table>_<column>_key}, then with 1, 2, ... appended, as
     * PostgreSQL itself names a constraint whose name is taken; migrate takes the first one that is free.
     */
    public static String usersUniqueIndex(String table, String column, int n) {
        return fit(table + "_" + column + "_key" + (n == 0 ? "" : Integer.toString(n)));
    }

    /** CHECK making users(uuid) NOT NULL when it is not. */
    public static String usersNotNullCheck(String column) {
        return fit(MARK + "nn_users_" + column);
    }

    /** Name for a new FK where the column had none, as PostgreSQL would choose it. */
    public static String defaultForeignKeyName(String table, String column) {
        return fit(table + "_" + column + "_fkey");
    }

    static String fit(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX) {
            return name;
        }
        String hash = HexFormat.of().formatHex(sha1(name)).substring(0, 8);
        StringBuilder cut = new StringBuilder();
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            String next = new String(Character.toChars(cp));
            if ((cut + next).getBytes(StandardCharsets.UTF_8).length > MAX - 9) {
                break;
            }
            cut.append(next);
            i += Character.charCount(cp);
        }
        return cut + "_" + hash;
    }

    private static String shortHash(String s) {
        return HexFormat.of().formatHex(sha1(s)).substring(0, 8);
    }

    private static byte[] sha1(String s) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

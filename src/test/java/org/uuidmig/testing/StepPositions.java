package org.uuidmig.testing;

/**
 * Positions in migrate's step list on the servicecatalog fixture, for the fault-injection tests
 * ({@code -Duuidmig.fault.haltAfterSteps=N} halts after the N-th step, run or skipped; prefer a named point,
 * {@code -Duuidmig.fault.haltAfter="STEP TARGET"}, which stays put when steps are added). With
 * --jobs above 1 the steps of the backfill region (backfill, reindex, index copies) finish in an
 * order that varies, but the count at the region's borders does not.
 * <pre>
 *  1        prepare
 *  2..10    expand (9 tables)
 * 11..19    count
 * 20..28    backfill (9 columns)
 * 29..37    reindex (9 tables)
 * 38..49    index copies (12)
 * 50        users key (already there on the fixture)
 * 51..57    NOT NULL checks (7)
 * 58..66    FKs (9)
 * 67..75    verify (9 tables)
 * 76        swap
 * 77        clean-up (then Flyway records success)
 * </pre>
 */
public final class StepPositions {
    public static final int PREPARE = 1;
    public static final int FIRST_EXPAND = 2;
    public static final int FIRST_COUNT = 11;
    public static final int FIRST_BACKFILL = 20;
    public static final int FIRST_REINDEX = 29;
    public static final int FIRST_INDEX = 38;
    public static final int USERS_KEY = 50;
    public static final int FIRST_NOT_NULL = 51;
    public static final int FIRST_FK = 58;
    public static final int FIRST_VERIFY = 67;
    public static final int SWAP = 76;
    public static final int CLEANUP = 77;

    private StepPositions() {
    }
}

package org.uuidmig.engine;

import java.util.List;
import java.util.Set;

/** Step ids, as the state tables record them and the fault points and messages name them. */
public final class StepIds {
    public static final String PREPARE = "prepare";
    public static final String EXPAND = "expand";
    public static final String COUNT = "count";
    public static final String BACKFILL = "backfill";
    public static final String REINDEX = "reindex";
    public static final String INDEX = "index";
    public static final String USERS_KEY = "users_key";
    public static final String NOT_NULL = "not_null";
    public static final String FOREIGN_KEY = "foreign_key";
    public static final String VERIFY = "verify";
    /** Opens the blue-green window (only with --phase expand); not a per-column step. */
    public static final String WINDOW = "window";
    public static final String SWAP = "swap";
    public static final String CLEANUP = "cleanup";
    public static final String DONE = "done";

    /** Order of per-column steps, to tell how far a column has come. */
    public static final List<String> ORDER = List.of(PREPARE, "planned", EXPAND, COUNT, BACKFILL, INDEX, USERS_KEY,
        NOT_NULL, FOREIGN_KEY, VERIFY, SWAP, CLEANUP, DONE);

    /** Steps after which a column holds uuids under its own name. */
    public static final Set<String> SWAPPED = Set.of(SWAP, CLEANUP, DONE);

    private StepIds() {
    }
}

package org.uuidmig.db;

import java.sql.SQLException;

/**
 * A lock not granted within a budget shared by several lock requests (the swap's): a lock timeout
 * (SQLSTATE 55P03, so {@link LockRetry} retries it) whose message names the budget rather than
 * the session's lock_timeout.
 */
public final class LockBudgetExceeded extends SQLException {
    public LockBudgetExceeded(String message, Throwable cause) {
        super(message, SqlState.LOCK_NOT_AVAILABLE, cause);
    }
}

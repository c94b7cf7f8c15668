package org.uuidmig.db;

import java.sql.SQLException;

/** The SQLSTATE codes uuidmig reacts to. */
public final class SqlState {
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    public static final String DEADLOCK_DETECTED = "40P01";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String QUERY_CANCELED = "57014";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String INVALID_AUTHORIZATION = "28000";
    public static final String INVALID_CATALOG_NAME = "3D000";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String READ_ONLY_TRANSACTION = "25006";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CANNOT_CONNECT_NOW = "57P03";

    private SqlState() {
    }

    /** True for errors that mean "try again later": lock timeout, deadlock victim, serialization failure. */
    public static boolean isRetryableLockError(SQLException e) {
        String s = e.getSQLState();
        return LOCK_NOT_AVAILABLE.equals(s) || DEADLOCK_DETECTED.equals(s) || SERIALIZATION_FAILURE.equals(s);
    }

    /** True when the connection itself is gone (class 08, or the server shutting down). */
    public static boolean isConnectionLost(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || ADMIN_SHUTDOWN.equals(s) || CANNOT_CONNECT_NOW.equals(s)
            || "57P02".equals(s));
    }
}

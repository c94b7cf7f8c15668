package org.uuidmig.db;

import java.sql.Connection;
import java.sql.SQLException;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/** Runs read-only work in one READ ONLY transaction that is always rolled back: validation never writes. */
public final class ReadOnly {
    /** The work. */
    @FunctionalInterface
    public interface Work {
        void run() throws SQLException;
    }

    private ReadOnly() {
    }

    public static void run(Connection c, String what, Work work) {
        try {
            boolean wasAuto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (var st = c.createStatement()) {
                    st.execute("SET TRANSACTION READ ONLY");
                }
                work.run();
            } finally {
                c.rollback();
                c.setAutoCommit(wasAuto);
            }
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, what + " query failed: " + e.getMessage(), e);
        }
    }
}

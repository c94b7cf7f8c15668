package org.uuidmig.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.postgresql.PGConnection;

/**
 * The server sessions this process has open (every connection {@link Database#connect} made),
 * so that an interrupted run can end them: see {@link RunLock}. Closed connections drop out.
 */
final class Sessions {
    private static final Map<Connection, Boolean> OPEN = Collections.synchronizedMap(new WeakHashMap<>());

    private Sessions() {
    }

    static void opened(Connection c) {
        OPEN.put(c, Boolean.TRUE);
    }

    /** Backend pids of the open sessions, except {@code but}'s. */
    static List<Integer> backendPids(Connection but) {
        List<Connection> all;
        synchronized (OPEN) {
            all = new ArrayList<>(OPEN.keySet());
        }
        List<Integer> pids = new ArrayList<>();
        for (Connection c : all) {
            try {
                if (c != but && !c.isClosed()) {
                    pids.add(c.unwrap(PGConnection.class).getBackendPID());
                }
            } catch (SQLException e) {
                // not a PostgreSQL connection, or already gone: nothing to end
            }
        }
        return pids;
    }
}

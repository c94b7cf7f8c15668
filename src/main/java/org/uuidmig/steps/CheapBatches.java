package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a backfill batch's transaction cheaper, set with SET LOCAL semantics (set_config(..., true)) at its start
 * so that nothing else on the connection is affected:
 * <ul>
 *   <li><b>synchronous_commit = off.</b> The batch's COMMIT returns before its WAL is flushed to disk (the WAL writer
 *   flushes it within about three wal_writer_delay, 600 ms by default). This is safe here, and only here: a server
 *   crash can lose the last batches, but each batch writes its checkpoint in the same transaction, so the lost batches
 *   and their checkpoints go together, and the rerun redoes them from the last checkpoint that survived (a batch only
 *   touches rows whose new column is still wrong, so redoing one is harmless). Nothing the application commits is
 *   affected: its transactions keep their own setting, and WAL order means a later flushed commit flushes the batch's
 *   too. A lost batch can also not make the swap wrong: the verification counts every row after the backfill.</li>
 *   <li><b>wal_compression</b> (lz4 where the server has it, else pglz), only where the server does not compress
 *   already and the role may set it: a superuser, or on PostgreSQL 15 and later a role granted SET on it
 *   ({@code has_parameter_privilege}). Otherwise it is left alone, said at debug level.</li>
 * </ul>
 * The system properties {@code uuidmig.backfill.asyncCommit=false} and {@code uuidmig.backfill.walCompression=false}
 * turn either off, for benchmarks (docs/performance.md).
 */
final class CheapBatches {
    private static final Logger LOG = LoggerFactory.getLogger(CheapBatches.class);
    private static final boolean ASYNC_COMMIT = !"false".equals(System.getProperty("uuidmig.backfill.asyncCommit"));
    private static final boolean WAL_COMPRESSION = !"false".equals(System.getProperty("uuidmig.backfill.walCompression"));

    private CheapBatches() {
    }

    /** The statement to run first in each backfill batch's transaction on {@code c}, or null for none. */
    static String forConnection(Connection c, int serverVersionNum) {
        List<String> sets = new ArrayList<>();
        if (ASYNC_COMMIT) {
            sets.add("pg_catalog.set_config('synchronous_commit', 'off', true)");
        }
        String compression = WAL_COMPRESSION ? walCompression(c, serverVersionNum) : null;
        if (compression != null) {
            sets.add("pg_catalog.set_config('wal_compression', '" + compression + "', true)");
        }
        return sets.isEmpty() ? null : "SELECT " + String.join(", ", sets);
    }

    /** The wal_compression to set, or null when the server compresses already or the role may not set it. */
    static String walCompression(Connection c, int serverVersionNum) {
        String privilege = serverVersionNum >= 150000
            ? "pg_catalog.has_parameter_privilege('wal_compression', 'SET')"
            : "(SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)";
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.setting, s.enumvals::text, " + privilege
                 + " FROM pg_catalog.pg_settings s WHERE s.name = 'wal_compression'")) {
            if (!rs.next()) {
                return null;
            }
            String setting = rs.getString(1);
            if (!"off".equals(setting)) {
                LOG.debug("wal_compression is {} on this server already: left as it is", setting);
                return null;
            }
            if (!rs.getBoolean(3)) {
                LOG.debug("wal_compression left off: the role may not set it (superuser, or on PostgreSQL 15+ GRANT SET ON "
                    + "PARAMETER wal_compression)");
                return null;
            }
            String values = rs.getString(2);
            return values != null && values.contains("lz4") ? "lz4" : "on";
        } catch (SQLException e) {
            LOG.debug("wal_compression left off: {}", e.getMessage());
            return null;
        }
    }
}

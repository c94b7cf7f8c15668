package org.uuidmig.localpg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The throwaway server demo starts when no server is reachable: PostgreSQL 17 binaries from
 * Maven Central (downloaded into ~/.m2 on the first run), initdb, start, stop, restart, gone.
 */
class LocalPostgresIT {
    @Test
    void startsConnectsRestartsAndRemovesItself() throws Exception {
        List<String> progress = new ArrayList<>();
        Path data;
        int port;
        try (LocalPostgres pg = LocalPostgres.start(LocalPostgres.DEFAULT_VERSION, progress::add)) {
            data = pg.dataDir();
            port = pg.port();
            assertTrue(Files.isDirectory(data), data.toString());
            assertTrue(query(pg, "SELECT version()").startsWith("PostgreSQL 17."), query(pg, "SELECT version()"));
            assertEquals("UTF8", query(pg, "SHOW server_encoding"));
            assertEquals("false", query(pg, "SELECT pg_is_in_recovery()::text"));

            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t AS SELECT 42 AS x");
            }
            pg.restart("fast");
            assertEquals("42", query(pg, "SELECT x::text FROM t"));
            pg.restart("immediate"); // a crash: recovery replays the table
            assertEquals("42", query(pg, "SELECT x::text FROM t"));
            pg.stop();
            assertFalse(accepting(port), "still accepting on " + port + " after stop");
            pg.start();
            assertEquals("42", query(pg, "SELECT x::text FROM t"));
        }
        assertFalse(Files.exists(data), "data directory left behind: " + data);
        assertFalse(accepting(port), "still accepting on " + port + " after close");
    }

    /** A version Maven Central does not have: one clear line naming the artifact and the URL, nothing left behind. */
    @Test
    void unknownVersionFailsClearly() {
        String v = "99.99.99";
        org.uuidmig.UuidmigException e = org.junit.jupiter.api.Assertions.assertThrows(org.uuidmig.UuidmigException.class,
            () -> LocalPostgres.start(v, msg -> { }));
        assertTrue(e.getMessage().startsWith("could not download the PostgreSQL binaries " + PgBinaries.coordinates(v) + " from https://"),
            e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertFalse(Files.exists(PgBinaries.localJar(v)), "a partial download was left in the local repository");
        assertFalse(Files.exists(PgBinaries.cacheDir().resolve(v)));
    }

    private static String query(LocalPostgres pg, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalPostgres.HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

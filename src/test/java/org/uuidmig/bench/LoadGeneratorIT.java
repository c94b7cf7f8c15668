package org.uuidmig.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;

/** Smoke test of the benchmark's load generator: a 1 s run writes rows that the verifier finds, none failed. */
@ExtendWith(PostgresExtension.class)
class LoadGeneratorIT {

    @Test
    void shortRunWritesVerifiableRows(TestDb db, @TempDir Path dir) throws Exception {
        db.loadFixture(1);
        int rc = new LoadGenerator.Run(Map.of("url", db.url(), "out", dir.toString(), "rate", "100", "threads", "3",
            "duration", "1", "warmup", "0", "quiet", "true")).call(false);
        assertEquals(0, rc, Files.readString(dir.resolve("failures.log")));
        List<LatencyStats.Tx> txs = LatencyStats.read(dir.resolve("tx.csv"));
        assertTrue(txs.size() >= 80, "transactions: " + txs.size());
        assertEquals(0, LatencyStats.of(txs).failed());
        try (Connection c = db.connect()) {
            List<WriteVerifier.Result> r = WriteVerifier.verify(c, dir.resolve("written.csv"));
            assertTrue(r.stream().mapToLong(WriteVerifier.Result::checked).sum() > 50, WriteVerifier.text(r));
            assertTrue(r.stream().allMatch(x -> x.lost() + x.wrong() + x.resurrected() == 0), WriteVerifier.text(r));
            // a row changed behind the generator's back is reported as wrong
            c.createStatement().execute("UPDATE public.chat_messages SET sender_id = sender_id % 100 + 1 WHERE id = (SELECT max(id) FROM public.chat_messages)");
            List<WriteVerifier.Result> after = WriteVerifier.verify(c, dir.resolve("written.csv"));
            assertEquals(1, after.stream().mapToLong(WriteVerifier.Result::wrong).sum(), WriteVerifier.text(after));
        }
    }
}

package org.uuidmig.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.Main;
import org.uuidmig.engine.PausePoints;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Runs;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * --metrics-port (issue 15, item 4): a migrate held after a backfill batch serves a Prometheus scrape with the metric
 * names docs/metrics.md lists and the values the database holds, and uuidmig status shows the run's last health sample;
 * after the run the port is closed and status shows no sample. The test waits for what it needs (the run at its pause
 * point, the URL line, a scrape with the batch's rows), never for a time.
 */
@ExtendWith(PostgresExtension.class)
class MetricsIT {
    private static final Pattern URL = Pattern.compile("uuidmig migrate: serving metrics at (http://127\\.0\\.0\\.1:(\\d+)/metrics)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aHeldMigrateServesItsMetricsOnAPickedPortAndStatusShowsItsHealth(TestDb db) throws Exception {
        db.loadFixture(1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter(); // a StringBuffer inside: read while the run writes
        CompletableFuture<Integer> migrate;
        String url;
        try (PausePoints.Pause batch = PausePoints.hold("batch chat_messages.sender_id")) {
            migrate = CompletableFuture.supplyAsync(() -> Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("migrate", "--url", db.url(), "--metrics-port", "0", "--jobs", "1", "--batch-size", "100",
                    "--max-batch-time", "0", "--max-xact-age", "1h"));
            Runs.awaitReached(batch, migrate, "its first batch of chat_messages.sender_id");
            Matcher m = URL.matcher(err.toString());
            assertTrue(m.find(), "the run printed where it serves its metrics: " + err);
            url = m.group(1);
            assertTrue(Integer.parseInt(m.group(2)) > 0, "port 0 picked a free port: " + url);

            long done = db.queryLong("SELECT backfill_rows FROM uuidmig.columns WHERE table_name = 'chat_messages' AND column_name = 'sender_id'");
            assertTrue(done > 0, "the held batch committed");
            String selector = "{column=\"sender_id\",table=\"chat_messages\"}";
            // each metric is read when scraped: one scrape may straddle the sample before the batch and the one after it
            String body = awaitScrape(url, b -> Double.valueOf(done).equals(value(b, "uuidmig_backfill_rows_done" + selector))
                && value(b, "uuidmig_backfill_rows_expected" + selector) != null && value(b, "uuidmig_backfill_rows_per_second") != null);
            for (String name : RunMetrics.NAMES) {
                if (!name.startsWith("uuidmig_replica_") && !name.startsWith("uuidmig_slot_")) {
                    assertTrue(body.contains("\n" + name), name + " is in the scrape:\n" + body);
                }
            }
            assertEquals(1.0, value(body, "uuidmig_step_running{step=\"backfill\",target=\"chat_messages.sender_id\"}"), body);
            assertEquals((double) db.queryLong("SELECT base_rows FROM uuidmig.tables WHERE table_name = 'chat_messages'"),
                value(body, "uuidmig_backfill_rows_expected" + selector), body);
            assertEquals(0.0, value(body, "uuidmig_backfill_column_done" + selector), body);
            assertTrue(value(body, "uuidmig_probe_latency_seconds") > 0, body);
            assertTrue(value(body, "uuidmig_probe_baseline_seconds") > 0, body);
            assertEquals(10.0, value(body, "uuidmig_health_signal_bound{signal=\"replica_lag\"}"), "--max-replica-lag's default, in seconds");
            assertEquals(3600.0, value(body, "uuidmig_health_signal_bound{signal=\"long_transaction\"}"), "--max-xact-age 1h");
            assertEquals(1.0, value(body, "uuidmig_health_signal_available{signal=\"wraparound_vacuum\"}"), body);
            assertEquals(0.0, value(body, "uuidmig_wraparound_vacuums"), body);
            assertTrue(value(body, "uuidmig_lock_attempts_total") >= 1, "every backfill batch is an attempt: " + body);
            assertNotNull(value(body, "uuidmig_lock_waits_total"), body);
            assertTrue(body.contains("# TYPE uuidmig_lock_attempts_total counter"), body);
            double throttled = value(body, "uuidmig_throttled");
            assertTrue(body.contains(throttled == 0 ? "uuidmig_throttle_info{reason=\"none\",state=\"none\"} 1"
                : "state=\"over_bound\""), body);
            assertTrue(body.contains("uuidmig_run_info{command=\"migrate\",database=\"") && body.contains("schema=\"public\"} 1"), body);

            CliResult status = db.run("status");
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.out().contains("health (the running migrate's last sample, "), status.out());
            assertTrue(status.out().contains("\n  probe latency: "), status.out());
            assertTrue(status.out().contains("\n  replica lag: "), status.out());
            assertTrue(status.out().contains("\n  long transaction: "), status.out());
            CliResult json = db.run("status", "--format", "json");
            JsonNode health = new ObjectMapper().readTree(json.out()).get("health");
            assertEquals("migrate", health.get("command").asText(), json.out());
            assertEquals(5, health.get("signals").size(), json.out());
            assertEquals("slot_wal", health.get("signals").get(2).get("signal").asText(), json.out());
        }
        assertEquals(ExitCode.OK, migrate.get(3, TimeUnit.MINUTES), () -> "migrate:\n" + out + "\n" + err);
        assertThrows(ConnectException.class, () -> scrape(url), "the run closed its endpoint");
        CliResult status = db.run("status", "--format", "json");
        assertTrue(new ObjectMapper().readTree(status.out()).get("health").isNull(), "no run, no health sample: " + status.out());
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.health"), "the monitor deleted its row");
    }

    /** A port that is taken is exit 2 before anything changes, naming the address and the options. */
    @Test
    void aTakenPortIsAUsageErrorBeforeAnythingChanges(TestDb db) throws Exception {
        db.loadFixture(1);
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            CliResult r = db.run("migrate", "--metrics-port", String.valueOf(taken.getLocalPort()));
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertTrue(r.err().contains("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + " (--metrics-host, --metrics-port)"),
                r.toString());
        }
        assertNull(db.queryString("SELECT to_regclass('uuidmig.columns')::text"), "nothing was changed");
        CliResult hostAlone = db.run("migrate", "--metrics-host", "127.0.0.1");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, hostAlone.exitCode(), hostAlone.toString());
        assertTrue(hostAlone.err().contains("--metrics-host needs --metrics-port"), hostAlone.toString());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        return "\n" + r.body();
    }

    /** Bounded poll: scrapes until the body shows what the test waits for (the monitor samples about once a second). */
    private static String awaitScrape(String url, Predicate<String> wanted) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String body;
        do {
            body = scrape(url);
            if (wanted.test(body)) {
                return body;
            }
            Thread.sleep(50); // poll interval, not synchronisation: the scrape's content is what the test waits for
        } while (System.nanoTime() < until);
        throw new AssertionError("no scrape showed what the test waits for within 60 s; the last:\n" + body);
    }

    /** The value of the sample with exactly that name and labels, or null when the scrape has none. */
    private static Double value(String body, String series) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples.get(series);
    }
}

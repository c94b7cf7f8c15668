package org.uuidmig.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/metrics.md names every metric the run serves (MetricsIT checks the scrape has them), so the table stays true. */
class MetricsDocTest {
    @Test
    void theDocsNameEveryMetric() throws Exception {
        String doc = Files.readString(Path.of("docs", "metrics.md"));
        for (String name : RunMetrics.NAMES) {
            assertTrue(doc.contains("| `" + name + "` |"), "docs/metrics.md has a row for " + name);
        }
    }
}

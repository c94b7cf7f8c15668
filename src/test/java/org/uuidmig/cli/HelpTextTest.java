package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.uuidmig.testing.TestDb.CliResult;

/** Issue 16 item 8: help texts without picocli warnings, and command summaries that are whole sentences. */
class HelpTextTest {
    @Test
    void everyCommandsHelpPrintsWithoutAWarning() {
        for (String command : List.of("migrate", "rollback", "cleanup", "validate-pre", "validate-post", "plan", "status", "demo", "pause",
            "resume", "set", "hold-swap", "release-swap")) {
            // picocli prints its warnings on System.err itself, not on the command's writer
            java.io.PrintStream saved = System.err;
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            CliResult r;
            try {
                System.setErr(new java.io.PrintStream(raw, true, java.nio.charset.StandardCharsets.UTF_8));
                r = CliResult.run(command, "--help");
            } finally {
                System.setErr(saved);
            }
            assertEquals(0, r.exitCode(), r.toString());
            String all = r.out() + r.err() + raw.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(all.contains("[picocli WARN]"), command + ": " + all);
        }
        String migrate = CliResult.run("migrate", "--help").out();
        assertTrue(migrate.contains("80%") && !migrate.contains("80%%"), migrate);
    }

    @Test
    void theTopLevelHelpListsEachCommandWithAWholeSentence() {
        CliResult r = CliResult.run("--help");
        String list = r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Exit codes"));
        // a summary is one sentence ending with a full stop (continuation lines are indented further)
        StringBuilder entry = new StringBuilder();
        for (String line : (list + "\n  end").split("\n")) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                String e = entry.toString().trim();
                if (!e.isEmpty() && !e.startsWith("help ") && !e.startsWith("Commands:")) {
                    assertTrue(e.endsWith("."), "summary cut short: " + e);
                }
                entry.setLength(0);
            }
            entry.append(' ').append(line.trim());
        }
    }
}

package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;

/**
 * Issue 16 item 8: {@code -W} without a value prompts as psql does, "Password for user NAME: ", on the terminal,
 * without echo, and the run goes on with what was typed (the test server trusts every password). Driven through a
 * pseudo-terminal (util-linux script), with the password on its input.
 */
@ExtendWith(PostgresExtension.class)
class PasswordPromptIT {
    @Test
    void dashWPromptsForThePasswordOfTheUser(TestDb db) throws Exception {
        var s = db.server();
        Path dir = TempDirs.create("uuidmig-prompt-");
        Path in = dir.resolve("typed");
        Files.writeString(in, "not-echoed-secret\n");
        Path out = dir.resolve("terminal.out");
        String command = Subprocess.command(List.of(), "status", "-h", s.host(), "-p", Integer.toString(s.port()), "-U", s.user(),
            "-d", db.name(), "-W").stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Process p = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
            .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "uuidmig did not finish");
        String screen = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), screen);
        assertTrue(screen.contains("Password for user " + s.user() + ": "), screen);
        assertTrue(screen.contains("uuidmig status: target "), screen);
        assertFalse(screen.replace("not-echoed-secret\r\n", "").contains("not-echoed-secret"),
            "the password is echoed only by script replaying its input, never by uuidmig: " + screen);
    }

    @Test
    void dashWWithoutATerminalIsAClearUsageError(TestDb db) throws Exception {
        var s = db.server();
        Subprocess.Result r = Subprocess.run(List.of(), "status", "-h", s.host(), "-p", Integer.toString(s.port()), "-U", s.user(),
            "-d", db.name(), "-W");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("no terminal to prompt on"), r.output());
    }
}

package org.uuidmig.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps running right now (several with --jobs), for the one line an interrupted run prints
 * (see {@link org.uuidmig.db.RunLock}): "step backfill (public.chat_messages.sender_id)".
 */
public final class CurrentSteps {
    private static final List<String> RUNNING = new ArrayList<>();

    private CurrentSteps() {
    }

    static synchronized void started(String step) {
        RUNNING.add(step);
    }

    static synchronized void ended(String step) {
        RUNNING.remove(step);
    }

    /** "step a (x), step b (y)", or null when no step is running. */
    public static synchronized String describe() {
        if (RUNNING.isEmpty()) {
            return null;
        }
        return String.join(", ", RUNNING);
    }

    /** A running step: its id ("backfill") and its target ("public.chat_messages.sender_id", or "" for a global step). */
    public record Running(String id, String target) {
    }

    /** The steps running now, in the order they started (for the metrics). */
    public static synchronized List<Running> running() {
        List<Running> out = new ArrayList<>();
        for (String s : RUNNING) {
            // the name is this class's own "step ID" or "step ID (TARGET)"; ids hold no space
            String rest = s.startsWith("step ") ? s.substring("step ".length()) : s;
            int space = rest.indexOf(' ');
            out.add(space < 0 ? new Running(rest, "")
                : new Running(rest.substring(0, space), rest.substring(space + 1).replaceFirst("^\\((.*)\\)$", "$1")));
        }
        return out;
    }

    /** How a step is named in that line. */
    static String name(MigrationStep step) {
        return "step " + step.id() + (step.target().isEmpty() ? "" : " (" + step.target() + ")");
    }
}

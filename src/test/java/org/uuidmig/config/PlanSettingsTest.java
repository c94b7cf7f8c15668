package org.uuidmig.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The plan options a fix prints to plan the likely column in place of a missing one: exact, and complete. */
class PlanSettingsTest {
    private static final ColumnRef MISSING = new ColumnRef("user_request_assigns", "user_id");
    private static final ColumnRef MEANT = new ColumnRef("request_user_assigns", "user_id");

    /** --column replaces the default list, so the options name all nine, with the likely one in the missing one's place. */
    @Test
    void theDefaultPlanBecomesNineColumns() {
        List<String> expected = new ArrayList<>();
        for (ColumnRef c : PlanSettings.DEFAULT_COLUMNS) {
            expected.add("--column");
            expected.add((c.equals(MISSING) ? MEANT : c).toString());
        }
        assertEquals(expected, PlanSettings.defaults("public").argumentsReplacing(MISSING, MEANT));
    }

    @Test
    void excludesAreFoldedInAndOtherOptionsKept() {
        PlanSettings s = new PlanSettings("public", "accounts", "aid", "auuid", List.of(MISSING, new ColumnRef("a", "b")),
            List.of(new ColumnRef("a", "b")), false);
        assertEquals(List.of("--column", MEANT.toString(), "--users-table", "accounts", "--old-key", "aid", "--new-key", "auuid"),
            s.argumentsReplacing(MISSING, MEANT));
        PlanSettings discover = new PlanSettings("public", "users", "id", "uuid", List.of(MISSING), List.of(new ColumnRef("a", "b")), true);
        assertEquals(List.of("--column", MEANT.toString(), "--exclude", "a.b", "--discover"), discover.argumentsReplacing(MISSING, MEANT));
    }

    @Test
    void withAPlanFileTheFileIsEditedInstead() {
        PlanSettings s = new PlanSettings("public", "users", "id", "uuid", List.of(MISSING), List.of(), false, "plan.json");
        assertNull(s.argumentsReplacing(MISSING, MEANT));
        assertEquals("leave it out: remove \"user_request_assigns.user_id\" from \"columns\" in the plan file plan.json",
            s.howToLeaveOut(MISSING));
        assertEquals("leave it out with --exclude user_request_assigns.user_id", PlanSettings.defaults("public").howToLeaveOut(MISSING));
    }

    @Test
    void shellQuoting() {
        assertEquals("chat_messages.sender_id", PlanSettings.Shell.quote("chat_messages.sender_id"));
        assertEquals("'\"Odd.Name\".user_id'", PlanSettings.Shell.quote("\"Odd.Name\".user_id"));
        assertEquals("'it'\\''s'", PlanSettings.Shell.quote("it's"));
        assertEquals("--column 'a b.c'", PlanSettings.Shell.join(List.of("--column", "a b.c")));
    }
}

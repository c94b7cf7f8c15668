package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which command lines that do not parse still ask for a JSON error object. */
class JsonRequestedTest {
    @Test
    void formatJsonInEverySpelling() {
        assertTrue(UuidmigCommand.jsonRequested(new String[] {"migrate", "--format", "json", "--bogus"}));
        assertTrue(UuidmigCommand.jsonRequested(new String[] {"migrate", "--bogus", "--format", "JSON"}));
        assertTrue(UuidmigCommand.jsonRequested(new String[] {"plan", "--format=json"}));
        assertTrue(UuidmigCommand.jsonRequested(new String[] {"plan", "--FORMAT=Json"}));
    }

    @Test
    void notAskedFor() {
        assertFalse(UuidmigCommand.jsonRequested(new String[] {"migrate", "--bogus"}));
        assertFalse(UuidmigCommand.jsonRequested(new String[] {"migrate", "--format", "text"}));
        assertFalse(UuidmigCommand.jsonRequested(new String[] {"migrate", "--format"}));
        assertFalse(UuidmigCommand.jsonRequested(new String[] {"migrate", "--", "--format", "json"}));
    }
}

package org.uuidmig.report;

/**
 * A step that one run of migrate or rollback ran to its end (a step it found done already is not one).
 *
 * @param step    the step's id
 * @param target  what it worked on (table or table.column; empty for global steps)
 * @param millis  how long it took
 */
public record StepDone(String step, String target, long millis) {
}

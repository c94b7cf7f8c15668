package org.uuidmig.report;

/** Outcome of one check. */
public enum CheckStatus {
    /** As it should be. */
    PASS,
    /** Informational: reported, never fails a run. */
    INFO,
    /** Worth a look; fails the run only with --strict. */
    WARN,
    /** Blocking: the run exits 1. */
    FAIL
}

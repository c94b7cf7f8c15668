package org.uuidmig.config;

/** The schema where uuidmig keeps its state (progress, ledger, recorded objects) and its functions. */
public final class StateSchema {
    public static final String NAME = "uuidmig";

    private StateSchema() {
    }
}

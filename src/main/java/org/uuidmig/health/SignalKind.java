package org.uuidmig.health;

/** The health signals a run watches, each with its name in metrics and JSON, its words for people and its option. */
public enum SignalKind {
    /** The probe transaction's latency as a multiple of its baseline. Value: the factor. */
    LATENCY("latency", "probe latency", "--max-latency-factor"),
    /** The replay lag of the slowest physical standby. Value: seconds. */
    REPLICA_LAG("replica_lag", "replica lag", "--max-replica-lag"),
    /** The WAL retained by the most demanding replication slot. Value: bytes. */
    SLOT_WAL("slot_wal", "slot WAL", "--max-slot-wal"),
    /** Autovacuums running to prevent wraparound on a migrated table. Value: how many; any is over the bound. */
    WRAPAROUND_VACUUM("wraparound_vacuum", "wraparound vacuum", null),
    /** The oldest transaction, other than uuidmig's, that holds back the cleanup of dead rows. Value: its age in seconds. */
    LONG_TRANSACTION("long_transaction", "long transaction", "--max-xact-age");

    private final String id;
    private final String words;
    private final String option;

    SignalKind(String id, String words, String option) {
        this.id = id;
        this.words = words;
        this.option = option;
    }

    /** "replica_lag": the signal's name in metrics labels and JSON. */
    public String id() {
        return id;
    }

    /** "replica lag": as log lines and status name it. */
    public String words() {
        return words;
    }

    /** The option that sets its bound ("--max-replica-lag"), or null when the bound is fixed. */
    public String option() {
        return option;
    }
}

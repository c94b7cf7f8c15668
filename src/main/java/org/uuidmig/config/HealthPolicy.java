package org.uuidmig.config;

import java.time.Duration;

/**
 * The bounds of the database's health signals that a migrate or rollback watches while its steps run (see
 * {@code org.uuidmig.health.HealthMonitor}): a signal beyond its bound is "over" it, which the run logs, shows in
 * {@code uuidmig status} and exports as a metric.
 *
 * @param maxLatencyFactor the probe transaction's latency, as a multiple of its baseline measured before the steps start
 * @param latencyFloor     how much slower than its baseline the probe must also be to be over its bound: on an idle
 *                         server a probe of 0.5 ms that takes 1.6 ms is 3.2x its baseline and means nothing
 * @param maxReplicaLag    the replay lag of the slowest physical standby (pg_stat_replication.replay_lag)
 * @param maxSlotWalBytes  the WAL the most demanding replication slot retains (pg_current_wal_lsn() - restart_lsn)
 * @param maxXactAge       the age of the oldest transaction, other than uuidmig's own, that holds back the cleanup of
 *                         dead rows in the database
 * @param throttle         whether the backfill slows down while a signal is over its bound (on unless --no-throttle)
 */
public record HealthPolicy(double maxLatencyFactor, Duration latencyFloor, Duration maxReplicaLag, long maxSlotWalBytes,
                           Duration maxXactAge, boolean throttle) {
    /** The bounds, with the default latency floor, as a monitor watches them; throttling is the caller's (here off). */
    public HealthPolicy(double maxLatencyFactor, Duration maxReplicaLag, long maxSlotWalBytes, Duration maxXactAge) {
        this(maxLatencyFactor, DEFAULT_LATENCY_FLOOR, maxReplicaLag, maxSlotWalBytes, maxXactAge, false);
    }

    public HealthPolicy withThrottle(boolean value) {
        return new HealthPolicy(maxLatencyFactor, latencyFloor, maxReplicaLag, maxSlotWalBytes, maxXactAge, value);
    }

    /** Default of --max-latency-factor. */
    public static final double DEFAULT_LATENCY_FACTOR = 3.0;
    /** Default of --latency-floor. */
    public static final Duration DEFAULT_LATENCY_FLOOR = Duration.ofMillis(2);
    /** Default of --max-replica-lag. */
    public static final Duration DEFAULT_REPLICA_LAG = Duration.ofSeconds(10);
    /** Default of --max-slot-wal: 1 GB (1024 MB, as PostgreSQL counts). */
    public static final long DEFAULT_SLOT_WAL = 1L << 30;
    /** Default of --max-xact-age. */
    public static final Duration DEFAULT_XACT_AGE = Duration.ofMinutes(10);
    /** The range of --max-latency-factor: below 1 every probe would be over its bound. */
    public static final double MIN_LATENCY_FACTOR = 1.0;
    public static final double MAX_LATENCY_FACTOR = 1000.0;

    /** The defaults of the bounds (--max-latency-factor, --latency-floor, --max-replica-lag, --max-slot-wal, --max-xact-age), without throttling. */
    public static HealthPolicy defaults() {
        return new HealthPolicy(DEFAULT_LATENCY_FACTOR, DEFAULT_REPLICA_LAG, DEFAULT_SLOT_WAL, DEFAULT_XACT_AGE);
    }
}

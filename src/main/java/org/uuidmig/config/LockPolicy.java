package org.uuidmig.config;

import java.time.Duration;

/**
 * How long uuidmig may make the application wait for it, and how often it tries again.
 *
 * @param lockTimeout   lock_timeout for statements that block the application while they wait (ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE)
 * @param waitTimeout   lock_timeout for statements that do not block reads or writes (CREATE INDEX CONCURRENTLY, VALIDATE, VACUUM)
 * @param lockAttempts  attempts per blocking statement before giving up (sleeps grow between them)
 * @param swapLockWait  the longest the swap (and the swap back) may wait for all its locks in one attempt; the
 *                      application queues behind it for at most this long, plus the time the swap holds them
 */
public record LockPolicy(Duration lockTimeout, Duration waitTimeout, int lockAttempts, Duration swapLockWait) {
    /** Default of --swap-lock-wait: with the time the swap holds its locks, the application's longest stall stays under 200 ms. */
    public static final Duration DEFAULT_SWAP_LOCK_WAIT = Duration.ofMillis(100);

    /** The defaults of --lock-timeout, --wait-timeout, --lock-attempts and --swap-lock-wait. */
    public static LockPolicy defaults() {
        return new LockPolicy(Duration.ofSeconds(2), Duration.ofMinutes(5), 12, DEFAULT_SWAP_LOCK_WAIT);
    }
}

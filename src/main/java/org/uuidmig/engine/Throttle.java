package org.uuidmig.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The health controller (issue 15 item 2): turns "is a health signal over its bound, and which" into a throttle level
 * that {@link RunControl} applies to the backfill's knobs, below the operator's overrides. A run starts at level
 * {@value #START_LEVEL}; it backs off at once (one level per second while a signal stays over) and ramps up slowly
 * (one level after {@value #HEALTHY_SECONDS} healthy seconds in a row), or at once to level 0 when a healthy sample saw
 * no other session busy. Level 0 is the run's options; each level halves the jobs (at least 1) and the batch time (at
 * least 20 ms; fixed batches stay fixed), and adds a pause after each batch (50 ms, doubling to 400 ms at level 4).
 * Evaluated once per control poll, about once a second.
 */
public final class Throttle {
    static final int MAX_LEVEL = 4;
    static final int HEALTHY_SECONDS = 10;
    /**
     * The level a run starts at: the first seconds at full speed, before the first sample can say anything, were a
     * large part of the application's slow transactions in the benchmark (docs/performance.md, "Calibrating the
     * throttle"); a healthy server gets the options' speed back after 2 x {@value #HEALTHY_SECONDS} s, a quiet one (no
     * other session busy) at its first sample.
     */
    public static final int START_LEVEL = 2;

    /**
     * One health sample as the controller sees it: when it was taken, why the database is unhealthy in it ("probe
     * latency 4.3x > 3x baseline") or null when it is not, and whether no other session was busy (nobody whose latency
     * the run could hurt).
     */
    public record Reading(Instant sampledAt, String overReason, boolean quiet) {
    }

    private final Supplier<Reading> readings;
    /** The sample the last evaluation acted on: the same sample read again moves nothing. */
    private Instant lastSample;
    private int level;
    private int healthyPolls;
    private String reason;
    /** Whether the last evaluation found a signal over its bound. */
    private boolean over;

    /** Whether the start level has been announced (and so applied). */
    private boolean started;

    /** @param readings the latest health sample, or null before the first */
    public Throttle(Supplier<Reading> readings) {
        this(readings, START_LEVEL);
    }

    /**
     * @param readings   the latest health sample, or null before the first
     * @param startLevel the level the run starts at, before any sample: it eases from there while healthy
     */
    public Throttle(Supplier<Reading> readings, int startLevel) {
        this.readings = readings;
        this.level = Math.max(0, Math.min(MAX_LEVEL, startLevel));
    }

    /**
     * Reads the latest sample and, when it is one this controller has not acted on yet, moves the level; returns a line
     * saying what changed and why, or null. The control poll and the health monitor both run about once a second, so a
     * poll may find the sample it acted on last time: acting on it again would back off twice (or count a healthy second
     * twice) for one reading.
     */
    synchronized String evaluate() {
        if (!started) {
            started = true;
            if (level > 0) {
                reason = "the start: it eases one level per " + HEALTHY_SECONDS + " healthy seconds";
                return "throttled (level " + level + "): " + reason;
            }
        }
        Reading r = readings.get();
        if (r == null || r.sampledAt().equals(lastSample)) {
            return null;
        }
        lastSample = r.sampledAt();
        String why = r.overReason();
        over = why != null;
        if (why != null) {
            healthyPolls = 0;
            reason = why;
            if (level < MAX_LEVEL) {
                level++;
                return "throttled (level " + level + "): " + why;
            }
            return null;
        }
        if (level > 0 && r.quiet()) {
            // the gentle start and the backing off protect other sessions' latency; with none busy there is nothing to
            // protect, and the run's own load on the probe is no reason to crawl (a server in a maintenance window)
            level = 0;
            healthyPolls = 0;
            return "throttle lifted: no other session is busy, so nobody to protect";
        }
        if (level > 0 && ++healthyPolls >= HEALTHY_SECONDS) {
            healthyPolls = 0;
            level--;
            return level == 0 ? "throttle lifted: healthy for " + HEALTHY_SECONDS + " s" : "throttle eased (level " + level
                + "): healthy for " + HEALTHY_SECONDS + " s";
        }
        return null;
    }

    synchronized int level() {
        return level;
    }

    /** The last reason a signal was over its bound, for status and the progress line. */
    synchronized String reason() {
        return level == 0 ? null : reason;
    }

    /**
     * The throttle's state for the progress display, or null at level 0: "throttled (level 2 of 4): replica lag 12 s >
     * 10 s" while a signal is over its bound, "throttled (level 1 of 4), easing: healthy for 3 s (was: ...)" once healthy.
     */
    synchronized String state() {
        if (level == 0) {
            return null;
        }
        String head = "throttled (level " + level + " of " + MAX_LEVEL + ")";
        return over ? head + ": " + reason : head + ", easing: healthy for " + healthyPolls + " s (was: " + reason + ")";
    }

    /** The options' knobs at the current level. */
    synchronized RunControl.Knobs apply(RunControl.Knobs options) {
        return apply(options, level);
    }

    static RunControl.Knobs apply(RunControl.Knobs o, int level) {
        if (level == 0) {
            return o;
        }
        int jobs = Math.max(1, o.jobs() >> level);
        Duration batch = o.maxBatchTime().isZero() ? Duration.ZERO
            : Duration.ofNanos(Math.max(Duration.ofMillis(20).toNanos(), o.maxBatchTime().toNanos() >> level));
        Duration delay = o.batchDelay().plus(Duration.ofMillis(50L << (level - 1)));
        return new RunControl.Knobs(jobs, batch, delay);
    }
}

package org.uuidmig.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The controller backs off at once while a signal is over, and ramps up after five healthy polls in a row. */
class ThrottleTest {
    private static final RunControl.Knobs OPTIONS = new RunControl.Knobs(4, Duration.ofMillis(200), Duration.ZERO);

    /** A new sample at every read, one second apart, saying what {@code over} holds then. */
    private static Throttle throttleOn(AtomicReference<String> over) {
        AtomicLong second = new AtomicLong();
        return new Throttle(() -> new Throttle.Reading(Instant.EPOCH.plusSeconds(second.incrementAndGet()), over.get(), false), 0);
    }

    @Test
    void backsOffFastAndRampsUpSlowly() {
        AtomicReference<String> over = new AtomicReference<>("replica lag 12 s > 10 s");
        Throttle t = throttleOn(over);
        assertEquals("throttled (level 1): replica lag 12 s > 10 s", t.evaluate());
        assertEquals(new RunControl.Knobs(2, Duration.ofMillis(100), Duration.ofMillis(50)), t.apply(OPTIONS));
        for (int i = 2; i <= Throttle.MAX_LEVEL; i++) {
            assertTrue(t.evaluate().startsWith("throttled (level " + i + ")"));
        }
        assertNull(t.evaluate(), "no level beyond the last");
        assertEquals(new RunControl.Knobs(1, Duration.ofMillis(20), Duration.ofMillis(400)), t.apply(OPTIONS));
        assertEquals("replica lag 12 s > 10 s", t.reason());
        assertEquals("throttled (level 4 of 4): replica lag 12 s > 10 s", t.state(), "what the progress display shows");

        over.set(null);
        for (int i = 1; i < Throttle.HEALTHY_SECONDS; i++) {
            assertNull(t.evaluate(), "still waiting for " + Throttle.HEALTHY_SECONDS + " healthy polls");
        }
        assertEquals("throttle eased (level 3): healthy for " + Throttle.HEALTHY_SECONDS + " s", t.evaluate());
        assertNull(t.evaluate());
        assertEquals("throttled (level 3 of 4), easing: healthy for 1 s (was: replica lag 12 s > 10 s)", t.state());
        over.set("probe latency 4.3x > 3x baseline");
        assertEquals("throttled (level 4): probe latency 4.3x > 3x baseline", t.evaluate(), "an unhealthy poll resets the count");
        over.set(null);
        for (int level = 3; level >= 0; level--) {
            for (int i = 1; i < Throttle.HEALTHY_SECONDS; i++) {
                assertNull(t.evaluate());
            }
            assertTrue(t.evaluate().contains(level == 0 ? "lifted" : "level " + level));
        }
        assertEquals(OPTIONS, t.apply(OPTIONS), "level 0 is the run's options");
        assertNull(t.reason());
        assertNull(t.state(), "not throttled: the display shows nothing");
    }

    /** A poll that finds the sample it acted on already moves nothing: one reading, one step. */
    @Test
    void theSameSampleReadAgainMovesNothing() {
        AtomicReference<Throttle.Reading> latest = new AtomicReference<>();
        Throttle t = new Throttle(latest::get, 0);
        assertNull(t.evaluate(), "no sample yet");
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(1), "probe latency 7.5x > 3x baseline", false));
        assertEquals("throttled (level 1): probe latency 7.5x > 3x baseline", t.evaluate());
        assertNull(t.evaluate(), "the same sample again");
        assertNull(t.evaluate(), "and again");
        assertEquals(1, t.level());
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(2), "probe latency 7.5x > 3x baseline", false));
        assertEquals("throttled (level 2): probe latency 7.5x > 3x baseline", t.evaluate(), "a new sample, still over");
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(3), null, false));
        for (int i = 0; i < 2 * Throttle.HEALTHY_SECONDS; i++) {
            assertNull(t.evaluate(), "one healthy sample read many times is one healthy second");
        }
        assertEquals(2, t.level());
    }

    /**
     * A run starts at {@link Throttle#START_LEVEL} before any sample, says so at the first poll, and eases one level per
     * {@link Throttle#HEALTHY_SECONDS} healthy samples; a signal over its bound at the start backs off from there.
     */
    @Test
    void aRunStartsGentlyAndEasesWhileHealthy() {
        AtomicReference<Throttle.Reading> latest = new AtomicReference<>();
        Throttle t = new Throttle(latest::get);
        assertEquals(Throttle.START_LEVEL, t.level(), "before the first poll");
        assertEquals(2, Throttle.START_LEVEL);
        assertEquals(new RunControl.Knobs(1, Duration.ofMillis(50), Duration.ofMillis(100)), t.apply(OPTIONS));
        assertEquals("throttled (level 2): the start: it eases one level per " + Throttle.HEALTHY_SECONDS + " healthy seconds",
            t.evaluate(), "the first poll says why, so that the run's knobs are the throttle's from its first batch");
        assertNull(t.evaluate(), "said once; no sample yet");
        assertTrue(t.state().startsWith("throttled (level 2 of 4)"), t.state());
        for (int s = 1; s <= 2 * Throttle.HEALTHY_SECONDS; s++) {
            latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(s), null, false));
            String line = t.evaluate();
            if (s == Throttle.HEALTHY_SECONDS) {
                assertEquals("throttle eased (level 1): healthy for " + Throttle.HEALTHY_SECONDS + " s", line);
            } else if (s == 2 * Throttle.HEALTHY_SECONDS) {
                assertEquals("throttle lifted: healthy for " + Throttle.HEALTHY_SECONDS + " s", line);
            } else {
                assertNull(line, "second " + s);
            }
        }
        assertEquals(OPTIONS, t.apply(OPTIONS), "the options' speed once healthy long enough");

        Throttle busy = new Throttle(latest::get);
        busy.evaluate();
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(100), "probe latency 7.5x > 3x baseline", false));
        assertEquals("throttled (level 3): probe latency 7.5x > 3x baseline", busy.evaluate(), "backs off from the start level");
    }

    /**
     * A healthy sample that saw no other session busy lifts the throttle at once, from the start level or from a backing
     * off: nobody is there to protect. A signal over its bound still backs off, quiet or not.
     */
    @Test
    void aQuietServerLiftsTheThrottleAtOnce() {
        AtomicReference<Throttle.Reading> latest = new AtomicReference<>();
        Throttle t = new Throttle(latest::get);
        t.evaluate(); // the start, level 2
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(1), null, true));
        assertEquals("throttle lifted: no other session is busy, so nobody to protect", t.evaluate());
        assertEquals(0, t.level());
        assertEquals(OPTIONS, t.apply(OPTIONS));
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(2), "slot WAL 37.2 MB > 1 byte", true));
        assertEquals("throttled (level 1): slot WAL 37.2 MB > 1 byte", t.evaluate(), "a signal over its bound backs off, quiet or not");
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(3), null, false));
        assertNull(t.evaluate(), "healthy but busy: eases only after " + Throttle.HEALTHY_SECONDS + " healthy samples");
        assertEquals(1, t.level());
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(4), null, true));
        assertEquals("throttle lifted: no other session is busy, so nobody to protect", t.evaluate());
        latest.set(new Throttle.Reading(Instant.EPOCH.plusSeconds(5), null, true));
        assertNull(t.evaluate(), "at level 0 a quiet sample changes nothing");
    }

    @Test
    void fixedBatchesStayFixed() {
        assertEquals(new RunControl.Knobs(1, Duration.ZERO, Duration.ofMillis(60)),
            Throttle.apply(new RunControl.Knobs(1, Duration.ZERO, Duration.ofMillis(10)), 1));
    }
}

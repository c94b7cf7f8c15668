package org.uuidmig.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Named points where a test holds a migration or rollback until it has done what it needs meanwhile (an
 * application write, a server restart, a terminated connection), so that tests synchronise on events instead of
 * on how long something takes. Off unless a test sets one; with none set, reaching a point costs one volatile read.
 * <p>
 * Points: {@code "before <step id>"} and {@code "before <step id> <target>"} (before a step that is not done yet
 * runs, e.g. {@code "before swap"}), {@code "after <step id>"} and {@code "after <step id> <target>"} (after it ran
 * and was recorded), {@code "batch"} and {@code "batch <table.column>"} (after a backfill batch committed),
 * {@code "control wait"} and {@code "control wait <what>"} (a thread starts waiting on the run's live control: paused
 * by an operator, the swap held, or a backfill worker beyond jobs; e.g. {@code "control wait backfill public.t.c"}). A held
 * point stops the first thread that reaches it, once, until the test releases it; later arrivals pass. uuidmig's
 * connections hold no locks and no open transaction at any of these points.
 * <p>
 * In-process tests use {@link #hold(String)}. In a separate JVM, {@code -Duuidmig.fault.pauseAt=POINT} prints
 * {@code uuidmig: paused at POINT} on stderr and waits for a line (or the end of input) on stdin.
 */
public final class PausePoints {
    private static final Map<String, Pause> HELD = new ConcurrentHashMap<>();
    private static volatile boolean armed;

    static {
        String p = System.getProperty("uuidmig.fault.pauseAt");
        if (p != null && !p.isBlank()) {
            HELD.put(p.strip(), new Pause(p.strip(), true));
            armed = true;
        }
    }

    private PausePoints() {
    }

    /** Holds the point: the first thread to reach it waits until {@link Pause#release()} or {@link Pause#close()}. */
    public static synchronized Pause hold(String point) {
        Pause p = new Pause(point, false);
        if (HELD.putIfAbsent(point, p) != null) {
            throw new IllegalStateException("pause point '" + point + "' is held already");
        }
        armed = true;
        return p;
    }

    /** True when some point is held: only then is it worth naming the point reached. */
    static boolean armed() {
        return armed;
    }

    /** Reached point, and point + " " + target when target is not empty. */
    static void reached(String point, String target) {
        if (!armed) {
            return;
        }
        arrive(point);
        if (!target.isEmpty()) {
            arrive(point + " " + target);
        }
    }

    private static void arrive(String name) {
        Pause p = HELD.get(name);
        if (p != null) {
            p.arrive();
        }
    }

    /** One held point. */
    public static final class Pause implements AutoCloseable {
        /** A held point nobody releases fails the run rather than hanging the build. */
        private static final Duration NEVER_RELEASED = Duration.ofMinutes(10);

        private final String point;
        private final boolean stdin;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Pause(String point, boolean stdin) {
            this.point = point;
            this.stdin = stdin;
        }

        private void arrive() {
            if (!taken.compareAndSet(false, true)) {
                return;
            }
            reached.countDown();
            if (stdin) {
                System.err.println("uuidmig: paused at " + point);
                System.err.flush();
                try {
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    // end of input: go on
                }
                return;
            }
            try {
                if (!released.await(NEVER_RELEASED.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("pause point '" + point + "' was not released within " + NEVER_RELEASED);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until a thread has reached the point (and is held there); false if none did within the timeout. */
        public boolean awaitReached(Duration timeout) throws InterruptedException {
            return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public boolean isReached() {
            return reached.getCount() == 0;
        }

        /** Lets the held thread go on (and any later arrival pass). */
        public void release() {
            released.countDown();
        }

        /** Releases and removes the point. */
        @Override
        public void close() {
            release();
            synchronized (PausePoints.class) {
                HELD.remove(point, this);
                armed = !HELD.isEmpty();
            }
        }
    }
}

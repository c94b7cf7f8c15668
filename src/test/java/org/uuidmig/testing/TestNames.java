package org.uuidmig.testing;

import java.security.SecureRandom;

/**
 * Names of the databases this test JVM creates on the shared server. Other copies of the suite use the same server at
 * the same time, possibly from another PID namespace (a container) where the same PID exists: the names carry the PID
 * and a random token, so no run can create, drop or read another run's database.
 */
public final class TestNames {
    /** PID and a random token, fixed for this JVM, e.g. "4711_k3x9q". */
    public static final String RUN = ProcessHandle.current().pid() + "_" + token();

    private TestNames() {
    }

    private static String token() {
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(Character.forDigit(r.nextInt(36), 36));
        }
        return sb.toString();
    }
}

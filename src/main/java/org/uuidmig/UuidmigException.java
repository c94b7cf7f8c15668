package org.uuidmig;

/**
 * An error uuidmig expected and can explain in one line. The launcher prints {@link #getMessage()}
 * on stderr and exits with {@link #exitCode()}; the stack trace only appears with --verbose.
 */
public class UuidmigException extends RuntimeException {
    private final int exitCode;

    public UuidmigException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public UuidmigException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

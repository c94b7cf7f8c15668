package org.uuidmig.report;

import java.util.List;

import org.uuidmig.ExitCode;

/**
 * The results of a validation run.
 *
 * @param command  validate-pre or validate-post
 * @param database "host:port/database"
 * @param results  every check, in the order run
 */
public record CheckReport(String command, String database, List<CheckResult> results) {

    public long count(CheckStatus status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    /** Exit code: 1 on any failure (or any warning with strict), else 0. */
    public int exitCode(boolean strict) {
        if (count(CheckStatus.FAIL) > 0 || (strict && count(CheckStatus.WARN) > 0)) {
            return ExitCode.CHECKS_FAILED;
        }
        return ExitCode.OK;
    }

    public boolean hasFailures() {
        return count(CheckStatus.FAIL) > 0;
    }
}

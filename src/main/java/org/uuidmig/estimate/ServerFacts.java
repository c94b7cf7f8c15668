package org.uuidmig.estimate;

/**
 * The server settings the estimate rests on, as the server reports them.
 *
 * @param versionNum              server_version_num
 * @param blockSize               block_size, bytes
 * @param walLevel                wal_level (minimal, replica, logical)
 * @param fullPageWrites          full_page_writes
 * @param walCompression          wal_compression (off, on, pglz, lz4, zstd)
 * @param dataChecksums           data_checksums
 * @param walLogHints             wal_log_hints
 * @param maxWalSizeBytes         max_wal_size, bytes
 * @param checkpointTimeoutSeconds checkpoint_timeout, seconds
 * @param checkpointCompletionTarget checkpoint_completion_target
 * @param horizonHolder           what holds back VACUUM on the whole server now (a transaction open for over a minute in
 *                                any database, a prepared transaction, a replication slot's xmin), or null
 */
public record ServerFacts(int versionNum, int blockSize, String walLevel, boolean fullPageWrites, String walCompression,
                          boolean dataChecksums, boolean walLogHints, long maxWalSizeBytes, long checkpointTimeoutSeconds,
                          double checkpointCompletionTarget, String horizonHolder) {

    /** WAL written between two checkpoints that max_wal_size triggers: max_wal_size / (1 + checkpoint_completion_target). */
    public long checkpointDistanceBytes() {
        return (long) (maxWalSizeBytes / (1.0 + checkpointCompletionTarget));
    }

    /** Whether full-page images are compressed (wal_compression is not off). */
    public boolean compressesFullPages() {
        return !"off".equals(walCompression);
    }

    /** Whether setting a hint bit is WAL-logged (a full-page image per page, after each checkpoint). */
    public boolean logsHints() {
        return dataChecksums || walLogHints;
    }
}

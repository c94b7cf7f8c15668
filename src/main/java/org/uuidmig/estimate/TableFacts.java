package org.uuidmig.estimate;

import java.util.List;

/**
 * One planned table, as the catalog sizes it.
 *
 * @param name           the table's name
 * @param rows           its rows: reltuples, or counted when it has no statistics
 * @param rowsCounted    the rows were counted (the table had never been analysed)
 * @param heapBytes      the main fork's size (pg_relation_size)
 * @param attributes     its attribute count, dropped columns included (the tuple header's null bitmap has one bit each)
 * @param anyNullable    a column may hold NULL (the row then carries a null bitmap)
 * @param keyset         batches walk a key (else heap page ranges)
 * @param indexes        its indexes
 */
public record TableFacts(String name, long rows, boolean rowsCounted, long heapBytes, int attributes, boolean anyNullable,
                         boolean keyset, List<IndexFacts> indexes) {

    /** Bytes of heap per row, free space and page headers included: what one dead row version holds on average. */
    public double heapBytesPerRow() {
        return rows <= 0 ? 0 : (double) heapBytes / rows;
    }

    /**
     * One index of the table.
     *
     * @param name         index name
     * @param bytes        its size (pg_relation_size)
     * @param column       the planned column it involves (its copy is built on the new column), or null
     * @param keyOrdered   it starts with the column the backfill walks, so the backfill's inserts go to its pages in order
     * @param reindexed    the reindex step rebuilds it after the backfill (valid, not planned, not an exclusion constraint's)
     * @param entryBytes   bytes of one entry now (line pointer, header and key, aligned)
     * @param copyEntryBytes bytes of one entry of its copy on the uuid column (= entryBytes for an index not planned)
     */
    public record IndexFacts(String name, long bytes, String column, boolean keyOrdered, boolean reindexed, int entryBytes,
                             int copyEntryBytes) {

        public boolean planned() {
            return column != null;
        }

        /** The copy's size: this index's size scaled by the entry width. */
        public long copyBytes() {
            return entryBytes <= 0 ? bytes : Math.round((double) bytes * copyEntryBytes / entryBytes);
        }
    }
}

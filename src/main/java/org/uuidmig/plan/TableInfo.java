package org.uuidmig.plan;

import java.util.List;

/**
 * A planned table.
 *
 * @param oid          pg_class oid
 * @param schema       schema name
 * @param name         table name
 * @param relkind      r, p, v, m, f, ...
 * @param partitionOrInherited it is a partition, a partitioned table, or takes part in inheritance
 * @param owner        owning role
 * @param keyColumns   columns of the primary key (or of a usable unique NOT NULL key), for keyset batches; empty: none
 * @param keyTypes     their types (format_type), same order
 * @param estimatedRows reltuples (-1 or 0 when never analyzed)
 * @param tableBytes   pg_table_size
 */
public record TableInfo(long oid, String schema, String name, char relkind, boolean partitionOrInherited, String owner,
                        List<String> keyColumns, List<String> keyTypes, long estimatedRows, long tableBytes) {
}

-- Pre-migration validation for the uuidmig default plan: the nine user references of the
-- migration guide (docs/validation.md). Read-only: everything runs in a READ ONLY
-- transaction that is rolled back.
--
--   psql -U servicecatalog -h localhost -p 5433 servicecatalog -f scripts/pre_migration_validation.sql
--
-- Prints one row per check: check_name | count | status. The names and counts are those of
-- `uuidmig validate-pre --format json` for the same checks, so the two can be compared line
-- by line; uuidmig checks more (column types, privileges and CREATE on the schemas,
-- default_transaction_read_only, dependent views/triggers/checks, partitioned tables, the
-- users.uuid constraints, alembic_version, replication, ...).
--   users_without_uuid             users rows whose uuid IS NULL                      FAIL if > 0
--   duplicate_user_uuids           uuid values held by more than one user             FAIL if > 0
--   orphaned_<table>_<column>      non-NULL references with no users.id               FAIL if > 0
--   duplicate_constraint_violations  groups that would collide in a unique index or
--                                  constraint on a user column once the column holds
--                                  users.uuid, plus INVALID unique indexes on it      FAIL if > 0
--   active_user_sessions           user_sessions WHERE is_active                      WARN if > 0
-- Tables are found on the search_path (public by default); for another schema run it with
-- PGOPTIONS='-c search_path=myschema'.

\set ON_ERROR_STOP on
\set QUIET on
BEGIN TRANSACTION READ ONLY;
-- pinned whatever ALTER DATABASE/ROLE ... SET says (docs/safety.md): a backslash cannot escape a quote, and a
-- row-level security policy makes a query fail instead of silently hiding rows
SET LOCAL standard_conforming_strings = on;
SET LOCAL row_security = off;

-- duplicate_constraint_violations depends on the unique indexes that exist, so its query is
-- generated from the catalog (into :dup_sql): for every valid unique index with a user column
-- among its key columns, count the key groups that occur more than once when the user column
-- is replaced by users.uuid (the other key columns as they are, only rows where every key is
-- NOT NULL, partial indexes over their own predicate); add 1 for each INVALID unique index that
-- uses a user column. Expression indexes are left out (uuidmig reports them as unsupported).
WITH planned(tbl, col) AS (
    VALUES ('chat_messages', 'sender_id'), ('message_read_states', 'user_id'),
           ('chat_read_monitors', 'user_id'), ('user_sessions', 'user_id'),
           ('service_requests', 'requester_id'), ('user_roles', 'user_id'),
           ('user_request_assigns', 'user_id'), ('region_user_assigns', 'user_id'),
           ('service_request_notes', 'created_by')
), user_column AS (
    SELECT a.attrelid AS relid, a.attnum, a.attname
      FROM planned p
      JOIN pg_catalog.pg_attribute a ON a.attrelid = to_regclass(quote_ident(p.tbl)) AND a.attname = p.col
     WHERE NOT a.attisdropped
), unique_index AS (
    SELECT uc.*, i.indexrelid, i.indisvalid, i.indexprs IS NULL AS plain, i.indnkeyatts,
           i.indkey AS keys, -- int2vector: subscripts start at 0
           pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate
      FROM user_column uc
      JOIN pg_catalog.pg_index i ON i.indrelid = uc.relid AND i.indisunique
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     WHERE ic.relname NOT LIKE '\_uuidmig\_%'
       AND (uc.attnum = ANY (i.indkey) -- a key or INCLUDE column, else used in an expression or the predicate:
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = i.indexrelid
                          AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = uc.relid
                          AND d.refobjsubid = uc.attnum))
), collision AS (
    SELECT ui.*, k.exprs
      FROM unique_index ui
      CROSS JOIN LATERAL (
          SELECT array_agg(CASE WHEN ui.keys[k] = ui.attnum THEN 'u.uuid' ELSE 'x.' || quote_ident(ka.attname) END
                           ORDER BY k) AS exprs
            FROM generate_series(0, ui.indnkeyatts - 1) k
            JOIN pg_catalog.pg_attribute ka ON ka.attrelid = ui.relid AND ka.attnum = ui.keys[k]
      ) k
     WHERE ui.indisvalid AND ui.plain AND ui.attnum = ANY (ui.keys[0:ui.indnkeyatts - 1])
)
SELECT coalesce((SELECT string_agg(format(
           '(SELECT count(*) FROM (SELECT 1 FROM %s x JOIN users u ON u.id = x.%I WHERE %s GROUP BY %s HAVING count(*) > 1) g)',
           CASE WHEN predicate IS NULL THEN relid::regclass::text
                ELSE format('(SELECT * FROM %s WHERE %s)', relid::regclass, predicate) END,
           attname, array_to_string(exprs, ' IS NOT NULL AND ') || ' IS NOT NULL', array_to_string(exprs, ', ')),
           ' + ') FROM collision), '0')
       || ' + ' || (SELECT count(*) FROM unique_index WHERE NOT indisvalid) AS dup_sql
\gset

WITH checks(ord, check_name, count, warn_only) AS (
    VALUES
    (1, 'users_without_uuid', (SELECT count(*) FROM users WHERE uuid IS NULL), false),
    (2, 'duplicate_user_uuids',
        (SELECT count(*) FROM (SELECT uuid FROM users WHERE uuid IS NOT NULL GROUP BY uuid HAVING count(*) > 1) d), false),
    (3, 'orphaned_chat_messages_sender_id', (SELECT count(*) FROM chat_messages x
        WHERE x.sender_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.sender_id)), false),
    (4, 'orphaned_message_read_states_user_id', (SELECT count(*) FROM message_read_states x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (5, 'orphaned_chat_read_monitors_user_id', (SELECT count(*) FROM chat_read_monitors x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (6, 'orphaned_user_sessions_user_id', (SELECT count(*) FROM user_sessions x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (7, 'orphaned_service_requests_requester_id', (SELECT count(*) FROM service_requests x
        WHERE x.requester_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.requester_id)), false),
    (8, 'orphaned_user_roles_user_id', (SELECT count(*) FROM user_roles x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (9, 'orphaned_user_request_assigns_user_id', (SELECT count(*) FROM user_request_assigns x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (10, 'orphaned_region_user_assigns_user_id', (SELECT count(*) FROM region_user_assigns x
        WHERE x.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)), false),
    (11, 'orphaned_service_request_notes_created_by', (SELECT count(*) FROM service_request_notes x
        WHERE x.created_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.created_by)), false),
    (12, 'duplicate_constraint_violations', (:dup_sql)::bigint, false),
    (13, 'active_user_sessions', (SELECT count(*) FROM user_sessions WHERE is_active), true)
)
SELECT check_name, count, CASE WHEN count = 0 THEN 'PASS' WHEN warn_only THEN 'WARN' ELSE 'FAIL' END AS status
  FROM checks
 ORDER BY ord;

ROLLBACK;

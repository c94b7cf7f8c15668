-- post_migration_validation.sql: the checks of `uuidmig validate-post`, for psql.
--
--   psql -U servicecatalog -h localhost -p 5433 servicecatalog -f scripts/post_migration_validation.sql
--
-- One row per check, with the same names, order and counts as `uuidmig validate-post --format json`:
-- check | status (PASS or FAIL) | count | detail (what is wrong, naming the objects; or what was proved).
-- It compares the database with what `uuidmig migrate` recorded before it changed anything, in the
-- uuidmig schema (uuidmig.columns.original: each column's type, NULL-ness, FK, indexes and comment
-- before the migration; uuidmig.tables: row counts and the ledger of the application's writes;
-- uuidmig.users_table: the referenced users table and its keys). Without that record (never migrated)
-- it checks the default plan's nine columns and reports them. Read-only: one REPEATABLE READ READ ONLY
-- transaction, rolled back at the end. psql's exit status does not reflect the checks; for CI use
-- `uuidmig validate-post` (exit 1 when a check fails). See docs/validation-post.md.
\set ON_ERROR_STOP on
\set QUIET on
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
-- pinned whatever ALTER DATABASE/ROLE ... SET says (docs/safety.md): a backslash cannot escape a quote, and a
-- row-level security policy makes a query fail instead of silently hiding rows
SET LOCAL standard_conforming_strings = on;
SET LOCAL row_security = off;
-- the query below is large and cheap: JIT compiling it would take many seconds for nothing
SET LOCAL jit = off;
SELECT to_regclass('uuidmig.columns') IS NOT NULL AND to_regclass('uuidmig.tables') IS NOT NULL
       AND to_regclass('uuidmig.users_table') IS NOT NULL AS uuidmig_recorded \gset
\if :uuidmig_recorded
SELECT EXISTS (SELECT 1 FROM uuidmig.columns) AS uuidmig_recorded \gset
\endif


\if :uuidmig_recorded
WITH
-- the referenced users table as migrate recorded it
users_t AS (
    SELECT u.table_schema AS schema, u.table_name AS name, u.original->>'oldKey' AS old_key,
           u.original->>'newKey' AS new_key, to_regclass(format('%I.%I', u.table_schema, u.table_name)) AS rel
      FROM uuidmig.users_table u
     ORDER BY u.table_schema, u.table_name
     LIMIT 1),
-- each migrated column: as recorded (o) and as it is now
cur AS (
    SELECT c.position, c.table_schema, c.table_name, c.column_name, c.step, c.original AS o,
           c.table_name || '.' || c.column_name AS ref,
           to_regclass(format('%I.%I', c.table_schema, c.table_name)) AS rel,
           a.attnum, t.typname, a.attnotnull
      FROM uuidmig.columns c
      LEFT JOIN pg_catalog.pg_attribute a
             ON a.attrelid = to_regclass(format('%I.%I', c.table_schema, c.table_name))
            AND a.attname = c.column_name AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid),
-- per table: counts recorded by migrate, rows now, statistics counters now
tab AS (
    SELECT m.*, s.n_tup_ins, s.n_tup_del,
           coalesce(m.ledger_inserted, 0) AS ins, coalesce(m.ledger_deleted, 0) AS del,
           CASE WHEN to_regclass(format('%I.%I', m.table_schema, m.table_name)) IS NOT NULL THEN
               (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', m.table_schema, m.table_name),
                                                    false, true, '')))[1]::text::bigint
           END AS rows_now
      FROM uuidmig.tables m
      LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = to_regclass(format('%I.%I', m.table_schema, m.table_name))),
tab2 AS (
    SELECT tab.*, rows_now - end_rows AS diff,
           CASE WHEN n_tup_ins IS NULL OR stat_ins_at_end IS NULL THEN 0 ELSE greatest(0, n_tup_ins - stat_ins_at_end) END AS since_ins,
           CASE WHEN n_tup_del IS NULL OR stat_ins_at_end IS NULL THEN 0 ELSE greatest(0, n_tup_del - coalesce(stat_del_at_end, 0)) END AS since_del,
           CASE WHEN ins + del = 0 THEN ''
                ELSE ' (' || coalesce(base_rows, 0) || ' at the start, +' || ins || ' inserted and -' || del
                     || ' deleted by the application during the migration)' END AS during
      FROM tab),
-- foreign keys on each column now, and the FK to users(old key) recorded before the migration
fk_now AS (
    SELECT c.position, con.conname AS name, con.confupdtype::text AS u, con.confdeltype::text AS d,
           con.confmatchtype::text AS m, con.condeferrable AS dfr, con.condeferred AS dfd, con.convalidated AS valid,
           (con.confrelid = us.rel AND array_length(con.conkey, 1) = 1 AND array_length(con.confkey, 1) = 1
               AND (SELECT a.attname FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = con.confrelid AND a.attnum = con.confkey[1]) = us.new_key) AS to_new,
           (con.confrelid = us.rel AND array_length(con.conkey, 1) = 1 AND array_length(con.confkey, 1) = 1
               AND (SELECT a.attname FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = con.confrelid AND a.attnum = con.confkey[1]) = us.old_key) AS to_old
      FROM cur c CROSS JOIN users_t us
      JOIN pg_catalog.pg_constraint con ON con.contype = 'f' AND con.conrelid = c.rel AND c.attnum = ANY (con.conkey)),
fk_before AS (
    SELECT DISTINCT ON (c.position) c.position, f->>'name' AS name, f->>'onUpdate' AS u, f->>'onDelete' AS d,
           f->>'matchType' AS m, (f->>'deferrable')::boolean AS dfr, (f->>'deferred')::boolean AS dfd, true AS valid
      FROM cur c CROSS JOIN users_t us CROSS JOIN LATERAL jsonb_array_elements(c.o->'foreignKeys') f
     WHERE jsonb_array_length(f->'columns') = 1 AND f->>'refSchema' = us.schema AND f->>'refTable' = us.name
       AND f->'refColumns' = jsonb_build_array(us.old_key)
     ORDER BY c.position, f->>'name'),
-- the action clause as migrate writes it (ForeignKey.actionsSql): MATCH FULL, ON UPDATE, ON DELETE, DEFERRABLE
fk_actions AS (
    SELECT k.kind, k.position, k.name, k.valid,
           trim(concat(CASE WHEN k.m = 'f' THEN ' MATCH FULL' END,
                       CASE WHEN k.u <> 'a' THEN ' ON UPDATE ' || act.u END,
                       CASE WHEN k.d <> 'a' THEN ' ON DELETE ' || act.d END,
                       CASE WHEN k.dfr THEN ' DEFERRABLE INITIALLY ' || CASE WHEN k.dfd THEN 'DEFERRED' ELSE 'IMMEDIATE' END END)) AS actions
      FROM (SELECT 'now' AS kind, position, name, u, d, m, dfr, dfd, valid FROM fk_now WHERE to_new
            UNION ALL
            SELECT 'before', position, name, u, d, m, dfr, dfd, valid FROM fk_before) k
      CROSS JOIN LATERAL (SELECT
           CASE k.u WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS u,
           CASE k.d WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS d) act),
-- each index recorded before the migration, and the index of that name on the column now
idx AS (
    SELECT c.position, c.ref, c.table_name, c.typname, i.ord, i.v->>'name' AS name, i.v->>'definition' AS def,
           i.v->>'constraintType' IN ('p', 'u') AS is_constraint, i.v->>'constraintType' AS ctype,
           i.v->>'constraintName' AS cname, (i.v->>'deferrable')::boolean AS dfr, (i.v->>'deferred')::boolean AS dfd,
           now_i.indexrelid IS NOT NULL AS found, now_i.def AS def_now, now_i.indisvalid AS valid,
           coalesce(now_i.contype, '-') AS ctype_now, now_i.conname AS cname_now,
           now_i.condeferrable AS dfr_now, now_i.condeferred AS dfd_now,
           coalesce((i.v->>'replicaIdentity')::boolean, false) AS ri, now_i.indisreplident AS ri_now,
           (SELECT CASE t.relreplident WHEN 'd' THEN 'DEFAULT' WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL'
                   ELSE 'USING INDEX ' || coalesce((SELECT pg_catalog.quote_ident(ric.relname) FROM pg_catalog.pg_index ri
                         JOIN pg_catalog.pg_class ric ON ric.oid = ri.indexrelid WHERE ri.indrelid = t.oid AND ri.indisreplident),
                         'an index that no longer exists') END
              FROM pg_catalog.pg_class t WHERE t.oid = c.rel) AS ident_now
      FROM cur c
      CROSS JOIN LATERAL jsonb_array_elements(c.o->'indexes') WITH ORDINALITY i(v, ord)
      LEFT JOIN LATERAL (
          SELECT x.indexrelid, pg_catalog.pg_get_indexdef(x.indexrelid) AS def, x.indisvalid, con.contype::text AS contype,
                 con.conname::text AS conname, coalesce(con.condeferrable, false) AS condeferrable,
                 coalesce(con.condeferred, false) AS condeferred, x.indisreplident
            FROM pg_catalog.pg_index x
            JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
            LEFT JOIN pg_catalog.pg_constraint con
                   ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')
           WHERE x.indrelid = c.rel AND ic.relname = i.v->>'name' AND c.attnum IS NOT NULL
             AND (c.attnum = ANY (x.indkey::int2[])
                  OR coalesce(x.indexprs::text, '') ~ ('\{VAR :varno 1 :varattno ' || c.attnum || ' ')
                  OR coalesce(x.indpred::text, '') ~ ('\{VAR :varno 1 :varattno ' || c.attnum || ' '))
           LIMIT 1) now_i ON true),
-- per column: NULLs now, references that join no user (only where the column is uuid)
col_counts AS (
    SELECT c.*,
           CASE WHEN c.attnum IS NOT NULL THEN
               (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I WHERE %I IS NULL',
                   c.table_schema, c.table_name, c.column_name), false, true, '')))[1]::text::bigint
           END AS nulls,
           CASE WHEN c.typname = 'uuid' THEN
               (xpath('/row/n/text()', query_to_xml(format(
                   'SELECT count(*) AS n FROM %I.%I x WHERE x.%I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %I.%I u WHERE u.%I = x.%I)',
                   c.table_schema, c.table_name, c.column_name, us.schema, us.name, us.new_key, c.column_name), false, true, '')))[1]::text::bigint
           END AS orphans,
           pg_catalog.col_description(c.rel, c.attnum) AS comment_now
      FROM cur c CROSS JOIN users_t us),
schemas AS (SELECT DISTINCT table_schema AS s FROM uuidmig.columns),
leftovers AS (
    SELECT 'column ' || t.relname || '.' || a.attname AS item FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class t ON t.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname IN (SELECT s FROM schemas) AND t.relkind IN ('r', 'p') AND a.attname LIKE '%\_uuidmig\_%'
       AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'trigger ' || g.tgname || ' on ' || t.relname FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname IN (SELECT s FROM schemas) AND g.tgname LIKE '%\_uuidmig\_%'
    UNION ALL
    SELECT 'constraint ' || con.conname || ' on ' || t.relname FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_class t ON t.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname IN (SELECT s FROM schemas) AND con.conname LIKE '%\_uuidmig\_%'
    UNION ALL
    SELECT 'index ' || ic.relname || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
     WHERE n.nspname IN (SELECT s FROM schemas) AND ic.relname LIKE '%\_uuidmig\_%'
    UNION ALL
    SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'uuidmig'
    UNION ALL
    -- the Flyway history row of the migration: table uuidmig_history.<schema> (named '#' || md5(<schema>) when the
    -- schema's name has a double quote, starts with '#' or is over 57 bytes; an older uuidmig kept it in the
    -- application schema, as <schema>.uuidmig_schema_history)
    SELECT 'Flyway history ' || coalesce(h, format('%I.%I', 'uuidmig_history', t)) || ' has ' || state || ' for version 2025.12.04.2215'
      FROM (SELECT s, t, h, CASE WHEN h IS NULL THEN 'no history table'
                           ELSE (xpath('/row/v/text()', query_to_xml(format(
                               'SELECT coalesce((SELECT CASE WHEN success THEN %L ELSE %L END FROM %s WHERE version = %L'
                               || ' ORDER BY installed_rank DESC LIMIT 1), %L) AS v',
                               'success', 'a failed row', h, '2025.12.04.2215', 'no row'),
                               false, true, '')))[1]::text END AS state
              FROM (SELECT s, t, (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c
                                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                WHERE c.oid = coalesce(to_regclass(format('%I.%I', 'uuidmig_history', t)),
                                                       to_regclass(format('%I.%I', s, 'uuidmig_schema_history')))) AS h
                      FROM (SELECT s, CASE WHEN position('"' IN s) = 0 AND left(s, 1) <> '#' AND octet_length(s) <= 57
                                           THEN s ELSE '#' || md5(s) END AS t FROM schemas) m) x) f
     WHERE state <> 'success'
    UNION ALL
    -- Alembic's version, where the database has one
    SELECT 'alembic_version is ' || v || ', expected ed06a1b6d932'
      FROM (SELECT (xpath('/row/v/text()', query_to_xml(format(
                       'SELECT coalesce(string_agg(version_num, %L), %L) AS v FROM %I.alembic_version', ',', 'null', s),
                       false, true, '')))[1]::text AS v
              FROM schemas WHERE to_regclass(format('%I.%I', s, 'alembic_version')) IS NOT NULL) a
     WHERE v <> 'ed06a1b6d932'),
-- every finding: (check, item); a check with no finding passes
findings (check_name, sort1, sort2, item) AS (
    SELECT 'migration_state', position, 0, ref || ' at step ' || step FROM cur WHERE step <> 'done'
    UNION ALL
    SELECT 'columns_are_uuid', position, 0, ref || CASE WHEN typname IS NULL THEN ' is missing' ELSE ' is ' || typname END
      FROM cur WHERE typname IS DISTINCT FROM 'uuid'
    UNION ALL
    SELECT 'foreign_keys_reference_users_uuid', c.position, x.n, x.item
      FROM cur c CROSS JOIN users_t us
      LEFT JOIN LATERAL (SELECT count(*) AS n FROM fk_actions WHERE kind = 'now' AND position = c.position) k ON true
      LEFT JOIN LATERAL (SELECT * FROM fk_actions WHERE kind = 'now' AND position = c.position LIMIT 1) nw ON true
      LEFT JOIN LATERAL (SELECT * FROM fk_actions WHERE kind = 'before' AND position = c.position) bf ON true
      CROSS JOIN LATERAL (VALUES
          (1, CASE WHEN k.n <> 1 THEN c.ref || ' has ' || k.n || ' foreign keys to ' || us.name || '(' || us.new_key || '), expected 1' END),
          (2, CASE WHEN k.n = 1 AND EXISTS (SELECT 1 FROM fk_now f WHERE f.position = c.position AND f.to_old)
                   THEN c.ref || ' still has a foreign key to ' || us.name || '(' || us.old_key || ')' END),
          (3, CASE WHEN k.n = 1 AND NOT nw.valid THEN nw.name || ' on ' || c.ref || ' is NOT VALID' END),
          (4, CASE WHEN k.n = 1 AND nw.actions <> coalesce(bf.actions, '')
                   THEN nw.name || ' on ' || c.ref || ' has actions [' || nw.actions || '], before the migration ['
                        || coalesce(bf.actions, '') || ']' END),
          (5, CASE WHEN k.n = 1 AND bf.name IS NOT NULL AND nw.name <> bf.name
                   THEN c.ref || ': foreign key is named ' || nw.name || ', before the migration ' || bf.name END)) x(n, item)
     WHERE c.attnum IS NOT NULL AND x.item IS NOT NULL
    UNION ALL
    SELECT 'record_counts_unchanged', 0, 0, table_name || CASE
               WHEN end_rows IS NULL THEN ': no count recorded at the swap'
               WHEN rows_now IS NULL THEN ': the table is missing'
               ELSE ': ' || rows_now || ' rows, ' || end_rows || ' at the swap' || during
                    || CASE WHEN diff < 0 THEN ' - ' || -diff || ' rows missing' ELSE ' - ' || diff || ' rows more than expected' END
                    || CASE WHEN ins + del > 0 THEN '' ELSE ' on a database with no writes during the migration' END END
      FROM tab2
     WHERE end_rows IS NULL OR rows_now IS NULL
        OR (diff <> 0 AND NOT (ins + del > 0 AND diff >= -since_del AND diff <= since_ins))
    UNION ALL
    SELECT 'no_null_values', c.position, x.n, x.item
      FROM col_counts c CROSS JOIN LATERAL (VALUES
          (1, CASE WHEN (c.o->>'notNull')::boolean AND NOT c.attnotnull THEN c.ref || ' was NOT NULL and is now nullable' END),
          (2, CASE WHEN (c.o->>'notNull')::boolean AND c.nulls > 0 THEN c.ref || ' has ' || c.nulls || ' NULLs' END),
          (3, CASE WHEN NOT (c.o->>'notNull')::boolean AND c.attnotnull THEN c.ref || ' was nullable and is now NOT NULL' END)) x(n, item)
     WHERE c.attnum IS NOT NULL AND x.item IS NOT NULL
    UNION ALL
    SELECT 'foreign_key_joins', position, 0, CASE
               WHEN typname IS DISTINCT FROM 'uuid'
               THEN ref || CASE WHEN typname IS NULL THEN ' is missing' ELSE ' is still ' || typname END
                    || ': no reference to ' || (SELECT name || '(' || new_key || ')' FROM users_t) || ' to check'
               ELSE orphans || ' rows of ' || ref || ' join no user' END
      FROM col_counts WHERE typname IS DISTINCT FROM 'uuid' OR orphans > 0
    UNION ALL
    SELECT CASE WHEN is_constraint THEN 'unique_constraints_preserved' ELSE 'indexes_recreated' END, position, ord * 10 + x.n, x.item
      FROM idx CROSS JOIN LATERAL (VALUES
          (1, CASE WHEN NOT found THEN CASE WHEN ctype = 'p' THEN 'primary key ' WHEN ctype = 'u' THEN 'unique constraint ' ELSE 'index ' END
                                      || name || ' on ' || table_name || ' is missing' END),
          (2, CASE WHEN found AND def_now <> def THEN name || ' is now "' || def_now || '", before "' || def || '"' END),
          (3, CASE WHEN found AND NOT valid THEN name || ' is INVALID' END),
          (4, CASE WHEN found AND typname <> 'uuid'
                   THEN name || ' is still the index on the ' || typname || ' column ' || ref || ', not recreated on uuid' END),
          (5, CASE WHEN found AND is_constraint AND (ctype_now <> ctype OR cname_now IS DISTINCT FROM cname
                                                     OR dfr_now <> dfr OR dfd_now <> dfd)
                   THEN name || ' no longer backs the ' || CASE WHEN ctype = 'p' THEN 'primary key ' ELSE 'unique constraint ' END
                        || cname END),
          (6, CASE WHEN found AND ri AND NOT ri_now
                   THEN name || ' on ' || table_name || ' is no longer the table''s replica identity (it was REPLICA IDENTITY USING INDEX; now '
                        || 'REPLICA IDENTITY ' || coalesce(ident_now, '?') || '): UPDATE and DELETE on a published table fail' END)) x(n, item)
     WHERE x.item IS NOT NULL
    UNION ALL
    SELECT 'column_comments_preserved', position, 0,
           ref || ' comment is ' || coalesce('"' || comment_now || '"', 'missing') || ', before '
           || coalesce('"' || (o->>'comment') || '"', 'none')
      FROM col_counts WHERE comment_now IS DISTINCT FROM (o->>'comment')
    UNION ALL
    SELECT 'no_leftovers', 0, 0, item FROM leftovers
    UNION ALL
    SELECT 'mapping_verified', 0, 0, table_name || CASE WHEN verified_at IS NULL THEN ' was never verified'
               ELSE ': ' || mismatches || ' mismatches of ' || verified_rows || ' at ' || verified_at END
      FROM tab WHERE verified_at IS NULL OR coalesce(mismatches, 0) <> 0),
-- each check: its place, and its count and message when it passes
checks (ord, check_name, pass_count, pass_detail) AS (
    VALUES
    (1, 'migration_state', (SELECT count(*) FROM cur), 'migrate finished for all ' || (SELECT count(*) FROM cur) || ' columns'),
    (2, 'columns_are_uuid', (SELECT count(*) FROM cur), 'all ' || (SELECT count(*) FROM cur) || ' columns are uuid'),
    (3, 'foreign_keys_reference_users_uuid', (SELECT count(*) FROM cur),
        (SELECT 'each column has one validated FK to ' || name || '(' || new_key || ') with its original actions' FROM users_t)),
    (4, 'record_counts_unchanged', (SELECT count(*) FROM tab),
        coalesce('counts explained: ' || (SELECT string_agg(table_name || ': ' || rows_now || CASE WHEN diff = 0 THEN during
                     ELSE ' now, ' || end_rows || ' at the swap' || during || '; the ' || CASE WHEN diff > 0 THEN '+' ELSE '' END || diff
                          || ' since are within the application''s writes after the migration (+' || since_ins || '/-' || since_del || ')' END,
                     '; ' ORDER BY table_name) FROM tab2 WHERE during <> '' OR diff <> 0),
                 'every table has the rows it had at the swap')),
    (5, 'no_null_values', 0, 'no NULL in a column that was NOT NULL'
        || coalesce('; nullable before and after, NULLs kept: ' || (SELECT string_agg(ref || ' ' || nulls, ', ' ORDER BY position)
                    FROM col_counts WHERE attnum IS NOT NULL AND NOT (o->>'notNull')::boolean), '')),
    (6, 'foreign_key_joins', 0, 'every non-NULL reference joins a user'),
    (7, 'unique_constraints_preserved', (SELECT count(*) FROM idx WHERE is_constraint),
        (SELECT count(*) FROM idx WHERE is_constraint) || ' primary key and unique constraints exist again, same name and definition'),
    (8, 'indexes_recreated', (SELECT count(*) FROM idx WHERE NOT is_constraint),
        (SELECT count(*) FROM idx WHERE NOT is_constraint) || ' indexes exist again, same name and definition, valid'),
    (9, 'column_comments_preserved', 0, 'column comments are as before'),
    (10, 'no_leftovers', 0, 'no temporary column, trigger, constraint, index or function of uuidmig remains; Flyway 2025.12.04.2215 succeeded'),
    (11, 'mapping_verified', (SELECT coalesce(sum(verified_rows), 0) FROM tab),
        'pre-swap verification: ' || (SELECT coalesce(sum(verified_rows), 0) FROM tab) || ' rows checked, 0 mismatches'))
SELECT k.check_name AS "check",
       CASE WHEN f.n = 0 THEN 'PASS' ELSE 'FAIL' END AS status,
       CASE WHEN f.n = 0 THEN k.pass_count ELSE f.n END AS count,
       CASE WHEN f.n = 0 THEN k.pass_detail
            WHEN k.check_name = 'migration_state' THEN 'the migration is half way: ' || f.items
            ELSE f.items END AS detail
  FROM checks k
  CROSS JOIN LATERAL (SELECT count(*) AS n, string_agg(item, '; ' ORDER BY sort1, sort2, item) AS items
                        FROM findings WHERE check_name = k.check_name) f
 ORDER BY k.ord;
\else
-- nothing recorded: was the default plan ever migrated?
SELECT 'migration_state' AS "check", 'FAIL' AS status, 0 AS count,
       CASE WHEN count(*) FILTER (WHERE t.typname IN ('int2', 'int4', 'int8')) = 0
            THEN 'no uuidmig migration is recorded in this database (no uuidmig.columns): nothing to validate against'
            ELSE 'never migrated: ' || string_agg(p.table_name || '.' || p.column_name, ', ' ORDER BY p.pos)
                     FILTER (WHERE t.typname IN ('int2', 'int4', 'int8')) || ' still hold integers' END AS detail
  FROM (VALUES (1, 'chat_messages', 'sender_id'), (2, 'message_read_states', 'user_id'), (3, 'chat_read_monitors', 'user_id'),
               (4, 'user_sessions', 'user_id'), (5, 'service_requests', 'requester_id'), (6, 'user_roles', 'user_id'),
               (7, 'user_request_assigns', 'user_id'), (8, 'region_user_assigns', 'user_id'),
               (9, 'service_request_notes', 'created_by')) p(pos, table_name, column_name)
  LEFT JOIN pg_catalog.pg_attribute a
         ON a.attrelid = to_regclass(format('%I.%I', 'public', p.table_name)) AND a.attname = p.column_name
        AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid;
\endif
ROLLBACK;

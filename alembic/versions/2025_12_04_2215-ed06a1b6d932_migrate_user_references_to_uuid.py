"""migrate user references to uuid: done online by uuidmig; this revision checks that it is done

Revision ID: ed06a1b6d932
Revises: add_uuid_refresh_sessions
Create Date: 2025-12-04 22:15:00

Ships with uuidmig (alembic/versions/ of its repository; see its docs/alembic.md). Put this file in the application's
alembic/versions/ in place of the revision that converted the columns with ALTER TABLE ... TYPE uuid (which
rewrites and locks every table). uuidmig does that work online and, in its swap transaction, stamps
alembic_version to ed06a1b6d932; on such a database Alembic never runs upgrade() below, and `alembic upgrade
head` has nothing to do.

upgrade() runs only where alembic_version is still at an older revision: a database uuidmig has not migrated,
or one it migrated with --no-alembic-stamp. It checks, with SQL on the migration's connection, that uuidmig has
finished (its state, where it is still there, says every column is done, and every column of USER_COLUMNS is
uuid); then it changes nothing and Alembic records the revision. Otherwise it fails, naming what is not done
and the uuidmig command to run (as Alembic's CommandError: `alembic` prints it as "FAILED: ...", without a
traceback). downgrade() fails too: `uuidmig rollback` undoes the migration online, and sets
alembic_version back to add_uuid_refresh_sessions itself.

A new, empty database (`alembic upgrade head` from nothing) stops here as well: run the printed
`uuidmig migrate` (a few seconds on empty tables), then `alembic upgrade head` again.
"""
import hashlib
import shlex

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

# revision identifiers, used by Alembic.
revision = "ed06a1b6d932"
down_revision = "add_uuid_refresh_sessions"
branch_labels = None
depends_on = None

# The columns uuidmig converts: its default plan (the migration guide's table). If you ran uuidmig with --column,
# --exclude or --discover, list the same columns here.
USER_COLUMNS = [
    ("chat_messages", "sender_id"),
    ("message_read_states", "user_id"),
    ("chat_read_monitors", "user_id"),
    ("user_sessions", "user_id"),
    ("service_requests", "requester_id"),
    ("user_roles", "user_id"),
    ("user_request_assigns", "user_id"),
    ("region_user_assigns", "user_id"),
    ("service_request_notes", "created_by"),
]

# uuidmig's own objects (see uuidmig's docs/alembic.md): its state, and Flyway's record of its runs
STATE_SCHEMA = "uuidmig"
HISTORY_SCHEMA = "uuidmig_history"
LEGACY_HISTORY_TABLE = "uuidmig_schema_history"
MIGRATE_VERSION = "2025.12.04.2215"
ROLLBACK_DESCRIPTION = "rollback user references to integer"


def upgrade():
    context = op.get_context()
    if context.as_sql:
        raise CommandError(
            "Revision ed06a1b6d932 (user references to uuid) is done online by uuidmig, which offline --sql mode cannot "
            "check or replace. Run:\n    " + _command("migrate", None, "public") + "\nIt stamps alembic_version to "
            "ed06a1b6d932 itself.")
    bind = op.get_bind()
    schema = context.version_table_schema or bind.execute(sa.text("SELECT pg_catalog.current_schema()")).scalar()
    problems, rollback = _unfinished(bind, schema)
    if not problems:
        return  # uuidmig has finished: nothing to change; Alembic records the revision
    history = _history(bind, schema)
    steps = ""
    if rollback:
        steps += ("Finish the rollback that is under way first (or run uuidmig migrate to take the migration up "
                  "again after it):\n    " + _command("rollback", bind, schema) + "\n")
    steps += "Run uuidmig (online; rerun it to resume after an interruption):\n    " + _command("migrate", bind, schema)
    raise CommandError(
        "uuidmig has not finished migrating the user references of schema " + _ident(schema) + " to uuid, which "
        "revision ed06a1b6d932 stands for" + (" (" + history + ")" if history else "") + ":\n  - "
        + "\n  - ".join(problems) + "\n" + steps + "\nthen `alembic upgrade head` again: uuidmig stamps "
        "alembic_version to ed06a1b6d932 in its swap transaction, so this revision then has nothing to do. "
        "Nothing was changed.")


def downgrade():
    context = op.get_context()
    bind = None if context.as_sql else op.get_bind()
    schema = context.version_table_schema or (
        "public" if bind is None else bind.execute(sa.text("SELECT pg_catalog.current_schema()")).scalar())
    raise CommandError(
        "Revision ed06a1b6d932 (user references to uuid) is undone by uuidmig, not by Alembic. Run:\n    "
        + _command("rollback", bind, schema) + "\nIt rebuilds the integer columns online, swaps them back and sets "
        "alembic_version back to add_uuid_refresh_sessions itself. Nothing was changed.")


def _unfinished(bind, schema):
    """What is not done yet, as lines, and whether a rollback is under way."""
    problems = []
    rollback = False
    if _readable(bind, STATE_SCHEMA, "rollback"):
        marked = bind.execute(sa.text(
            "SELECT pg_catalog.to_jsonb(r) ->> 'table_schema' FROM uuidmig.rollback r LIMIT 1")).fetchall()
        if marked and marked[0][0] in (None, schema):
            rollback = True
            problems.append("a uuidmig rollback is under way (table uuidmig.rollback)")
    if _readable(bind, STATE_SCHEMA, "columns"):
        for table, column, step in bind.execute(sa.text(
                "SELECT table_name, column_name, step FROM uuidmig.columns WHERE table_schema = :s AND step <> 'done' "
                "ORDER BY position"), {"s": schema}):
            problems.append("uuidmig's state has %s.%s at step %s" % (table, column, step))
    for table, column in USER_COLUMNS:
        found = bind.execute(sa.text(
            "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
            "WHERE a.attrelid = pg_catalog.to_regclass(:t) AND a.attname = :c AND a.attnum > 0 AND NOT a.attisdropped"),
            {"t": _ident(schema) + "." + _ident(table), "c": column}).fetchall()
        if not found:
            problems.append("%s.%s does not exist (if your plan differs from uuidmig's default, list its columns in "
                            "USER_COLUMNS of this revision)" % (table, column))
        elif found[0][0] != "uuid":
            problems.append("%s.%s is %s, not uuid" % (table, column, found[0][0]))
    return problems, rollback


def _history(bind, schema):
    """What Flyway's record of uuidmig says last, or None: uuidmig_history.<schema>, or an older uuidmig's table."""
    for table_schema, table in ((HISTORY_SCHEMA, _history_table(schema)), (schema, LEGACY_HISTORY_TABLE)):
        if not _readable(bind, table_schema, table):
            continue
        row = bind.execute(sa.text(
            "SELECT version, description, success, installed_on FROM " + _ident(table_schema) + "." + _ident(table)
            + " WHERE version = :v OR description = :d ORDER BY installed_rank DESC LIMIT 1"),
            {"v": MIGRATE_VERSION, "d": ROLLBACK_DESCRIPTION}).fetchone()
        if row is None:
            return "uuidmig's Flyway history has no migrate row"
        what = "rollback" if row[1] == ROLLBACK_DESCRIPTION else "migrate"
        return "uuidmig's Flyway history: the last %s %s on %s" % (
            what, "succeeded" if row[2] else "failed or was interrupted", str(row[3])[:19])
    return "no uuidmig history: uuidmig has not run on this schema"


def _history_table(schema):
    """The name uuidmig gives the history table of schema (org.uuidmig.flyway.HistoryTable.tableFor)."""
    raw = schema.encode("utf-8")
    if '"' not in schema and not schema.startswith("#") and len(raw) <= 57:
        return schema
    return "#" + hashlib.md5(raw).hexdigest()


def _readable(bind, schema, table):
    """Whether schema.table exists and this role may read it (a failed SELECT would abort Alembic's transaction)."""
    return bool(bind.execute(sa.text(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid "
        "WHERE n.nspname = :s AND c.relname = :t AND pg_catalog.has_schema_privilege(n.oid, 'USAGE') "
        "AND pg_catalog.has_table_privilege(c.oid, 'SELECT'))"), {"s": schema, "t": table}).scalar())


def _ident(name):
    return '"' + name.replace('"', '""') + '"'


def _command(verb, bind, schema):
    """The uuidmig command line for this database, with psql's connection options."""
    parts = ["uuidmig", verb]
    url = None if bind is None else bind.engine.url
    if url is not None:
        for option, value in (("--host", url.host), ("--port", url.port), ("--dbname", url.database),
                              ("--username", url.username)):
            if value:
                parts += [option, str(value)]
    else:
        parts += ["<connection options>"]
    parts += ["--schema", schema]
    return " ".join(p if p == "<connection options>" else shlex.quote(p) for p in parts)

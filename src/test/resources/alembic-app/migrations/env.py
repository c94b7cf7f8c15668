"""env.py of the stand-in application (AlembicIT): online mode, every schema compared (include_schemas=True), with
uuidmig's include_name / include_object hooks from uuidmig's docs/alembic.md, word for word (AlembicIT checks it).
UUIDMIG_ALEMBIC_HOOKS=off leaves the hooks out, to show what autogenerate sees without them; =none compares the default
schema only, without hooks, as the env.py that `alembic init` writes does."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

import models

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = models.metadata
url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
hooks = os.environ.get("UUIDMIG_ALEMBIC_HOOKS", "on")


# --- from uuidmig's docs/alembic.md ---
def include_name(name, type_, parent_names):
    if type_ == "schema":
        # uuidmig's state, Flyway's record of it, and the blue-green window's views
        return name not in ("uuidmig", "uuidmig_history") and not (name or "").endswith("_uuid")
    return True


def include_object(object_, name, type_, reflected, compare_to):
    if name is None:
        return True
    if type_ == "table" and name == "uuidmig_schema_history":
        return False  # where uuidmig versions before the move kept Flyway's record, in the application's schema
    # uuidmig's temporary columns, indexes, constraints and triggers during a migration
    return "_uuidmig_" not in name
# --- end ---


def run_migrations_offline():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        options = {
            "on": dict(include_schemas=True, include_name=include_name, include_object=include_object),
            "off": dict(include_schemas=True),
            "none": dict(),
        }[hooks]
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

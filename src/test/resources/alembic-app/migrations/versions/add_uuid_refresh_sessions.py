"""the application's history up to the migration (stands for its revisions before ed06a1b6d932)

Revision ID: add_uuid_refresh_sessions
Revises:
Create Date: 2025-12-01 00:00:00

AlembicIT starts from databases that already have this schema (uuidmig's fixture, src/main/resources/fixture,
with alembic_version at this revision), as the application's databases do; this skeleton does not rebuild it.
"""

revision = "add_uuid_refresh_sessions"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

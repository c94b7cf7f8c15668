"""The servicecatalog fixture's tables as the application's models have them AFTER the migration (user references
are uuid and reference users.uuid), as SQLAlchemy Core metadata: what `alembic check` compares the database with.
src/main/resources/fixture/schema.sql is the same schema before the migration."""
from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, DateTime, ForeignKeyConstraint, Index, Integer,
                        MetaData, PrimaryKeyConstraint, Table, Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()


def _tz():
    return DateTime(timezone=True)


def _now():
    return text("now()")


users = Table(
    "users", metadata,
    Column("id", Integer, nullable=False),
    Column("uuid", UUID(as_uuid=True), nullable=False),
    Column("email", Text, nullable=False),
    Column("full_name", Text),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="users_pkey"),
    UniqueConstraint("uuid", name="users_uuid_key"),
    UniqueConstraint("email", name="users_email_key"),
)

roles = Table(
    "roles", metadata,
    Column("id", Integer, nullable=False),
    Column("name", Text),
    PrimaryKeyConstraint("id", name="roles_pkey"),
    UniqueConstraint("name", name="roles_name_key"),
)

regions = Table(
    "regions", metadata,
    Column("id", Integer, nullable=False),
    Column("name", Text),
    PrimaryKeyConstraint("id", name="regions_pkey"),
)

service_requests = Table(
    "service_requests", metadata,
    Column("id", BigInteger, nullable=False),
    Column("requester_id", UUID(as_uuid=True), nullable=False, comment="User who opened the request (users.id)."),
    Column("title", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'open'::text")),
    Column("created_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="service_requests_pkey"),
    CheckConstraint("status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')", name="ck_service_requests_status"),
    ForeignKeyConstraint(["requester_id"], ["users.uuid"], name="fk_service_requests_requester_id_users", ondelete="RESTRICT"),
)
Index("ix_service_requests_requester_id_status", service_requests.c.requester_id, service_requests.c.status)
Index("ix_service_requests_created_at", service_requests.c.created_at)

chat_messages = Table(
    "chat_messages", metadata,
    Column("id", BigInteger, nullable=False),
    Column("request_id", BigInteger, nullable=False),
    Column("sender_id", UUID(as_uuid=True), comment="Author of the message, NULL for system messages or deleted users."),
    Column("content", Text, nullable=False),
    Column("created_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="chat_messages_pkey"),
    ForeignKeyConstraint(["request_id"], ["service_requests.id"], name="fk_chat_messages_request_id_service_requests",
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["sender_id"], ["users.uuid"], name="fk_chat_messages_sender_id_users", ondelete="SET NULL"),
)
Index("ix_chat_messages_request_id_created_at", chat_messages.c.request_id, chat_messages.c.created_at)
Index("ix_chat_messages_sender_id_created_at", chat_messages.c.sender_id, chat_messages.c.created_at.desc())

message_read_states = Table(
    "message_read_states", metadata,
    Column("message_id", BigInteger, nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("read_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("message_id", "user_id", name="message_read_states_pkey"),
    ForeignKeyConstraint(["message_id"], ["chat_messages.id"], name="fk_message_read_states_message_id_chat_messages",
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_message_read_states_user_id_users", ondelete="CASCADE",
                         onupdate="CASCADE"),
)
Index("ix_message_read_states_user_id_read_at", message_read_states.c.user_id, message_read_states.c.read_at)

# no primary key, no unique key
chat_read_monitors = Table(
    "chat_read_monitors", metadata,
    Column("request_id", BigInteger, nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("last_read_at", _tz()),
    ForeignKeyConstraint(["request_id"], ["service_requests.id"], name="fk_chat_read_monitors_request_id_service_requests",
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_chat_read_monitors_user_id_users"),
)
Index("ix_chat_read_monitors_user_id", chat_read_monitors.c.user_id)
Index("ix_chat_read_monitors_request_id_incl", chat_read_monitors.c.request_id,
      postgresql_include=["user_id", "last_read_at"])

user_sessions = Table(
    "user_sessions", metadata,
    Column("id", BigInteger, nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("token", Text, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("expires_at", _tz()),
    Column("created_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="user_sessions_pkey"),
    UniqueConstraint("token", name="user_sessions_token_key"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_user_sessions_user_id_users", ondelete="CASCADE"),
)
Index("ix_user_sessions_user_id_active", user_sessions.c.user_id, postgresql_where=text("is_active"))
Index("ix_user_sessions_expires_at", user_sessions.c.expires_at)

user_roles = Table(
    "user_roles", metadata,
    Column("id", Integer, nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("role_id", Integer, nullable=False),
    Column("granted_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="user_roles_pkey"),
    UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_user_roles_user_id_users", ondelete="CASCADE"),
    ForeignKeyConstraint(["role_id"], ["roles.id"], name="fk_user_roles_role_id_roles", ondelete="CASCADE"),
)
Index("ix_user_roles_role_id", user_roles.c.role_id)

user_request_assigns = Table(
    "user_request_assigns", metadata,
    Column("id", BigInteger, nullable=False),
    Column("request_id", BigInteger, nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("assign_role", Text, nullable=False, server_default=text("'assignee'::text")),
    Column("assigned_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="user_request_assigns_pkey"),
    ForeignKeyConstraint(["request_id"], ["service_requests.id"],
                         name="fk_user_request_assigns_request_id_service_requests", ondelete="CASCADE"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_user_request_assigns_user_id_users", ondelete="CASCADE",
                         deferrable=True, initially="DEFERRED"),
)
Index("ux_user_request_assigns_request_id_user_id", user_request_assigns.c.request_id, user_request_assigns.c.user_id,
      unique=True)
Index("ix_user_request_assigns_user_id_incl", user_request_assigns.c.user_id,
      postgresql_include=["request_id", "assigned_at"])

region_user_assigns = Table(
    "region_user_assigns", metadata,
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("region_id", Integer, nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default=text("false")),
    Column("assigned_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("user_id", "region_id", name="region_user_assigns_pkey"),
    ForeignKeyConstraint(["user_id"], ["users.uuid"], name="fk_region_user_assigns_user_id_users", ondelete="CASCADE",
                         onupdate="CASCADE"),
    ForeignKeyConstraint(["region_id"], ["regions.id"], name="fk_region_user_assigns_region_id_regions", ondelete="CASCADE"),
)
Index("ix_region_user_assigns_region_id", region_user_assigns.c.region_id)

# created_by had no foreign key; uuidmig adds one (NO ACTION) under PostgreSQL's default name
service_request_notes = Table(
    "service_request_notes", metadata,
    Column("id", BigInteger, nullable=False),
    Column("request_id", BigInteger, nullable=False),
    Column("created_by", UUID(as_uuid=True), comment="Author (users.id), no FK: notes survive user deletion."),
    Column("body", Text, nullable=False),
    Column("created_at", _tz(), nullable=False, server_default=_now()),
    PrimaryKeyConstraint("id", name="service_request_notes_pkey"),
    ForeignKeyConstraint(["request_id"], ["service_requests.id"],
                         name="fk_service_request_notes_request_id_service_requests", ondelete="CASCADE"),
    ForeignKeyConstraint(["created_by"], ["users.uuid"], name="service_request_notes_created_by_fkey"),
)
Index("ix_service_request_notes_request_id_created_at", service_request_notes.c.request_id,
      service_request_notes.c.created_at)
Index("ix_service_request_notes_created_by", service_request_notes.c.created_by)

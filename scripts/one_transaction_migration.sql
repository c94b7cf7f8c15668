-- The migration guide's approach, for the benchmark (scripts/bench.sh): the whole change in ONE
-- transaction, table after table, in the guide's order. For each user column: add a temporary
-- uuid column, fill it with one UPDATE ... FROM users, fail on a NULL where the old value was
-- not NULL, drop the old FK and indexes, drop the old column, rename the temporary one, set
-- NOT NULL, and re-create the indexes, unique/primary keys and the FK, now to users(uuid).
-- The end state is the same as uuidmig's (same names, definitions, FK actions, comments,
-- alembic stamp; service_request_notes.created_by gets an FK, as the guide wants every
-- reference to point at users.uuid).
--
-- Every ALTER TABLE takes ACCESS EXCLUSIVE on its table and keeps it until COMMIT: from the
-- first statement on chat_messages, the application cannot even read chat_messages, and each
-- later table joins the outage when the script reaches it. That is what bench.sh measures.
--
-- Run with: psql -X -v ON_ERROR_STOP=1 -f scripts/one_transaction_migration.sql
\set ON_ERROR_STOP 1
BEGIN;
-- pinned whatever ALTER DATABASE/ROLE ... SET says (docs/safety.md): a backslash cannot escape a quote, and a
-- row-level security policy makes a query fail instead of silently hiding rows
SET LOCAL standard_conforming_strings = on;
SET LOCAL row_security = off;

-- 1. chat_messages.sender_id: NULL allowed, FK ON DELETE SET NULL, index (sender_id, created_at DESC), comment
ALTER TABLE public.chat_messages ADD COLUMN sender_uuid_temp uuid;
UPDATE public.chat_messages m SET sender_uuid_temp = u.uuid FROM public.users u WHERE u.id = m.sender_id;
ALTER TABLE public.chat_messages DROP CONSTRAINT fk_chat_messages_sender_id_users;
DROP INDEX public.ix_chat_messages_sender_id_created_at;
ALTER TABLE public.chat_messages DROP COLUMN sender_id;
ALTER TABLE public.chat_messages RENAME COLUMN sender_uuid_temp TO sender_id;
CREATE INDEX ix_chat_messages_sender_id_created_at ON public.chat_messages (sender_id, created_at DESC);
ALTER TABLE public.chat_messages ADD CONSTRAINT fk_chat_messages_sender_id_users
    FOREIGN KEY (sender_id) REFERENCES public.users (uuid) ON DELETE SET NULL;
COMMENT ON COLUMN public.chat_messages.sender_id IS 'Author of the message, NULL for system messages or deleted users.';

-- 2. message_read_states.user_id: NOT NULL, PK (message_id, user_id), FK CASCADE/CASCADE, index (user_id, read_at)
ALTER TABLE public.message_read_states ADD COLUMN user_uuid_temp uuid;
UPDATE public.message_read_states x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.message_read_states DROP CONSTRAINT fk_message_read_states_user_id_users;
ALTER TABLE public.message_read_states DROP CONSTRAINT message_read_states_pkey;
DROP INDEX public.ix_message_read_states_user_id_read_at;
ALTER TABLE public.message_read_states DROP COLUMN user_id;
ALTER TABLE public.message_read_states RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.message_read_states ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE public.message_read_states ADD CONSTRAINT message_read_states_pkey PRIMARY KEY (message_id, user_id);
CREATE INDEX ix_message_read_states_user_id_read_at ON public.message_read_states (user_id, read_at);
ALTER TABLE public.message_read_states ADD CONSTRAINT fk_message_read_states_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid) ON DELETE CASCADE ON UPDATE CASCADE;

-- 3. chat_read_monitors.user_id: NOT NULL, FK without actions, index (user_id), INCLUDE index; no PK
ALTER TABLE public.chat_read_monitors ADD COLUMN user_uuid_temp uuid;
UPDATE public.chat_read_monitors x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.chat_read_monitors DROP CONSTRAINT fk_chat_read_monitors_user_id_users;
DROP INDEX public.ix_chat_read_monitors_user_id;
DROP INDEX public.ix_chat_read_monitors_request_id_incl;
ALTER TABLE public.chat_read_monitors DROP COLUMN user_id;
ALTER TABLE public.chat_read_monitors RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.chat_read_monitors ALTER COLUMN user_id SET NOT NULL;
CREATE INDEX ix_chat_read_monitors_user_id ON public.chat_read_monitors (user_id);
CREATE INDEX ix_chat_read_monitors_request_id_incl ON public.chat_read_monitors (request_id) INCLUDE (user_id, last_read_at);
ALTER TABLE public.chat_read_monitors ADD CONSTRAINT fk_chat_read_monitors_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid);

-- 4. user_sessions.user_id: NOT NULL, FK ON DELETE CASCADE, partial index
ALTER TABLE public.user_sessions ADD COLUMN user_uuid_temp uuid;
UPDATE public.user_sessions x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.user_sessions DROP CONSTRAINT fk_user_sessions_user_id_users;
DROP INDEX public.ix_user_sessions_user_id_active;
ALTER TABLE public.user_sessions DROP COLUMN user_id;
ALTER TABLE public.user_sessions RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.user_sessions ALTER COLUMN user_id SET NOT NULL;
CREATE INDEX ix_user_sessions_user_id_active ON public.user_sessions (user_id) WHERE is_active;
ALTER TABLE public.user_sessions ADD CONSTRAINT fk_user_sessions_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid) ON DELETE CASCADE;

-- 5. service_requests.requester_id: NOT NULL, FK ON DELETE RESTRICT, index (requester_id, status), comment
ALTER TABLE public.service_requests ADD COLUMN requester_uuid_temp uuid;
UPDATE public.service_requests x SET requester_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.requester_id;
ALTER TABLE public.service_requests DROP CONSTRAINT fk_service_requests_requester_id_users;
DROP INDEX public.ix_service_requests_requester_id_status;
ALTER TABLE public.service_requests DROP COLUMN requester_id;
ALTER TABLE public.service_requests RENAME COLUMN requester_uuid_temp TO requester_id;
ALTER TABLE public.service_requests ALTER COLUMN requester_id SET NOT NULL;
CREATE INDEX ix_service_requests_requester_id_status ON public.service_requests (requester_id, status);
ALTER TABLE public.service_requests ADD CONSTRAINT fk_service_requests_requester_id_users
    FOREIGN KEY (requester_id) REFERENCES public.users (uuid) ON DELETE RESTRICT;
COMMENT ON COLUMN public.service_requests.requester_id IS 'User who opened the request (users.id).';

-- 6. user_roles.user_id: NOT NULL, FK ON DELETE CASCADE, UNIQUE (user_id, role_id)
ALTER TABLE public.user_roles ADD COLUMN user_uuid_temp uuid;
UPDATE public.user_roles x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.user_roles DROP CONSTRAINT fk_user_roles_user_id_users;
ALTER TABLE public.user_roles DROP CONSTRAINT uq_user_roles_user_id_role_id;
ALTER TABLE public.user_roles DROP COLUMN user_id;
ALTER TABLE public.user_roles RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.user_roles ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE public.user_roles ADD CONSTRAINT uq_user_roles_user_id_role_id UNIQUE (user_id, role_id);
ALTER TABLE public.user_roles ADD CONSTRAINT fk_user_roles_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid) ON DELETE CASCADE;

-- 7. user_request_assigns.user_id: NOT NULL, FK CASCADE DEFERRABLE INITIALLY DEFERRED,
--    UNIQUE INDEX (request_id, user_id), index (user_id) INCLUDE (request_id, assigned_at)
ALTER TABLE public.user_request_assigns ADD COLUMN user_uuid_temp uuid;
UPDATE public.user_request_assigns x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.user_request_assigns DROP CONSTRAINT fk_user_request_assigns_user_id_users;
DROP INDEX public.ux_user_request_assigns_request_id_user_id;
DROP INDEX public.ix_user_request_assigns_user_id_incl;
ALTER TABLE public.user_request_assigns DROP COLUMN user_id;
ALTER TABLE public.user_request_assigns RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.user_request_assigns ALTER COLUMN user_id SET NOT NULL;
CREATE UNIQUE INDEX ux_user_request_assigns_request_id_user_id ON public.user_request_assigns (request_id, user_id);
CREATE INDEX ix_user_request_assigns_user_id_incl ON public.user_request_assigns (user_id) INCLUDE (request_id, assigned_at);
ALTER TABLE public.user_request_assigns ADD CONSTRAINT fk_user_request_assigns_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- 8. region_user_assigns.user_id: NOT NULL, PK (user_id, region_id), FK CASCADE/CASCADE
ALTER TABLE public.region_user_assigns ADD COLUMN user_uuid_temp uuid;
UPDATE public.region_user_assigns x SET user_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.user_id;
ALTER TABLE public.region_user_assigns DROP CONSTRAINT fk_region_user_assigns_user_id_users;
ALTER TABLE public.region_user_assigns DROP CONSTRAINT region_user_assigns_pkey;
ALTER TABLE public.region_user_assigns DROP COLUMN user_id;
ALTER TABLE public.region_user_assigns RENAME COLUMN user_uuid_temp TO user_id;
ALTER TABLE public.region_user_assigns ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE public.region_user_assigns ADD CONSTRAINT region_user_assigns_pkey PRIMARY KEY (user_id, region_id);
ALTER TABLE public.region_user_assigns ADD CONSTRAINT fk_region_user_assigns_user_id_users
    FOREIGN KEY (user_id) REFERENCES public.users (uuid) ON DELETE CASCADE ON UPDATE CASCADE;

-- 9. service_request_notes.created_by: NULL allowed, no FK before (one is added), index, comment
ALTER TABLE public.service_request_notes ADD COLUMN created_by_uuid_temp uuid;
UPDATE public.service_request_notes x SET created_by_uuid_temp = u.uuid FROM public.users u WHERE u.id = x.created_by;
DROP INDEX public.ix_service_request_notes_created_by;
ALTER TABLE public.service_request_notes DROP COLUMN created_by;
ALTER TABLE public.service_request_notes RENAME COLUMN created_by_uuid_temp TO created_by;
CREATE INDEX ix_service_request_notes_created_by ON public.service_request_notes (created_by);
ALTER TABLE public.service_request_notes ADD CONSTRAINT service_request_notes_created_by_fkey
    FOREIGN KEY (created_by) REFERENCES public.users (uuid);
COMMENT ON COLUMN public.service_request_notes.created_by IS 'Author (users.id), no FK: notes survive user deletion.';

UPDATE public.alembic_version SET version_num = 'ed06a1b6d932' WHERE version_num = 'add_uuid_refresh_sessions';
COMMIT;

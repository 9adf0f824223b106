-- The users cache exact under eviction (issue 27). The cache's Redis evicts any key that has a TTL (maxmemory,
-- volatile-lru), so the reverse index user_identifiers:{id} and the sets of cached misses user_unknown:{key} that an
-- invalidation followed could be gone when a write needed them, leaving stale entries for up to 600 s. They are gone:
-- a user's entries can be named without them. They are user:{id} and user_by_identifier:{v} for v the user's id or
-- the value of one of its active contacts AS STORED: any identifier that finds the user is canonically that value
-- (e-mails are stored lower-case, phones and second_logins compared as given; a UUID-shaped second_login is never
-- cached under its value, CachedReads). A cached 404 is the same key, holding nothing. So an invalidation names the
-- identifiers whose entries it deletes (docs/users.md, Cache):
--   * the user's current ones, read after the write committed: a write that holds the user's row lock to commit (every
--     write of one user) reads them in its transaction; one that does not (a group or contact type renamed: its
--     users' contacts may change meanwhile) gets them from user_identifiers_v1 right after commit, and a sweep of a
--     record that Redis missed reads them again (pending_cache_invalidations_v2);
--   * the values a write took from the user (a contact changed, released, or replaced by a new second_login), which
--     only the write knows: the contact functions v2 below return them.
-- PL/pgSQL, so each statement's plan is kept per connection (V7). The older versions stay callable and unchanged.

-- The record's third array (V11) held the names of cached misses; it now holds every identifier whose entry the
-- invalidation deletes (a cached miss of one among them). Instances of the previous release record the same kind of
-- value there (canonical identifiers), so the v1 functions keep their contracts, on the renamed column.
ALTER TABLE accounts.pending_cache_invalidations RENAME COLUMN unknown_keys TO identifiers;

CREATE OR REPLACE FUNCTION accounts.record_cache_invalidation_v1(p_user_ids uuid[], p_plain_keys text[],
                                                                 p_unknown_keys text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO accounts.pending_cache_invalidations (user_ids, plain_keys, identifiers)
  VALUES (p_user_ids, p_plain_keys, p_unknown_keys)
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION accounts.pending_cache_invalidations_v1(p_older_than_ms integer, p_limit integer,
                                                                   OUT id bigint, OUT user_ids uuid[],
                                                                   OUT plain_keys text[], OUT unknown_keys text[],
                                                                   OUT committed_by pg_lsn)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN QUERY
    SELECT p.id, p.user_ids, p.plain_keys, p.identifiers, pg_current_wal_insert_lsn()
    FROM accounts.pending_cache_invalidations p
    WHERE p.recorded_at <= clock_timestamp() - make_interval(secs => p_older_than_ms / 1000.0)
    ORDER BY p.id
    LIMIT p_limit;
END
$$;

-- The identifiers of these users' entries: each id (canonical text) and each active contact's value as stored.
-- Called after the write committed (or at a sweep), so it sees every contact change committed before: one committed
-- later drops its own values itself.
CREATE FUNCTION accounts.user_identifiers_v1(p_user_ids uuid[]) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN ARRAY(
    SELECT u::text FROM unnest(p_user_ids) u
    UNION
    SELECT c.value FROM accounts.user_contacts c WHERE c.user_id = ANY (p_user_ids) AND c.is_active);
END
$$;

-- v1 (V11) whose identifiers also hold the recorded users' current ones, read now: a record of a rename names its
-- users only, and the ones a write recorded may have changed since it committed (each of those changes drops its own).
CREATE FUNCTION accounts.pending_cache_invalidations_v2(p_older_than_ms integer, p_limit integer,
                                                        OUT id bigint, OUT user_ids uuid[], OUT plain_keys text[],
                                                        OUT identifiers text[], OUT committed_by pg_lsn)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN QUERY
    SELECT p.id, p.user_ids, p.plain_keys, p.identifiers || accounts.user_identifiers_v1(p.user_ids),
           pg_current_wal_insert_lsn()
    FROM accounts.pending_cache_invalidations p
    WHERE p.recorded_at <= clock_timestamp() - make_interval(secs => p_older_than_ms / 1000.0)
    ORDER BY p.id
    LIMIT p_limit;
END
$$;

-- The values of the user's active contacts, read under its row lock (FOR UPDATE, which every change of its contacts
-- takes before changing them): until commit, only this transaction changes them.
CREATE FUNCTION accounts.locked_contact_values_v1(p_user_id uuid) RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts.users WHERE id = p_user_id FOR UPDATE;
  RETURN ARRAY(SELECT value FROM accounts.user_contacts WHERE user_id = p_user_id AND is_active);
END
$$;

-- Those of p_before that are no active contact value of the user any more: what this transaction took from it.
CREATE FUNCTION accounts.released_contact_values_v1(p_user_id uuid, p_before text[]) RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
  RETURN ARRAY(
    SELECT unnest(p_before)
    EXCEPT
    SELECT value FROM accounts.user_contacts WHERE user_id = p_user_id AND is_active);
END
$$;

-- The contact writes of V3, each also answering the values it took from the user (released): a changed contact's old
-- value, a deactivated contact's, a second_login that a new one replaced. Same contact json, same errors.
CREATE FUNCTION accounts.add_contact_v2(p_user_id uuid, p_type text, p_value text, OUT contact json,
                                        OUT released text[])
LANGUAGE plpgsql AS $$
DECLARE
  v_before text[] := accounts.locked_contact_values_v1(p_user_id);
BEGIN
  contact := accounts.add_contact_v1(p_user_id, p_type, p_value);
  released := accounts.released_contact_values_v1(p_user_id, v_before);
END
$$;

CREATE FUNCTION accounts.update_contact_v2(p_id uuid, p_value text, p_is_active boolean, OUT contact json,
                                           OUT released text[])
LANGUAGE plpgsql AS $$
DECLARE
  -- A contact never changes owner. No such contact: NULL, and v1 raises P0002.
  v_user_id uuid := (SELECT c.user_id FROM accounts.user_contacts c WHERE c.id = p_id);
  v_before text[] := accounts.locked_contact_values_v1(v_user_id);
BEGIN
  contact := accounts.update_contact_v1(p_id, p_value, p_is_active);
  released := accounts.released_contact_values_v1(v_user_id, v_before);
END
$$;

CREATE FUNCTION accounts.delete_contact_v2(p_id uuid, OUT contact json, OUT released text[])
LANGUAGE plpgsql AS $$
DECLARE
  v_user_id uuid := (SELECT c.user_id FROM accounts.user_contacts c WHERE c.id = p_id);
  v_before text[] := accounts.locked_contact_values_v1(v_user_id);
BEGIN
  contact := accounts.delete_contact_v1(p_id);
  released := accounts.released_contact_values_v1(v_user_id, v_before);
END
$$;

-- Issue 27: a profile is bounded on every path that writes it, and a change of what a user's tokens carry as roles
-- ends the user's sessions. The older versions stay callable and unchanged.
--
-- 1. Profile bounds. The service passes its limits (USERS_PROFILE_MAX_BYTES, _MAX_DEPTH, _MAX_KEYS) to the write
--    functions, which check the profile that will be STORED (for a PATCH: the merge of the old profile and the patch)
--    before it is written: its size is the UTF-8 bytes of its jsonb text, exactly what a read returns and the cache
--    holds. Beneath every path, a CHECK caps the column at 64 KiB (above any value the setting allows), so nothing
--    that bypasses the service (a future function, a manual UPDATE) can store the ~900 KB profiles of issue 27.
-- 2. Role changes. Every group name becomes a role in the member's access tokens, so adding or removing a membership
--    (for real: not re-adding an active one) and renaming a group that has members change roles. Each writes one
--    user.roles_changed event per affected user into the outbox in the same transaction; auth consumes it like
--    user.deactivated and ends the user's sessions. Deleting a group changes nobody's roles: a group still referenced
--    by any membership, active or not, cannot be deleted (V2: ON DELETE RESTRICT). A user created with groups has no
--    session yet: no event.
-- 3. The admin check: a write admitted because the caller's token says admin first asks the primary whether the
--    caller is still an active member of admin, closing the window until the event has ended its sessions.
--
-- SQLSTATEs: US001 → 413 PAYLOAD_TOO_LARGE (the size bound); UV001 → 400 VALIDATION_ERROR (depth, keys, not an object).

-- ---------------------------------------------------------------------------------------------- 1. profile bounds

-- Depth: containers (objects, arrays) on the deepest path, the profile itself counting 1: {"a": {"b": [1]}} is 3.
-- Keys: the members of every object at every level: {"a": {"b": 1, "c": 2}} has 3. Array elements are no keys (the
-- size bounds them). One statement; the caller checks the size first, so the walk is over at most the size bound.
CREATE FUNCTION accounts.json_shape_v1(p_value jsonb, OUT depth integer, OUT keys integer)
LANGUAGE sql IMMUTABLE AS $$
  WITH RECURSIVE node(value, depth, is_member) AS (
    SELECT p_value, 1, false
    UNION ALL
    SELECT child.value, node.depth + 1, child.is_member
    FROM node CROSS JOIN LATERAL (
      SELECT e.value, true AS is_member
      FROM jsonb_each(CASE jsonb_typeof(node.value) WHEN 'object' THEN node.value ELSE '{}'::jsonb END) e
      UNION ALL
      SELECT a.value, false
      FROM jsonb_array_elements(CASE jsonb_typeof(node.value) WHEN 'array' THEN node.value ELSE '[]'::jsonb END) a
    ) child
  )
  SELECT COALESCE(max(node.depth) FILTER (WHERE jsonb_typeof(node.value) IN ('object', 'array')), 0)::integer,
         (count(*) FILTER (WHERE node.is_member))::integer
  FROM node
$$;

-- Raises unless p_profile is an object within the limits: size first (413), then depth and keys (400).
CREATE FUNCTION accounts.check_profile_v1(p_profile jsonb, p_max_bytes integer, p_max_depth integer,
                                          p_max_keys integer) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_bytes integer;
  v_shape record;
BEGIN
  IF jsonb_typeof(p_profile) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'profile must be a JSON object' USING ERRCODE = 'UV001';
  END IF;
  v_bytes := octet_length(p_profile::text);
  IF v_bytes > p_max_bytes THEN
    RAISE EXCEPTION 'profile is % bytes as stored, more than the % allowed', v_bytes, p_max_bytes USING ERRCODE = 'US001';
  END IF;
  SELECT * INTO v_shape FROM accounts.json_shape_v1(p_profile);
  IF v_shape.depth > p_max_depth THEN
    RAISE EXCEPTION 'profile is nested % levels deep, more than the % allowed', v_shape.depth, p_max_depth
      USING ERRCODE = 'UV001';
  END IF;
  IF v_shape.keys > p_max_keys THEN
    RAISE EXCEPTION 'profile has % keys (all levels), more than the % allowed', v_shape.keys, p_max_keys
      USING ERRCODE = 'UV001';
  END IF;
END
$$;

-- create_user_v2 (V6) behind the bounds: checked before anything is inserted. An absent profile is {}.
CREATE FUNCTION accounts.create_user_v3(p_body jsonb, p_by_admin boolean, p_max_bytes integer, p_max_depth integer,
                                        p_max_keys integer) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM accounts.check_profile_v1(COALESCE(p_body -> 'profile', '{}'::jsonb), p_max_bytes, p_max_depth, p_max_keys);
  RETURN accounts.create_user_v2(p_body, p_by_admin);
END
$$;

-- update_user_v1 (V3) with the bounds checked on the merged profile, the one that will be stored: a profile cannot grow
-- past them one PATCH at a time. Without a profile (is_active only) nothing is checked, so a user whose profile is
-- over a limit lowered since can still be deactivated. The row lock serialises concurrent merges.
CREATE FUNCTION accounts.update_user_v2(p_id uuid, p_profile jsonb, p_is_active boolean, p_max_bytes integer,
                                        p_max_depth integer, p_max_keys integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_profile jsonb;
BEGIN
  SELECT profile INTO v_profile FROM accounts.users WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user not found' USING ERRCODE = 'P0002';
  END IF;
  IF p_profile IS NOT NULL THEN
    IF jsonb_typeof(p_profile) <> 'object' THEN
      RAISE EXCEPTION 'profile must be a JSON object' USING ERRCODE = 'UV001';
    END IF;
    v_profile := jsonb_strip_nulls(v_profile || p_profile);
    PERFORM accounts.check_profile_v1(v_profile, p_max_bytes, p_max_depth, p_max_keys);
  END IF;
  UPDATE accounts.users
  SET profile = v_profile, is_active = COALESCE(p_is_active, is_active), updated_at = now()
  WHERE id = p_id;
  RETURN accounts.user_json_v1(p_id);
END
$$;

-- The hard cap. Rows already over it (written before this migration) could not be updated at all once it holds
-- (every UPDATE re-checks the row: no deactivation, no contact change), so their profiles move to a table of their
-- own, kept for an operator, and become {}; their cached copies are dropped by the sweep of recorded invalidations
-- (V11), which every instance runs on start.
CREATE TABLE accounts.profiles_over_cap (
  user_id  uuid PRIMARY KEY REFERENCES accounts.users (id) ON DELETE CASCADE,
  profile  jsonb       NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
  v_moved uuid[];
BEGIN
  WITH moved AS (
    INSERT INTO accounts.profiles_over_cap (user_id, profile)
    SELECT id, profile FROM accounts.users WHERE octet_length(profile::text) > 65536
    RETURNING user_id)
  SELECT array_agg(user_id) INTO v_moved FROM moved;
  IF v_moved IS NOT NULL THEN
    UPDATE accounts.users SET profile = '{}'::jsonb, updated_at = now() WHERE id = ANY (v_moved);
    PERFORM accounts.record_cache_invalidation_v1(v_moved, '{}'::text[], '{}'::text[]);
    RAISE WARNING '% profile(s) over 64 KiB moved to accounts.profiles_over_cap', cardinality(v_moved);
  END IF;
END
$$;

ALTER TABLE accounts.users ADD CONSTRAINT users_profile_size_cap CHECK (octet_length(profile::text) <= 65536);

-- ---------------------------------------------------------------------------------------------- 2. role changes

-- One user.roles_changed event per user in the caller's transaction: {user_id, group_id, reason}. aggregate_id orders
-- events (events.outbox_append_v1 serialises each aggregate's appends on an advisory lock held to commit): a
-- membership change is the user's, a rename is the group's. Per member, a rename of a group of 20,000 members would
-- hold 20,000 locks, more than the shared lock table has (max_locks_per_transaction 64 x 200 connections); auth's
-- handler does not depend on the order of a user's events.
CREATE FUNCTION accounts.roles_changed_v1(p_user_ids uuid[], p_group_id uuid, p_reason text, p_aggregate_id text,
                                          p_producer text, p_correlation_id text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_user uuid;
  v_count integer := 0;
BEGIN
  FOREACH v_user IN ARRAY COALESCE(p_user_ids, '{}'::uuid[]) LOOP
    PERFORM events.outbox_append_v1('user.roles_changed', COALESCE(p_aggregate_id, v_user::text), p_producer,
      p_correlation_id, jsonb_build_object('user_id', v_user, 'group_id', p_group_id, 'reason', p_reason));
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END
$$;

-- Whether the user's membership of the group is active (NULL: there is none), read under the user's row lock, which
-- add_membership_v1 takes too: it serialises the user's membership changes, so the state read is the one the caller
-- is about to change.
CREATE FUNCTION accounts.lock_membership_state_v1(p_user_id uuid, p_group_id uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts.users WHERE id = p_user_id FOR UPDATE;
  RETURN (SELECT is_active FROM accounts.user_group_memberships WHERE user_id = p_user_id AND group_id = p_group_id);
END
$$;

-- add_membership_v2 (V6) that also tells auth when the user's roles changed: inserted or re-activated, not when the
-- membership was already active (re-adding it ends no session).
CREATE FUNCTION accounts.add_membership_v3(p_user_id uuid, p_group_id uuid, p_by_admin boolean, p_producer text,
                                           p_correlation_id text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_was_active boolean;
  v_result json;
BEGIN
  v_was_active := accounts.lock_membership_state_v1(p_user_id, p_group_id);
  v_result := accounts.add_membership_v2(p_user_id, p_group_id, p_by_admin);
  IF v_was_active IS DISTINCT FROM true THEN
    PERFORM accounts.roles_changed_v1(ARRAY[p_user_id], p_group_id, 'membership_added', NULL, p_producer,
      p_correlation_id);
  END IF;
  RETURN v_result;
END
$$;

-- delete_membership_v2 (V6) that tells auth when an active membership ended (not for one already inactive).
CREATE FUNCTION accounts.delete_membership_v3(p_user_id uuid, p_group_id uuid, p_by_admin boolean, p_producer text,
                                              p_correlation_id text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_was_active boolean;
  v_result json;
BEGIN
  v_was_active := accounts.lock_membership_state_v1(p_user_id, p_group_id);
  v_result := accounts.delete_membership_v2(p_user_id, p_group_id, p_by_admin);
  IF v_was_active THEN
    PERFORM accounts.roles_changed_v1(ARRAY[p_user_id], p_group_id, 'membership_removed', NULL, p_producer,
      p_correlation_id);
  END IF;
  RETURN v_result;
END
$$;

-- update_user_group_v1 (V3) that, when the name changes, tells auth for every active member (their tokens carry the
-- old name as a role). Same result: {group, user_ids}.
CREATE FUNCTION accounts.update_user_group_v2(p_id uuid, p_name text, p_description text, p_producer text,
                                              p_correlation_id text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_old text;
  v_result json;
  v_members uuid[];
BEGIN
  -- Locked here first, so the name compared is the one the update replaces.
  SELECT name INTO v_old FROM accounts.user_groups WHERE id = p_id FOR UPDATE;
  v_result := accounts.update_user_group_v1(p_id, p_name, p_description);
  IF p_name IS NOT NULL AND p_name <> v_old THEN
    SELECT array_agg(user_id ORDER BY user_id) INTO v_members
    FROM accounts.user_group_memberships WHERE group_id = p_id AND is_active;
    PERFORM accounts.roles_changed_v1(v_members, p_id, 'group_renamed', 'user_group:' || p_id, p_producer,
      p_correlation_id);
  END IF;
  RETURN v_result;
END
$$;

-- ---------------------------------------------------------------------------------------------- 3. the admin check

-- Whether p_user_id is an active user with an active membership of the group admin (admin is known by its name:
-- V6). Called on the primary ahead of a write admitted by the admin role.
CREATE FUNCTION accounts.is_active_admin_v1(p_user_id uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN EXISTS (
    SELECT 1
    FROM accounts.users u
    JOIN accounts.user_group_memberships m ON m.user_id = u.id AND m.is_active
    JOIN accounts.user_groups g ON g.id = m.group_id AND g.name = 'admin'
    WHERE u.id = p_user_id AND u.is_active);
END
$$;

-- The by-identifier lookup of every cache miss in one PL/pgSQL function (issue 12): get_user_by_identifier_v3 (V10)
-- called replayed_lsn_v1, then v2 (V9) in a FROM clause, which called user_json_v1 (V7): three nested PL/pgSQL
-- calls, each its own executor start and SPI call. With nothing nested, a call costs the same as the lean reference
-- plus the replay position (pgbench -M prepared -c2, all four scripts in one run, 2026-12-02: lean 0.269 ms,
-- lean + position 0.284, v3 0.301, this 0.285; docs/benchmarks.md).
--
-- Same contract as v3: the replay position read before the snapshot of the lookup (VOLATILE, see V10), the user's id
-- and detail, or the name a miss is cached under. The detail's shape is user_json_v1's, spelled here once more so it
-- is not a nested call; UsersApiIT checks the two agree for a user with groups and contacts. v2 (and v1, which
-- reads it) now read this one: the lookup rules are written once.
CREATE FUNCTION accounts.get_user_by_identifier_v4(p_identifier text, OUT replayed_lsn pg_lsn, OUT user_id uuid,
                                                   OUT detail json, OUT unknown_key text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_shape text := accounts.identifier_kind_v1(p_identifier);
  v_kind text := v_shape;
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  IF v_kind = 'uuid' THEN
    SELECT u.id INTO user_id FROM accounts.users u WHERE u.id = p_identifier::uuid AND u.is_active;
    IF user_id IS NULL THEN
      v_kind := 'second_login';
    END IF;
  END IF;
  IF user_id IS NULL THEN
    SELECT c.user_id INTO user_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    JOIN accounts.users u ON u.id = c.user_id
    WHERE c.is_active AND u.is_active
      AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
  END IF;
  IF user_id IS NULL THEN
    unknown_key := CASE v_shape WHEN 'uuid' THEN p_identifier::uuid::text WHEN 'email' THEN lower(p_identifier)
                   ELSE p_identifier END;
    RETURN;
  END IF;
  detail := (
    SELECT json_build_object(
      'id', u.id,
      'created_at', u.created_at,
      'updated_at', u.updated_at,
      'is_active', u.is_active,
      'profile', u.profile,
      'groups', COALESCE((
        SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name)
        FROM accounts.user_group_memberships m JOIN accounts.user_groups g ON g.id = m.group_id
        WHERE m.user_id = u.id AND m.is_active), '[]'::json),
      'contacts', COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'type', ct.name, 'value', c.value) ORDER BY ct.name)
        FROM accounts.user_contacts c JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
        WHERE c.user_id = u.id AND c.is_active), '[]'::json))
    FROM accounts.users u
    WHERE u.id = user_id);
END
$$;

-- v2 keeps its contract and reads v4 (its callers do not need the position).
CREATE OR REPLACE FUNCTION accounts.get_user_by_identifier_v2(p_identifier text, OUT user_id uuid, OUT detail json,
                                                              OUT unknown_key text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT r.user_id, r.detail, r.unknown_key INTO user_id, detail, unknown_key
  FROM accounts.get_user_by_identifier_v4(p_identifier) r;
END
$$;

-- v3 stays callable (an instance of the previous release calls it during a rolling upgrade), now as v4.
CREATE OR REPLACE FUNCTION accounts.get_user_by_identifier_v3(p_identifier text, OUT replayed_lsn pg_lsn, OUT user_id uuid,
                                                              OUT detail json, OUT unknown_key text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  SELECT r.replayed_lsn, r.user_id, r.detail, r.unknown_key INTO replayed_lsn, user_id, detail, unknown_key
  FROM accounts.get_user_by_identifier_v4(p_identifier) r;
END
$$;

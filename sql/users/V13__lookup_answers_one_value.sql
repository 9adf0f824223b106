-- The miss lookup answers one text value (issue 12): get_user_by_identifier_v4 (V12) answered four OUT parameters,
-- which the caller reads in a FROM clause: PostgreSQL builds a record of them, stores it in a tuplestore (the
-- function scan) and reads it back, the ~700-byte detail copied at each step. One scalar value is what the lean
-- reference answers; at 32 clients (pgbench -M prepared -c32 -T5, alternating turns, 30,000 users, 2026-12-03) v4
-- ran at 0.94 of the lean reference's calls/s and this at 0.96 (docs/benchmarks.md). A text[] was tried before and was
-- no cheaper: the array's text form escapes every quote of the JSON; plain concatenation copies it once.
--
-- The answer, read in Java by its first two ';' (AccountsStore.Lookup.parse); nothing before the second ';' can hold
-- one, the detail or the miss key after it may:
--   '<replayed position>;<user id>;<detail json>'   found
--   '<replayed position>;;<miss key>'               not found: the name the miss is cached under
-- The position is the replica's replay position read before the lookup's snapshot (VOLATILE, see V10), empty on a
-- primary. The lookup rules and the detail are v4's, moved here; v4 now reads this function.
CREATE FUNCTION accounts.get_user_by_identifier_v5(p_identifier text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_replayed pg_lsn;
  v_user_id uuid;
  v_shape text := accounts.identifier_kind_v1(p_identifier);
  v_kind text := v_shape;
BEGIN
  v_replayed := accounts.replayed_lsn_v1();
  IF v_kind = 'uuid' THEN
    SELECT u.id INTO v_user_id FROM accounts.users u WHERE u.id = p_identifier::uuid AND u.is_active;
    IF v_user_id IS NULL THEN
      v_kind := 'second_login';
    END IF;
  END IF;
  IF v_user_id IS NULL THEN
    SELECT c.user_id INTO v_user_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    JOIN accounts.users u ON u.id = c.user_id
    WHERE c.is_active AND u.is_active
      AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
  END IF;
  IF v_user_id IS NULL THEN
    RETURN concat(v_replayed, ';;', CASE v_shape WHEN 'uuid' THEN p_identifier::uuid::text
                                                  WHEN 'email' THEN lower(p_identifier)
                                                  ELSE p_identifier END);
  END IF;
  RETURN concat(v_replayed, ';', v_user_id, ';', (
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
    WHERE u.id = v_user_id));
END
$$;

-- v4 keeps its contract (v2 and v3 read it; an instance of the previous release calls it during a rolling upgrade),
-- answered from v5's text so the lookup rules stay written once.
CREATE OR REPLACE FUNCTION accounts.get_user_by_identifier_v4(p_identifier text, OUT replayed_lsn pg_lsn, OUT user_id uuid,
                                                              OUT detail json, OUT unknown_key text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_answer text := accounts.get_user_by_identifier_v5(p_identifier);
  v_id_at int := strpos(v_answer, ';') + 1;
  v_value_at int := v_id_at + strpos(substr(v_answer, v_id_at), ';');
BEGIN
  replayed_lsn := nullif(substr(v_answer, 1, v_id_at - 2), '')::pg_lsn;
  IF v_value_at = v_id_at + 1 THEN
    unknown_key := substr(v_answer, v_value_at);
  ELSE
    user_id := substr(v_answer, v_id_at, v_value_at - v_id_at - 1)::uuid;
    detail := substr(v_answer, v_value_at)::json;
  END IF;
END
$$;
